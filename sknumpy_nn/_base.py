"""BaseNumpyMLP: scikit-learn's contract around the NumPy network.

The estimator validates, encodes targets (through subclass hooks), and runs the training
loop; the maths is in ``_network.py`` and ``_optimizers.py``. The random stream follows
scikit-learn's MLP draw for draw (weights, early-stopping split, each epoch's shuffle) so
the same ``random_state`` gives the same model.
"""

import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.callback import CallbackSupportMixin, with_callbacks
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _network
from ._activations import HIDDEN_ACTIVATIONS, Activation, check_activation
from ._callbacks import FitTasks
from ._epoch import Epoch
from ._losses import weighted_loss_sum
from ._network import Network
from ._optimizers import SGD, Adam, minimize_lbfgs, scipy_blas_single_threaded
from ._training_log import TrainingLog

_STOCHASTIC_SOLVERS = ("sgd", "adam")
# L-BFGS's full-batch gradient is accumulated over row blocks of this size: a block's
# activations stay in cache, which is faster than one pass over all rows at once.
_LBFGS_BLOCK_ROWS = 1000


def validate_quietly(check, *args, **kwargs):
    """``check(*args, **kwargs)``, scikit-learn's input validation, without NumPy's warnings.

    scikit-learn's finiteness check first sums the array, which warns ("invalid value
    encountered in reduce") when it holds both inf and -inf, before raising its own clear
    ValueError; that error is the whole answer a user needs.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return check(*args, **kwargs)


def _checked_sample_weight(sample_weight, X, name: str):
    """``sample_weight`` as a validated array of ``X``'s dtype, or None."""
    if sample_weight is None:
        return None
    sample_weight = validate_quietly(
        _check_sample_weight, sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    if not sample_weight.sum() > 0:
        raise ValueError(f"{name} sums to zero: every sample would be ignored.")
    return sample_weight


def _mean_loss(loss, Y: np.ndarray, output: np.ndarray, sample_weight) -> float:
    """Sample-weighted mean of ``loss`` (a ``LOSSES`` entry), without the L2 penalty.

    ``Y`` and ``output`` are of shape (n_samples, n_outputs), ``sample_weight`` of shape
    (n_samples,) or None.
    """
    total = weighted_loss_sum(loss, Y, output, output - Y, sample_weight)
    return total / (Y.shape[0] if sample_weight is None else float(sample_weight.sum()))


# The first words are scikit-learn's (its MLP raises them for any non-finite fit), so code and
# tests that look for them keep working.
_NOTHING_LEARNED = (
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed."
)


def _check_stochastic_solver(estimator) -> bool:
    if estimator.solver not in _STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers; "
            f"solver={estimator.solver!r} is not stochastic."
        )
    return True


