"""The records a training run is given and gives back: plain data, no estimator.

``TrainingSettings`` is built once per fit from the estimator's parameters and never
changes. ``TrainingState`` is what one fit hands to the next (``warm_start``,
``partial_fit``): the curves so far, the best loss and score, the no-improvement count, the
optimizer's state, the samples seen. ``TrainingResult`` is what a run returns: the state it
leaves, its iterations and loss, why it stopped, a divergence report and the warnings the
estimator is to give.
"""

from dataclasses import dataclass, field, fields

import numpy as np

STOCHASTIC_SOLVERS = ("sgd", "adam")


@dataclass(frozen=True)
class TrainingSettings:
    """The estimator's training parameters, as scikit-learn's MLP names them.

    See :class:`~sknumpy_nn.NumpyMLPRegressor` for their meaning. ``from_params`` picks them
    from ``get_params()``.
    """

    solver: str
    alpha: float
    batch_size: object  # "auto" or int
    learning_rate: str
    learning_rate_init: float
    power_t: float
    max_iter: int
    shuffle: bool
    tol: float
    verbose: object
    momentum: float
    nesterovs_momentum: bool
    early_stopping: bool
    beta_1: float
    beta_2: float
    epsilon: float
    n_iter_no_change: float
    max_fun: int

    @classmethod
    def from_params(cls, params: dict) -> "TrainingSettings":
        """The settings among ``params`` (a ``get_params()`` dict; other keys are ignored)."""
        return cls(**{setting.name: params[setting.name] for setting in fields(cls)})

    @property
    def stops_early(self) -> bool:
        """Early stopping applies: asked for, with a stochastic solver (L-BFGS ignores it)."""
        return self.early_stopping and self.solver in STOCHASTIC_SOLVERS

    def divergence_advice(self) -> str:
        """What to change after a divergence."""
        advice = "scale the data (e.g. StandardScaler)"
        if self.solver == "lbfgs":
            return advice
        return f"use a smaller learning_rate_init (it is {self.learning_rate_init}) or {advice}"


@dataclass
class TrainingState:
    """What training carries from one fit to the next; updated in place by a run.

    Attributes
    ----------
    loss_curve : list of float
        Training loss after each epoch (L-BFGS iteration) so far.
    t : int
        Training samples seen by the stochastic solvers.
    best_loss : float or None
        Lowest training loss; None while early stopping judges by the validation score.
    no_improvement_count : int
        Consecutive epochs without progress.
    optimizer_state : dict or None
        The stochastic optimizer's state, to continue with (``partial_fit``).
    best_params : ndarray of shape (n_params,) or None
        The weights of the best validation score, restored by early stopping.
    validation_scores, validation_loss_curve : list of float or None
        Score and loss on the validation data after each epoch, or None without it.
    best_validation_score : float or None
        Best of ``validation_scores`` (``-inf`` before any finite one).
    """

    loss_curve: list = field(default_factory=list)
    t: int = 0
    best_loss: float | None = np.inf
    no_improvement_count: int = 0
    optimizer_state: dict | None = None
    best_params: np.ndarray | None = None
    validation_scores: list | None = None
    validation_loss_curve: list | None = None
    best_validation_score: float | None = None

    def record_validation(self, score: float, loss: float) -> None:
        """Append one epoch's validation score and loss; keep the best score."""
        self.validation_scores.append(score)
        self.validation_loss_curve.append(loss)
        if score > self.best_validation_score:
            self.best_validation_score = score


# The first words are scikit-learn's (its MLP raises them for any non-finite fit), so code and
# tests that look for them keep working.
NOTHING_LEARNED = (
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed."
)


@dataclass(frozen=True)
class DivergenceReport:
    """How a run diverged and what it kept.

    Attributes
    ----------
    step : {"epoch", "iteration"}
        What the run counts.
    failed : int
        The step (from 1, over the whole curve) whose loss or weights became non-finite.
    kept : str or None
        Whose weights were put back, or None when no step's weights were usable.
    best_epoch : int or None
        The epoch early stopping restores instead, if any.
    nothing_learned : bool
        A fit from scratch kept nothing but its initial weights: the estimator raises.
    advice : str
        What to change.
    """

    step: str
    failed: int
    kept: str | None
    best_epoch: int | None
    nothing_learned: bool
    advice: str

    def message(self) -> str:
        """The ValueError's message (``nothing_learned``), else the ConvergenceWarning's."""
        if self.nothing_learned:
            when = (
                f"in the first {self.step}, before anything was learned"
                if self.failed == 1
                else f"in {self.step} {self.failed}, and the weights of the {self.step}s "
                "before it overflow on the training data"
            )
            return (
                f"{NOTHING_LEARNED} The loss or the weights became non-finite (inf or NaN) "
                f"{when}: {self.advice}."
            )
        kept = f"The weights {self.kept} are kept."
        if self.best_epoch is not None:  # the end of the fit puts them back
            kept = (
                f"Early stopping keeps those of epoch {self.best_epoch}, its best validation "
                "score."
            )
        return (
            f"Training diverged in {self.step} {self.failed}: the loss or the weights became "
            f"non-finite (inf or NaN). {kept} To train further, {self.advice}."
        )


@dataclass(frozen=True)
class TrainingResult:
    """What one training run returns.

    Attributes
    ----------
    state : TrainingState
        The state after the run (the one it was given, updated).
    n_iter : int
        Epochs (L-BFGS iterations) of this run.
    loss : float or None
        The training loss of the weights the run leaves; None when a stochastic run had no
        finite epoch (the model's earlier loss stands).
    stop_reason : str
        Why it stopped: "max_iter", "no_improvement", "one_epoch" (``partial_fit``),
        "callback", "interrupted", "diverged", "converged" or "lbfgs_stopped" (L-BFGS ended
        without converging).
    divergence : DivergenceReport or None
        Set when the run diverged.
    warnings : tuple of (str, type)
        Warnings for the estimator to give, with their categories, in order.
    """

    state: TrainingState
    n_iter: int
    loss: float | None
    stop_reason: str
    divergence: DivergenceReport | None = None
    warnings: tuple = ()
