"""Dropout (``dropout=``): inverted dropout on the hidden layers while sgd/adam train.

The backward pass with fixed masks is checked against finite differences (the derivative
must read the undropped output); masks come from the fit's ``random_state`` only, so the
same seed gives the same model; ``predict`` never drops; ``dropout=0.0`` is exactly the
model without dropout, and so still scikit-learn's.
"""

import pickle
import re

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor
from sknumpy_nn._network import Network

# Short runs end before convergence on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

LAYERS = [3, 5, 4, 2]  # two hidden layers, both dropped
N_SAMPLES = 9


def make_problem(activation, dropout, seed=0):
    network = Network(LAYERS, activation, "squared_error", np.float64, dropout)
    network.initialize(np.random.RandomState(seed))
    rng = np.random.RandomState(seed + 1000)
    return network, rng.normal(size=(N_SAMPLES, LAYERS[0])), rng.normal(size=(N_SAMPLES, 2))


# --------------------------------------------------------------------------- the core


@pytest.mark.parametrize("activation", ["logistic", "tanh", "softplus", "gelu"])
def test_gradient_with_fixed_masks_matches_finite_differences(activation):
    # A fresh RandomState(7) per evaluation draws the same masks every time, so the objective
    # is a fixed function of the parameters. logistic/tanh/softplus differentiate from the
    # output A: using the dropped output there would give a wrong gradient.
    network, X, Y = make_problem(activation, (0.5, 0.3))
    weights = np.random.RandomState(1).uniform(0.2, 2.0, N_SAMPLES)

    def objective():
        return network.loss_and_gradient(X, Y, weights, 0.1, random_state=np.random.RandomState(7))

    value = objective()
    gradient = network.grad.copy()
    h, fd = 1e-6, np.empty_like(gradient)
    for i in range(network.params.size):
        original = network.params[i]
        network.params[i] = original + h
        f_plus = objective()
        network.params[i] = original - h
        f_minus = objective()
        network.params[i] = original
        fd[i] = (f_plus - f_minus) / (2 * h)
    error = np.linalg.norm(gradient - fd) / max(np.linalg.norm(gradient), np.linalg.norm(fd))
    assert error < 1e-6
    # The masks did apply: without dropout the objective is another number.
    assert value != network.loss_and_gradient(X, Y, weights, 0.1)


def test_masks_are_scaled_bernoulli_draws_of_each_layers_rate():
    network = Network([4, 300, 200, 1], "relu", "squared_error", np.float64, (0.2, 0.6))
    network.initialize(np.random.RandomState(0))
    X, Y = np.random.RandomState(1).normal(size=(500, 4)), np.zeros((500, 1))
    network.loss_and_gradient(X, Y, None, 0.0, random_state=np.random.RandomState(2))
    for mask, rate in zip(network._masks, (0.2, 0.6)):
        kept = mask != 0
        assert_array_equal(mask[kept], 1 / (1 - rate))  # inverted dropout: E[mask] = 1
        assert abs((~kept).mean() - rate) < 0.01


def test_layer_with_zero_rate_draws_no_mask():
    network, X, Y = make_problem("tanh", (0.0, 0.5))
    network.loss_and_gradient(X, Y, None, 0.0, random_state=np.random.RandomState(0))
    assert network._masks[0] is None and network._masks[1] is not None
    assert Network(LAYERS, "tanh", "squared_error", np.float64, (0.0, 0.0)).dropout is None


# --------------------------------------------------------------------------- the estimators


def regression_data(n_samples=150):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, 4))
    return X, X[:, 0] - 2 * X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n_samples)


def regressor(**params):
    defaults = dict(hidden_layer_sizes=(16, 8), max_iter=15, random_state=0)
    return NumpyMLPRegressor(**{**defaults, **params})


def same_model(a, b):
    assert a.loss_curve_ == b.loss_curve_
    for W_a, W_b in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert_array_equal(W_a, W_b)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_dropout_changes_training(solver):
    X, y = regression_data()
    plain = regressor(solver=solver).fit(X, y)
    dropped = regressor(solver=solver, dropout=0.3).fit(X, y)
    assert len(dropped.loss_curve_) == len(plain.loss_curve_)
    assert not np.allclose(dropped.loss_curve_, plain.loss_curve_)
    assert not np.allclose(dropped.predict(X), plain.predict(X))


def test_predict_is_deterministic_and_drops_nothing():
    X, y = regression_data()
    est = regressor(dropout=0.5).fit(X, y)
    first, second = est.predict(X), est.predict(X)
    assert_array_equal(first, second)
    # The plain forward pass of the fitted weights, written out: no unit is dropped.
    A = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
        A = np.maximum(A @ W + b, 0)
    assert_allclose(first, (A @ est.coefs_[-1] + est.intercepts_[-1]).ravel(), rtol=1e-12)


def test_same_seed_gives_the_same_model_and_another_seed_another():
    X, y = regression_data()
    np.random.seed(1)  # noqa: NPY002 -- the global stream must play no part
    first = regressor(dropout=0.3).fit(X, y)
    np.random.seed(2)  # noqa: NPY002
    second = regressor(dropout=0.3).fit(X, y)
    same_model(first, second)
    # Refitting the same estimator, and a clone of a pickled one, give it again.
    same_model(first, first.fit(X, y))
    same_model(first, pickle.loads(pickle.dumps(first)).fit(X, y))

    other = regressor(dropout=0.3, random_state=1).fit(X, y)
    reference = regressor(random_state=1).fit(X, y)
    assert other.loss_curve_ != first.loss_curve_
    assert other.loss_curve_ != reference.loss_curve_


