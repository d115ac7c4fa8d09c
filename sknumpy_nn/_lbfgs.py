"""The L-BFGS trainer: scipy's L-BFGS-B on the network's flat parameter vector.

Each iteration is recorded as an epoch is (loss curve, validation scores, verbose row,
per-step hook); the stopping rule is scipy's own (``tol`` on the projected gradient,
``max_iter``, ``max_fun``), as in scikit-learn's MLP, so validation scores are recorded and
never stop it.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from . import _network
from ._network import Network
from ._optimizers import minimize_lbfgs
from ._records import TrainingResult
from ._rules import FiniteSnapshots, best_validation_epoch, log_row, recover_from_divergence
from ._training_log import TrainingLog

# L-BFGS's full-batch gradient is accumulated over row blocks of this size: a block's
# activations stay in cache, which is faster than one pass over all rows at once.
LBFGS_BLOCK_ROWS = 1000


def _in_float64(network, data):
    """The network and data to run scipy on: float64, copies where they are not already.

    scipy's L-BFGS-B works in float64; a float32 model is trained in float64 and cast back,
    because float32 gradients stall its line search long before convergence.
    """
    if network.dtype == np.float64:
        return network, data
    work = Network(network.layer_sizes, network.activation, network.loss, np.float64)
    work.load(network.coefs, network.intercepts)
    X, Y, sample_weight = data
    sample_weight = None if sample_weight is None else sample_weight.astype(np.float64)
    return work, (X.astype(np.float64), Y.astype(np.float64), sample_weight)


class _IterationRecorder:
    """scipy's per-iteration callback: the curves, the log, the hook; stops on request."""

    def __init__(self, network, state, snapshots, hook, scorer, log):
        self.network, self.state, self.snapshots = network, state, snapshots
        self.hook, self.scorer, self.log = hook, scorer, log
        self.stopped = False

    def __call__(self, intermediate_result) -> None:
        loss, params = intermediate_result.fun, intermediate_result.x
        self.state.loss_curve.append(float(loss))
        if np.isfinite(loss) and np.isfinite(params).all():
            self.snapshots.keep(params)
        coefs, intercepts = _network.unpack(params, self.network.layer_sizes)
        if self.scorer is not None:  # scored, never stopped on
            self.state.record_validation(*self.scorer(coefs, intercepts))
        if self.log is not None:
            log_row(self.log, self.state, self.scorer is not None)
        if self.hook.end_step(coefs, intercepts):
            self.stopped = True
            raise StopIteration  # scipy ends the minimisation at this iterate
        self.hook.begin_step()


def train_lbfgs(network, data, settings, state, hook, scorer, from_scratch) -> TrainingResult:
    """Minimise the objective with L-BFGS; the parameters are :func:`~._training.train`'s."""
    work, (X, Y, sample_weight) = _in_float64(network, data)

    def loss_and_gradient(params):
        work.params[...] = params
        loss = work.loss_and_gradient(X, Y, sample_weight, settings.alpha, LBFGS_BLOCK_ROWS)
        # scipy keeps the gradient it is given: hand it a copy, not our buffer.
        return loss, work.grad.copy()

    log = TrainingLog(scorer is not None, False) if settings.verbose else None
    snapshots = FiniteSnapshots(work.params)
    record = _IterationRecorder(work, state, snapshots, hook, scorer, log)
    warnings = []
    hook.begin_step()
    try:
        # A trial step of the line search may overflow; scipy backs off from an inf loss,
        # and a non-finite result is caught below, by value.
        with np.errstate(over="ignore", invalid="ignore"):
            result = minimize_lbfgs(
                loss_and_gradient,
                snapshots.start.copy(),
                settings.max_iter,
                settings.max_fun,
                settings.tol,
                record,
            )
    except KeyboardInterrupt:
        warnings.append(("Training interrupted by user.", UserWarning))
        result = None
    hook.close_step()
    divergence = None
    if result is not None and not (np.isfinite(result.fun) and np.isfinite(result.x).all()):
        divergence = _recover(work, state, snapshots, settings, from_scratch)
        if divergence.nothing_learned:
            return TrainingResult(state, 0, None, "diverged", divergence, tuple(warnings))
        warnings.append((divergence.message(), ConvergenceWarning))
        result = None
    return _finish(
        network, work, (X, Y, sample_weight), result, record, state, settings, warnings, divergence
    )


def _recover(work, state, snapshots, settings, from_scratch):
    """The iterate kept after a non-finite result: the last finite one, or the start."""
    state.loss_curve = [loss for loss in state.loss_curve if np.isfinite(loss)]
    n_done = len(state.loss_curve)
    divergence = recover_from_divergence(
        work,
        snapshots.latest(n_done),
        snapshots.start,
        n_done + 1,
        "iteration",
        None,
        from_scratch=from_scratch,
        best_epoch=best_validation_epoch(state, settings.stops_early),
        advice=settings.divergence_advice(),
    )
    if not divergence.nothing_learned:
        state.optimizer_state = None
    return divergence


def _finish(network, work, data, result, record, state, settings, warnings, divergence):
    """Copy the weights reached into ``network``; the result record of the run."""
    if result is not None:
        work.params[...] = result.x
        n_iter = min(result.nit, settings.max_iter)
        loss = float(result.fun)
        reason = "callback" if record.stopped else "converged"
        if result.status != 0 and not record.stopped:
            reason = "lbfgs_stopped"
            warnings.append(
                (
                    f"lbfgs failed to converge after {n_iter} iteration(s) "
                    f"(status={result.status}): {result.message}. Increase max_iter or "
                    "max_fun, or scale the data (e.g. StandardScaler).",
                    ConvergenceWarning,
                )
            )
    else:  # interrupted or diverged: the loss of the weights kept
        n_iter = len(state.loss_curve)
        reason = "diverged" if divergence is not None else "interrupted"
        with np.errstate(over="ignore", invalid="ignore"):
            loss = work.loss_and_gradient(*data, settings.alpha)
    network.params[...] = work.params
    state.best_loss = min([loss, *state.loss_curve])
    return TrainingResult(state, n_iter, loss, reason, divergence, tuple(warnings))
