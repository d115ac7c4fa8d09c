"""Loss registry: name -> output activation and per-sample loss.

Each loss is paired with the output activation that makes it canonical, so the derivative of
the loss with respect to the output pre-activation is ``A - Y`` for every entry; the network
needs no loss-specific backward code. Each per-sample loss is summed over the outputs: that
is the function whose gradient ``A - Y`` is (see "Differences from scikit-learn" in the README
for the multi-output squared error).
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import xlogy


class Loss(NamedTuple):
    """A loss paired with its canonical output activation.

    Parameters
    ----------
    output_activation : str
        Key of ``OUTPUT_ACTIVATIONS`` applied to the last layer.
    sample_loss : callable
        ``sample_loss(Y, A, residual)`` with targets ``Y``, outputs ``A`` and ``residual =
        A - Y``, all of shape ``(n_samples, n_outputs)``, returns the loss of each sample,
        shape ``(n_samples,)``, summed over the outputs. (The network has the residual at
        hand as the output delta; the squared error needs nothing else.)
    """

    output_activation: str
    sample_loss: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _half_squared_error(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    per_sample = np.einsum("ij,ij->i", residual, residual)
    per_sample *= 0.5
    return per_sample


def _clip_probability(A: np.ndarray) -> np.ndarray:
    # Clipped as sklearn clips, so a saturated output costs -log(eps) rather than inf.
    eps = np.finfo(A.dtype).eps
    return np.clip(A, eps, 1 - eps)


def _binary_log_loss(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    P = _clip_probability(A)
    return -(xlogy(Y, P) + xlogy(1 - Y, 1 - P)).sum(axis=1)


def _log_loss(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    return -xlogy(Y, _clip_probability(A)).sum(axis=1)


def _half_poisson_deviance(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    # y log(y / A) as y log(y) - y log(A): y / A would overflow for a tiny A. A is exp(Z) > 0
    # in exact arithmetic; the floor keeps log(A) finite where exp underflowed to 0.
    log_A = np.log(np.maximum(A, np.finfo(A.dtype).tiny))
    return (xlogy(Y, Y) - Y * log_A - Y + A).sum(axis=1)


LOSSES: dict[str, Loss] = {
    "squared_error": Loss("identity", _half_squared_error),
    "poisson": Loss("exp", _half_poisson_deviance),
    "log_loss": Loss("softmax", _log_loss),
    "binary_log_loss": Loss("logistic", _binary_log_loss),
}


def weighted_loss_sum(
    loss: Loss,
    Y: np.ndarray,
    A: np.ndarray,
    residual: np.ndarray,
    sample_weight: np.ndarray | None,
) -> float:
    """Sample-weighted sum of ``loss`` over the rows (divide by the weight total for a mean).

    Parameters
    ----------
    loss : Loss
        The registry entry.
    Y, A, residual : ndarray of shape (n_samples, n_outputs)
        Targets, network outputs and ``A - Y``.
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative weights; ``None`` weighs every row 1.

    Returns
    -------
    value : float
    """
    per_sample = loss.sample_loss(Y, A, residual)
    if sample_weight is None:
        return float(per_sample.sum())
    return float(per_sample @ sample_weight)
