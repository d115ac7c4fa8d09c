"""Fit a small network with a validation set and save its loss curves as docs/loss_curve.png.

A network far too large for 30 noisy samples of a 1-D function, validated on 200 more
samples of it without early stopping: the training loss keeps falling while the validation
loss turns up as the network learns the noise, and the display marks the epoch of the best
validation score (the weights ``early_stopping=True`` would have kept).

Usage: ``python benchmarks/plot_loss_curve.py [--output docs/loss_curve.png]`` (needs
matplotlib: ``pip install ".[plot]"``).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sknumpy_nn import LossCurveDisplay, NumpyMLPRegressor  # noqa: E402

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "loss_curve.png"


def noisy_sine(n_samples, noise, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n_samples, 1))
    return X, np.sin(2 * X[:, 0]) + noise * rng.normal(size=n_samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    X, y = noisy_sine(30, noise=0.3, seed=0)
    X_val, y_val = noisy_sine(200, noise=0.3, seed=1)
    model = NumpyMLPRegressor(
        hidden_layer_sizes=(64, 64),
        learning_rate_init=0.005,
        max_iter=600,
        tol=0.0,
        n_iter_no_change=600,  # run every epoch: the point is the whole curve
        random_state=0,
    )
    model.fit(X, y, X_val=X_val, y_val=y_val)

    figure, ax = plt.subplots(figsize=(6, 4), dpi=100)  # 600 x 400 pixels
    display = LossCurveDisplay.from_estimator(model, ax=ax, log_scale=True)
    ax.set_title("NumpyMLPRegressor, validated on held-out data")
    figure.tight_layout()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.output)
    print(
        f"{model.n_iter_} epochs; best validation R^2 {model.best_validation_score_:.3f} at "
        f"epoch {display.best_epoch}, {model.validation_scores_[-1]:.3f} at the last; "
        f"saved {args.output}"
    )


if __name__ == "__main__":
    main()
