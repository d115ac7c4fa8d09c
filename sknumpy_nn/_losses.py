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
        hand as the output delta; several losses need little else.)
    total : callable or None
        ``total(residual)``: the unweighted sum over all samples in one call, where the
        loss allows it (the squared error); ``None`` sums ``sample_loss``.
    """

    output_activation: str
    sample_loss: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    total: Callable[[np.ndarray], float] | None = None


def _half_squared_error(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    per_sample = np.einsum("ij,ij->i", residual, residual)
    per_sample *= 0.5
    return per_sample


def _half_squared_error_total(residual: np.ndarray) -> float:
    return 0.5 * float(np.vdot(residual, residual))


def _clipped_log(P: np.ndarray) -> np.ndarray:
    # Clipped as sklearn clips, so a saturated output costs -log(eps) rather than inf.
    eps = np.finfo(P.dtype).eps
    return np.log(np.clip(P, eps, 1 - eps, out=P))


def _binary_log_loss(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    # Y holds 0/1 indicators, so the probability given to the observed outcome, P if Y = 1
    # and 1 - P if Y = 0, is 1 - |A - Y|: one expression instead of two logs per entry.
    observed = np.abs(residual)
    np.subtract(1, observed, out=observed)
    return -_clipped_log(observed).sum(axis=1)


def _log_loss(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    # Y is one-hot: only the probability of each sample's own class enters the loss.
    return -_clipped_log(np.einsum("ij,ij->i", Y, A))


def _half_poisson_deviance(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    # y log(y / A) as y log(y) - y log(A): y / A would overflow for a tiny A. A is exp(Z) > 0
    # in exact arithmetic; the floor keeps log(A) finite where exp underflowed to 0.
    log_A = np.log(np.maximum(A, np.finfo(A.dtype).tiny))
    return (xlogy(Y, Y) - Y * log_A - Y + A).sum(axis=1)


LOSSES: dict[str, Loss] = {
    "squared_error": Loss("identity", _half_squared_error, _half_squared_error_total),
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
    if sample_weight is None and loss.total is not None:
        return loss.total(residual)
    per_sample = loss.sample_loss(Y, A, residual)
    if sample_weight is None:
        return float(per_sample.sum())
    return float(per_sample @ sample_weight)
