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
from ._ops import astype, copy_into, from_host, to_host, widest_float
from ._optimizers import minimize_lbfgs
from ._records import TrainingResult
from ._rules import FiniteSnapshots, log_row, recover_from_divergence
from ._training_log import TrainingLog

# L-BFGS's full-batch gradient is accumulated over row blocks of this size: a block's
# activations stay in cache, which is faster than one pass over all rows at once.
LBFGS_BLOCK_ROWS = 1000


def _in_float64(network, data):
    """The network and data to run scipy on: float64, copies where they are not already.

    scipy's L-BFGS-B works in float64; a float32 model is trained in float64 and cast back,
    because float32 gradients stall its line search long before convergence. On a device
    without float64 (Apple's MPS) it stays in float32.
    """
    wide = widest_float(network.params)
    if network.dtype == wide:
        return network, data
    sizes, like = network.layer_sizes, network.params
    work = Network(sizes, network.activation, network.loss, wide, like=like)
    work.load(network.coefs, network.intercepts)
    return work, tuple(None if array is None else astype(array, wide) for array in data)


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
        # The model's namespace and device (the same array on NumPy).
        on_device = from_host(params, self.network.params)
        coefs, intercepts = _network.unpack(on_device, self.network.layer_sizes)
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
    return LbfgsRun(network, data, settings, state, hook, scorer)(from_scratch)


class LbfgsRun:
    """One L-BFGS fit: scipy's minimisation, then the weights and records it leaves.

    Parameters are those of :func:`~._training.train`.
    """

    def __init__(self, network, data, settings, state, hook, scorer):
        self.network, self.settings, self.state = network, settings, state
        self.hook, self.scorer = hook, scorer
        self.work, self.data = _in_float64(network, data)
        widest = max(network.layer_sizes)
        self.block_rows = _network.block_rows(self.work.params, LBFGS_BLOCK_ROWS, widest)
        # scipy's iterates are NumPy vectors on the host, and so are the snapshots of them.
        self.snapshots = FiniteSnapshots(to_host(self.work.params))
        self.warnings, self.divergence = [], None
        if str(self.work.dtype).endswith("float32"):
            # A device without float64 (Apple's MPS): scipy's float32 line search may stop
            # early; the fit goes on, and says so.
            message = (
                "L-BFGS evaluates the loss and gradient in float32: the device has no "
                "float64. Its line search may stop before converging; solver='adam' is "
                "unaffected."
            )
            self.warnings.append((message, UserWarning))

    def loss_and_gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """The objective and its gradient at ``params``, as scipy asks for them."""
        work = self.work
        copy_into(params, work.params)
        loss = work.loss_and_gradient(*self.data, self.settings.alpha, self.block_rows)
        # scipy keeps the gradient it is given: hand it a copy, not our buffer.
        if type(work.grad) is np.ndarray:
            return loss, work.grad.copy()
        return float(loss), to_host(work.grad).astype(np.float64, copy=False)

    def __call__(self, from_scratch: bool) -> TrainingResult:
        """Run scipy's L-BFGS-B from the network's weights."""
        settings, state = self.settings, self.state
        log = None
        if settings.verbose:
            title = getattr(self.scorer, "title", None)
            log = TrainingLog(self.scorer is not None, False, score_title=title)
        record = _IterationRecorder(self.work, state, self.snapshots, self.hook, self.scorer, log)
        self.hook.begin_step()
        try:
            # A trial step of the line search may overflow; scipy backs off from an inf
            # loss, and a non-finite result is caught below, by value.
            with np.errstate(over="ignore", invalid="ignore"):
                result = minimize_lbfgs(
                    self.loss_and_gradient,
                    self.snapshots.start.copy(),
                    settings.max_iter,
                    settings.max_fun,
                    settings.tol,
                    record,
                )
        except KeyboardInterrupt:
            self.warnings.append(("Training interrupted by user.", UserWarning))
            result = None
        self.hook.close_step()
        if result is not None and not (np.isfinite(result.fun) and np.isfinite(result.x).all()):
            self._recover(from_scratch)
            if self.divergence.nothing_learned:
                return TrainingResult(
                    state, 0, None, "diverged", self.divergence, tuple(self.warnings)
                )
            result = None
        return self._finish(result, record.stopped)

    def _recover(self, from_scratch: bool) -> None:
        """After a non-finite result: keep the last finite iterate, or the start."""
        state = self.state
        state.loss_curve = [loss for loss in state.loss_curve if np.isfinite(loss)]
        self.divergence = recover_from_divergence(
            self.work, self.snapshots, state, self.settings, "iteration", None, from_scratch
        )
        if not self.divergence.nothing_learned:
            self.warnings.append((self.divergence.message(), ConvergenceWarning))

    def _finish(self, result, stopped_by_hook: bool) -> TrainingResult:
        """Copy the weights reached into the network; the result record of the run."""
        work, state = self.work, self.state
        if result is not None:
            copy_into(result.x, work.params)
            n_iter = min(result.nit, self.settings.max_iter)
            loss = float(result.fun)
            reason = "callback" if stopped_by_hook else "converged"
            if result.status != 0 and not stopped_by_hook:
                reason = "lbfgs_stopped"
                message = (
                    f"lbfgs failed to converge after {n_iter} iteration(s) "
                    f"(status={result.status}): {result.message}. Increase max_iter or "
                    "max_fun, or scale the data (e.g. StandardScaler)."
                )
                self.warnings.append((message, ConvergenceWarning))
        else:  # interrupted or diverged: the loss of the weights kept
            n_iter = len(state.loss_curve)
            reason = "diverged" if self.divergence is not None else "interrupted"
            with np.errstate(over="ignore", invalid="ignore"):
                loss = float(work.loss_and_gradient(*self.data, self.settings.alpha))
        copy_into(work.params, self.network.params)
        state.best_loss = min([loss, *state.loss_curve])
        return TrainingResult(state, n_iter, loss, reason, self.divergence, tuple(self.warnings))
