"""The bottom floor written once: activations and losses on array-api-strict equal NumPy's.

array-api-strict implements nothing beyond the array API standard, on two simulated
devices, so passing here means the code calls only the standard (through ``_ops``) and
computes what the NumPy path computes. The NumPy path itself is pinned bit for bit by
``tests/test_training_unchanged.py``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sknumpy_nn._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, log_output
from sknumpy_nn._losses import LOSSES, huber_loss, weighted_loss_sum

xp = pytest.importorskip("array_api_strict")

DEVICES = ["CPU_DEVICE", "device1"]
DTYPES = ["float64", "float32"]


def _device(name):
    return xp.Device(name)


def _pair(values, dtype, device):
    """The same values as a NumPy array and as an array-api-strict one on ``device``."""
    values = np.asarray(values, dtype=dtype)
    return values, xp.asarray(values.copy(), device=_device(device))


def _close(strict, numpy_array, dtype):
    rtol = 1e-12 if dtype == "float64" else 1e-5
    on_host = np.asarray(strict.to_device(_device("CPU_DEVICE")))
    assert_allclose(on_host, numpy_array, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_activation_and_derivative_match_numpy(name, dtype, device):
    rng = np.random.RandomState(0)
    activation = HIDDEN_ACTIVATIONS[name]
    Z, Z_strict = _pair(rng.normal(scale=3, size=(7, 4)), dtype, device)
    delta, delta_strict = _pair(rng.normal(size=(7, 4)), dtype, device)
    pre_activation, pre_strict = Z.copy(), xp.asarray(Z_strict, copy=True)
    activation.forward(Z)
    activation.forward(Z_strict)
    _close(Z_strict, Z, dtype)
    assert Z_strict.device == _device(device) and Z_strict.dtype == getattr(xp, dtype)
    read, read_strict = (
        (pre_activation, pre_strict) if activation.from_pre_activation else (Z, Z_strict)
    )
    activation.derivative(read, delta)
    activation.derivative(read_strict, delta_strict)
    _close(delta_strict, delta, dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(OUTPUT_ACTIVATIONS))
def test_output_activation_and_its_log_match_numpy(name, dtype, device):
    Z, Z_strict = _pair(np.random.RandomState(1).normal(scale=5, size=(6, 3)), dtype, device)
    if name in ("logistic", "softmax"):
        _close(log_output(Z_strict, name), log_output(Z, name), dtype)
    OUTPUT_ACTIVATIONS[name](Z)
    OUTPUT_ACTIVATIONS[name](Z_strict)
    _close(Z_strict, Z, dtype)


def _targets(name, rng, shape):
    if name == "log_loss":
        return np.eye(shape[1])[rng.randint(shape[1], size=shape[0])]
    if name == "binary_log_loss":
        return rng.randint(2, size=shape).astype(float)
    if name == "poisson":
        return rng.poisson(2.0, size=shape).astype(float)  # zeros included: xlogy's case
    return rng.normal(size=shape)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", [*sorted(LOSSES), "huber_0.3"])
def test_loss_values_and_output_deltas_match_numpy(name, weighted, dtype, device):
    rng = np.random.RandomState(2)
    loss = huber_loss(0.3) if name == "huber_0.3" else LOSSES[name]
    shape = (8, 3)
    Z, Z_strict = _pair(rng.normal(size=shape), dtype, device)
    OUTPUT_ACTIVATIONS[loss.output_activation](Z)
    OUTPUT_ACTIVATIONS[loss.output_activation](Z_strict)
    Y, Y_strict = _pair(_targets(name, rng, shape), dtype, device)
    weights, weights_strict = (None, None)
    if weighted:
        weights, weights_strict = _pair(rng.uniform(0, 2, size=shape[0]), dtype, device)
    residual, residual_strict = Z - Y, Z_strict - Y_strict
    ours = weighted_loss_sum(loss, Y, Z, residual.copy(), weights)
    strict = weighted_loss_sum(loss, Y_strict, Z_strict, residual_strict, weights_strict)
    # A 0-d array left on the device: the batch loop sums them without waiting for it.
    assert strict.shape == () and strict.device == _device(device)
    assert float(strict) == pytest.approx(ours, rel=1e-12 if dtype == "float64" else 1e-5)
    if loss.output_delta is not None:
        loss.output_delta(residual, residual)
        loss.output_delta(residual_strict, residual_strict)
        _close(residual_strict, residual, dtype)


def _network_pair(name, loss, dtype, device, dropout=None):
    from sknumpy_nn._network import Network

    sizes = [4, 6, 5, 3]
    ours = Network(sizes, name, loss, dtype, dropout)
    ours.initialize(np.random.RandomState(0))
    like = xp.empty((1,), dtype=getattr(xp, dtype), device=_device(device))
    strict = Network(sizes, name, loss, getattr(xp, dtype), dropout, like=like)
    strict.initialize(np.random.RandomState(0))
    return ours, strict


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "activation, loss",
    [(name, "squared_error") for name in sorted(HIDDEN_ACTIVATIONS)]
    + [("relu", name) for name in sorted(LOSSES) if name != "squared_error"],
)
def test_network_loss_and_gradient_match_numpy(activation, loss, dtype, device):
    rng = np.random.RandomState(3)
    ours, strict = _network_pair(activation, loss, dtype, device)
    _close(strict.params, ours.params, dtype)  # the same draws, moved to the device
    X, X_strict = _pair(rng.normal(size=(9, 4)), dtype, device)
    Y, Y_strict = _pair(_targets(loss, rng, (9, 3)), dtype, device)
    weights, weights_strict = _pair(rng.uniform(0.5, 2, size=9), dtype, device)
    for block_rows in (None, 4):
        value = ours.loss_and_gradient(X, Y, weights, 0.1, block_rows)
        strict_value = strict.loss_and_gradient(
            X_strict, Y_strict, weights_strict, 0.1, block_rows
        )
        assert strict_value.shape == () and strict_value.device == _device(device)
        rel = 1e-12 if dtype == "float64" else 1e-5
        assert float(strict_value) == pytest.approx(value, rel=rel)
        _close(strict.grad, ours.grad, dtype)
        assert strict.grad.device == _device(device)


@pytest.mark.parametrize("device", DEVICES)
def test_network_with_dropout_draws_the_same_masks(device):
    rng = np.random.RandomState(4)
    ours, strict = _network_pair("tanh", "squared_error", "float64", device, dropout=(0.3, 0.5))
    X, X_strict = _pair(rng.normal(size=(9, 4)), "float64", device)
    Y, Y_strict = _pair(rng.normal(size=(9, 3)), "float64", device)
    value = ours.loss_and_gradient(X, Y, None, 0.0, random_state=np.random.RandomState(5))
    strict_value = strict.loss_and_gradient(
        X_strict, Y_strict, None, 0.0, random_state=np.random.RandomState(5)
    )
    assert float(strict_value) == pytest.approx(value, rel=1e-12)
    _close(strict.grad, ours.grad, "float64")


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_predict_matches_numpy_in_blocks(dtype, device, monkeypatch):
    from sknumpy_nn import _network

    # Several blocks and a short one, on the host's rule and the device's.
    monkeypatch.setattr(_network, "PREDICT_BLOCK_ROWS", 4)
    monkeypatch.setattr(_network, "DEVICE_BLOCK_ELEMENTS", 4 * 6)
    ours, strict = _network_pair("relu", "squared_error", dtype, device)
    X, X_strict = _pair(np.random.RandomState(6).normal(size=(10, 4)), dtype, device)
    output = _network.predict(X, ours.coefs, ours.intercepts, "relu", "identity")
    strict_output = _network.predict(X_strict, strict.coefs, strict.intercepts, "relu", "identity")
    assert strict_output.device == _device(device)
    _close(strict_output, output, dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "solver, options",
    [
        ("adam", {}),
        ("sgd", {"nesterovs_momentum": True}),
        ("sgd", {"nesterovs_momentum": False}),
    ],
)
def test_optimizer_steps_match_numpy(solver, options, dtype, device):
    from sklearn.neural_network import MLPRegressor

    from sknumpy_nn._records import TrainingSettings
    from sknumpy_nn._training import make_optimizer

    settings = TrainingSettings.from_params(
        {**MLPRegressor().get_params(), "solver": solver, "learning_rate_init": 0.1, **options}
    )
    rng = np.random.RandomState(7)
    params, params_strict = _pair(rng.normal(size=12), dtype, device)
    ours = make_optimizer(settings, 12, np.dtype(dtype), None)
    strict = make_optimizer(settings, 12, getattr(xp, dtype), None, like=params_strict)
    for _ in range(3):
        grad, grad_strict = _pair(rng.normal(size=12), dtype, device)
        ours.step(params, grad)
        strict.step(params_strict, grad_strict)
    _close(params_strict, params, dtype)
    assert strict.learning_rate == pytest.approx(ours.learning_rate, rel=1e-12)