class BaseNumpyMLP(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the NumPy MLP estimators; use a subclass.

    Subclasses supply the target encoding (``_encode_target``), the loss name
    (``_network_loss``) and the validation score (``_validation_score``).
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), Activation],
        "solver": [StrOptions({"lbfgs", *_STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout

    # ----------------------------------------------------------------- subclass hooks
    @abstractmethod
    def _encode_target(self, X, y, incremental: bool, reset: bool):
        """Validate ``X`` and ``y``; return ``X`` and the encoded ``Y`` (n_samples, n_outputs).

        Validation data given to ``fit`` goes through here too, after the training data,
        with ``incremental=True, reset=False``: checked against the fitted features and
        targets (classes) like a ``partial_fit`` batch, and changing no fitted state.
        """

    @abstractmethod
    def _network_loss(self):
        """Key of ``LOSSES``, or a ``Loss`` built for the loss parameters, to train with."""

    @abstractmethod
    def _validation_score(self, output, Y, sample_weight) -> float:
        """Score of the network ``output`` against encoded targets ``Y``."""

    def _stratify_labels(self, Y):
        """Labels to stratify the early-stopping split by, or None."""
        return None

    def _training_weights(self, Y, sample_weight):
        """Per-row weights to train with, from the checked ``sample_weight`` (or None).

        A subclass may scale them (the classifier's class weights); before the
        early-stopping split, so the weights travel with their rows.
        """
        return sample_weight

    # ----------------------------------------------------------------- public API
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets (class labels in classification, real numbers in regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; ``None`` weighs every sample equally.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation data, checked like ``predict``'s input (the features seen in ``X``).
            When given, ``X`` is trained on whole (no ``validation_fraction`` split) and,
            after every epoch (every iteration with 'lbfgs'), the model is scored on the
            validation data: ``validation_scores_``, ``validation_loss_curve_`` and
            ``best_validation_score_`` record it.

            - With ``early_stopping=True`` (sgd, adam), the validation score decides when
              to stop, and the weights of the best-scoring epoch are restored at the end,
              exactly as with the split.
            - With ``early_stopping=False``, or with 'lbfgs' (whose ``early_stopping`` has
              no effect, as in scikit-learn), the scores are only recorded: they never stop
              training (the training loss does, as without validation data), and the model
              keeps its final weights, not the best-scoring ones. Scikit-learn's
              ``HistGradientBoosting*`` refuse ``X_val`` without early stopping; here it
              gives learning curves.

            Under cross-validation (e.g. ``GridSearchCV`` with metadata routing), an
            ``X_val`` with exactly as many rows as ``X`` is taken for per-sample metadata
            and split along with ``X``: give a validation set of another size.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), default=None
            Targets of ``X_val``, checked like ``y``: known classes only (classifier),
            numbers with as many outputs as ``y``, non-negative for ``loss='poisson'``
            (regressor). Required with ``X_val`` and only with it.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Non-negative weights of the validation samples, used by the validation score
            and loss; ``None`` weighs them equally. Only with ``X_val``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        validation_data = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, incremental=False, validation_data=validation_data)

    def _predict_output(self, X, output_activation=None):
        """Validated forward pass; the output layer's activation can be overridden."""
        check_is_fitted(self)
        X = validate_quietly(
            validate_data,
            self,
            X,
            accept_sparse=["csr", "csc"],
            reset=False,
            dtype=(np.float64, np.float32),
        )
        # Overflow is checked by value below, with a message instead of NumPy's warning.
        with np.errstate(over="ignore", invalid="ignore"):
            output = _network.predict(
                X,
                self.coefs_,
                self.intercepts_,
                self.activation,
                output_activation or self.out_activation_,
            )
        overflowed = ~np.isfinite(output).all(axis=1)
        if overflowed.any():
            raise ValueError(
                "The network's output is non-finite (it overflowed to inf or NaN) on "
                f"{overflowed.sum()} of the {len(overflowed)} rows of X (the first is row "
                f"{overflowed.argmax()}): X holds values far beyond those the model was "
                "trained on. Scale X as the training data was scaled (e.g. with the same "
                "fitted StandardScaler)."
            )
        return output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ----------------------------------------------------------------- training
    def _layer_sizes(self, n_features: int, n_outputs: int) -> list[int]:
        hidden = self.hidden_layer_sizes
        hidden = list(hidden) if np.iterable(hidden) else [hidden]
        if not all(isinstance(h, Integral) and h >= 1 for h in hidden):
            raise ValueError(
                f"hidden_layer_sizes must hold positive integers, got {self.hidden_layer_sizes!r}."
            )
        return [n_features, *(int(h) for h in hidden), n_outputs]

    def _dropout_rates(self, n_hidden: int) -> tuple[float, ...] | None:
        """One dropout rate per hidden layer, or None when no layer drops units."""
        rates = self.dropout
        if np.iterable(rates):
            rates = tuple(rates)
            if len(rates) != n_hidden:
                raise ValueError(
                    f"dropout={self.dropout!r} gives {len(rates)} rate(s), but the network has "
                    f"{n_hidden} hidden layer(s) (hidden_layer_sizes="
                    f"{self.hidden_layer_sizes!r}); give one rate per hidden layer or one float."
                )
            for rate in rates:
                if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
                    raise ValueError(
                        f"Each rate in dropout must be a float in [0, 1), got {rate!r} in "
                        f"dropout={self.dropout!r}."
                    )
        else:
            rates = (rates,) * n_hidden
        if not any(rates):
            return None
        if self.solver == "lbfgs":
            raise ValueError(
                f"dropout={self.dropout!r} needs a stochastic solver ('sgd' or 'adam'): "
                "solver='lbfgs' minimises one deterministic full-batch objective. Use "
                "dropout=0.0 with 'lbfgs'."
            )
        return tuple(float(rate) for rate in rates)

    def _fit(self, X, y, sample_weight, incremental: bool, validation_data=(None, None, None)):
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._encode_target(X, y, incremental=incremental, reset=first_pass)
        sample_weight = _checked_sample_weight(sample_weight, X, "sample_weight")
        sample_weight = self._training_weights(Y, sample_weight)
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError(
                "The sample weights times the class weights sum to zero: every sample would "
                "be ignored."
            )
        validation = self._validation_set(Y.shape[1], *validation_data)
        if sp.issparse(X):
            X = X.tocsr()  # batches are row slices
        layer_sizes = self._layer_sizes(X.shape[1], Y.shape[1])
        dropout = self._dropout_rates(len(layer_sizes) - 2)
        check_activation(self.activation, X.dtype)
        random_state = check_random_state(self.random_state)

        network = Network(layer_sizes, self.activation, self._network_loss(), X.dtype, dropout)
        if first_pass:
            self._initialize(network, random_state)
        else:
            self._check_warm_start_shapes(layer_sizes)
            network.load(self.coefs_, self.intercepts_)
        splits_off_validation = self.early_stopping and self.solver in _STOCHASTIC_SOLVERS
        if (validation is not None or splits_off_validation) and self.validation_scores_ is None:
            # A new model, or one continued (warm_start) from a fit without validation data.
            self.validation_scores_, self.validation_loss_curve_ = [], []
            self.best_validation_score_ = -np.inf

        # Callbacks see whole fits: a partial_fit call is one step of a run it cannot see.
        lbfgs = self.solver == "lbfgs"
        tasks = (
            FitTasks()
            if incremental
            else (FitTasks(self, "iteration" if lbfgs else "epoch", self.max_iter + lbfgs))
        )
        with scipy_blas_single_threaded():
            if self.solver == "lbfgs":
                self._fit_lbfgs(network, X, Y, sample_weight, validation, tasks, first_pass)
            else:
                self._fit_stochastic(
                    network,
                    X,
                    Y,
                    sample_weight,
                    random_state,
                    incremental,
                    validation,
                    tasks,
                    first_pass,
                )
        # Divergence leaves the last finite weights (or raised, when there were none).
        self.coefs_, self.intercepts_ = network.coefs, network.intercepts
        tasks.end(network.coefs, network.intercepts)
        return self

    def _initialize(self, network: Network, random_state) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = network.layer_sizes[-1]
        self.n_layers_ = len(network.layer_sizes)
        self.out_activation_ = network.loss.output_activation
        network.initialize(random_state)
        self._best_params = network.params.copy()
        self.loss_curve_ = []
        self._no_improvement_count = 0
        self._optimizer_state = None
        self.best_loss_ = None if self.early_stopping and self.solver != "lbfgs" else np.inf
        self.validation_scores_ = self.validation_loss_curve_ = None
        self.best_validation_score_ = None

    def _validation_set(self, n_outputs: int, X_val, y_val, sample_weight_val):
        """The validation data given to ``fit``, checked and encoded, or None."""
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val was given without X_val and y_val.")
            return None
        if X_val is None or y_val is None:
            given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
            raise ValueError(f"{given} was given without {missing}: pass both or neither.")
        try:
            X_val, Y_val = self._encode_target(X_val, y_val, incremental=True, reset=False)
        except ValueError as error:  # sklearn's message speaks of X and y
            raise ValueError(f"Invalid validation data (X_val, y_val): {error}") from error
        try:
            sample_weight_val = _checked_sample_weight(
                sample_weight_val, X_val, "sample_weight_val"
            )
        except ValueError as error:
            raise ValueError(f"Invalid sample_weight_val: {error}") from error
        if Y_val.shape[0] < 2:
            # As for the split off by early_stopping: R² needs two samples to be defined.
            raise ValueError(
                f"The validation set is too small: X_val has {Y_val.shape[0]} sample, it "
                "needs at least 2."
            )
        if Y_val.shape[1] != n_outputs:
            raise ValueError(
                f"y_val has {Y_val.shape[1]} output(s) but y has {n_outputs}; they must match."
            )
        return (X_val.tocsr() if sp.issparse(X_val) else X_val), Y_val, sample_weight_val

    def _check_warm_start_shapes(self, layer_sizes: list[int]) -> None:
        fitted = [self.coefs_[0].shape[0], *(W.shape[1] for W in self.coefs_)]
        if fitted != layer_sizes:
            raise ValueError(
                f"The data and hidden_layer_sizes need layer sizes {layer_sizes}, but the model "
                f"being continued (warm_start or partial_fit) has {fitted}. Use the same "
                "features, outputs and hidden_layer_sizes, or fit from scratch."
            )

    def _make_optimizer(self, network: Network, incremental: bool):
        state = self._optimizer_state if incremental else None
        n_params, dtype = network.params.size, network.dtype
        if state is not None and state.get("solver") != self.solver:
            state = None
        if self.solver == "sgd":
            optimizer = SGD(
                n_params,
                dtype,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
                state,
            )
        else:
            optimizer = Adam(
                n_params,
                dtype,
                self.learning_rate_init,
                self.beta_1,
                self.beta_2,
                self.epsilon,
                state,
            )
        optimizer.state["solver"] = self.solver
        self._optimizer_state = optimizer.state
        return optimizer

    def _split_validation(self, X, Y, sample_weight, random_state):
        """The early-stopping split, drawn as scikit-learn draws it."""
        stratify = self._stratify_labels(Y)
        # The sizes train_test_split will draw, checked first to name the problem in terms
        # of early stopping (its own error speaks of test_size and an empty train set).
        n_samples = X.shape[0]
        n_val = int(np.ceil(self.validation_fraction * n_samples))
        if n_val < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size "
                f"of your dataset (early_stopping=True holds out {n_val} of the {n_samples} "
                "samples; it needs at least 2)."
            )
        if n_val == n_samples:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} holds out all {n_samples} "
                "samples for early stopping's validation set, leaving none to train on. "
                "Decrease 'validation_fraction' or use more samples."
            )
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        parts = train_test_split(
            *arrays,
            random_state=random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, Y_train, Y_val = parts[:4]
        sw_train, sw_val = parts[4:] if sample_weight is not None else (None, None)
        return (X_train, Y_train, sw_train), (X_val, Y_val, sw_val)

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} training "
                "samples; it is clipped to the number of samples."
            )
        return min(self.batch_size, n_samples)

    def _fit_stochastic(
        self,
        network,
        X,
        Y,
        sample_weight,
        random_state,
        incremental,
        validation,
        tasks,
        from_scratch,
    ):
        optimizer = self._make_optimizer(network, incremental)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True.")
        train = (X, Y, sample_weight)
        if self.early_stopping and validation is None:
            train, validation = self._split_validation(X, Y, sample_weight, random_state)
        if not self.early_stopping and self.best_loss_ is None:
            self.best_loss_ = np.inf  # continuing a model fitted with early stopping
        batch_size = self._batch_size(train[0].shape[0])
        epoch = Epoch(network, *train, batch_size, self.alpha, random_state)
        tasks.judge_on(*(validation or train))
        tasks.begin()
        log = None
        if self.verbose:  # the header once per fit, and once for a run of partial_fit calls
            header = not incremental or not self.loss_curve_
            log = TrainingLog(validation is not None, learning_rate=True, header=header)

        self.n_iter_ = 0
        # The weights at the end of the last two finite epochs (swapped, not copied twice):
        # the last ones can be finite yet overflow on the data, the ones before rarely do.
        start, last_finite, previous_finite = (network.params.copy() for _ in range(3))
        try:
            for _ in range(self.max_iter):
                tasks.begin_step()
                if self.shuffle:
                    epoch.shuffle(random_state)
                # A diverging run overflows; that is caught below, by value, after the epoch.
                with np.errstate(over="ignore", invalid="ignore"):
                    loss = epoch.run(optimizer)
                if not (np.isfinite(loss) and np.isfinite(network.params).all()):
                    n_done = len(self.loss_curve_)
                    snapshots = [(n_done, last_finite), (n_done - 1, previous_finite)]
                    self._restore_after_divergence(
                        network, snapshots[: self.n_iter_], start, "epoch", from_scratch, epoch
                    )
                    break
                previous_finite, last_finite = last_finite, previous_finite
                np.copyto(last_finite, network.params)
                self.loss_ = loss
                self.n_iter_ += 1
                self.t_ += epoch.n_samples
                self.loss_curve_.append(self.loss_)
                self._update_no_improvement_count(network, validation)
                if log is not None:
                    self._log_row(log, validation, learning_rate=(optimizer.learning_rate,))
                optimizer.end_epoch(self.t_)
                if tasks.end_step(network.coefs, network.intercepts):
                    break  # a callback asked to stop
                if self._no_improvement_count > self.n_iter_no_change:
                    stop, action = optimizer.on_plateau()
                    if self.verbose:
                        print(f"{self._plateau_message()} {action}")
                    if stop:
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        tasks.close_step()
        if self._best_validation_epoch() is not None:
            network.params[...] = self._best_params

    def _best_validation_epoch(self) -> int | None:
        """The epoch (from 1) whose weights early stopping restores, or None.

        None without early stopping (which L-BFGS ignores, as scikit-learn's does), and when
        no epoch was ever scored finitely (a run whose validation predictions overflowed
        from the start): then no epoch's weights were saved as the best, and the fit keeps
        its own rather than the initial ones.
        """
        if not self.early_stopping or self.solver not in _STOCHASTIC_SOLVERS:
            return None
        if not self.best_validation_score_ > -np.inf:
            return None
        return int(np.nanargmax(self.validation_scores_)) + 1

    def _restore_after_divergence(self, network, snapshots, start, step, from_scratch, epoch=None):
        """Put back the last finite weights and say so (never leave a model predicting NaN).

        ``snapshots`` are ``(step number, weights)`` at the end of this call's last finite
        steps, latest first. Finite weights can still be so large that the training data
        overflows them (checked on ``epoch``'s data): then the snapshot before is tried, and
        last the weights this call started from. A fit from scratch left with those, its
        random initial weights, learned nothing: it raises scikit-learn's ValueError and
        leaves the estimator unfitted rather than return them as if they were a model.
        """
        failed = len(self.loss_curve_) + 1
        kept = None
        for number, params in snapshots:
            network.params[...] = params
            if epoch is not None:
                with np.errstate(over="ignore", invalid="ignore"):
                    loss = network.loss_and_gradient(epoch.X, epoch.Y, epoch.sample_weight, 0.0)
                if not np.isfinite(loss):
                    continue
            kept = f"from the end of {step} {number} (the last finite on the training data)"
            break
        advice = "scale the data (e.g. StandardScaler)"
        if self.solver != "lbfgs":
            advice = (
                f"use a smaller learning_rate_init (it is {self.learning_rate_init}) or {advice}"
            )
        best = self._best_validation_epoch()
        if kept is None and best is None and from_scratch:
            self._forget_fit()
            when = (
                f"in the first {step}, before anything was learned"
                if failed == 1
                else f"in {step} {failed}, and the weights of the {step}s before it overflow "
                "on the training data"
            )
            raise ValueError(
                f"{_NOTHING_LEARNED} The loss or the weights became non-finite (inf or NaN) "
                f"{when}: {advice}."
            )
        if kept is None:
            network.params[...] = start
            kept = "this call started from (the model's earlier ones)"
        kept = f"The weights {kept} are kept."
        if best is not None:  # the end of the fit puts them back
            kept = f"Early stopping keeps those of epoch {best}, its best validation score."
        self._optimizer_state = None  # its moments hold the non-finite values: start afresh
        warnings.warn(
            f"Training diverged in {step} {failed}: the loss or the weights became "
            f"non-finite (inf or NaN). {kept} To train further, {advice}.",
            ConvergenceWarning,
        )

    def _forget_fit(self) -> None:
        """Remove the fitted attributes, so the estimator is unfitted again."""
        for name in [name for name in vars(self) if name.endswith("_") and name[0] != "_"]:
            delattr(self, name)

    def _plateau_message(self) -> str:
        what = (
            "Validation score did not improve"
            if self.early_stopping
            else ("Training loss did not improve")
        )
        return f"{what} more than tol={self.tol:f} for {self.n_iter_no_change} consecutive epochs."

    def _update_no_improvement_count(self, network, validation) -> None:
        """After an epoch: score the validation data, if any; count epochs without progress.

        Progress is in the validation score with early stopping (whose best weights are
        kept), else in the training loss.
        """
        if validation is not None:
            previous_best = self.best_validation_score_
            score = self._record_validation(
                network.coefs, network.intercepts, network.loss, validation
            )
        if self.early_stopping:  # then there is validation data, given or split off
            improved = not score < previous_best + self.tol
            if score > previous_best:
                self._best_params = network.params.copy()
        else:
            loss = self.loss_curve_[-1]
            improved = not loss > self.best_loss_ - self.tol
            self.best_loss_ = min(self.best_loss_, loss)
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1

    def _record_validation(self, coefs, intercepts, loss, validation) -> float:
        """Append the score and loss of the weights on the validation data; return the score.

        The loss is the network's training loss (a ``LOSSES`` entry) as a weighted mean over
        the validation samples, without the L2 penalty. A diverging run's predictions
        overflow (the score is then NaN, as in scikit-learn), or are so large that the
        metric's squares overflow (R² is then -inf): recorded as they come, without
        NumPy's warnings, because divergence is judged by value after the epoch.
        """
        X_val, Y_val, sw_val = validation
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            output = _network.predict(
                X_val, coefs, intercepts, self.activation, self.out_activation_
            )
            if np.isfinite(output).all():
                score = float(self._validation_score(output, Y_val, sw_val))
                value = float(_mean_loss(loss, Y_val, output, sw_val))
            else:
                score = value = np.nan
        self.validation_scores_.append(score)
        self.validation_loss_curve_.append(value)
        if score > self.best_validation_score_:
            self.best_validation_score_ = score
        return score

    def _log_row(self, log, validation, learning_rate=()) -> None:
        """Print the training log's row for the last epoch or iteration."""
        scores = ()
        if validation is not None:
            scores = (self.validation_loss_curve_[-1], self.validation_scores_[-1])
        log.row(
            len(self.loss_curve_),
            self.loss_curve_[-1],
            validation=scores,
            learning_rate=learning_rate,
        )

    def _fit_lbfgs(self, network, X, Y, sample_weight, validation, tasks, from_scratch):
        # scipy's L-BFGS-B works in float64; a float32 model is trained in float64 and cast
        # back, because float32 gradients stall its line search long before convergence.
        work = network
        if network.dtype != np.float64:
            work = Network(network.layer_sizes, self.activation, self._network_loss(), np.float64)
            work.load(network.coefs, network.intercepts)
            X, Y = X.astype(np.float64), Y.astype(np.float64)
            sample_weight = None if sample_weight is None else sample_weight.astype(np.float64)

        def loss_and_gradient(params):
            work.params[...] = params
            loss = work.loss_and_gradient(X, Y, sample_weight, self.alpha, _LBFGS_BLOCK_ROWS)
            # scipy keeps the gradient it is given: hand it a copy, not our buffer.
            return loss, work.grad.copy()

        log = TrainingLog(validation is not None, False) if self.verbose else None

        tasks.judge_on(*(validation or (X, Y, sample_weight)))
        tasks.begin()
        tasks.begin_step()
        stopped_by_callback = False

        start = work.params.copy()
        last_finite, n_finite = start.copy(), 0

        def record(intermediate_result):
            nonlocal stopped_by_callback, n_finite
            self.loss_curve_.append(float(intermediate_result.fun))
            if np.isfinite(intermediate_result.fun) and np.isfinite(intermediate_result.x).all():
                np.copyto(last_finite, intermediate_result.x)
                n_finite += 1
            coefs, intercepts = _network.unpack(intermediate_result.x, work.layer_sizes)
            if validation is not None:  # scored, never stopped on
                self._record_validation(coefs, intercepts, work.loss, validation)
            if log is not None:
                self._log_row(log, validation)
            if tasks.end_step(coefs, intercepts):
                stopped_by_callback = True
                raise StopIteration  # scipy ends the minimisation at this iterate
            tasks.begin_step()

        try:
            # A trial step of the line search may overflow; scipy backs off from an inf loss,
            # and a non-finite result is caught below, by value.
            with np.errstate(over="ignore", invalid="ignore"):
                result = minimize_lbfgs(
                    loss_and_gradient, start.copy(), self.max_iter, self.max_fun, self.tol, record
                )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
            result = None
        tasks.close_step()
        if result is not None and not (np.isfinite(result.fun) and np.isfinite(result.x).all()):
            self.loss_curve_ = [loss for loss in self.loss_curve_ if np.isfinite(loss)]
            snapshots = [(len(self.loss_curve_), last_finite)] if n_finite else []
            self._restore_after_divergence(work, snapshots, start, "iteration", from_scratch)
            result = None
        if result is not None:
            work.params[...] = result.x
            self.n_iter_ = min(result.nit, self.max_iter)
            self.loss_ = float(result.fun)
            if result.status != 0 and not stopped_by_callback:
                warnings.warn(
                    f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                    f"(status={result.status}): {result.message}. Increase max_iter or "
                    "max_fun, or scale the data (e.g. StandardScaler).",
                    ConvergenceWarning,
                )
        else:  # interrupted or diverged: the loss of the weights kept
            self.n_iter_ = len(self.loss_curve_)
            with np.errstate(over="ignore", invalid="ignore"):
                self.loss_ = work.loss_and_gradient(X, Y, sample_weight, self.alpha)
        network.params[...] = work.params
        self.best_loss_ = min([self.loss_, *self.loss_curve_])
