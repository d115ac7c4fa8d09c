"""The rules both training loops follow, each written once and testable on plain arrays.

- :class:`StoppingRule`: ``tol`` and ``n_iter_no_change``, on the training loss or (early
  stopping) the validation score, as scikit-learn's MLP counts them.
- :class:`ValidationScorer`: the score and the loss of some weights on the validation data.
- :func:`best_validation_epoch`: the epoch whose weights early stopping restores.
- :class:`FiniteSnapshots` and :func:`recover_from_divergence`: the last finite weights,
  and what to keep when a run overflows.
- :func:`split_validation`: early stopping's held-out split, drawn as scikit-learn draws it.
- :func:`log_row`: the verbose log's row of the last step.
"""

import numpy as np
from sklearn.model_selection import train_test_split

from . import _network
from ._losses import weighted_loss_sum
from ._ops import all_finite, copy, copy_into, take_rows, total
from ._records import DivergenceReport, TrainingState


class StoppingRule:
    """Counts the epochs without progress; says when progress has stalled.

    Progress is in the validation score with early stopping (the weights of each new best
    score are kept, for the end of the fit), else in the training loss: an epoch improves
    when it beats the best so far by at least ``tol``.

    Parameters
    ----------
    tol : float
        The improvement that counts as progress.
    n_iter_no_change : int or float
        Progress has stalled after more than this many epochs without it.
    on_validation : bool
        Judge by the validation score (early stopping) rather than the training loss.
    """

    def __init__(self, tol: float, n_iter_no_change, on_validation: bool):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.on_validation = on_validation

    def update(self, state: TrainingState, loss: float, score, params: np.ndarray) -> None:
        """Count one epoch of training ``loss`` (and validation ``score``, or None).

        Call it before the score is recorded in ``state``: it compares the score with the
        best one before it. ``params`` (shape ``(n_params,)``) are copied if they score best.
        """
        if self.on_validation:
            previous_best = state.best_validation_score
            improved = not score < previous_best + self.tol
            if score > previous_best:
                state.best_params = copy(params)
        else:
            improved = not loss > state.best_loss - self.tol
            state.best_loss = min(state.best_loss, loss)
        state.no_improvement_count = 0 if improved else state.no_improvement_count + 1

    def stalled(self, state: TrainingState) -> bool:
        """More than ``n_iter_no_change`` epochs in a row without progress."""
        return state.no_improvement_count > self.n_iter_no_change

    def message(self) -> str:
        """What stalled, for the verbose log."""
        what = "Validation score" if self.on_validation else "Training loss"
        return (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )


def mean_loss(loss, Y: np.ndarray, output: np.ndarray, sample_weight) -> float:
    """Sample-weighted mean of ``loss`` (a ``LOSSES`` entry), without the L2 penalty.

    ``Y`` and ``output`` are of shape (n_samples, n_outputs), ``sample_weight`` of shape
    (n_samples,) or None.
    """
    loss_sum = weighted_loss_sum(loss, Y, output, output - Y, sample_weight)
    return loss_sum / (Y.shape[0] if sample_weight is None else total(sample_weight))


class ValidationScorer:
    """Scores weights on the validation data.

    Parameters
    ----------
    validation : tuple of (X_val, Y_val, sample_weight_val)
        ``X_val`` of shape (n_val, n_features), ``Y_val`` the encoded targets of shape
        (n_val, n_outputs), weights of shape (n_val,) or None.
    activation : str or Activation
        The hidden activation.
    loss : Loss
        The network's training loss; its output activation is the network's.
    score : callable or None
        ``score(output, Y_val, sample_weight_val) -> float``, bigger is better (R² or
        accuracy, from the estimator); None scores the negative validation loss.
    from_weights : callable or None, default=None
        ``from_weights(coefs, intercepts, X_val, Y_val, sample_weight_val) -> float``, a
        score that needs the weights rather than the output (a scikit-learn scorer, through
        the estimator); it replaces ``score``.
    title : str or None, default=None
        The score's column title in the ``verbose`` log (None: ``"val score"``).
    """

    def __init__(self, validation, activation, loss, score, from_weights=None, title=None):
        self.validation = validation
        self.activation = activation
        self.loss = loss
        self.score = score
        self.from_weights = from_weights
        self.title = title or "val score"

    def __call__(self, coefs: list, intercepts: list) -> tuple[float, float]:
        """The score and the mean loss (no penalty) of these weights on the validation data.

        A diverging run's predictions overflow (both are then NaN, as scikit-learn's score
        is), or are so large that the metric's squares overflow (R² is then -inf): returned
        as they come, without NumPy's warnings, because divergence is judged by value.
        """
        X_val, Y_val, sw_val = self.validation
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            output = _network.predict(
                X_val, coefs, intercepts, self.activation, self.loss.output_activation
            )
            if not all_finite(output):
                return np.nan, np.nan
            loss = float(mean_loss(self.loss, Y_val, output, sw_val))
            if self.from_weights is not None:
                score = float(self.from_weights(coefs, intercepts, X_val, Y_val, sw_val))
            elif self.score is not None:
                score = float(self.score(output, Y_val, sw_val))
            else:
                score = -loss
            return score, loss


