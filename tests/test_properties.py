"""Property tests: any input either fits a usable model or raises a clear error.

Hypothesis draws inputs of every shape (one sample, one feature, more features than
samples), dtype (float16/32/64, integers, bool, object arrays of numbers), sparse format
(CSR, CSC) and scale (1e-8 to 1e8), with constant columns, constant targets, one to many
classes, string and mixed labels, multilabel indicators and sample weights with zeros.
Float16 data may exceed its range (inf and -inf). The estimators are drawn with or without
early stopping, with or without a validation set (``X_val``, ``y_val``), with learning rates
from 1e-6 to 100 (far too large: divergence), and the regressor with every loss (Poisson on
targets up to 1e8). For each, ``fit`` and ``predict`` either work — finite predictions of the
documented dtype and shape, probabilities in (0, 1) whose rows sum to 1 — or raise
``ValueError`` / ``TypeError`` naming the problem. Never another exception, never a warning
but the ``ConvergenceWarning`` of these short fits, never a changed input.

Profiles live in ``conftest.py``; ``--hypothesis-profile thorough`` runs many more cases.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import event, given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

SOLVERS = st.sampled_from(["lbfgs", "sgd", "adam"])
DENSE_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int64, np.bool_, object]
# scipy.sparse holds no float16 nor object arrays.
SPARSE_DTYPES = [np.float32, np.float64, np.int64, np.bool_]
# 1e300: products overflow at once, so the fit learns nothing (sklearn's ValueError).
SCALES = [1e-8, 1e-3, 1.0, 1e3, 1e8, 1e300]
# Plain SGD diverges on inputs or targets of a thousand and more: the fit stops with a
# ConvergenceWarning and finite weights, or, when nothing finite was learned, raises
# scikit-learn's ValueError (test_divergence.py).
SGD_SCALES = SCALES


def _as_dtype(values: np.ndarray, dtype, clip: bool = True) -> np.ndarray:
    """``values`` (float64) in ``dtype``, kept inside the dtype's range if ``clip``.

    Unclipped float values beyond the range become inf and -inf, as a cast gives them.
    """
    if dtype is object:
        return values.astype(object)
    if dtype is np.bool_:
        return values > 0
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        # Bounds a float holds exactly (float(2**63 - 1) rounds up, out of int64's range).
        bound = min(info.max, 2**53)
        return np.clip(np.round(values), -bound, bound).astype(dtype)
    info = np.finfo(dtype)
    if not clip:
        with np.errstate(over="ignore"):  # the overflow is the point: inf in the data
            return values.astype(dtype)
    return np.clip(values, -info.max, info.max).astype(dtype)


@st.composite
def feature_matrices(draw, scales=SCALES, n_features=None):
    """A dense array or CSR/CSC matrix X of shape (1..8, 1..6), any dtype, of ``scales``.

    Float16 values beyond its range may be kept (they become inf and -inf).
    """
    n_samples = draw(st.integers(1, 8))
    n_features = draw(st.integers(1, 6)) if n_features is None else n_features
    sparse_format = draw(st.sampled_from([None, None, "csr", "csc"]))
    dtype = draw(st.sampled_from(SPARSE_DTYPES if sparse_format else DENSE_DTYPES))
    scale = draw(st.sampled_from(scales))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    values = rng.standard_normal((n_samples, n_features)) * scale
    if sparse_format:
        values[rng.random(values.shape) < 0.5] = 0.0
    constant = draw(st.lists(st.booleans(), min_size=n_features, max_size=n_features))
    values[:, np.asarray(constant)] = scale
    X = _as_dtype(values, dtype, clip=dtype is not np.float16 or draw(st.booleans()))
    if sparse_format:
        X = sp.csr_matrix(X) if sparse_format == "csr" else sp.csc_matrix(X)
    return X


@st.composite
def sample_weights(draw, n_samples):
    """None, or non-negative weights of shape (n_samples,) where some may be zero.

    Non-zero weights go down to 1e-300: the L2 penalty is divided by the sum of the weights
    (as in scikit-learn), which makes a stochastic solver diverge; the fit must then stop
    with finite weights (test_tiny_sample_weights_diverge_to_a_finite_model).
    """
    if draw(st.booleans()):
        return None
    weights = st.one_of(st.just(0.0), st.just(1e-300), st.floats(1e-3, 10.0))
    return np.asarray(draw(st.lists(weights, min_size=n_samples, max_size=n_samples)))


def _copy(value):
    return value.copy() if value is not None else None


def _assert_unchanged(before, after) -> None:
    """``after`` holds the same values (and dtype, format) as the copy ``before``."""
    if before is None:
        assert after is None
        return
    assert type(after) is type(before)
    if sp.issparse(before):
        assert after.format == before.format
        assert after.dtype == before.dtype
        np.testing.assert_array_equal(after.toarray(), before.toarray())
    else:
        assert after.dtype == before.dtype
        np.testing.assert_array_equal(after, before)


def _fit_and_predict(estimator, X, y, sample_weight, predict_methods, validation=None):
    """Fit then call each of ``predict_methods`` on ``X``, warnings (but convergence) errors.

    ``validation`` is None or ``(X_val, y_val)``, passed to ``fit``. Returns the outputs, or
    the ValueError / TypeError raised; checks the inputs unchanged.
    """
    fit_params = {} if validation is None else dict(X_val=validation[0], y_val=validation[1])
    inputs = [X, y, sample_weight, *fit_params.values()]
    copies = [_copy(value) for value in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            estimator.fit(X, y, sample_weight=sample_weight, **fit_params)
            outputs = [getattr(estimator, method)(X) for method in predict_methods]
        except (ValueError, TypeError) as error:
            outputs = error
    event("raised" if isinstance(outputs, Exception) else "fitted")
    for before, after in zip(copies, inputs):
        _assert_unchanged(before, after)
    return outputs


# Words that name the problems these inputs can have, one of which each message must hold.
PROBLEM_WORDS = (
    "sample_weight",
    "sample weight",
    "non-finite",
    "infinity",
    "class",
    "label",
    "type",
    "validation",
)


def _assert_clear_error(error: Exception) -> None:
    """The message names the problem: it holds one of ``PROBLEM_WORDS``."""
    message = str(error).lower()
    assert any(word in message for word in PROBLEM_WORDS), str(error)


def _estimator(cls, solver, **params):
    return cls(hidden_layer_sizes=(3,), solver=solver, max_iter=10, random_state=0, **params)


# From far too small to far too large (1.0 and 100 make sgd diverge on most of these data).
LEARNING_RATES = [1e-6, 1e-3, 1.0, 100.0]


@st.composite
def training_settings(draw):
    """Keyword arguments for the estimator: early stopping, learning rate, shuffling."""
    return dict(
        early_stopping=draw(st.booleans()),
        learning_rate_init=draw(st.sampled_from(LEARNING_RATES)),
        shuffle=draw(st.booleans()),
    )


@st.composite
def validation_sets(draw, X, y, scales):
    """None, or ``(X_val, y_val)``: other rows of ``X``'s features, targets drawn from ``y``."""
    if draw(st.booleans()):
        return None
    X_val = draw(feature_matrices(scales, n_features=X.shape[1]), label="X_val")
    rows = draw(st.lists(st.integers(0, y.shape[0] - 1), min_size=X_val.shape[0]))
    rows = rows[: X_val.shape[0]]
    return X_val, y[np.asarray(rows, dtype=np.intp)]


