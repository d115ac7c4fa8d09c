"""Persistence: pickle, joblib and skops round trips of every kind of fitted model.

A saved and loaded model must be the same model: every fitted attribute equal (value,
type and dtype), the same predictions to the bit, and training continued after loading
(``warm_start`` fit or ``partial_fit``) exactly as on the original object. For skops, the
only types a user has to trust are our estimator classes, and -- with a custom activation --
``Activation`` and the user's own functions: every fitted attribute is a plain array,
number, string, list, dict or a scikit-learn type that skops trusts (``LabelBinarizer``).
"""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer

from sknumpy_nn import Activation, NumpyMLPClassifier, NumpyMLPRegressor

skops_io = pytest.importorskip("skops.io")


# Module-level functions, so that the models using them pickle (by reference to this module).
def softsign(Z):
    return Z / (1 + np.abs(Z))


def softsign_derivative(Z):
    return 1 / (1 + np.abs(Z)) ** 2


SOFTSIGN = Activation("softsign", softsign, softsign_derivative)
REGRESSOR = "sknumpy_nn._regressor.NumpyMLPRegressor"
CLASSIFIER = "sknumpy_nn._classifier.NumpyMLPClassifier"


def _qualified_name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


CUSTOM_ACTIVATION_TYPES = {
    "sknumpy_nn._activations.Activation",
    _qualified_name(softsign),
    _qualified_name(softsign_derivative),
}


