"""The estimators under ``array_api_dispatch``: a fit in another namespace is the NumPy fit.

array-api-strict implements only the standard, on two simulated devices ("CPU_DEVICE" and
"device1", whose arrays NumPy refuses to read): a fit that passes here calls nothing but the
standard and never moves data to NumPy behind the user's back. torch on its CPU is checked
too where it is installed (it is optional: several GB, not in the test extra).

The same seed draws the same weights, shuffles, split and dropout masks on the host, so the
fits are equal up to rounding: 1e-10 relative in float64, 1e-4 in float32.
"""

import os
import pickle

import array_api_strict as xp  # in the test extra: a missing one must fail, not skip
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import clone, config_context
from sklearn.datasets import make_classification, make_regression
from sklearn.utils import _array_api
from sklearn.utils.estimator_checks import (
    check_array_api_input,
    check_array_api_input_and_values,
    check_array_api_same_namespace,
)

from sknumpy_nn import Activation, NumpyMLPClassifier, NumpyMLPRegressor
from sknumpy_nn._activations import HIDDEN_ACTIVATIONS
from sknumpy_nn._losses import REGRESSION_LOSSES

# Short fits on purpose: their convergence warnings say so and are not the point here.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

try:
    import torch
except ImportError:  # optional: several GB, not in the test extra
    torch = None
_TORCH = pytest.mark.skipif(torch is None, reason="torch is not installed")
# array-api-strict's two devices, and torch's CPU where torch is installed.
DEVICES = ["CPU_DEVICE", "device1", pytest.param("torch", marks=_TORCH)]
DTYPES = ["float64", "float32"]
RTOL = {"float64": 1e-10, "float32": 1e-4}


def _on(device, values, dtype=None):
    """``values`` (NumPy) as an array-api-strict array on ``device`` (or a torch tensor)."""
    values = np.asarray(values, dtype=dtype)
    if device == "torch":
        return torch.asarray(values.copy())
    return xp.asarray(values, device=xp.Device(device))


def _device(device):
    """The device object arrays made by ``_on(device, ...)`` report."""
    return torch.device("cpu") if device == "torch" else xp.Device(device)


def _host(array):
    return _array_api.move_to(array, xp=np, device="cpu")


def _regression(dtype, n_samples=60):
    X, y = make_regression(n_samples, 5, n_targets=1, noise=5.0, random_state=0)
    return X.astype(dtype), (y / y.std()).astype(dtype)


def _classification(n_samples=60, n_classes=3):
    return make_classification(n_samples, 6, n_informative=4, n_classes=n_classes, random_state=0)


def assert_same_fit(ours, theirs, dtype):
    """The device fit ``theirs`` equals the NumPy fit ``ours``: curves and weights."""
    rtol = RTOL[dtype]
    assert_allclose(theirs.loss_curve_, ours.loss_curve_, rtol=rtol)
    assert theirs.n_iter_ == ours.n_iter_
    for mine, other in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert type(other) is not np.ndarray
        assert_allclose(_host(other), mine, rtol=rtol, atol=rtol)
    if getattr(ours, "validation_scores_", None) is not None:
        assert_allclose(theirs.validation_scores_, ours.validation_scores_, rtol=rtol, atol=rtol)


def fit_both(estimator, X, y, device, dtype, **fit_params):
    """The NumPy fit and the dispatched fit on ``device`` (X, and array fit params, moved)."""
    ours = clone(estimator).fit(X, y, **fit_params)
    moved = {
        key: _on(device, value) if isinstance(value, np.ndarray) and key.startswith("X") else value
        for key, value in fit_params.items()
    }
    with config_context(array_api_dispatch=True):
        theirs = clone(estimator).fit(_on(device, X, dtype), y, **moved)
    return ours, theirs


