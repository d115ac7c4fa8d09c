"""The trainer: runs a fit's epochs (or L-BFGS's iterations) on plain arrays.

:func:`train` is given the network, the training data, the settings, the state carried over
from an earlier fit, the random stream, a per-step hook and a validation scorer, and
returns a :class:`~sknumpy_nn._records.TrainingResult`. It never sees the estimator: what
must (scikit-learn's callbacks, which read it; the scorer) comes in as the hook and the
scorer, which the estimator builds and the trainer only calls.

The per-step hook has three methods: ``begin_step()`` before an epoch (iteration),
``end_step(coefs, intercepts) -> bool`` after it (True asks to stop), and ``close_step()``
to close a step that began but never ran. ``FitTasks`` is one.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._epoch import Epoch
from ._lbfgs import LBFGS_BLOCK_ROWS, train_lbfgs
from ._ops import all_finite
from ._optimizers import (
    LBFGS_SMALL_PRODUCT_FLOPS,
    SGD,
    Adam,
    scipy_blas_single_threaded,
    small_products_single_threaded,
)
from ._records import TrainingResult, TrainingSettings
from ._rules import (
    FiniteSnapshots,
    StoppingRule,
    best_validation_epoch,
    log_row,
    recover_from_divergence,
)
from ._training_log import TrainingLog


def train(
    network, data, settings, state, random_state, hook, scorer, *, from_scratch, one_epoch
) -> TrainingResult:
    """Train ``network`` in place; return what the run did.

    Parameters
    ----------
    network : Network
        Its weights are where training starts, and hold the result at the end.
    data : tuple of (X, Y, sample_weight)
        ``X`` (n_samples, n_features), dense or CSR; ``Y`` (n_samples, n_outputs) encoded
        targets in the network's dtype; ``sample_weight`` (n_samples,) or None.
    settings : TrainingSettings
    state : TrainingState
        Carried over from an earlier fit (or fresh); updated in place and returned.
    random_state : numpy.random.RandomState
        Draws the shuffles and dropout masks.
    hook : object
        The per-step hook (see the module's docstring).
    scorer : callable or None
        ``scorer(coefs, intercepts) -> (score, loss)`` on the validation data, after every
        step; None without validation data.
    from_scratch : bool
        The weights are the random initial ones (a divergence with nothing learned is an
        error).
    one_epoch : bool
        Run one epoch, continuing the optimizer's state (``partial_fit``).
    """
    sizes = network.layer_sizes
    with scipy_blas_single_threaded():
        if settings.solver == "lbfgs":
            rows = min(LBFGS_BLOCK_ROWS, data[0].shape[0])
            threshold = LBFGS_SMALL_PRODUCT_FLOPS
            with small_products_single_threaded(sizes, rows, network.params, threshold):
                return train_lbfgs(network, data, settings, state, hook, scorer, from_scratch)
        run = StochasticRun(network, data, settings, state, random_state, hook, scorer)
        with small_products_single_threaded(sizes, run.epoch.batch_size, network.params):
            return run(from_scratch=from_scratch, one_epoch=one_epoch)


def make_optimizer(
    settings: TrainingSettings, n_params: int, dtype, state: dict | None, like=None
):
    """The SGD or Adam optimizer of ``settings``, continuing ``state`` if it is of that solver.

    ``like`` is an array of the namespace and device the parameters live in (None: NumPy).
    """
    if state is not None and state.get("solver") != settings.solver:
        state = None
    if settings.solver == "sgd":
        optimizer = SGD(
            n_params,
            dtype,
            settings.learning_rate_init,
            settings.learning_rate,
            settings.momentum,
            settings.nesterovs_momentum,
            settings.power_t,
            state,
            like,
        )
    else:
        optimizer = Adam(
            n_params,
            dtype,
            settings.learning_rate_init,
            settings.beta_1,
            settings.beta_2,
            settings.epsilon,
            state,
            like,
        )
    optimizer.state["solver"] = settings.solver
    return optimizer


def batch_size_for(batch_size, n_samples: int) -> tuple[int, list]:
    """The rows per minibatch for ``batch_size`` ("auto" or int), and a warning if clipped."""
    if batch_size == "auto":
        return min(200, n_samples), []
    if batch_size > n_samples:
        message = (
            f"batch_size={batch_size} is larger than the {n_samples} training samples; it is "
            "clipped to the number of samples."
        )
        return n_samples, [(message, UserWarning)]
    return batch_size, []


class StochasticRun:
    """The epochs of one SGD or Adam fit (or one ``partial_fit`` call).

    Parameters are those of :func:`train`.
    """

    def __init__(self, network, data, settings, state, random_state, hook, scorer):
        self.network, self.settings, self.state = network, settings, state
        self.random_state, self.hook, self.scorer = random_state, hook, scorer
        if not settings.early_stopping and state.best_loss is None:
            state.best_loss = np.inf  # continuing a model fitted with early stopping
        batch_size, self.warnings = batch_size_for(settings.batch_size, data[0].shape[0])
        self.epoch = Epoch(network, *data, batch_size, settings.alpha, random_state)
        self.rule = StoppingRule(settings.tol, settings.n_iter_no_change, settings.early_stopping)
        self.snapshots = FiniteSnapshots(network.params)
        self.n_iter, self.loss, self.divergence = 0, None, None

    def __call__(self, *, from_scratch: bool, one_epoch: bool) -> TrainingResult:
        """Run up to ``max_iter`` epochs (one with ``one_epoch``)."""
        settings, state = self.settings, self.state
        previous = state.optimizer_state if one_epoch else None
        params = self.network.params
        self.optimizer = make_optimizer(
            settings, params.shape[0], self.network.dtype, previous, params
        )
        state.optimizer_state = self.optimizer.state
        self.log = None
        if settings.verbose:  # the header once per fit, and once for a run of partial_fit calls
            header = not one_epoch or not state.loss_curve
            title = getattr(self.scorer, "title", None)
            self.log = TrainingLog(
                self.scorer is not None, learning_rate=True, header=header, score_title=title
            )
        reason = None
        try:
            for _ in range(settings.max_iter):
                reason = self._epoch(from_scratch, one_epoch)
                if reason is not None:
                    break
        except KeyboardInterrupt:
            self.warnings.append(("Training interrupted by user.", UserWarning))
            reason = "interrupted"
        self.hook.close_step()
        if best_validation_epoch(state, settings.stops_early) is not None:
            self.network.params[...] = state.best_params
        return TrainingResult(
            state,
            self.n_iter,
            self.loss,
            reason or "max_iter",
            self.divergence,
            tuple(self.warnings),
        )

    def _epoch(self, from_scratch: bool, one_epoch: bool) -> str | None:
        """One epoch and its bookkeeping; why training stops after it, or None."""
        network, state = self.network, self.state
        self.hook.begin_step()
        if self.settings.shuffle:
            self.epoch.shuffle(self.random_state)
        # A diverging run overflows; that is caught below, by value, after the epoch.
        with np.errstate(over="ignore", invalid="ignore"):
            loss = self.epoch.run(self.optimizer)
        if not (np.isfinite(loss) and all_finite(network.params)):
            self._recover(from_scratch)
            return "diverged"
        self.snapshots.keep(network.params)
        self._record(loss)
        self.optimizer.end_epoch(state.t)
        if self.hook.end_step(network.coefs, network.intercepts):
            return "callback"
        if self.rule.stalled(state):
            stop, action = self.optimizer.on_plateau()
            if self.settings.verbose:
                print(f"{self.rule.message()} {action}")
            if stop:
                return "no_improvement"
            state.no_improvement_count = 0
        if one_epoch:
            return "one_epoch"
        if self.n_iter == self.settings.max_iter:
            message = (
                f"Stochastic Optimizer: Maximum iterations ({self.settings.max_iter}) reached "
                "and the optimization hasn't converged yet."
            )
            self.warnings.append((message, ConvergenceWarning))
        return None

    def _record(self, loss: float) -> None:
        """The curves, counts and stopping rule after a finite epoch of ``loss``."""
        network, state = self.network, self.state
        self.loss = loss
        self.n_iter += 1
        state.t += self.epoch.n_samples
        state.loss_curve.append(loss)
        score = None
        if self.scorer is not None:
            score, value = self.scorer(network.coefs, network.intercepts)
        self.rule.update(state, loss, score, network.params)
        if self.scorer is not None:
            state.record_validation(score, value)
        if self.log is not None:
            log_row(self.log, state, self.scorer is not None, (self.optimizer.learning_rate,))

    def _recover(self, from_scratch: bool) -> None:
        """After a non-finite epoch: keep the last weights that are finite on the data."""
        epoch = self.epoch

        def usable(network) -> bool:
            with np.errstate(over="ignore", invalid="ignore"):
                loss = network.loss_and_gradient(epoch.X, epoch.Y, epoch.sample_weight, 0.0)
            return bool(np.isfinite(float(loss)))

        self.divergence = recover_from_divergence(
            self.network, self.snapshots, self.state, self.settings, "epoch", usable, from_scratch
        )
        if not self.divergence.nothing_learned:
            self.warnings.append((self.divergence.message(), ConvergenceWarning))
