"""Loss registry: name -> output activation, per-sample loss and output delta.

Most losses are paired with the output activation that makes them canonical, so the
derivative of the loss with respect to the output pre-activation is ``A - Y``; the network
needs no loss-specific backward code for them. The robust regression losses (Huber, absolute
error) and the quantile (pinball) loss are not canonical for any output: they keep the
identity output and turn the residual ``A - Y`` into their derivative with an
``output_delta`` hook. Each per-sample loss is summed
over the outputs: that is the function whose gradient the network back-propagates (see
docs/differences.md for the multi-output squared error).
"""

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np

from ._ops import apply, clip, finfo, row_dot, row_sum, scalar, sum_of_products, total, xlogy


class Loss(NamedTuple):
    """A loss paired with its output activation.

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
    output_delta : callable or None
        ``output_delta(residual, out)`` writes ``d loss / d A`` into ``out``, given the
        residual ``A - Y``; both are ``(n_samples, n_outputs)`` arrays and may be the same
        one. Paired with the identity output, that is also ``d loss / d Z``. ``None`` for a
        canonical pair, whose delta is the residual itself (no extra pass).
    """

    output_activation: str
    sample_loss: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    total: Callable[[np.ndarray], float] | None = None
    output_delta: Callable[[np.ndarray, np.ndarray], None] | None = None