@pytest.mark.parametrize("off", [0.0, 0, (0.0, 0.0), [0, 0]], ids=repr)
def test_zero_dropout_is_exactly_no_dropout_and_still_sklearns_model(off):
    X, y = regression_data()
    default = regressor().fit(X, y)
    same_model(regressor(dropout=off).fit(X, y), default)
    # And that is still scikit-learn's MLP, epoch by epoch.
    sklearn = MLPRegressor(hidden_layer_sizes=(16, 8), max_iter=15, random_state=0).fit(X, y)
    assert_allclose(default.loss_curve_, sklearn.loss_curve_, rtol=1e-10)


def test_per_layer_rates_drop_the_layers_they_name():
    X, y = regression_data()
    fits = {
        rates: regressor(dropout=rates).fit(X, y).loss_curve_
        for rates in [(0.0, 0.4), (0.4, 0.0), (0.4, 0.4)]
    }
    assert len({tuple(curve) for curve in fits.values()}) == 3
    # A list and a float give the same model as the equivalent tuple.
    same_model(regressor(dropout=[0.4, 0.4]).fit(X, y), regressor(dropout=0.4).fit(X, y))
    assert fits[(0.4, 0.4)] == regressor(dropout=0.4).fit(X, y).loss_curve_


BAD_DROPOUT = [
    ((0.1,), "1 rate"),
    ((0.1, 0.2, 0.3), "3 rate"),
    ((0.1, 1.0), re.escape("[0, 1)")),
    ((-0.1, 0.2), re.escape("[0, 1)")),
    ((0.1, "a"), re.escape("[0, 1)")),
    ((0.1, True), re.escape("[0, 1)")),
    (1.0, "dropout"),
    (-0.5, "dropout"),
    ("high", "dropout"),
]


@pytest.mark.parametrize(
    ("dropout", "message"), BAD_DROPOUT, ids=[repr(d) for d, _ in BAD_DROPOUT]
)
def test_invalid_dropout_raises_naming_it(dropout, message):
    X, y = regression_data()
    with pytest.raises(ValueError, match=message) as error:
        regressor(dropout=dropout).fit(X, y)
    assert "dropout" in str(error.value)


@pytest.mark.parametrize("Estimator", [NumpyMLPRegressor, NumpyMLPClassifier])
def test_lbfgs_with_dropout_raises(Estimator):
    X, y = regression_data()
    y = y if Estimator is NumpyMLPRegressor else y > 0
    with pytest.raises(ValueError, match="lbfgs"):
        Estimator(solver="lbfgs", dropout=0.2).fit(X, y)
    with pytest.raises(ValueError, match="lbfgs"):
        Estimator(solver="lbfgs", hidden_layer_sizes=(4, 4), dropout=(0.0, 0.1)).fit(X, y)
    # No rate above zero: nothing to refuse.
    Estimator(solver="lbfgs", hidden_layer_sizes=(4, 4), dropout=(0, 0), max_iter=5).fit(X, y)


def test_classifier_partial_fit_and_sparse_input_with_dropout():
    X, y = regression_data()
    labels = (y > 0).astype(int)
    params = dict(hidden_layer_sizes=(16,), dropout=0.3, learning_rate_init=0.01, random_state=0)
    clf, again = NumpyMLPClassifier(**params), NumpyMLPClassifier(**params)
    for _ in range(5):
        clf.partial_fit(sp.csr_matrix(X), labels, classes=[0, 1])
        again.partial_fit(X, labels, classes=[0, 1])
    # Sparse and dense input, same seed: the same masks, the same model.
    assert_allclose(clf.loss_curve_, again.loss_curve_, rtol=1e-12)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_early_stopping_scores_the_network_without_dropout():
    # The split is drawn right after the initial weights, as without dropout; the best
    # validation score is then exactly the kept weights' score, predicted without dropout.
    X, y = regression_data(300)
    est = regressor(dropout=0.3, early_stopping=True, max_iter=30).fit(X, y)
    stream = np.random.RandomState(0)
    Network([4, 16, 8, 1], "relu", "squared_error", np.float64).initialize(stream)
    _, X_val, _, y_val = train_test_split(X, y, random_state=stream, test_size=0.1)
    assert est.score(X_val, y_val) == pytest.approx(est.best_validation_score_, rel=1e-12)
    assert len(est.validation_scores_) == est.n_iter_ >= 5


# --------------------------------------------------------------------------- estimator checks

SAMPLE_WEIGHT_REASON = "a row of weight 2 and a repeated row draw different dropout masks"


def expected_failed_checks(estimator):
    if estimator.dropout:
        return {
            "check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_REASON,
            "check_sample_weight_equivalence_on_sparse_data": SAMPLE_WEIGHT_REASON,
        }
    return {}


@parametrize_with_checks(
    [
        NumpyMLPRegressor(solver="adam", dropout=0.2, max_iter=100, random_state=0),
        NumpyMLPClassifier(solver="adam", dropout=0.2, max_iter=100, random_state=0),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible_with_dropout(estimator, check):
    check(estimator)
