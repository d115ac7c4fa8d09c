"""Activation registry: name -> (in-place forward, in-place derivative from the output).

Every forward works in place on the pre-activation ``Z`` (turning it into ``A = g(Z)``),
so the forward pass needs one buffer per layer. Every hidden derivative is written in terms
of the layer's *output* ``A`` -- the array the forward pass already stored -- and multiplies
the back-propagated error ``delta`` by ``g'`` in place.

Output activations have no derivative here: each is paired with its canonical loss (see
``_losses.py``), for which the derivative of the loss with respect to ``Z`` is simply
``A - Y``.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class HiddenActivation(NamedTuple):
    """A hidden-layer activation as a (function, derivative) pair.

    Parameters
    ----------
    forward : callable
        ``forward(Z)`` overwrites ``Z``, an ``(n_samples, n_units)`` array, with ``g(Z)``.
    derivative : callable
        ``derivative(A, delta)`` multiplies ``delta`` in place by ``g'`` evaluated where the
        layer's output is ``A``; both are ``(n_samples, n_units)`` arrays.
    """

    forward: Callable[[np.ndarray], None]
    derivative: Callable[[np.ndarray, np.ndarray], None]


def _identity(Z: np.ndarray) -> None:
    pass


def _identity_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    pass


def _logistic(Z: np.ndarray) -> None:
    # 1 / (1 + exp(-Z)) as (1 + tanh(Z / 2)) / 2: tanh never overflows, and NumPy's
    # vectorised tanh is several times faster than scipy's expit.
    Z *= 0.5
    np.tanh(Z, out=Z)
    Z *= 0.5
    Z += 0.5


def _logistic_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    delta *= A
    delta *= 1 - A


def _tanh(Z: np.ndarray) -> None:
    np.tanh(Z, out=Z)


def _tanh_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    delta *= 1 - A**2


def _relu(Z: np.ndarray) -> None:
    np.maximum(Z, 0, out=Z)


def _relu_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    # relu's output is 0 exactly where its slope is 0, so the output alone tells. Multiplying
    # by the mask is several times faster than assigning through it (delta[A == 0] = 0).
    np.multiply(delta, A > 0, out=delta)


HIDDEN_ACTIVATIONS: dict[str, HiddenActivation] = {
    "identity": HiddenActivation(_identity, _identity_derivative),
    "logistic": HiddenActivation(_logistic, _logistic_derivative),
    "tanh": HiddenActivation(_tanh, _tanh_derivative),
    "relu": HiddenActivation(_relu, _relu_derivative),
}


def _softmax(Z: np.ndarray) -> None:
    # Subtracting the row maximum is the log-sum-exp trick: exp never overflows.
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)


def _exp(Z: np.ndarray) -> None:
    # Capped at sqrt(max float): far beyond any count, yet sums and squares of such outputs
    # still stay finite, so a wild L-BFGS trial step yields a large loss, not an overflow.
    np.minimum(Z, 0.5 * np.log(np.finfo(Z.dtype).max), out=Z)
    np.exp(Z, out=Z)


OUTPUT_ACTIVATIONS: dict[str, Callable[[np.ndarray], None]] = {
    "identity": _identity,
    "logistic": _logistic,
    "softmax": _softmax,
    "exp": _exp,
}


def log_output(Z: np.ndarray, output_activation: str) -> np.ndarray:
    """Logarithm of the output activation, computed from the pre-activation.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Pre-activation of the output layer; not modified.
    output_activation : {"logistic", "softmax"}
        The output activation whose logarithm is wanted.

    Returns
    -------
    log_A : ndarray of shape (n_samples, n_outputs)
        ``log(g(Z))``, finite wherever ``Z`` is finite (no ``log(0)``).
    """
    if output_activation == "softmax":
        shifted = Z - Z.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    if output_activation == "logistic":
        return -np.logaddexp(0, -Z)
    raise ValueError(f"log_output is defined for logistic and softmax, got {output_activation!r}")
