"""LossCurveDisplay: what it draws, where it marks the best epoch, and without matplotlib."""

import sys

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPRegressor

from sknumpy_nn import LossCurveDisplay, NumpyMLPClassifier, NumpyMLPRegressor

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def data(n_samples, seed, noise=0.0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2] + noise * rng.normal(size=n_samples)
    return X, y


def overfitted(**params):
    """Adam on 40 noisy rows, validated on 30 clean ones: the validation loss turns up."""
    X, y = data(40, seed=0, noise=0.5)
    X_val, y_val = data(30, seed=1)
    params = {"hidden_layer_sizes": (50,), "learning_rate_init": 0.05, "random_state": 0, **params}
    return NumpyMLPRegressor(**params).fit(X, y, X_val=X_val, y_val=y_val), X_val, y_val


@ignore_convergence
def test_lines_hold_the_training_and_validation_curves():
    est, _, _ = overfitted(max_iter=60)
    display = LossCurveDisplay.from_estimator(est)

    assert_array_equal(display.line_.get_xdata(), np.arange(1, 61))
    assert_array_equal(display.line_.get_ydata(), est.loss_curve_)
    assert_array_equal(display.validation_line_.get_xdata(), np.arange(1, 61))
    assert_array_equal(display.validation_line_.get_ydata(), est.validation_loss_curve_)
    assert display.ax_.get_yscale() == "linear"
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_title() == "NumpyMLPRegressor"
    assert display.figure_ is display.ax_.figure
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert labels[:2] == ["training", "validation"]


def test_best_epoch_marker_is_at_the_epoch_early_stopping_restores():
    est, X_val, y_val = overfitted(early_stopping=True, max_iter=300)
    display = LossCurveDisplay.from_estimator(est)

    best = display.best_epoch
    assert best == np.argmax(est.validation_scores_) + 1 < est.n_iter_
    assert_array_equal(display.best_epoch_line_.get_xdata(), [best, best])
    # The model holds that epoch's weights: its validation score is the one recorded there.
    assert est.score(X_val, y_val) == pytest.approx(est.validation_scores_[best - 1])


@ignore_convergence
def test_without_validation_data_the_lowest_training_loss_is_marked():
    X, y = data(40, seed=0)
    est = NumpyMLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0)
    est.fit(X, y > 0)
    display = LossCurveDisplay.from_estimator(est)
    assert display.validation_line_ is None
    assert display.best_epoch == np.argmin(est.loss_curve_) + 1
    assert_array_equal(display.best_epoch_line_.get_xdata(), [display.best_epoch] * 2)


@ignore_convergence
def test_log_scale_given_axes_and_no_marker():
    est, _, _ = overfitted(max_iter=20)
    figure, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(est, ax=ax, log_scale=True, mark_best=False)
    assert display.ax_ is ax
    assert display.figure_ is figure
    assert ax.get_yscale() == "log"
    assert display.best_epoch_line_ is None
    assert len(ax.get_lines()) == 2


@ignore_convergence
def test_lbfgs_curves_are_drawn_against_iterations():
    X, y = data(40, seed=0)
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0)
    est.fit(X, y, X_val=X[:15] + 0.1, y_val=y[:15])
    display = LossCurveDisplay.from_estimator(est)
    assert display.ax_.get_xlabel() == "Iteration"
    assert len(display.validation_line_.get_ydata()) == est.n_iter_


@ignore_convergence
def test_late_validation_curve_is_aligned_with_the_last_epochs():
    X, y = data(40, seed=0)
    X_val, y_val = data(20, seed=1)
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), max_iter=5, warm_start=True, random_state=0)
    est.fit(X, y)
    est.fit(X, y, X_val=X_val, y_val=y_val)  # validated from epoch 6 on
    display = LossCurveDisplay.from_estimator(est)
    assert_array_equal(display.validation_line_.get_xdata(), np.arange(6, 11))
    assert display.best_epoch == 5 + np.argmax(est.validation_scores_) + 1


def test_constructor_stores_the_data_and_plot_returns_the_display():
    display = LossCurveDisplay(
        [3.0, 2.0, 1.5, 1.6], validation_loss_curve=[2.5, 2.2], best_epoch=3
    )
    assert display.loss_curve == [3.0, 2.0, 1.5, 1.6]
    assert not hasattr(display, "ax_")
    assert display.plot() is display
    assert_array_equal(display.validation_line_.get_xdata(), [3, 4])
    assert display.ax_.get_title() == ""


def test_works_on_sklearns_mlp_without_a_validation_loss():
    X, y = data(80, seed=0)
    est = MLPRegressor(
        hidden_layer_sizes=(5,), early_stopping=True, learning_rate_init=0.01, max_iter=500
    ).set_params(random_state=0)
    est.fit(X, y)
    display = LossCurveDisplay.from_estimator(est)
    assert display.validation_line_ is None
    assert display.best_epoch == np.argmax(est.validation_scores_) + 1


def test_unfitted_estimator_raises_not_fitted():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(NumpyMLPRegressor())


@ignore_convergence
@pytest.mark.parametrize("draw", ["from_estimator", "plot"])
def test_missing_matplotlib_raises_an_import_error_naming_the_extra(monkeypatch, draw):
    X, y = data(40, seed=0)
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0)
    est.fit(X, y)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "sknumpy_nn\[plot\]"'):
        if draw == "plot":
            LossCurveDisplay(est.loss_curve_).plot()
        else:
            LossCurveDisplay.from_estimator(est)
