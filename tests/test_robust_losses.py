"""The robust regression losses: loss='huber' (with huber_delta) and loss='absolute_error'.

Neither is canonical for any output activation: both keep the identity output and turn the
residual into their derivative through the loss's ``output_delta`` hook. The gradient checks
below cover that hook (away from the kinks, where a derivative exists); the behaviour tests
show what a user gets from it: fits that outliers do not drag away, a median-like fit, and
Huber with a huge threshold training exactly as the squared error does.
"""

import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.utils.estimator_checks import parametrize_with_checks
from test_network import finite_difference_gradient

from sknumpy_nn import NumpyMLPRegressor
from sknumpy_nn._losses import LOSSES, huber_loss
from sknumpy_nn._network import Network, predict

SOLVERS = ["lbfgs", "sgd", "adam"]
ROBUST_LOSSES = ["huber", "absolute_error"]
ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def linear_regressor(loss, solver, **params):
    """A small linear model (identity hidden layer): the fitted line is easy to check.

    The stochastic solvers get a step size that trains these problems in a few dozen epochs.
    """
    params = {
        "hidden_layer_sizes": (5,),
        "activation": "identity",
        "max_iter": 500,
        "random_state": 0,
        **({} if solver == "lbfgs" else {"learning_rate_init": 0.01}),
        **params,
    }
    return NumpyMLPRegressor(loss=loss, solver=solver, **params)