def best_validation_epoch(state: TrainingState, stops_early: bool) -> int | None:
    """The epoch (from 1) whose weights early stopping restores, or None.

    None without early stopping (which L-BFGS ignores, as scikit-learn's does), and when no
    epoch was ever scored finitely (a run whose validation predictions overflowed from the
    start): then no epoch's weights were saved as the best, and the fit keeps its own rather
    than the initial ones.
    """
    if not stops_early or not state.best_validation_score > -np.inf:
        return None
    return int(np.nanargmax(state.validation_scores)) + 1


class FiniteSnapshots:
    """The weights a run started from and those after its last two finite steps.

    The last finite weights can be finite yet overflow on the data; the ones before rarely
    do. The two buffers are swapped, not copied twice.

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        The weights at the start.
    """

    def __init__(self, params: np.ndarray):
        self.start, self._last, self._previous = (copy(params) for _ in range(3))
        self.n_kept = 0

    def keep(self, params: np.ndarray) -> None:
        """Remember ``params`` as the last finite weights."""
        self._previous, self._last = self._last, self._previous
        copy_into(params, self._last)
        self.n_kept += 1

    def latest(self, last_step: int) -> list:
        """``(step number, weights)`` of this run's finite steps, latest first (at most 2);
        ``last_step`` is the number of the last finite one."""
        snapshots = [(last_step, self._last), (last_step - 1, self._previous)]
        return snapshots[: self.n_kept]


def recover_from_divergence(
    network, snapshots, state, settings, step: str, check, from_scratch: bool
) -> DivergenceReport:
    """Put back the last usable finite weights into ``network``; report what was kept.

    The step (``"epoch"`` or ``"iteration"``) after the last of ``state.loss_curve`` was
    non-finite. ``snapshots`` (a :class:`FiniteSnapshots`) holds this run's last finite
    weights and the ones it began with. ``check(network)``, if not None, says whether the
    weights put back are usable (finite weights can still overflow on the training data);
    else the latest snapshot is. With none usable the run keeps its starting weights --
    unless it began from scratch and early stopping has no best epoch to restore: then it
    learned nothing (``nothing_learned``), and the estimator raises rather than return
    random weights as if they were a model. Otherwise the optimizer's state, whose moments
    hold the non-finite values, is dropped from ``state``.
    """
    n_done = len(state.loss_curve)
    best_epoch = best_validation_epoch(state, settings.stops_early)
    kept = None
    for number, params in snapshots.latest(n_done):
        copy_into(params, network.params)
        if check is None or check(network):
            kept = f"from the end of {step} {number} (the last finite on the training data)"
            break
    nothing_learned = kept is None and best_epoch is None and from_scratch
    if kept is None and not nothing_learned:
        copy_into(snapshots.start, network.params)
        kept = "this call started from (the model's earlier ones)"
    if not nothing_learned:
        state.optimizer_state = None
    advice = settings.divergence_advice()
    return DivergenceReport(step, n_done + 1, kept, best_epoch, nothing_learned, advice)


def split_validation(X, Y, sample_weight, fraction: float, stratify, random_state):
    """Early stopping's split: ``(train, validation)``, each ``(X, Y, sample_weight)``.

    Drawn from ``random_state`` as scikit-learn's MLP draws it; ``stratify`` are labels to
    keep the proportions of, or None.
    """
    # The sizes train_test_split will draw, checked first to name the problem in terms of
    # early stopping (its own error speaks of test_size and an empty train set).
    n_samples = X.shape[0]
    n_val = int(np.ceil(fraction * n_samples))
    if n_val < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size "
            f"of your dataset (early_stopping=True holds out {n_val} of the {n_samples} "
            "samples; it needs at least 2)."
        )
    if n_val == n_samples:
        raise ValueError(
            f"validation_fraction={fraction} holds out all {n_samples} samples for early "
            "stopping's validation set, leaving none to train on. Decrease "
            "'validation_fraction' or use more samples."
        )
    # The rows are drawn as indices (the draw depends on the number of rows and the labels
    # only), then taken from each array in its own namespace.
    train, held_out = train_test_split(
        np.arange(n_samples), random_state=random_state, test_size=fraction, stratify=stratify
    )

    def rows(indices):
        return tuple(None if a is None else take_rows(a, indices) for a in (X, Y, sample_weight))

    return rows(train), rows(held_out)


def log_row(log, state: TrainingState, validation: bool, learning_rate=()) -> None:
    """Print the training log's row of the last epoch or iteration in ``state``."""
    scores = ()
    if validation:
        scores = (state.validation_loss_curve[-1], state.validation_scores[-1])
    log.row(
        len(state.loss_curve),
        state.loss_curve[-1],
        validation=scores,
        learning_rate=learning_rate,
    )
