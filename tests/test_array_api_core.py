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
    assert isinstance(strict, float)
    assert strict == pytest.approx(ours, rel=1e-12 if dtype == "float64" else 1e-5)
    if loss.output_delta is not None:
        loss.output_delta(residual, residual)
        loss.output_delta(residual_strict, residual_strict)
        _close(residual_strict, residual, dtype)