# --------------------------------------------------------------------------- regressor
@st.composite
def regression_targets(draw, n_samples, scales=SCALES):
    """Targets y of shape (n_samples,) or (n_samples, 2), maybe constant, of ``scales``."""
    n_outputs = draw(st.sampled_from([None, 2]))
    shape = (n_samples,) if n_outputs is None else (n_samples, n_outputs)
    scale = draw(st.sampled_from(scales))
    if draw(st.booleans()):
        return np.full(shape, scale)
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).standard_normal(shape) * scale


LOSSES = st.sampled_from(["squared_error", "poisson", "huber", "absolute_error"])


@given(data=st.data(), solver=SOLVERS, loss=LOSSES)
def test_regressor_fits_or_raises_a_clear_error(data, solver, loss):
    scales = SGD_SCALES if solver == "sgd" else SCALES
    X = data.draw(feature_matrices(scales), label="X")
    n_samples = X.shape[0]
    y = data.draw(regression_targets(n_samples, scales), label="y")
    if loss == "poisson":  # counts (large ones too); negative targets have their own test
        y = np.abs(y)
    sample_weight = data.draw(sample_weights(n_samples), label="sample_weight")
    validation = data.draw(validation_sets(X, y, scales), label="validation")
    settings = data.draw(training_settings(), label="settings")
    regressor = _estimator(NumpyMLPRegressor, solver, loss=loss, **settings)

    outputs = _fit_and_predict(regressor, X, y, sample_weight, ["predict"], validation)

    if isinstance(outputs, Exception):
        _assert_clear_error(outputs)
        return
    (prediction,) = outputs
    assert prediction.shape == y.shape
    assert prediction.dtype in (np.float32, np.float64)
    assert np.isfinite(prediction).all()


# --------------------------------------------------------------------------- classifier
LABEL_KINDS = ["int", "str", "bool", "float", "mixed", "multilabel"]


