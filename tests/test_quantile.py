"""loss='quantile' (the pinball loss, with quantile=) on NumpyMLPRegressor.

The loss and its subgradient are checked against scikit-learn's ``mean_pinball_loss`` and
finite differences; the behaviour tests show what a user gets: held-out coverage of the
fitted quantiles on heteroscedastic data, every solver, weights, validation data, the
parameter's validation, the tag that declares a low R^2, persistence and scikit-learn's
estimator checks.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_pinball_loss
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks
from test_network import finite_difference_gradient

from sknumpy_nn import NumpyMLPRegressor
from sknumpy_nn._losses import quantile_loss, weighted_loss_sum
from sknumpy_nn._network import Network, predict

SOLVERS = ["lbfgs", "sgd", "adam"]
KINK_MARGIN = 1e-4  # finite-difference steps of 1e-6 never cross the kink this far away


def heteroscedastic(n_samples, seed):
    """``y = 2x + (0.2 + x) * noise`` on ``x`` uniform in [0, 1]: the spread grows with x."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(0, 1, size=(n_samples, 1))
    y = 2 * X.ravel() + (0.2 + X.ravel()) * rng.normal(size=n_samples)
    return X, y


@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_loss_is_the_pinball_loss_summed_over_outputs(quantile, n_outputs):
    rng = np.random.RandomState(0)
    Y = rng.normal(size=(50, n_outputs))
    A = rng.normal(size=(50, n_outputs))
    weights = rng.uniform(0.1, 2.0, size=50)
    loss = quantile_loss(quantile)
    # scikit-learn's mean_pinball_loss averages over the outputs; ours sums them.
    expected = n_outputs * mean_pinball_loss(Y, A, alpha=quantile, sample_weight=weights)
    got = weighted_loss_sum(loss, Y, A, A - Y, weights) / weights.sum()
    assert_allclose(got, expected, rtol=1e-12)
    unweighted = weighted_loss_sum(loss, Y, A, A - Y, None) / len(Y)
    assert_allclose(unweighted, n_outputs * mean_pinball_loss(Y, A, alpha=quantile))


@pytest.mark.parametrize("use_weights", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.8])
def test_gradient_matches_finite_differences(quantile, n_outputs, use_weights):
    network = Network([3, 4, 3, n_outputs], "tanh", quantile_loss(quantile), np.float64)
    network.initialize(np.random.RandomState(0))
    rng = np.random.RandomState(1000)
    X = rng.normal(size=(9, 3))
    output = predict(X, network.coefs, network.intercepts, "tanh", "identity")
    Y = output + rng.normal(scale=0.8, size=output.shape)
    residual = output - Y
    assert np.abs(residual).min() > KINK_MARGIN, "a residual sits on the kink"
    assert (residual > 0).any() and (residual < 0).any()  # both slopes are exercised
    weights = rng.uniform(0.2, 2.0, size=len(X)) if use_weights else None
    network.loss_and_gradient(X, Y, weights, 0.3)
    gradient = network.grad.copy()
    fd = finite_difference_gradient(network, X, Y, weights, 0.3)
    assert np.linalg.norm(gradient) > 1e-3
    error = np.linalg.norm(gradient - fd) / max(np.linalg.norm(gradient), np.linalg.norm(fd))
    assert error < 1e-6