def _half_squared_error(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    per_sample = row_dot(residual, residual)
    per_sample *= 0.5
    return per_sample


def _half_squared_error_total(residual: np.ndarray) -> float:
    return 0.5 * sum_of_products(residual, residual)


def _clipped_log(P: np.ndarray) -> np.ndarray:
    # Clipped as sklearn clips, so a saturated output costs -log(eps) rather than inf.
    eps = finfo(P).eps
    return apply("log", clip(P, eps, 1 - eps, out=P))


def _binary_log_loss(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    # Y holds 0/1 indicators, so the probability given to the observed outcome, P if Y = 1
    # and 1 - P if Y = 0, is 1 - |A - Y|: one expression instead of two logs per entry.
    observed = apply("abs", residual)
    apply("negative", observed, out=observed)
    observed += 1  # 1 - |A - Y|, rounded as 1 - x is
    return -row_sum(_clipped_log(observed), keepdims=False)


def _log_loss(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    # Y is one-hot: only the probability of each sample's own class enters the loss.
    return -_clipped_log(row_dot(Y, A))


def _half_poisson_deviance(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    # y log(y / A) as y log(y) - y log(A): y / A would overflow for a tiny A. A is exp(Z) > 0
    # in exact arithmetic; the floor keeps log(A) finite where exp underflowed to 0.
    log_A = apply("log", apply("maximum", A, finfo(A).smallest_normal))
    return row_sum(xlogy(Y, Y) - Y * log_A - Y + A, keepdims=False)


def _half_huber_factors(residual: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    # 0.5 r^2 within the threshold and delta (|r| - delta / 2) beyond it are both
    # c (|r| - c / 2) with c = min(|r|, delta): one expression, no branch per entry.
    magnitude = apply("abs", residual)
    clipped = apply("minimum", magnitude, delta)
    magnitude -= 0.5 * clipped
    return clipped, magnitude


def _half_huber(Y: np.ndarray, A: np.ndarray, residual: np.ndarray, *, delta: float):
    return row_dot(*_half_huber_factors(residual, delta))


def _half_huber_total(residual: np.ndarray, *, delta: float) -> float:
    return sum_of_products(*_half_huber_factors(residual, delta))


def _half_huber_delta(residual: np.ndarray, out: np.ndarray, *, delta: float) -> None:
    # The slope is the residual within the threshold and +-delta beyond it.
    clip(residual, -delta, delta, out=out)


def huber_loss(delta: float) -> Loss:
    """Half-Huber loss with threshold ``delta`` on the identity output.

    Per output, ``0.5 * r**2`` where ``|r| <= delta`` and ``delta * (|r| - 0.5 * delta)``
    beyond, for the residual ``r = A - Y``: quadratic near the target, linear (so robust to
    outliers) far from it. Huge ``delta`` gives the half squared error.

    Parameters
    ----------
    delta : float
        Positive threshold between the quadratic and the linear part.

    Returns
    -------
    loss : Loss
    """
    return Loss(
        "identity",
        partial(_half_huber, delta=delta),
        partial(_half_huber_total, delta=delta),
        partial(_half_huber_delta, delta=delta),
    )


def _absolute_error(Y: np.ndarray, A: np.ndarray, residual: np.ndarray) -> np.ndarray:
    return row_sum(apply("abs", residual), keepdims=False)


def _absolute_error_total(residual: np.ndarray) -> float:
    return total(apply("abs", residual))


def _absolute_error_delta(residual: np.ndarray, out: np.ndarray) -> None:
    # sign(0) = 0: a subgradient where the output hits its target exactly.
    apply("sign", residual, out=out)


def _pinball_parts(residual: np.ndarray, quantile: float) -> np.ndarray:
    # For r = y - A = -residual: q r where r >= 0, (q - 1) r below, i.e. the larger of
    # -q * residual and (1 - q) * residual (one of them is >= 0, the other <= 0).
    return apply("maximum", residual * -quantile, residual * (1 - quantile))


def _pinball(Y: np.ndarray, A: np.ndarray, residual: np.ndarray, *, quantile: float):
    return row_sum(_pinball_parts(residual, quantile), keepdims=False)


def _pinball_total(residual: np.ndarray, *, quantile: float) -> float:
    return total(_pinball_parts(residual, quantile))


def _pinball_delta(residual: np.ndarray, out: np.ndarray, *, quantile: float) -> None:
    # The slope is 1 - q where the output is above the target and -q below; where it hits
    # the target exactly, 1/2 - q (a subgradient: 0 for the median, as absolute_error's).
    apply("sign", residual, out=out)
    out *= 0.5
    out += 0.5 - quantile


def quantile_loss(quantile: float) -> Loss:
    """Pinball loss of the ``quantile`` on the identity output.

    Per output, ``q * r`` where the residual ``r = y - prediction >= 0`` and ``(q - 1) * r``
    below, for ``q = quantile``: its minimiser is the conditional ``q``-quantile of ``y``
    (the median for 0.5, where the loss is half the absolute error).

    Parameters
    ----------
    quantile : float
        In the open interval (0, 1).

    Returns
    -------
    loss : Loss
    """
    return Loss(
        "identity",
        partial(_pinball, quantile=quantile),
        partial(_pinball_total, quantile=quantile),
        partial(_pinball_delta, quantile=quantile),
    )


# The regressor's `loss` options; "huber" and "quantile" are listed at their defaults, the
# regressor builds its own with huber_loss(huber_delta) and quantile_loss(quantile).
REGRESSION_LOSSES: dict[str, Loss] = {
    "squared_error": Loss("identity", _half_squared_error, _half_squared_error_total),
    "poisson": Loss("exp", _half_poisson_deviance),
    "huber": huber_loss(1.0),
    "absolute_error": Loss(
        "identity", _absolute_error, _absolute_error_total, _absolute_error_delta
    ),
    "quantile": quantile_loss(0.5),
}
# The classifier picks one from the type of its target.
CLASSIFICATION_LOSSES: dict[str, Loss] = {
    "log_loss": Loss("softmax", _log_loss),
    "binary_log_loss": Loss("logistic", _binary_log_loss),
}
LOSSES: dict[str, Loss] = {**REGRESSION_LOSSES, **CLASSIFICATION_LOSSES}


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
    value : float or 0-d array
        A Python float on NumPy; a 0-d array of the namespace elsewhere (see
        :func:`~sknumpy_nn._ops.scalar`).
    """
    if sample_weight is None and loss.total is not None:
        return loss.total(residual)
    per_sample = loss.sample_loss(Y, A, residual)
    if sample_weight is None:
        return total(per_sample)
    return scalar(per_sample @ sample_weight)
