"""NumpyMLPClassifier: the NumPy MLP with scikit-learn's classifier contract."""

from types import SimpleNamespace

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d, validate_data

from ._activations import log_probabilities, probabilities
from ._base import BaseNumpyMLP
from ._checks import check_stochastic_solver, float_dtypes, validate_quietly
from ._class_weight import class_weight_per_sample
from ._dispatch import decode_labels, labels_like, on_host
from ._docstrings import fill_docstring
from ._ops import host_dtype, namespace, to_host


@fill_docstring
class NumpyMLPClassifier(ClassifierMixin, BaseNumpyMLP):
    """Multilayer perceptron classifier in NumPy, a drop-in for ``MLPClassifier``.

    Minimises the log-loss plus an L2 penalty with L-BFGS, SGD or Adam: a softmax output
    for multiclass targets, logistic outputs for binary and multilabel ones. With the same
    parameters and ``random_state`` it trains the same model as
    :class:`sklearn.neural_network.MLPClassifier`; beyond it, classes can be weighted.

    Parameters
    ----------
    {parameters}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: each sample counts with
        the weight of its class. A dict ``{class_label: weight}`` weighs the classes it
        names (the others weigh 1); 'balanced' weighs each class by ``n_samples /
        (n_classes * n_samples_in_class)``, counting samples by their ``sample_weight``,
        so that every class carries the same total weight. ``None`` weighs all classes 1.
        Binary and multiclass targets only; ``partial_fit`` takes a dict, not 'balanced'
        (a batch does not show the class frequencies). With early stopping the held-out
        samples keep their weights, so the validation accuracy is class-weighted too.

    {extra_parameters}

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

    _parameter_constraints: dict = {
        **BaseNumpyMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
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
        class_weight=None,
        dropout=0.0,
        scoring=None,
    ):
        self.class_weight = class_weight
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            scoring=scoring,
        )

    def _network_loss(self) -> str:
        return "log_loss" if self._label_binarizer.y_type_ == "multiclass" else "binary_log_loss"

    def _encode_target(self, X, y, incremental, reset):
        X, y = validate_quietly(
            validate_data,
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=float_dtypes(X),
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
            classes, known = unique_labels(y), self._label_binarizer.classes_
            if self.warm_start and not incremental and set(classes) != set(known):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {known}, `y` has {classes}."
                )
            if len(np.setdiff1d(classes, known, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{known}. `y` has {classes}."
                )
        # Numeric labels live with X (on its device under dispatch), strings on the host.
        self.classes_ = labels_like(self._label_binarizer.classes_, X)
        return X, self._label_binarizer.transform(y).astype(host_dtype(X))

    def _check_two_classes(self) -> None:
        classes = self._label_binarizer.classes_
        if self._label_binarizer.y_type_ != "multilabel-indicator" and len(classes) < 2:
            raise ValueError(
                "The classifier needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[0]!r}. (With partial_fit, declare "
                "all classes through `classes=`.)"
            )

    @staticmethod
    def _class_indices(Y):
        """Index into ``classes_`` of each row of a binary or one-hot encoded ``Y``."""
        return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(np.intp)

    def _stratify_labels(self, Y):
        # Binary and multiclass splits keep the class proportions (sklearn stratifies binary
        # targets only) when every class can appear on both sides; multilabel is not split
        # by class.
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return None
        labels, classes = self._class_indices(Y), self._label_binarizer.classes_
        counts = np.bincount(labels, minlength=len(classes))
        if self._label_binarizer.y_type_ == "binary" and counts.min() < 2:
            # scikit-learn's words (it stratifies binary splits, and raises so), naming the
            # user's labels rather than the binarized ones, then what to change.
            too_few = classes[counts < 2].tolist()
            raise ValueError(
                "The least populated classes in y have only 1 member, which is too few. The "
                "minimum number of groups for any class cannot be less than 2. Classes with "
                f"too few members are: {too_few}. early_stopping=True holds out a stratified "
                f"validation set (validation_fraction={self.validation_fraction}), which "
                "needs at least 2 samples of each class: add samples of these classes, give "
                "a validation set of your own (fit's X_val and y_val), or set "
                "early_stopping=False."
            )
        n_test = int(np.ceil(self.validation_fraction * len(labels)))
        n_classes = np.count_nonzero(counts)
        feasible = counts[counts > 0].min() >= 2 and min(n_test, len(labels) - n_test) >= n_classes
        return labels if feasible else None

    def _training_weights(self, Y, sample_weight):
        # Each row's weight times the weight of its class.
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            raise ValueError(
                "class_weight is not supported for multilabel targets (y is an indicator "
                f"matrix), got class_weight={self.class_weight!r}. Weigh the samples through "
                "sample_weight, or set class_weight=None."
            )
        classes = self._label_binarizer.classes_
        weights = class_weight_per_sample(
            self.class_weight, classes, self._class_indices(Y), sample_weight
        ).astype(Y.dtype)
        return weights if sample_weight is None else np.multiply(weights, sample_weight)

    def _validation_score(self, output, Y, sample_weight) -> float:
        # On the host: the labels are decoded there (a device's output is small here).
        output, Y = to_host(output), to_host(Y)
        sample_weight = None if sample_weight is None else to_host(sample_weight)
        y_true = self._label_binarizer.inverse_transform(Y)
        return accuracy_score(y_true, self._decode(output), sample_weight=sample_weight)

    def _validation_target(self, Y):
        """The validation labels, decoded from their encoding (a scorer's y)."""
        return self._label_binarizer.inverse_transform(to_host(Y))

    def _decode(self, output):
        if type(output) is not np.ndarray:
            return decode_labels(output, self._label_binarizer, self.classes_)
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
        # From the logits, as predict_proba (a saturated logistic output would hide that the
        # logits overflowed); a binary model's one column is the probability of classes_[1].
        logits = self._predict_output(X, output_activation="identity")
        return self._decode(self._proba(logits))

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
        return self._proba(self._logits(X, "predict_proba"))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, finite and without a warning.

        Below 1/2 it is the log-softmax (log-sigmoid) of the logits, accurate where
        ``log(predict_proba(X))`` would round small probabilities; from 1/2 up it is
        ``log(predict_proba(X))``, whose rounding it then shares; and it is clipped to the
        logarithms of ``predict_proba``'s bounds. So both order each row's classes the same
        way, ties included.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        logits = self._logits(X, "predict_log_proba")
        return log_probabilities(logits, self.out_activation_)

    def _logits(self, X, method):
        """Output pre-activations, as one column per entry of ``classes_`` (binary: two)."""
        logits = self._predict_output(X, output_activation="identity", method=method)
        if self.n_outputs_ > 1:
            return logits
        if type(logits) is np.ndarray:
            return np.hstack([-logits, logits])  # (NumPy < 2 has no concat)
        return namespace(logits).concat([-logits, logits], axis=1)

    def _proba(self, logits):
        """Probabilities from logits (see :func:`~sknumpy_nn._activations.probabilities`)."""
        return probabilities(logits, self.out_activation_)

    @available_if(check_stochastic_solver)
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
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: one batch does not "
                "show the class frequencies. Compute the weights once with sklearn.utils."
                "class_weight.compute_class_weight('balanced', classes=classes, y=y), on a "
                "large enough sample of the training targets, and pass them as a dict "
                "{class: weight} in class_weight."
            )
        y, classes = on_host(y), on_host(classes)  # labels are encoded on the host
        # scikit-learn's check, on the labels as the host holds them.
        binarizer = getattr(self, "_label_binarizer", None)
        seen = SimpleNamespace(classes_=None if binarizer is None else binarizer.classes_)
        if _check_partial_fit_first_call(seen, classes):
            self.classes_ = seen.classes_
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self._check_two_classes()
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Class weights are for binary and multiclass targets only.
        tags.classifier_tags.multi_label = self.class_weight is None
        return tags
