"""NumpyMLPClassifier: the NumPy MLP with scikit-learn's classifier contract."""

import numpy as np
from scipy.special import expit
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._activations import log_output
from ._base import BaseNumpyMLP, _check_stochastic_solver
from ._docstrings import fill_docstring


@fill_docstring
class NumpyMLPClassifier(ClassifierMixin, BaseNumpyMLP):
    """Multilayer perceptron classifier in NumPy, a drop-in for ``MLPClassifier``.

    Minimises the log-loss plus an L2 penalty with L-BFGS, SGD or Adam: a softmax output
    for multiclass targets, logistic outputs for binary and multilabel ones. With the same
    parameters and ``random_state`` it trains the same model as
    :class:`sklearn.neural_network.MLPClassifier`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels seen in fit (or declared in the first ``partial_fit``).

    {attributes}

    See Also
    --------
    NumpyMLPRegressor : The regressor on the same core.
    sklearn.neural_network.MLPClassifier : The estimator this one replaces.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sknumpy_nn import NumpyMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NumpyMLPClassifier(solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    >>> bool(clf.score(X, y) > 0.95)
    True
    """

    def _network_loss(self) -> str:
        return "log_loss" if self._label_binarizer.y_type_ == "multiclass" else "binary_log_loss"

    def _encode_target(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
            self._check_two_classes()
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental and set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, `y` has {classes}."
                )
            if len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. `y` has {classes}."
                )
        return X, self._label_binarizer.transform(y).astype(X.dtype)

    def _check_two_classes(self) -> None:
        if self._label_binarizer.y_type_ != "multilabel-indicator" and len(self.classes_) < 2:
            raise ValueError(
                "The classifier needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}. (With partial_fit, declare "
                "all classes through `classes=`.)"
            )

    def _stratify_labels(self, Y):
        # Binary and multiclass splits keep the class proportions (sklearn stratifies binary
        # targets only) when every class can appear on both sides; multilabel is not split
        # by class.
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return None
        labels = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)
        counts = np.bincount(labels)
        n_test = int(np.ceil(self.validation_fraction * len(labels)))
        n_classes = np.count_nonzero(counts)
        feasible = counts[counts > 0].min() >= 2 and min(n_test, len(labels) - n_test) >= n_classes
        return labels if feasible else None

    def _validation_score(self, output, Y, sample_weight) -> float:
        y_true = self._label_binarizer.inverse_transform(Y)
        return accuracy_score(y_true, self._decode(output), sample_weight=sample_weight)

    def _decode(self, output):
        if self.n_outputs_ == 1:
            output = output.ravel()
        return self._label_binarizer.inverse_transform(output)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (an indicator matrix for multilabel targets).
        """
        return self._decode(self._predict_output(X))

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``, kept strictly inside (0, 1).
        """
        check_is_fitted(self)
        if self.out_activation_ == "softmax":
            proba = self._predict_output(X)
        else:
            # Logistic outputs from the logits with expit: small probabilities keep their
            # digits. Binary columns are expit(-z) and expit(z) rather than 1 - p, likewise.
            logits = self._predict_output(X, output_activation="identity")
            proba = expit(np.hstack([-logits, logits]) if self.n_outputs_ == 1 else logits)
        # Strictly inside (0, 1), so log(proba) is finite and close to predict_log_proba.
        info = np.finfo(proba.dtype)
        return np.clip(proba, info.tiny, 1 - info.eps, out=proba)

    def _binary_logits(self, X):
        logit = self._predict_output(X, output_activation="identity")
        return np.hstack([-logit, logit])

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, from a log-softmax (finite, no warning).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        check_is_fitted(self)
        if self.n_outputs_ == 1:
            return log_output(self._binary_logits(X), "logistic")
        logits = self._predict_output(X, output_activation="identity")
        return log_output(logits, self.out_activation_)

    @available_if(_check_stochastic_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data ('sgd' and 'adam' only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        classes : array-like of shape (n_classes,), default=None
            All classes across the calls; required on the first call, ignored later.
            ``y`` need not contain every class.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self._check_two_classes()
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