def make_data(kind: str):
    """``X`` (40 x 4, or a sparse / float32 / DataFrame form of it) and targets of ``kind``."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    signal = X @ rng.normal(size=4)
    targets = {
        "real": signal,
        "two_outputs": np.c_[signal, X[:, 0] - X[:, 1]],
        "binary": (signal > 0).astype(int),
        "multiclass": np.array(["low", "mid", "high"], dtype=object)[np.digitize(signal, [-1, 1])],
        "multilabel": (np.c_[signal, X[:, 0], X[:, 1]] > 0).astype(int),
    }
    return X, targets[kind]


# id -> (estimator class, parameters, target kind, input form, validation set given to fit)
VARIANTS = {
    "regressor-adam": (NumpyMLPRegressor, {}, "real", "dense", False),
    "regressor-sgd-invscaling": (
        NumpyMLPRegressor,
        {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.01},
        "real",
        "dense",
        False,
    ),
    "regressor-lbfgs": (NumpyMLPRegressor, {"solver": "lbfgs"}, "real", "dense", False),
    "regressor-float32": (NumpyMLPRegressor, {}, "real", "float32", False),
    "regressor-sparse": (NumpyMLPRegressor, {}, "real", "sparse", False),
    "regressor-dataframe": (NumpyMLPRegressor, {}, "real", "dataframe", False),
    "regressor-two-outputs": (NumpyMLPRegressor, {}, "two_outputs", "dense", False),
    "regressor-huber": (
        NumpyMLPRegressor,
        {"loss": "huber", "huber_delta": 0.5},
        "real",
        "dense",
        False,
    ),
    "regressor-poisson": (NumpyMLPRegressor, {"loss": "poisson"}, "count", "dense", False),
    "regressor-quantile": (
        NumpyMLPRegressor,
        {"loss": "quantile", "quantile": 0.9},
        "real",
        "dense",
        False,
    ),
    "regressor-silu-scoring-loss": (
        NumpyMLPRegressor,
        {"activation": "silu", "early_stopping": True, "scoring": "loss"},
        "real",
        "dense",
        False,
    ),
    "classifier-mish-scoring-neg-log-loss": (
        NumpyMLPClassifier,
        {"activation": "mish", "scoring": "neg_log_loss"},
        "multiclass",
        "dense",
        True,
    ),
    "regressor-dropout": (NumpyMLPRegressor, {"dropout": [0.2, 0.1]}, "real", "dense", False),
    "regressor-custom-activation": (
        NumpyMLPRegressor,
        {"activation": SOFTSIGN},
        "real",
        "dense",
        False,
    ),
    "regressor-early-stopping": (
        NumpyMLPRegressor,
        {"early_stopping": True},
        "real",
        "dense",
        False,
    ),
    "regressor-validation-set": (NumpyMLPRegressor, {}, "real", "dense", True),
    "classifier-binary": (NumpyMLPClassifier, {}, "binary", "dense", False),
    "classifier-multiclass-sgd": (
        NumpyMLPClassifier,
        {"solver": "sgd", "learning_rate": "adaptive"},
        "multiclass",
        "dense",
        False,
    ),
    "classifier-multiclass-lbfgs": (
        NumpyMLPClassifier,
        {"solver": "lbfgs"},
        "multiclass",
        "dense",
        False,
    ),
    "classifier-multilabel": (NumpyMLPClassifier, {}, "multilabel", "dense", False),
    "classifier-float32-sparse": (NumpyMLPClassifier, {}, "multiclass", "sparse32", False),
    "classifier-class-weight-balanced": (
        NumpyMLPClassifier,
        {"class_weight": "balanced"},
        "multiclass",
        "dense",
        False,
    ),
    "classifier-class-weight-dict": (
        NumpyMLPClassifier,
        {"class_weight": {"low": 2.0, "high": 0.5}},
        "multiclass",
        "dense",
        False,
    ),
    "classifier-dropout-custom-activation": (
        NumpyMLPClassifier,
        {"dropout": 0.1, "activation": SOFTSIGN},
        "binary",
        "dense",
        False,
    ),
    "classifier-early-stopping": (
        NumpyMLPClassifier,
        {"early_stopping": True},
        "multiclass",
        "dense",
        False,
    ),
    "classifier-validation-set": (NumpyMLPClassifier, {}, "multiclass", "dense", True),
}


def fitted(variant_id: str):
    """The variant fitted for 5 iterations (far from converged), its data and fit arguments."""
    Estimator, params, kind, form, with_validation = VARIANTS[variant_id]
    X, y = make_data("real" if kind == "count" else kind)
    if kind == "count":
        y = np.round(np.exp(y / 2))
    if form in ("float32", "sparse32"):
        X = X.astype(np.float32)
    if form.startswith("sparse"):
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))
    if form == "dataframe":
        X = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    fit_params = {"X_val": X[:10], "y_val": y[:10]} if with_validation else {}
    est = Estimator(hidden_layer_sizes=(6, 5), max_iter=5, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 iterations on purpose
        est.fit(X, y, **fit_params)
    return est, X, y, fit_params


def skops_round_trip(est, path):
    skops_io.dump(est, path)
    untrusted = skops_io.get_untrusted_types(file=path)
    return skops_io.load(path, trusted=untrusted), set(untrusted)


def round_trip(est, how: str, tmp_path):
    if how == "pickle":
        return pickle.loads(pickle.dumps(est))
    if how == "joblib":
        joblib.dump(est, tmp_path / "model.joblib")
        return joblib.load(tmp_path / "model.joblib")
    return skops_round_trip(est, tmp_path / "model.skops")[0]


def assert_same_state(original, restored, where="estimator"):
    """Equal values of the same types, recursively; arrays equal to the bit, same dtype."""
    assert type(restored) is type(original), where
    if isinstance(original, np.ndarray):
        assert restored.dtype == original.dtype, where
        assert_array_equal(restored, original, err_msg=where, strict=True)
    elif isinstance(original, dict):
        assert list(restored) == list(original), where
        for key in original:
            assert_same_state(original[key], restored[key], f"{where}[{key!r}]")
    elif isinstance(original, list | tuple):
        assert len(restored) == len(original), where
        for index, (a, b) in enumerate(zip(original, restored)):
            assert_same_state(a, b, f"{where}[{index}]")
    elif isinstance(original, NumpyMLPRegressor | NumpyMLPClassifier | LabelBinarizer):
        assert_same_state(vars(original), vars(restored), where)
    elif isinstance(original, float) and np.isnan(original):
        assert np.isnan(restored), where
    else:
        assert restored == original, where


FORMATS = ["pickle", "joblib", "skops"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_skops_flags_only_our_classes_and_the_users_activation_functions(variant, tmp_path):
    est, *_ = fitted(variant)
    _, untrusted = skops_round_trip(est, tmp_path / "model.skops")
    expected = {REGRESSOR if isinstance(est, NumpyMLPRegressor) else CLASSIFIER}
    if isinstance(est.activation, Activation):
        expected |= CUSTOM_ACTIVATION_TYPES
    assert untrusted == expected


@pytest.mark.parametrize("how", FORMATS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_loaded_model_has_the_same_state_and_predicts_bit_identically(variant, how, tmp_path):
    est, X, _, fit_params = fitted(variant)
    restored = round_trip(est, how, tmp_path)
    assert_same_state(est, restored)
    assert_array_equal(restored.predict(X), est.predict(X), strict=True)
    if isinstance(est, NumpyMLPClassifier):
        assert_array_equal(restored.predict_proba(X), est.predict_proba(X), strict=True)
        assert_array_equal(restored.predict_log_proba(X), est.predict_log_proba(X), strict=True)


def continue_training(est, X, y, fit_params, mode: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if mode == "warm_start":
            est.set_params(warm_start=True).fit(X, y, **fit_params)
        else:
            est.partial_fit(X, y)
            est.partial_fit(X, y)
    return est


def can_partial_fit(est) -> bool:
    # partial_fit is for the stochastic solvers, without early stopping or 'balanced'.
    return (
        est.solver != "lbfgs"
        and not est.early_stopping
        and getattr(est, "class_weight", None) != "balanced"
    )


@pytest.mark.parametrize("mode", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("how", FORMATS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_loaded_model_continues_training_exactly_like_the_original(variant, how, mode, tmp_path):
    est, X, y, fit_params = fitted(variant)
    if mode == "partial_fit" and not can_partial_fit(est):
        pytest.skip(f"{variant} has no partial_fit")
    restored = round_trip(est, how, tmp_path)
    n_iterations_before = len(est.loss_curve_)
    continue_training(restored, X, y, fit_params, mode)
    continue_training(est, X, y, fit_params, mode)
    assert len(est.loss_curve_) > n_iterations_before  # it did train on
    assert_same_state(est, restored)  # loss_curve_, coefs_, optimizer state, validation...


def test_custom_activation_functions_must_be_trusted_by_name(tmp_path):
    # skops refuses to load the user's functions until they are trusted explicitly.
    est, X, *_ = fitted("regressor-custom-activation")
    path = tmp_path / "model.skops"
    skops_io.dump(est, path)
    ours = [REGRESSOR, "sknumpy_nn._activations.Activation"]
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        skops_io.load(path, trusted=ours)
    restored = skops_io.load(path, trusted=[*ours, *CUSTOM_ACTIVATION_TYPES])
    assert restored.activation == SOFTSIGN
    assert_array_equal(restored.predict(X), est.predict(X), strict=True)
