"""Hidden activations beyond scikit-learn's four, and user activations (``Activation``).

The built-ins 'leaky_relu', 'elu', 'softplus', 'gelu', 'silu' and 'mish' are checked against
their formulas, their derivatives against finite differences of the forward pass, and the
whole backward pass against finite differences of the objective (every activation x every
output loss); they must stay finite and silent on extreme inputs. A user ``Activation``
(module-level functions, as here) must train, round-trip through clone / pickle /
GridSearchCV, pass scikit-learn's estimator checks, and train exactly like the built-in it
re-implements.
The gradient checks reuse the set-up of ``test_network.py`` (network shape, loss cases).
"""

import pickle
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks
from test_network import (
    LOSS_CASES,
    N_SAMPLES,
    finite_difference_gradient,
    make_problem,
    no_floating_point_trouble,
)

from sknumpy_nn import Activation, NumpyMLPClassifier, NumpyMLPRegressor
from sknumpy_nn._activations import HIDDEN_ACTIVATIONS, hidden_activation
from sknumpy_nn._network import Network

# --------------------------------------------------------------------------- user activations
# Module-level functions, so the estimators using them pickle (by reference to this module).


def softsign(Z):
    return Z / (1 + np.abs(Z))


def softsign_derivative(Z):
    return 1 / (1 + np.abs(Z)) ** 2


def my_tanh(Z):
    return np.tanh(Z)


def my_tanh_derivative(Z):
    return 1 - np.tanh(Z) ** 2


def row_sums(Z):
    return Z.sum(axis=1)


def scalar_one(Z):
    return 1.0


SOFTSIGN = Activation("softsign", softsign, softsign_derivative)
MY_TANH = Activation("my_tanh", my_tanh, my_tanh_derivative)

NEW_BUILTINS = ["leaky_relu", "elu", "softplus", "gelu", "silu", "mish"]
READS_Z = {"gelu", "silu", "mish"}  # not monotonic: the output does not determine Z
ALL_ACTIVATIONS = [*sorted(HIDDEN_ACTIVATIONS), SOFTSIGN, MY_TANH]
KINKED = {"relu", "leaky_relu", "elu"}  # g' (or g'') jumps at 0


def activation_id(activation):
    return activation if isinstance(activation, str) else activation.name


# --------------------------------------------------------------------------- formulas


def reference(name, z):
    """The textbook formula of each new built-in, written independently of the package."""
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "elu":
        return np.where(z > 0, z, np.exp(z) - 1)
    if name == "softplus":
        return np.log1p(np.exp(z))
    if name == "silu":
        return z / (1 + np.exp(-z))
    if name == "mish":
        return z * np.tanh(np.log1p(np.exp(z)))
    return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))


def apply(activation, Z):
    """Forward and derivative (g' times ones) of a built-in name or Activation, on a copy."""
    hidden = hidden_activation(activation)
    A = Z.copy()
    hidden.forward(A)
    slope = np.ones_like(Z)
    hidden.derivative(Z.copy() if hidden.from_pre_activation else A.copy(), slope)
    return A, slope


