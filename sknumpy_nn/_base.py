"""BaseNumpyMLP: scikit-learn's contract around the trainer.

The estimator validates, encodes targets (through subclass hooks), builds the network and
the training settings, calls the trainer (``_training.train``) and copies its result into
the fitted attributes. The maths is in ``_network.py`` and ``_optimizers.py``, the loops in
``_training.py`` and ``_lbfgs.py``. The random stream follows scikit-learn's MLP draw for
draw (weights, early-stopping split, each epoch's shuffle) so the same ``random_state``
gives the same model.
"""

import warnings
from abc import ABCMeta, abstractmethod
from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.callback import CallbackSupportMixin, with_callbacks
from sklearn.utils import check_random_state

from . import _network
from ._activations import check_activation
from ._callbacks import fit_tasks
from ._checks import (
    PARAMETER_CONSTRAINTS,
    check_finite_output,
    check_warm_start_shapes,
    checked_input,
    checked_sample_weight,
    dropout_rates,
    layer_sizes,
    validation_set,
)
from ._dispatch import ArrayAPISupport, fit_namespace, follow_X, to_network
from ._docstrings import fill_docstring
from ._network import Network
from ._ops import copy
from ._records import TrainingSettings, TrainingState
from ._rules import split_validation
from ._scoring import check_scoring, validation_scorer
from ._training import train

# Fitted attribute of each field of the training state a fit carries to the next.
_STATE_ATTRIBUTES = {
    "loss_curve": "loss_curve_",
    "t": "t_",
    "best_loss": "best_loss_",
    "no_improvement_count": "_no_improvement_count",
    "optimizer_state": "_optimizer_state",
    "best_params": "_best_params",
    "validation_scores": "validation_scores_",
    "validation_loss_curve": "validation_loss_curve_",
    "best_validation_score": "best_validation_score_",
}


class BaseNumpyMLP(ArrayAPISupport, CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the NumPy MLP estimators; use a subclass.

    Subclasses supply the target encoding (``_encode_target``), the loss name
    (``_network_loss``) and the validation score (``_validation_score``).
    """

    _parameter_constraints: dict = dict(PARAMETER_CONSTRAINTS)

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
        scoring=None,
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
        self.scoring = scoring

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
    @fill_docstring
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
        {validation_parameters}
        Returns
        -------
        self : object
            The fitted estimator.
        """
        validation_data = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, incremental=False, validation_data=validation_data)

    def _predict_output(self, X, output_activation=None, method="predict"):
        """Validated forward pass; the output layer's activation can be overridden."""
        X = checked_input(self, X, method)
        # Overflow is checked by value, with a message instead of NumPy's warning.
        output_activation = output_activation or self.out_activation_
        with np.errstate(over="ignore", invalid="ignore"):
            output = _network.predict(
                X, self.coefs_, self.intercepts_, self.activation, output_activation
            )
        return check_finite_output(output)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ----------------------------------------------------------------- training
    def _fit(self, X, y, sample_weight, incremental: bool, validation_data=(None, None, None)):
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        check_scoring(self.scoring)  # an unknown scorer name fails before any training
        inputs = follow_X(fit_namespace(X), y, sample_weight, validation_data)  # "follow X"
        y, sample_weight, validation_data = inputs
        X, Y, sample_weight = self._training_data(X, y, sample_weight, incremental, first_pass)
        encode = partial(self._encode_target, incremental=True, reset=False)
        validation = validation_set(encode, Y.shape[1], *validation_data)
        network = self._network(X, Y)
        random_state = check_random_state(self.random_state)
        if first_pass:
            network.initialize(random_state)
            # Read while training too: the classifier's validation score decodes by them.
            self.n_outputs_ = network.layer_sizes[-1]
            self.n_layers_ = len(network.layer_sizes)
            self.out_activation_ = network.loss.output_activation
        else:
            check_warm_start_shapes(self.coefs_, network.layer_sizes)
            network.load(self.coefs_, self.intercepts_)
        settings = TrainingSettings.from_params(self.get_params(deep=False))
        data = (X, Y, sample_weight)
        data, validation = self._held_out(settings, data, validation, random_state, incremental)
        # Encoded on the host, trained on X's device.
        data, validation = (to_network(network.params, part) for part in (data, validation))
        scorer = validation and validation_scorer(self, validation, network)
        state = self._training_state(first_pass, network, settings, validation is not None)
        tasks = fit_tasks(self, incremental, validation or data)
        result = train(
            network,
            data,
            settings,
            state,
            random_state,
            tasks,
            scorer,
            from_scratch=first_pass,
            one_epoch=incremental,
        )
        self._store(result, network)
        tasks.end(network.coefs, network.intercepts)
        return self

    def _held_out(self, settings, data, validation, random_state, incremental: bool):
        """The data to train on and to validate on (early stopping's split, if it needs one)."""
        if not settings.stops_early:
            return data, validation
        if incremental:
            raise ValueError("partial_fit does not support early_stopping=True.")
        if validation is not None:
            return data, validation
        stratify = self._stratify_labels(data[1])
        return split_validation(*data, self.validation_fraction, stratify, random_state)

    def _training_data(self, X, y, sample_weight, incremental: bool, first_pass: bool):
        """``X``, the encoded ``Y`` and the per-row training weights (or None), checked."""
        X, Y = self._encode_target(X, y, incremental=incremental, reset=first_pass)
        sample_weight = checked_sample_weight(sample_weight, X, "sample_weight")
        sample_weight = self._training_weights(Y, sample_weight)
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError(
                "The sample weights times the class weights sum to zero: every sample would "
                "be ignored."
            )
        return (X.tocsr() if sp.issparse(X) else X), Y, sample_weight  # batches: row slices

    def _network(self, X, Y) -> Network:
        """The network for this data and these parameters, its weights not yet set."""
        sizes = layer_sizes(self.hidden_layer_sizes, X.shape[1], Y.shape[1])
        n_hidden = len(sizes) - 2
        dropout = dropout_rates(self.dropout, n_hidden, self.solver, self.hidden_layer_sizes)
        check_activation(self.activation, X)
        like = None if sp.issparse(X) else X
        return Network(sizes, self.activation, self._network_loss(), X.dtype, dropout, like)

    def _training_state(self, first_pass, network, settings, validated) -> TrainingState:
        """The state to train from: fresh, or the one the fitted attributes carry."""
        if first_pass:
            best_loss = None if settings.stops_early else np.inf
            state = TrainingState(best_loss=best_loss, best_params=copy(network.params))
        else:
            state = TrainingState(
                **{field: getattr(self, name) for field, name in _STATE_ATTRIBUTES.items()}
            )
        if validated and state.validation_scores is None:
            # A new model, or one continued (warm_start) from a fit without validation data.
            state.validation_scores, state.validation_loss_curve = [], []
            state.best_validation_score = -np.inf
        return state

    def _store(self, result, network) -> None:
        """Copy the training result into the fitted attributes; warn or raise as it says."""
        for field, name in _STATE_ATTRIBUTES.items():
            setattr(self, name, getattr(result.state, field))
        self.n_iter_ = result.n_iter
        if result.loss is not None:
            self.loss_ = result.loss
        for message, category in result.warnings:
            warnings.warn(message, category)
        if result.divergence is not None and result.divergence.nothing_learned:
            for name in [name for name in vars(self) if name.endswith("_") and name[0] != "_"]:
                delattr(self, name)  # unfitted again
            raise ValueError(result.divergence.message())
        # Divergence leaves the last finite weights.
        self.coefs_, self.intercepts_ = network.coefs, network.intercepts