def line_with_outliers(n_samples=500, seed=0):
    """``y = 2x + 1`` with small noise, and about 10% of the rows pushed up by 100."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n_samples, 1))
    y = 2 * X.ravel() + 1 + rng.normal(scale=0.1, size=n_samples)
    y[rng.rand(n_samples) < 0.1] += 100
    return X, y


# --------------------------------------------------------------------------- gradients

HUBER_DELTA = 0.5  # within the residuals' spread, so both of Huber's branches are used
KINK_MARGIN = 1e-4  # finite-difference steps of 1e-6 never cross a kink this far away


def robust_problem(loss, n_outputs, seed=0):
    loss_entry = huber_loss(HUBER_DELTA) if loss == "huber" else LOSSES[loss]
    network = Network([3, 4, 3, n_outputs], "tanh", loss_entry, np.float64)
    network.initialize(np.random.RandomState(seed))
    rng = np.random.RandomState(seed + 1000)
    X = rng.normal(size=(7, 3))
    # Targets around the initial outputs: residuals of either side of delta, not all beyond.
    Y = network_output(network, X) + rng.normal(scale=0.8, size=(7, n_outputs))
    return network, X, Y


def network_output(network, X):
    return predict(X, network.coefs, network.intercepts, network.activation, "identity")


@pytest.mark.parametrize("use_weights", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("alpha", [0.0, 0.3], ids=["alpha0", "alpha0.3"])
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_robust_loss_gradient_matches_finite_differences(loss, n_outputs, alpha, use_weights):
    network, X, Y = robust_problem(loss, n_outputs)
    sample_weight = None
    if use_weights:
        # One zero weight: such rows must drop out of the gradient as they drop out of the loss.
        sample_weight = np.random.RandomState(1).uniform(0.2, 2.0, size=len(X))
        sample_weight[2] = 0.0
    # Central differences across a kink measure neither one-sided slope: the residuals must
    # keep clear of 0 (both losses) and of +-delta (Huber).
    residual = np.abs(network_output(network, X) - Y)
    assert residual.min() > KINK_MARGIN, "seed puts a residual on the kink at 0"
    if loss == "huber":
        assert np.abs(residual - HUBER_DELTA).min() > KINK_MARGIN
        # Both branches must be exercised, or a wrong slope in one would go unseen.
        assert (residual < HUBER_DELTA).any() and (residual > HUBER_DELTA).any()

    value = network.loss_and_gradient(X, Y, sample_weight, alpha)
    gradient = network.grad.copy()
    fd = finite_difference_gradient(network, X, Y, sample_weight, alpha)

    assert np.isfinite(value)
    assert np.linalg.norm(gradient) > 1e-3  # a zero gradient would pass trivially
    relative_error = np.linalg.norm(gradient - fd) / max(
        np.linalg.norm(gradient), np.linalg.norm(fd)
    )
    assert relative_error < 1e-6


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_loss_values_are_the_half_huber_and_absolute_error_summed_over_outputs(n_outputs):
    # Written out independently: per output 0.5 r^2 within delta, delta (|r| - delta / 2)
    # beyond, and |r|; summed over the outputs, sample-weighted mean over the rows.
    weights = np.random.RandomState(2).uniform(0.5, 2.0, size=7)
    for loss in ROBUST_LOSSES:
        network, X, Y = robust_problem(loss, n_outputs, seed=4)
        r = network_output(network, X) - Y
        if loss == "huber":
            per_entry = np.where(
                np.abs(r) <= HUBER_DELTA,
                0.5 * r**2,
                HUBER_DELTA * (np.abs(r) - 0.5 * HUBER_DELTA),
            )
        else:
            per_entry = np.abs(r)
        per_sample = per_entry.sum(axis=1)
        expected = per_sample @ weights / weights.sum()
        assert network.loss_and_gradient(X, Y, weights, 0.0) == pytest.approx(expected)
        assert network.loss_and_gradient(X, Y, None, 0.0) == pytest.approx(per_sample.mean())


# --------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize("solver", SOLVERS)
def test_huber_and_absolute_error_ignore_outliers_that_drag_squared_error(solver):
    X, y = line_with_outliers()
    X_test = np.linspace(-1, 1, 11).reshape(-1, 1)
    clean = 2 * X_test.ravel() + 1

    def worst_error(loss):
        model = linear_regressor(loss, solver).fit(X, y)
        return np.abs(model.predict(X_test) - clean).max()

    squared = worst_error("squared_error")
    assert squared > 5  # the mean is dragged up by about 10% of 100
    # Huber's linear tails let each outlier pull with at most delta = 1: a shift of about
    # 0.1 / 0.9; the absolute error follows the median, which the outliers barely move.
    assert worst_error("huber") < 0.2
    assert worst_error("absolute_error") < 0.05


@pytest.mark.parametrize("solver", SOLVERS)
def test_absolute_error_fits_the_conditional_median(solver):
    # Skewed noise: exponential with mean 1 and median log 2. The absolute error splits the
    # training targets in half and sits near the median; the squared error goes to the mean.
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(1000, 1))
    y = 3 * X.ravel() + rng.exponential(1.0, size=1000)

    median_fit = linear_regressor("absolute_error", solver).fit(X, y)
    mean_fit = linear_regressor("squared_error", solver).fit(X, y)

    assert np.mean(y <= median_fit.predict(X)) == pytest.approx(0.5, abs=0.03)
    assert np.mean(y <= mean_fit.predict(X)) > 0.58
    offset = median_fit.predict(X) - 3 * X.ravel()
    assert_allclose(offset, np.log(2), atol=0.08)


@ignore_convergence
@pytest.mark.parametrize("solver", SOLVERS)
def test_huber_with_a_huge_delta_trains_exactly_like_squared_error(solver):
    # Within the threshold Huber is the half squared error and its slope the residual: with
    # a threshold no residual reaches, training must follow the same path, epoch by epoch.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    Y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
    weights = rng.uniform(0.5, 2.0, size=60)
    params = dict(hidden_layer_sizes=(6,), solver=solver, max_iter=30, random_state=0)

    squared = NumpyMLPRegressor(**params).fit(X, Y, sample_weight=weights)
    huber = NumpyMLPRegressor(loss="huber", huber_delta=1e10, **params).fit(
        X, Y, sample_weight=weights
    )

    assert_allclose(huber.loss_curve_, squared.loss_curve_, rtol=1e-10)
    assert_allclose(huber.predict(X), squared.predict(X), rtol=1e-10, atol=1e-12)


def test_huber_delta_sets_where_the_loss_turns_linear():
    # The same outliers pull with delta each: a smaller threshold moves the line less.
    X, y = line_with_outliers()
    X_test = np.linspace(-1, 1, 11).reshape(-1, 1)
    clean = 2 * X_test.ravel() + 1
    models = [linear_regressor("huber", "lbfgs", huber_delta=d).fit(X, y) for d in (0.3, 1, 3)]
    shifts = [np.abs(model.predict(X_test) - clean).mean() for model in models]
    assert shifts[0] < shifts[1] < shifts[2]


@ignore_convergence  # both runs stop on the iteration cap at the same point
@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_integer_sample_weight_equals_repeated_samples(loss):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    y = X[:, 0] - 2 * X[:, 1] + rng.standard_t(2, size=30)  # heavy tails: both branches
    weights = rng.randint(1, 4, size=30)
    params = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=50, random_state=0)

    weighted = NumpyMLPRegressor(loss=loss, **params).fit(X, y, sample_weight=weights)
    repeated = NumpyMLPRegressor(loss=loss, **params).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )

    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-9)
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6)


@ignore_convergence
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_robust_losses_fit_several_outputs_with_every_solver(loss, solver):
    # Two lines, each with its own outliers (other rows, other sign): every output is
    # fitted, none dragged away.
    X, y = line_with_outliers()
    rng = np.random.RandomState(1)
    y_second = -(2 * X.ravel() + 1) + rng.normal(scale=0.1, size=len(X))
    y_second[rng.rand(len(X)) < 0.1] -= 100
    Y = np.column_stack([y, y_second])
    model = linear_regressor(loss, solver).fit(X, Y)

    X_test = np.linspace(-1, 1, 11).reshape(-1, 1)
    clean = 2 * X_test.ravel() + 1
    assert model.predict(X_test).shape == (11, 2)
    assert model.out_activation_ == "identity"
    assert_allclose(model.predict(X_test), np.column_stack([clean, -clean]), atol=0.2)


@ignore_convergence
@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_robust_losses_train_with_early_stopping_and_partial_fit(loss):
    X, y = line_with_outliers()
    stopped = linear_regressor(loss, "adam", early_stopping=True).fit(X, y)
    assert stopped.n_iter_ < 500 and len(stopped.validation_scores_) == stopped.n_iter_

    incremental = linear_regressor(loss, "sgd")
    for _ in range(20):
        incremental.partial_fit(X, y)
    assert incremental.loss_curve_[-1] < incremental.loss_curve_[0]


@ignore_convergence
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("loss", ROBUST_LOSSES)
def test_robust_losses_keep_float32(loss, solver):
    # float32 in, float32 weights and predictions out, also with a NumPy float64 threshold.
    X, y = line_with_outliers(n_samples=100)
    model = linear_regressor(loss, solver, max_iter=20, huber_delta=np.float64(0.5))
    model.fit(X.astype(np.float32), y.astype(np.float32))
    assert all(W.dtype == np.float32 for W in model.coefs_ + model.intercepts_)
    assert model.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("huber_delta", [0, -1.0, "1.0", None])
def test_invalid_huber_delta_raises_naming_it(huber_delta):
    X, y = line_with_outliers(n_samples=20)
    with pytest.raises(ValueError, match="'huber_delta' parameter"):
        NumpyMLPRegressor(loss="huber", huber_delta=huber_delta).fit(X, y)


def test_huber_delta_is_a_keyword_only_parameter_after_sklearns():
    parameters = inspect.signature(NumpyMLPRegressor.__init__).parameters
    names = list(parameters)
    assert names.index("huber_delta") > names.index("max_fun")  # after all of sklearn's
    assert parameters["huber_delta"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["huber_delta"].default == 1.0


# --------------------------------------------------------------------------- sklearn checks

ROBUST_ESTIMATORS = [
    NumpyMLPRegressor(loss=loss, solver=solver, max_iter=100, random_state=0)
    for loss in ROBUST_LOSSES
    for solver in ("lbfgs", "adam")
]


# Few epochs on tiny data do not converge; that warning is expected here, as in test_common.
@ignore_convergence
@parametrize_with_checks(ROBUST_ESTIMATORS)
def test_robust_loss_regressors_are_sklearn_compatible(estimator, check):
    check(estimator)