@pytest.mark.parametrize("name", NEW_BUILTINS)
def test_new_builtins_follow_their_formulas(name):
    z = np.linspace(-6, 6, 25).reshape(5, 5)
    A, _ = apply(name, z)
    assert_allclose(A, reference(name, z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ALL_ACTIVATIONS, ids=activation_id)
def test_derivative_matches_finite_differences_of_the_forward(activation):
    # Elementwise, over a wide range and off the kink at 0: the derivatives written from
    # the output (leaky_relu, elu, softplus) must agree with g' at Z everywhere.
    z = np.concatenate([np.linspace(-8, -0.05, 30), np.linspace(0.05, 8, 30)]).reshape(6, 10)
    h = 1e-6
    A_plus, _ = apply(activation, z + h)
    A_minus, _ = apply(activation, z - h)
    _, slope = apply(activation, z)
    assert_allclose(slope, (A_plus - A_minus) / (2 * h), rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------- gradient checks


def hidden_pre_activations(network, X):
    """Every hidden layer's ``Z``, recomputed outside the network."""
    A, pre = X, []
    for W, b in zip(network.coefs[:-1], network.intercepts[:-1]):
        Z = A @ W + b
        pre.append(Z)
        A, _ = apply(network.activation, Z)
    return np.concatenate([Z.ravel() for Z in pre])


@pytest.mark.parametrize(("loss", "n_outputs"), LOSS_CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("activation", ALL_ACTIVATIONS, ids=activation_id)
def test_backward_pass_matches_finite_differences(activation, loss, n_outputs):
    network, X, Y = make_problem(activation, loss, n_outputs)
    sample_weight = np.random.RandomState(1).uniform(0.2, 2.0, size=N_SAMPLES)
    if activation in KINKED:
        # Steps of 1e-6 must not cross the kink, and both sides must be exercised.
        pre = hidden_pre_activations(network, X)
        assert np.abs(pre).min() > 1e-4, "a pre-activation sits on the kink; pick another seed"
        assert (pre < 0).any() and (pre > 0).any()
    network.loss_and_gradient(X, Y, sample_weight, 0.3)
    gradient = network.grad.copy()
    fd = finite_difference_gradient(network, X, Y, sample_weight, 0.3)
    assert np.linalg.norm(gradient) > 1e-3  # a zero gradient would pass trivially
    error = np.linalg.norm(gradient - fd) / max(np.linalg.norm(gradient), np.linalg.norm(fd))
    assert error < 1e-6


def test_only_activations_whose_derivative_reads_z_keep_it():
    # The extra pre-activation buffer per hidden layer exists for gelu, silu, mish and user
    # activations only; the others differentiate from the output the forward pass stored anyway.
    for activation in ALL_ACTIVATIONS:
        network, X, Y = make_problem(activation, "squared_error", 1)
        network.loss_and_gradient(X, Y, None, 0.0)
        keeps_z = network._pre_activations is not None
        assert keeps_z == (activation in READS_Z or isinstance(activation, Activation))


# --------------------------------------------------------------------------- extreme inputs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_builtins_and_derivatives_are_finite_and_silent_at_extremes(name, dtype):
    big = np.finfo(dtype).max / 10
    Z = np.array([[1e4, -1e4, 0.0], [big, -big, 1e-30]], dtype=dtype)
    with warnings.catch_warnings(), no_floating_point_trouble():
        warnings.simplefilter("error")
        A, slope = apply(name, Z)
    assert A.dtype == slope.dtype == dtype
    assert np.isfinite(A).all() and np.isfinite(slope).all()


def test_new_builtins_saturate_to_their_limits():
    Z = np.array([[1e4, -1e4]])
    expected = {  # (g(1e4), g(-1e4)), (g'(1e4), g'(-1e4))
        "leaky_relu": ([1e4, -100.0], [1.0, 0.01]),
        "elu": ([1e4, -1.0], [1.0, 0.0]),
        "softplus": ([1e4, 0.0], [1.0, 0.0]),
        "gelu": ([1e4, 0.0], [1.0, 0.0]),
        "silu": ([1e4, 0.0], [1.0, 0.0]),
        "mish": ([1e4, 0.0], [1.0, 0.0]),
    }
    for name, (values, slopes) in expected.items():
        A, slope = apply(name, Z)
        assert_array_equal(A[0], values, err_msg=name)
        assert_array_equal(slope[0], slopes, err_msg=name)


@pytest.mark.parametrize("name", NEW_BUILTINS)
def test_training_step_on_huge_inputs_is_finite_and_silent(name):
    network, X, Y = make_problem(name, "squared_error", 1, seed=6)
    with warnings.catch_warnings(), no_floating_point_trouble():
        warnings.simplefilter("error")
        value = network.loss_and_gradient(X * 1e4, Y, None, 1e-3)
    assert np.isfinite(value)
    assert np.isfinite(network.grad).all()


# --------------------------------------------------------------------------- Activation object


def test_activation_repr_names_the_functions():
    assert repr(SOFTSIGN) == (
        "Activation('softsign', function=softsign, derivative=softsign_derivative)"
    )
    est = NumpyMLPRegressor(activation=SOFTSIGN)
    assert "activation=Activation('softsign'" in repr(est)


def test_activation_equality_is_by_fields_and_it_is_frozen():
    assert Activation("softsign", softsign, softsign_derivative) == SOFTSIGN
    assert hash(Activation("softsign", softsign, softsign_derivative)) == hash(SOFTSIGN)
    assert Activation("other", softsign, softsign_derivative) != SOFTSIGN
    assert Activation("softsign", softsign, my_tanh_derivative) != SOFTSIGN
    assert SOFTSIGN != "softsign"
    with pytest.raises(AttributeError):
        SOFTSIGN.name = "changed"


def regression_data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(120, 2))
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_custom_activation_survives_clone_and_pickle():
    X, y = regression_data()
    est = NumpyMLPRegressor(
        hidden_layer_sizes=(10,), activation=SOFTSIGN, solver="lbfgs", random_state=0
    )
    cloned = clone(est)
    assert cloned.activation == SOFTSIGN
    fitted = est.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.activation == SOFTSIGN
    assert restored.activation.function is softsign  # by reference, not a copy
    assert_array_equal(restored.predict(X), fitted.predict(X))
    # The clone trains the same model as the original.
    assert_array_equal(cloned.fit(X, y).predict(X), fitted.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_over_builtin_and_custom_activations():
    X, y = regression_data()
    grid = {"activation": ["relu", "gelu", SOFTSIGN]}
    est = NumpyMLPRegressor(hidden_layer_sizes=(10,), solver="lbfgs", max_iter=200)
    search = GridSearchCV(est, grid, cv=3).fit(X, y)
    assert search.cv_results_["param_activation"].tolist() == grid["activation"]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.activation in grid["activation"]
    assert search.best_score_ > 0.8


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam", max_iter=30, hidden_layer_sizes=(8, 6)),
        dict(solver="lbfgs", max_iter=40, hidden_layer_sizes=(8, 6)),
    ],
    ids=["adam", "lbfgs"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_custom_tanh_trains_exactly_like_builtin_tanh(params, dtype):
    # Same values and derivatives (1 - tanh(Z)^2 is 1 - A^2), same Glorot factor: the
    # user path (Z kept, callables wrapped) must not change a single bit -- also through
    # the float64 network that L-BFGS trains a float32 model in.
    X, y = regression_data()
    X = X.astype(dtype)
    builtin = NumpyMLPRegressor(activation="tanh", random_state=0, **params).fit(X, y)
    custom = NumpyMLPRegressor(activation=MY_TANH, random_state=0, **params).fit(X, y)
    assert builtin.n_iter_ == custom.n_iter_ >= 5
    assert custom.coefs_[0].dtype == dtype
    assert custom.loss_curve_ == builtin.loss_curve_
    for ours, theirs in zip(
        custom.coefs_ + custom.intercepts_, builtin.coefs_ + builtin.intercepts_
    ):
        assert_array_equal(ours, theirs)


@pytest.mark.parametrize("activation", [*NEW_BUILTINS, SOFTSIGN], ids=activation_id)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_each_new_activation_fits_a_smooth_function(activation):
    X, y = regression_data()
    est = NumpyMLPRegressor(
        hidden_layer_sizes=(20,), activation=activation, solver="lbfgs", random_state=0
    )
    assert est.fit(X, y).score(X, y) > 0.98


@pytest.mark.parametrize("activation", [*NEW_BUILTINS, SOFTSIGN], ids=activation_id)
def test_glorot_factor_is_six_for_every_activation_but_logistic(activation):
    sizes = [5, 7, 3, 2]
    ours = Network(sizes, activation, "squared_error", np.float64)
    relu = Network(sizes, "relu", "squared_error", np.float64)
    ours.initialize(np.random.RandomState(0))
    relu.initialize(np.random.RandomState(0))
    assert_array_equal(ours.params, relu.params)


BAD_ACTIVATIONS = [
    (Activation("bad", "not callable", softsign_derivative), TypeError, "function"),
    (Activation("bad", softsign, None), TypeError, "derivative"),
    (Activation(3, softsign, softsign_derivative), TypeError, "name"),
    (Activation("bad", row_sums, softsign_derivative), ValueError, "shape"),
    (Activation("bad", softsign, row_sums), ValueError, "shape"),
    (Activation("bad", softsign, scalar_one), TypeError, "array"),
]


@pytest.mark.parametrize(
    ("activation", "error", "message"), BAD_ACTIVATIONS, ids=[m for *_, m in BAD_ACTIVATIONS]
)
def test_invalid_activation_objects_raise_in_fit(activation, error, message):
    X, y = regression_data()
    est = NumpyMLPRegressor(activation=activation)
    with pytest.raises(error, match=message):
        est.fit(X, y)


@pytest.mark.parametrize("activation", ["swish", softsign, (softsign, softsign_derivative)])
def test_activation_other_than_a_name_or_activation_raises(activation):
    X, y = regression_data()
    with pytest.raises(ValueError, match=re.escape("'activation' parameter")):
        NumpyMLPClassifier(activation=activation).fit(X, y > 0)


# --------------------------------------------------------------------------- estimator checks

COMMON = dict(max_iter=100, random_state=0)


# Few epochs on tiny data do not converge; that warning is expected here and nowhere else.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [
        NumpyMLPRegressor(activation="gelu", **COMMON),
        NumpyMLPClassifier(activation="leaky_relu", **COMMON),
        NumpyMLPRegressor(activation=SOFTSIGN, **COMMON),
        NumpyMLPRegressor(activation="silu", **COMMON),
        NumpyMLPRegressor(activation="mish", solver="lbfgs", **COMMON),
        NumpyMLPClassifier(activation="silu", solver="lbfgs", **COMMON),
        NumpyMLPClassifier(activation="mish", **COMMON),
    ]
)
def test_sklearn_compatible_with_new_activations(estimator, check):
    check(estimator)
