"""``scoring=``: what the validation data is scored with, for early stopping and its records.

``None`` keeps scikit-learn's MLP behaviour (R² or accuracy, computed from the network's
output); ``"loss"`` is the negative validation loss (the training loss without the penalty,
as ``validation_loss_curve_`` records it); any other string is a scikit-learn scorer name
and a callable is a scorer ``scorer(estimator, X, y)``. The last two see the estimator as a
user would: while a validation score is computed, its ``coefs_`` and ``intercepts_`` hold
the weights being scored, so ``predict`` works inside the scorer; afterwards they are what
they were before.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import get_scorer, log_loss

from ._ops import to_host
from ._rules import ValidationScorer

_MISSING = object()


def check_scoring(scoring):
    """The scorer ``scoring`` names (or is), validated: None for None and ``"loss"``."""
    if scoring is None or scoring == "loss":
        return None
    if isinstance(scoring, str):
        return get_scorer(scoring)  # its ValueError names the string and the valid ones
    return scoring


class EstimatorScore:
    """Scores the weights of a training step by calling a scikit-learn scorer.

    Parameters
    ----------
    estimator : NumpyMLPRegressor or NumpyMLPClassifier
        The estimator being fitted; its ``coefs_`` and ``intercepts_`` hold the scored
        weights during the call.
    scorer : callable
        ``scorer(estimator, X, y[, sample_weight=...]) -> float``, bigger is better.
    name : str
        The score's title in the ``verbose`` log.
    """

    def __init__(self, estimator, scorer, name: str):
        self.estimator, self.scorer, self.name = estimator, scorer, name

    def __call__(self, coefs, intercepts, X_val, Y_val, sample_weight) -> float:
        """The scorer's value for these weights on the validation rows (encoded ``Y_val``)."""
        estimator = self.estimator
        saved = {name: getattr(estimator, name, _MISSING) for name in ("coefs_", "intercepts_")}
        # scikit-learn's scorers take NumPy arrays: a device's weights and validation rows
        # are copied to the host for the call (the labels are decoded there anyway).
        estimator.coefs_ = [to_host(W) for W in coefs]
        estimator.intercepts_ = [to_host(b) for b in intercepts]
        try:
            y_val = estimator._validation_target(Y_val)
            kwargs = {} if sample_weight is None else {"sample_weight": to_host(sample_weight)}
            X_val = X_val if sp.issparse(X_val) else to_host(X_val)
            return float(self.scorer(estimator, X_val, y_val, **kwargs))
        finally:
            for name, value in saved.items():
                if value is _MISSING:
                    delattr(estimator, name)
                else:
                    setattr(estimator, name, value)


def _neg_log_loss_of_fitted_classes(estimator, X, y, sample_weight=None):
    # scikit-learn's neg_log_loss infers the classes from y: a validation part that lacks
    # one would not match predict_proba's columns. The fitted classes are the columns. With
    # several labels (multilabel) each column is a binary problem: its own log-loss, summed,
    # as the network's training loss is (scikit-learn's would read a row as one
    # distribution and warn that it does not sum to one).
    proba = estimator.predict_proba(X)
    classes = to_host(estimator.classes_)  # a device's integer labels live there
    if estimator._label_binarizer.y_type_ == "multilabel-indicator":
        columns = zip(np.asarray(y).T, proba.T)
        return -sum(
            log_loss(
                truth, np.column_stack([1 - p, p]), labels=[0, 1], sample_weight=sample_weight
            )
            for truth, p in columns
        )
    return -log_loss(y, proba, labels=classes, sample_weight=sample_weight)


def validation_scorer(estimator, validation, network):
    """The :class:`~sknumpy_nn._rules.ValidationScorer` of ``estimator.scoring``.

    Parameters
    ----------
    estimator : NumpyMLPRegressor or NumpyMLPClassifier
    validation : tuple of (X_val, Y_val, sample_weight_val)
        As the trainer gets it (encoded targets).
    network : Network
        The network being trained (its loss scores the validation loss).
    """
    scoring, activation = estimator.scoring, estimator.activation
    if scoring is None:
        return ValidationScorer(validation, activation, network.loss, estimator._validation_score)
    if scoring == "loss":
        return ValidationScorer(validation, activation, network.loss, None, title="val -loss")
    scorer = check_scoring(scoring)
    if scoring == "neg_log_loss" and hasattr(estimator, "classes_"):
        scorer = _neg_log_loss_of_fitted_classes
    name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "scorer")
    score = EstimatorScore(estimator, scorer, name)
    return ValidationScorer(
        validation, activation, network.loss, None, from_weights=score, title=f"val {name}"
    )
