"""Fit the 0.05 and 0.95 quantiles of noisy data; save the band as docs/quantile_interval.png.

Data whose noise grows with ``x`` (``y = 2x + (0.2 + x) * noise``): two networks with
``loss="quantile"`` fit the 5 % and 95 % conditional quantiles, and the band between them
widens as the noise does. The title gives the band's coverage of held-out data (0.90 asked).

Usage: ``python benchmarks/plot_quantiles.py [--output docs/quantile_interval.png]`` (needs
matplotlib: ``pip install ".[plot]"``).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sknumpy_nn import NumpyMLPRegressor  # noqa: E402

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "quantile_interval.png"


def heteroscedastic(n_samples, seed):
    """``y = 2x + (0.2 + x) * noise`` on ``x`` uniform in [0, 1]."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(0, 1, size=(n_samples, 1))
    return X, 2 * X[:, 0] + (0.2 + X[:, 0]) * rng.normal(size=n_samples)


def main():
    """Fit both quantiles, plot the band over the held-out points and save the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    X, y = heteroscedastic(2000, seed=0)
    X_test, y_test = heteroscedastic(2000, seed=1)
    low, high = (
        NumpyMLPRegressor(
            loss="quantile", quantile=q, hidden_layer_sizes=(16,), solver="lbfgs", random_state=0
        ).fit(X, y)
        for q in (0.05, 0.95)
    )
    inside = (low.predict(X_test) <= y_test) & (y_test <= high.predict(X_test))

    grid = np.linspace(0, 1, 200).reshape(-1, 1)
    figure, ax = plt.subplots(figsize=(6, 4), dpi=100)  # 600 x 400 pixels
    ax.scatter(X_test[:, 0], y_test, s=4, alpha=0.3, color="grey", label="held-out data")
    ax.fill_between(
        grid[:, 0], low.predict(grid), high.predict(grid), alpha=0.3, label="0.05 to 0.95 quantile"
    )
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"Two quantile fits: {inside.mean():.1%} of held-out points inside (90 % asked)")
    ax.legend(loc="upper left")
    figure.tight_layout()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.output)
    print(f"held-out coverage {inside.mean():.3f}; saved {args.output}")


if __name__ == "__main__":
    main()