@st.composite
def class_labels(draw, n_samples):
    """Targets of one kind (ints, strings, bools, floats, mixed str/int, multilabel)."""
    kind = draw(st.sampled_from(LABEL_KINDS))
    n_classes = draw(st.sampled_from([1, 2, 2, 3, 7]))
    codes = np.asarray(
        draw(st.lists(st.integers(0, n_classes - 1), min_size=n_samples, max_size=n_samples))
    )
    if kind == "int":
        return codes * 10 - 5
    if kind == "str":
        return np.asarray([f"class_{code}" for code in codes])
    if kind == "bool":
        return codes % 2 == 1
    if kind == "float":
        return codes / 2.0
    if kind == "mixed":
        return np.asarray([code if code % 2 else f"c{code}" for code in codes], dtype=object)
    return (
        np.random.default_rng(int(codes.sum())).random((n_samples, max(n_classes, 2))) < 0.5
    ).astype(np.int64)


def _check_proba(proba, n_samples, n_columns):
    assert proba.shape == (n_samples, n_columns)
    assert np.isfinite(proba).all()
    assert ((proba > 0) & (proba < 1)).all()


@given(data=st.data(), solver=SOLVERS)
def test_classifier_fits_or_raises_a_clear_error(data, solver):
    scales = SGD_SCALES if solver == "sgd" else SCALES
    X = data.draw(feature_matrices(scales), label="X")
    n_samples = X.shape[0]
    y = data.draw(class_labels(n_samples), label="y")
    sample_weight = data.draw(sample_weights(n_samples), label="sample_weight")
    validation = data.draw(validation_sets(X, y, scales), label="validation")
    settings = data.draw(training_settings(), label="settings")
    classifier = _estimator(NumpyMLPClassifier, solver, **settings)

    methods = ["predict", "predict_proba", "predict_log_proba"]
    outputs = _fit_and_predict(classifier, X, y, sample_weight, methods, validation)

    if isinstance(outputs, Exception):
        _assert_clear_error(outputs)
        return
    prediction, proba, log_proba = outputs
    assert np.isfinite(log_proba).all()
    assert_array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    assert prediction.shape == y.shape
    assert prediction.dtype == (y.dtype if y.ndim == 2 else classifier.classes_.dtype)
    assert np.isin(prediction, classifier.classes_).all()
    if y.ndim == 2:  # multilabel: one independent probability per label
        _check_proba(proba, n_samples, y.shape[1])
    else:
        _check_proba(proba, n_samples, len(classifier.classes_))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


@given(data=st.data())
def test_classifier_accepts_and_rejects_the_labels_sklearn_does(data):
    # Mixed str/int labels, floats, bools...: the same verdict. (For mixed labels sklearn's
    # MLP raises numpy's UFuncTypeError, ours the ValueError of check_classification_targets.)
    n_samples = data.draw(st.integers(1, 8), label="n_samples")
    y = data.draw(class_labels(n_samples), label="y")
    X = np.arange(n_samples * 2, dtype=np.float64).reshape(n_samples, 2)
    verdicts = []
    for cls in (NumpyMLPClassifier, MLPClassifier):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                _estimator(cls, "lbfgs").fit(X, y)
                verdicts.append(None)
            except (ValueError, TypeError) as error:
                verdicts.append(error)
    ours, sklearns = verdicts
    event("raised" if ours else "fitted")
    if sklearns is None and ours is not None and "only one class" in str(ours):
        return  # deliberate: sklearn fits one class (test_single_class_fit_raises)
    assert (ours is None) == (sklearns is None), (ours, sklearns)


# --------------------------------------------------------------------------- divergence
# Found by the properties above: these overflowed with a RuntimeWarning (as scikit-learn's
# MLP does); training now stops at the divergence with finite weights and says so.


def _fit_diverging(estimator, X, y, **fit_params):
    # sgd diverges; adam's bounded steps may not (then it just runs out of iterations).
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        with pytest.warns(ConvergenceWarning, match="diverged|Maximum iterations"):
            estimator.fit(X, y, **fit_params)
    return estimator


def test_sgd_on_large_inputs_diverges_to_a_finite_model():
    X, y = np.array([[1e4], [-1e4]]), np.array([0.0, 1.0])
    regressor = _fit_diverging(_estimator(NumpyMLPRegressor, "sgd"), X, y)
    assert all(np.isfinite(W).all() for W in regressor.coefs_ + regressor.intercepts_)


def test_tiny_sample_weights_diverge_to_a_finite_model_or_raise():
    # The L2 penalty divided by a weight sum of 1e-300 blows the weights up. Adam's bounded
    # steps keep a finite model; sgd's weights overflow on the data from the first epoch on,
    # so nothing was learned: scikit-learn's ValueError, and no RuntimeWarning on the way.
    X, y = np.zeros((2, 1)), np.array([-5, 5])
    sample_weight = np.array([0.0, 1e-300])
    classifier = _fit_diverging(
        _estimator(NumpyMLPClassifier, "adam"), X, y, sample_weight=sample_weight
    )
    assert np.isfinite(classifier.predict_proba(X)).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            _estimator(NumpyMLPClassifier, "sgd").fit(X, y, sample_weight=sample_weight)