def test_subgradient_at_the_kink_is_zero_for_the_median():
    residual = np.array([[-1.0, 0.0, 2.0]])
    for quantile, expected in [(0.5, [-0.5, 0.0, 0.5]), (0.9, [-0.9, -0.4, 0.1])]:
        out = np.empty_like(residual)
        quantile_loss(quantile).output_delta(residual, out)
        assert_allclose(out, [expected])


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_fitted_quantiles_cover_held_out_data_as_asked(solver):
    # With 4,000 training rows and 20,000 held-out ones, the coverage of an exact quantile
    # would be within +-0.007 of its target with 99.9 % probability: the +-0.03 allowed
    # here measures the fit, not luck.
    X, y = heteroscedastic(4000, seed=0)
    X_test, y_test = heteroscedastic(20000, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for quantile in (0.1, 0.5, 0.9):
            model = NumpyMLPRegressor(
                loss="quantile",
                quantile=quantile,
                hidden_layer_sizes=(16,),
                solver=solver,
                learning_rate_init=0.01,
                max_iter=300,
                tol=0.0,  # adam: stop on a plateau of the loss, not on a small gain
                random_state=0,
            ).fit(X, y)
            coverage = np.mean(y_test <= model.predict(X_test))
            assert abs(coverage - quantile) <= 0.03, (quantile, coverage)


def test_interval_from_two_quantiles_widens_with_the_noise():
    X, y = heteroscedastic(4000, seed=0)
    fits = {
        q: NumpyMLPRegressor(
            loss="quantile", quantile=q, hidden_layer_sizes=(16,), solver="lbfgs", random_state=0
        ).fit(X, y)
        for q in (0.05, 0.95)
    }
    grid = np.array([[0.1], [0.9]])
    width = fits[0.95].predict(grid) - fits[0.05].predict(grid)
    # The true 90 % interval is 2 * 1.645 * (0.2 + x) wide: 0.99 at x=0.1, 3.6 at x=0.9.
    assert_allclose(width, 2 * 1.645 * (0.2 + grid.ravel()), rtol=0.15)


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_solver_lowers_the_pinball_loss(solver):
    X, y = heteroscedastic(500, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NumpyMLPRegressor(
            loss="quantile",
            quantile=0.8,
            hidden_layer_sizes=(8,),
            solver=solver,
            learning_rate_init=0.01,
            max_iter=50,
            random_state=0,
        ).fit(X, y)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert np.isfinite(model.loss_)


def test_validation_loss_is_the_pinball_loss_of_the_validation_data():
    X, y = heteroscedastic(600, seed=3)
    X_val, y_val = heteroscedastic(200, seed=4)
    model = NumpyMLPRegressor(
        loss="quantile", quantile=0.7, hidden_layer_sizes=(8,), max_iter=5, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, X_val=X_val, y_val=y_val)
    expected = mean_pinball_loss(y_val, model.predict(X_val), alpha=0.7)
    assert_allclose(model.validation_loss_curve_[-1], expected, rtol=1e-10)


def test_integer_sample_weights_equal_repeated_rows():
    X, y = heteroscedastic(40, seed=5)
    weights = np.random.RandomState(0).randint(1, 3, size=len(X))
    params = dict(
        loss="quantile",
        quantile=0.3,
        hidden_layer_sizes=(4,),
        solver="lbfgs",
        max_iter=30,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = NumpyMLPRegressor(**params).fit(X, y, sample_weight=weights)
        repeated = NumpyMLPRegressor(**params).fit(np.repeat(X, weights, 0), np.repeat(y, weights))
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("quantile", [0.0, 1.0, -0.2, 1.5])
@pytest.mark.parametrize("loss", ["quantile", "squared_error"])
def test_quantile_outside_the_open_unit_interval_is_rejected_at_fit(loss, quantile):
    X, y = heteroscedastic(20, seed=6)
    with pytest.raises(ValueError, match="'quantile' parameter"):
        NumpyMLPRegressor(loss=loss, quantile=quantile).fit(X, y)


def test_quantile_of_the_wrong_type_is_rejected():
    X, y = heteroscedastic(20, seed=6)
    with pytest.raises(ValueError, match="'quantile' parameter"):
        NumpyMLPRegressor(loss="quantile", quantile="0.9").fit(X, y)


def test_poor_score_tag_only_away_from_the_median():
    assert not get_tags(NumpyMLPRegressor(loss="quantile")).regressor_tags.poor_score
    assert get_tags(NumpyMLPRegressor(loss="quantile", quantile=0.9)).regressor_tags.poor_score
    assert not get_tags(NumpyMLPRegressor(quantile=0.9)).regressor_tags.poor_score


def test_pickle_and_skops_round_trips_predict_the_same():
    skops_io = pytest.importorskip("skops.io")
    X, y = heteroscedastic(200, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NumpyMLPRegressor(
            loss="quantile", quantile=0.9, hidden_layer_sizes=(5,), max_iter=10, random_state=0
        ).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    dumped = skops_io.dumps(model)
    loaded = skops_io.loads(dumped, trusted=skops_io.get_untrusted_types(data=dumped))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.quantile == 0.9


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [
        NumpyMLPRegressor(loss="quantile", max_iter=100, random_state=0),
        NumpyMLPRegressor(loss="quantile", quantile=0.9, max_iter=100, random_state=0),
        NumpyMLPRegressor(loss="quantile", solver="lbfgs", max_iter=100, random_state=0),
    ]
)
def test_sklearn_compatible_with_the_quantile_loss(estimator, check):
    check(estimator)