# ---------------------------------------------------------------- equality of whole fits
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_stochastic_fit_equals_numpy(solver, dtype, device):
    # Shuffling, early stopping's split and dropout's masks: every draw of the stream.
    X, y = _regression(dtype, 120)
    estimator = NumpyMLPRegressor(
        hidden_layer_sizes=(8, 6),
        solver=solver,
        max_iter=20,
        batch_size=32,
        early_stopping=True,
        n_iter_no_change=100,
        dropout=0.2,
        learning_rate_init=0.01,
        random_state=0,
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        ours, theirs = fit_both(estimator, X, y, device, dtype)
    assert len(ours.loss_curve_) == 20
    assert_same_fit(ours, theirs, dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_lbfgs_fit_equals_numpy(dtype, device):
    # scipy's iterate stays a float64 NumPy vector; only the loss and gradient cross. A
    # float32 model is evaluated in float64 on the device, as on NumPy.
    X, y = _regression(dtype)
    estimator = NumpyMLPRegressor(
        hidden_layer_sizes=(10,), solver="lbfgs", max_iter=30, tol=0.0, random_state=0
    )
    with pytest.warns(Warning, match="lbfgs failed to converge"):
        ours, theirs = fit_both(estimator, X, y, device, dtype)
    assert len(ours.loss_curve_) == 30
    assert_same_fit(ours, theirs, dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "activation, loss",
    [(name, "squared_error") for name in sorted(HIDDEN_ACTIVATIONS)]
    + [("relu", name) for name in sorted(REGRESSION_LOSSES) if name != "squared_error"],
)
def test_every_activation_and_loss_fits_as_on_numpy(activation, loss, device):
    X, y = _regression("float64", 40)
    if loss == "poisson":
        y = np.abs(y)
    estimator = NumpyMLPRegressor(
        loss=loss, hidden_layer_sizes=(6,), activation=activation, max_iter=3, random_state=0
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        ours, theirs = fit_both(estimator, X, y, device, "float64", sample_weight=y * 0 + 2)
    assert_same_fit(ours, theirs, "float64")
    with config_context(array_api_dispatch=True):
        prediction = theirs.predict(_on(device, X))
    assert_allclose(_host(prediction), ours.predict(X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_validation_data_and_weights_given_in_the_namespace(device):
    X, y = _classification(80)
    X_val, y_val = X[:30] + 0.1, y[:30]
    weights, weights_val = np.linspace(0.5, 2, 80), np.linspace(1, 2, 30)
    estimator = NumpyMLPClassifier(
        hidden_layer_sizes=(7,), max_iter=8, early_stopping=True, random_state=0
    )
    ours = clone(estimator).fit(
        X, y, weights, X_val=X_val, y_val=y_val, sample_weight_val=weights_val
    )
    with config_context(array_api_dispatch=True):
        theirs = clone(estimator).fit(
            _on(device, X),
            _on(device, y),
            _on(device, weights),
            X_val=_on(device, X_val),
            y_val=_on(device, y_val),
            sample_weight_val=_on(device, weights_val),
        )
    assert_same_fit(ours, theirs, "float64")


@pytest.mark.parametrize("device", DEVICES)
def test_partial_fit_and_warm_start_continue_on_the_device(device):
    X, y = _classification(60)
    classes = np.unique(y)
    ours = NumpyMLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    theirs = clone(ours)
    X_device, y_device = _on(device, X), _on(device, y)
    with config_context(array_api_dispatch=True):
        for rows in (slice(0, 30), slice(30, 60)):
            ours.partial_fit(X[rows], y[rows], classes=classes)
            theirs.partial_fit(X_device[rows, ...], y_device[rows], classes=_on(device, classes))
    assert_same_fit(ours, theirs, "float64")
    assert theirs.classes_.device == _device(device)

    warm = dict(hidden_layer_sizes=(5,), max_iter=3, warm_start=True, random_state=0)
    ours, theirs = NumpyMLPRegressor(**warm), NumpyMLPRegressor(**warm)
    Xr, yr = _regression("float64", 40)
    with pytest.warns(Warning, match="Maximum iterations"):
        for _ in range(2):
            ours.fit(Xr, yr)
            with config_context(array_api_dispatch=True):
                theirs.fit(_on(device, Xr), yr)  # y as NumPy: it follows X
    assert len(theirs.loss_curve_) == 6
    assert_same_fit(ours, theirs, "float64")


# ---------------------------------------------------------------- labels
@pytest.mark.parametrize("device", DEVICES)
def test_integer_labels_live_with_X_and_string_labels_on_the_host(device):
    X, y = _classification(60)
    estimator = NumpyMLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0)
    X_device = _on(device, X)
    with config_context(array_api_dispatch=True), pytest.warns(Warning, match="Maximum"):
        numbers = clone(estimator).fit(X_device, _on(device, y))
        names = clone(estimator).fit(X_device, np.array(["ant", "bee", "cat"])[y])
    with config_context(array_api_dispatch=True):
        assert numbers.classes_.device == _device(device)
        predicted = numbers.predict(X_device)
        assert predicted.device == _device(device)
        labels = names.predict(X_device)
        assert isinstance(names.classes_, np.ndarray) and isinstance(labels, np.ndarray)
        assert_array_equal(labels, names.classes_[_host(predicted)])
        assert isinstance(numbers.score(X_device, _on(device, y)), float)
        proba = numbers.predict_proba(X_device)
        log_proba = numbers.predict_log_proba(X_device)
    with pytest.warns(Warning, match="Maximum"):
        reference = clone(estimator).fit(X, y)
    assert_allclose(_host(proba), reference.predict_proba(X), rtol=1e-10)
    assert_allclose(_host(log_proba), reference.predict_log_proba(X), rtol=1e-10)
    assert_array_equal(_host(predicted), reference.predict(X))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("target", ["binary", "multilabel", "class_weight"])
def test_binary_multilabel_and_weighted_classes_decode_as_on_numpy(target, device):
    X, y = _classification(60, n_classes=2)
    params = dict(hidden_layer_sizes=(6,), max_iter=4, random_state=0)
    if target == "multilabel":
        y = np.column_stack([y, 1 - y, X[:, 0] > 0]).astype(int)
    if target == "class_weight":
        params["class_weight"] = "balanced"
    with pytest.warns(Warning, match="Maximum"):
        ours, theirs = fit_both(NumpyMLPClassifier(**params), X, y, device, "float64")
    assert_same_fit(ours, theirs, "float64")
    with config_context(array_api_dispatch=True):
        predicted = theirs.predict(_on(device, X))
    assert_array_equal(_host(predicted), ours.predict(X))


# ---------------------------------------------------------------- what cannot work says so
def test_predict_in_another_namespace_or_device_raises_scikit_learns_error():
    X, y = _regression("float64")
    with config_context(array_api_dispatch=True), pytest.warns(Warning, match="Maximum"):
        model = NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(_on("device1", X), y)
        with pytest.raises(ValueError, match=r"NumpyMLPRegressor\.predict\(\) must use the same"):
            model.predict(X)
        with pytest.raises(ValueError, match="move_estimator_to"):
            model.predict(_on("CPU_DEVICE", X))


@pytest.mark.parametrize("device", DEVICES)
def test_a_numpy_only_activation_is_named(device):
    def numpy_softsign(Z):
        return np.asarray(Z) / (1 + np.abs(np.asarray(Z)))

    activation = Activation("numpy_softsign", numpy_softsign, numpy_softsign)
    X, y = _regression("float64")
    with config_context(array_api_dispatch=True):
        # device1's arrays refuse NumPy; CPU_DEVICE's are read, and NumPy's answer refused.
        match = "Activation 'numpy_softsign' (failed on an array|must return an array of Z's)"
        with pytest.raises(TypeError, match=match):
            NumpyMLPRegressor(activation=activation).fit(_on(device, X), y)


def test_an_activation_written_for_any_namespace_trains_on_the_device():
    from sknumpy_nn._ops import namespace

    def softsign(Z):
        return Z / (1 + namespace(Z).abs(Z))

    def softsign_derivative(Z):
        return 1 / (1 + namespace(Z).abs(Z)) ** 2

    activation = Activation("softsign", softsign, softsign_derivative)
    X, y = _regression("float64")
    estimator = NumpyMLPRegressor(
        hidden_layer_sizes=(5,), activation=activation, max_iter=3, random_state=0
    )
    with pytest.warns(Warning, match="Maximum"):
        ours, theirs = fit_both(estimator, X, y, "device1", "float64")
    assert_same_fit(ours, theirs, "float64")


def test_sparse_validation_data_for_a_dense_device_X_is_refused():
    X, y = _regression("float64")
    with config_context(array_api_dispatch=True):
        with pytest.raises(TypeError, match="X_val is a sparse matrix"):
            NumpyMLPRegressor(max_iter=2).fit(
                _on("CPU_DEVICE", X), y, X_val=sp.csr_matrix(X[:10]), y_val=y[:10]
            )


def test_sparse_X_with_dispatch_trains_on_numpy():
    X, y = _regression("float64")
    with config_context(array_api_dispatch=True), pytest.warns(Warning, match="Maximum"):
        model = NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
        model.fit(sp.csr_matrix(X), _on("CPU_DEVICE", y))  # y follows X: to NumPy
    assert isinstance(model.coefs_[0], np.ndarray)


# ---------------------------------------------------------------- moving a fitted model
@pytest.mark.parametrize("labels", ["integers", "strings"])
def test_move_estimator_to_numpy_pickle_and_back(labels):
    X, y = _classification(60)
    if labels == "strings":
        y = np.array(["ant", "bee", "cat"])[y]
    X_device = _on("device1", X)
    with config_context(array_api_dispatch=True), pytest.warns(Warning, match="Maximum"):
        model = NumpyMLPClassifier(hidden_layer_sizes=(6,), max_iter=4, random_state=0)
        model.fit(X_device, y)
        expected = _host(model.predict_proba(X_device))
    on_host = _array_api.move_estimator_to(model, np, "cpu")
    assert all(type(W) is np.ndarray for W in on_host.coefs_ + on_host.intercepts_)
    # Views of one flat vector again, so an optimizer step moves every layer.
    flat = on_host.coefs_[0].base
    assert flat is not None and all(b.base is flat for b in on_host.intercepts_)
    revived = pickle.loads(pickle.dumps(on_host))
    assert_allclose(revived.predict_proba(X), expected, rtol=1e-12)
    revived.partial_fit(X, y)  # continues training: the optimizer's state moved too
    back = _array_api.move_estimator_to(revived, xp, xp.Device("device1"))
    with config_context(array_api_dispatch=True):
        assert_allclose(_host(back.predict_proba(X_device)), revived.predict_proba(X))
        back.partial_fit(X_device, y)
    assert back.coefs_[0].device == xp.Device("device1")
    assert isinstance(back.classes_, np.ndarray) == (labels == "strings")


# ---------------------------------------------------------------- scikit-learn's checks
ESTIMATORS = [
    NumpyMLPRegressor(hidden_layer_sizes=(5,), max_iter=20),
    NumpyMLPClassifier(hidden_layer_sizes=(5,), max_iter=20),
]


def _no_skip(check, *args, **kwargs):
    # scikit-learn's array API checks raise SkipTest when SCIPY_ARRAY_API is not set (the
    # root conftest.py sets it): here that is a failure, not a silent skip.
    from unittest import SkipTest

    try:
        check(*args, **kwargs)
    except SkipTest as skipped:
        pytest.fail(f"{check.__name__} was skipped: {skipped}")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("device, dtype", [("CPU_DEVICE", "float64"), ("device1", "float32")])
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_scikit_learns_array_api_checks_run_with_values_and_weights(estimator, device, dtype):
    name = type(estimator).__name__
    for sample_weight in (False, True):
        _no_skip(
            check_array_api_input_and_values,
            name,
            estimator,
            array_namespace="array_api_strict",
            device_name=device,
            dtype_name=dtype,
            check_sample_weight=sample_weight,
        )
    _no_skip(check_array_api_input, name, estimator, "array_api_strict", device, dtype)
    _no_skip(check_array_api_same_namespace, name, estimator, "array_api_strict", device)


def test_scipy_array_api_is_on_and_the_private_helpers_exist():
    # Dispatch needs SCIPY_ARRAY_API=1 before scipy is imported (root conftest.py), and
    # these scikit-learn helpers have no public equivalent: fail loudly if one goes.
    assert os.environ.get("SCIPY_ARRAY_API") == "1"
    for helper in ("check_same_namespace", "move_estimator_to", "move_to", "get_namespace"):
        assert callable(getattr(_array_api, helper)), helper
    import inspect

    assert "__sklearn_array_api_convert__" in inspect.getsource(
        _array_api._estimator_with_converted_arrays
    )


@pytest.mark.parametrize("piece", [1, 50, 2**22])
def test_an_epochs_dropout_draws_in_pieces_are_numpys_masks(piece, monkeypatch):
    # The masks of several batches are drawn at once and moved to the device; pieces of
    # one batch, of a few, of the whole epoch; a batch without weight draws nothing.
    from sknumpy_nn import _epoch

    monkeypatch.setattr(_epoch.EpochDraws, "PIECE", piece)
    X, y = _regression("float64", 50)
    weights = np.ones(50)
    weights[10:20] = 0  # the second batch of 10 carries no weight
    estimator = NumpyMLPRegressor(
        hidden_layer_sizes=(4, 3),
        dropout=(0.3, 0.0),
        batch_size=10,
        shuffle=False,
        max_iter=3,
        random_state=0,
    )
    ours, theirs = fit_both(estimator, X, y, "device1", "float64", sample_weight=weights)
    assert_same_fit(ours, theirs, "float64")


def test_lbfgs_on_a_device_without_float64_trains_in_float32_and_says_so(monkeypatch):
    # Apple's MPS has no float64: simulated by telling L-BFGS that float32 is the widest.
    from sknumpy_nn import _lbfgs

    monkeypatch.setattr(_lbfgs, "widest_float", lambda like: xp.float32)
    X, y = _regression("float32")
    model = NumpyMLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=20)
    with config_context(array_api_dispatch=True):
        with pytest.warns(UserWarning, match="L-BFGS evaluates the loss and gradient in float32"):
            model.fit(_on("device1", X), y)
        assert model.coefs_[0].dtype == xp.float32
        assert model.score(_on("device1", X), _on("device1", y)) > 0.5


def test_predict_without_dispatch_on_a_device_model_says_what_to_do():
    X, y = _regression("float64")
    with config_context(array_api_dispatch=True):
        model = NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(_on("device1", X), y)
    with pytest.raises(ValueError, match="without array API dispatch.*move_estimator_to"):
        model.predict(X)
