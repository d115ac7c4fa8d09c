"""Behaviour of NumpyMLPRegressor and NumpyMLPClassifier as a user sees it.

Fitted attributes and their meanings, the solvers' bookkeeping, targets of every kind,
sparse and float32 input, sample weights, early stopping, warm starts, interruption,
pickling, bad input, and the deliberate differences from scikit-learn's MLP (docs/differences.md),
each shown to be the right behaviour. Data are small and seeds fixed so that every test is fast and
deterministic.
"""

import inspect
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.neural_network import _multilayer_perceptron as mlp_module
from sklearn.neural_network._base import LOSS_FUNCTIONS
from sklearn.neural_network._multilayer_perceptron import _pack
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sknumpy_nn._rules
from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor
from sknumpy_nn._network import Network
from sknumpy_nn._optimizers import Adam
from sknumpy_nn._rules import StoppingRule

SOLVERS = ["lbfgs", "sgd", "adam"]
STOCHASTIC = ["sgd", "adam"]
ESTIMATORS = [NumpyMLPRegressor, NumpyMLPClassifier]

# Where a run is cut short on purpose (few epochs on tiny data) the ConvergenceWarning is
# expected and says nothing about the behaviour under test.
ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def regression_data(n_samples=40, n_outputs=None, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]
    if n_outputs is not None:
        y = np.column_stack([y * (k + 1) + k for k in range(n_outputs)])
    return X, y


def binary_data(n_samples=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def multiclass_data(n_samples=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    return X, np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])  # classes 0, 1, 2


def multilabel_data(n_samples=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0]).astype(int)
    return X, Y


def data_for(Estimator, seed=0):
    return regression_data(seed=seed) if Estimator is NumpyMLPRegressor else binary_data(seed=seed)


def small(Estimator, **params):
    """A small, seeded estimator: few hidden units and a fixed random_state."""
    params = {"hidden_layer_sizes": (5,), "random_state": 0, **params}
    return Estimator(**params)


def objective(est, X, Y, sample_weight=None):
    """The training objective at the fitted weights, recomputed by the network core."""
    loss = est._network_loss()
    network = Network(
        [X.shape[1], *est.hidden_layer_sizes, est.n_outputs_], est.activation, loss, np.float64
    )
    network.load(est.coefs_, est.intercepts_)
    return network.loss_and_gradient(X, Y.reshape(len(X), -1), sample_weight, est.alpha)


def params_of(est):
    return _pack(est.coefs_, est.intercepts_)


# --------------------------------------------------------------------------- fitted attributes


@ignore_convergence
@pytest.mark.parametrize("solver", SOLVERS)
def test_regressor_fitted_attributes_have_sklearn_meanings(solver):
    X, y = regression_data()
    est = small(NumpyMLPRegressor, hidden_layer_sizes=(5, 3), solver=solver, max_iter=30)
    est.fit(X, y)

    assert [W.shape for W in est.coefs_] == [(4, 5), (5, 3), (3, 1)]
    assert [b.shape for b in est.intercepts_] == [(5,), (3,), (1,)]
    assert est.n_layers_ == 4
    assert est.n_outputs_ == 1
    assert est.out_activation_ == "identity"
    assert est.n_features_in_ == 4
    assert 1 <= est.n_iter_ <= 30
    assert len(est.loss_curve_) == est.n_iter_
    assert np.isfinite(est.loss_)
    assert est.best_loss_ == pytest.approx(min(est.loss_curve_ + [est.loss_]))
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    # t_ counts the samples the stochastic solvers have seen; L-BFGS sees no minibatches.
    assert est.t_ == (0 if solver == "lbfgs" else est.n_iter_ * len(X))
    assert est.predict(X).shape == (40,)
    assert not hasattr(est, "feature_names_in_")


@ignore_convergence
def test_poisson_regressor_has_exp_output_and_positive_predictions():
    X, _ = regression_data(n_samples=200)
    rate = np.exp(0.8 * X[:, 0])
    counts = np.random.RandomState(1).poisson(rate)
    est = small(NumpyMLPRegressor, loss="poisson", solver="lbfgs", alpha=1.0, max_iter=50)
    est.fit(X, counts)
    assert est.out_activation_ == "exp"
    assert (est.predict(X) > 0).all()
    # The model learned the rate's trend, not just a constant.
    assert np.corrcoef(est.predict(X), rate)[0, 1] > 0.9


@pytest.mark.parametrize(
    ("make_data", "out_activation", "n_outputs"),
    [
        (binary_data, "logistic", 1),
        (multiclass_data, "softmax", 3),
        (multilabel_data, "logistic", 3),
    ],
    ids=["binary", "multiclass", "multilabel"],
)
def test_classifier_output_layer_fits_the_target_type(make_data, out_activation, n_outputs):
    X, y = make_data()
    est = small(NumpyMLPClassifier, solver="lbfgs", max_iter=300).fit(X, y)
    assert est.out_activation_ == out_activation
    assert est.n_outputs_ == n_outputs
    assert est.coefs_[-1].shape == (5, n_outputs)
    expected_classes = np.arange(3) if y.ndim == 2 else np.unique(y)
    assert_array_equal(est.classes_, expected_classes)
    assert est.score(X, y) > 0.8


def test_feature_names_in_recorded_from_a_dataframe():
    X, y = regression_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = small(NumpyMLPRegressor, solver="adam", max_iter=5)
    with pytest.warns(ConvergenceWarning):  # 5 epochs are enough to record the names
        est.fit(frame, y)
    assert_array_equal(est.feature_names_in_, ["a", "b", "c", "d"])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert_allclose(est.predict(frame), est.predict(X))
    # Reordered columns are a user error sklearn reports by name.
    with pytest.raises(ValueError, match="feature names"):
        est.predict(frame[["b", "a", "c", "d"]])


def test_lbfgs_records_loss_curve():
    X, y = regression_data()
    est = small(NumpyMLPRegressor, solver="lbfgs", max_iter=500, tol=1e-6).fit(X, y)
    curve = np.array(est.loss_curve_)

    assert len(curve) == est.n_iter_ > 5
    # L-BFGS's line search only accepts decreasing steps.
    assert (np.diff(curve) <= 1e-12 * np.abs(curve[:-1])).all()
    assert curve[-1] == pytest.approx(est.loss_)
    assert est.best_loss_ == pytest.approx(est.loss_)
    assert est.loss_ == pytest.approx(objective(est, X, y))


# --------------------------------------------------------------------------- partial_fit


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_absent_with_lbfgs(Estimator):
    assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")
    for solver in STOCHASTIC:
        assert hasattr(Estimator(solver=solver), "partial_fit")
    # Switching the solver switches the method, as set_params is the user's tool for it.
    est = Estimator(solver="adam")
    est.set_params(solver="lbfgs")
    assert not hasattr(est, "partial_fit")


def test_sklearn_regressor_exposes_partial_fit_with_lbfgs():
    # The contrast behind test_partial_fit_absent_with_lbfgs: sklearn 1.9.1's regressor
    # advertises partial_fit for a solver that cannot run it; its classifier does not.
    assert hasattr(MLPRegressor(solver="lbfgs"), "partial_fit")
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")


@pytest.mark.parametrize(
    ("Estimator", "Sklearn"),
    [(NumpyMLPRegressor, MLPRegressor), (NumpyMLPClassifier, MLPClassifier)],
)
def test_constructor_signature_and_defaults_match_sklearn(Estimator, Sklearn):
    # Drop-in: the same parameters, in the same order, the same positional ones, defaults.
    # Parameters beyond sklearn's come after all of them, keyword-only, so no call to
    # sklearn's constructor means something else here.
    ours = inspect.signature(Estimator.__init__).parameters
    theirs = inspect.signature(Sklearn.__init__).parameters
    assert list(ours)[: len(theirs)] == list(theirs)
    for name in theirs:
        assert ours[name].kind == theirs[name].kind, name
        assert ours[name].default == theirs[name].default, name
    for name in list(ours)[len(theirs) :]:
        assert ours[name].kind is inspect.Parameter.KEYWORD_ONLY, name


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_regressor_partial_fit_runs_one_epoch_per_call(solver):
    X, y = regression_data()
    est = small(NumpyMLPRegressor, solver=solver, learning_rate_init=0.01)
    for _ in range(3):
        est.partial_fit(X, y)
    assert est.n_iter_ == 1  # per call, as sklearn counts it
    assert est.t_ == 3 * len(X)
    assert len(est.loss_curve_) == 3
    assert est.loss_curve_[-1] < est.loss_curve_[0]


def test_classifier_partial_fit_needs_classes_on_first_call():
    X, y = multiclass_data()
    with pytest.raises(ValueError, match="classes"):
        small(NumpyMLPClassifier).partial_fit(X, y)


def test_classifier_partial_fit_accepts_single_class_batch_when_classes_declared():
    X, y = multiclass_data()
    est = small(NumpyMLPClassifier, learning_rate_init=0.01)
    est.partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict_proba(X).shape == (len(X), 3)
    est.partial_fit(X[y == 2], y[y == 2])  # later batches need no classes=
    assert est.t_ == (y == 0).sum() + (y == 2).sum()

    with pytest.raises(ValueError, match="not in `self.classes_`"):
        est.partial_fit(X, y + 5)


# --------------------------------------------------------------------------- classification


def test_single_class_fit_raises():
    X, _ = binary_data()
    for solver in SOLVERS:
        with pytest.raises(ValueError, match="class"):
            small(NumpyMLPClassifier, solver=solver).fit(X, np.full(len(X), 7))
    # Declaring only one class to partial_fit is the same mistake.
    with pytest.raises(ValueError, match="class"):
        small(NumpyMLPClassifier).partial_fit(X, np.zeros(len(X)), classes=[0])


@pytest.mark.parametrize("make_data", [binary_data, multiclass_data], ids=["binary", "multiclass"])
@pytest.mark.parametrize("solver", SOLVERS)
@ignore_convergence
def test_predict_proba_rows_are_distributions(make_data, solver):
    X, y = make_data()
    labels = np.array(["low", "mid", "high"])[y]  # string labels round-trip through predict
    est = small(NumpyMLPClassifier, solver=solver, max_iter=100, learning_rate_init=0.01)
    est.fit(X, labels)
    proba = est.predict_proba(X)

    assert proba.shape == (len(X), len(np.unique(y)))
    assert_allclose(proba.sum(axis=1), 1.0)
    assert ((proba > 0) & (proba < 1)).all()
    assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    assert set(est.predict(X)) <= set(labels)


@pytest.mark.parametrize(
    "make_data",
    [binary_data, multiclass_data, multilabel_data],
    ids=["binary", "multiclass", "multilabel"],
)
def test_predict_log_proba_is_log_of_predict_proba(make_data):
    X, y = make_data()
    est = small(NumpyMLPClassifier, solver="lbfgs", max_iter=300).fit(X, y)
    proba = est.predict_proba(X)
    log_proba = est.predict_log_proba(X)
    assert log_proba.shape == proba.shape
    assert np.isfinite(log_proba).all()
    # predict_proba clips to [tiny, 1 - eps]; compare where that did not bite.
    unclipped = (proba > 1e-300) & (proba < 1 - 1e-15)
    assert unclipped.mean() > 0.5
    assert_allclose(log_proba[unclipped], np.log(proba[unclipped]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "make_data",
    [binary_data, multiclass_data, multilabel_data],
    ids=["binary", "multiclass", "multilabel"],
)
def test_predict_log_proba_finite_for_extreme_inputs(make_data):
    # sklearn takes log(predict_proba): -inf and a RuntimeWarning once an output
    # saturates. Here it is a log-softmax / log-sigmoid of the logits.
    X, y = make_data()
    est = small(NumpyMLPClassifier, solver="lbfgs", max_iter=300).fit(X, y)
    huge = X * 1e4
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        log_proba = est.predict_log_proba(huge)
        proba = est.predict_proba(huge)
    assert np.isfinite(log_proba).all()
    assert (log_proba <= 0).all()
    assert log_proba.min() < -100  # saturated indeed: the test would be vacuous otherwise
    assert ((proba > 0) & (proba < 1)).all()
    if y.ndim == 1:
        assert_allclose(proba.sum(axis=1), 1.0)
        # The most likely class is the one predict returns.
        assert_array_equal(est.classes_[log_proba.argmax(axis=1)], est.predict(huge))


def _same_order(a, b):
    """For every row, each pair of columns compares alike (<, ==, >) in ``a`` and ``b``."""
    return all(
        np.array_equal(np.sign(a[:, [i]] - a), np.sign(b[:, [i]] - b)) for i in range(a.shape[1])
    )


@pytest.mark.parametrize(
    "make_data, scale",
    [
        (binary_data, 1e3),
        (multiclass_data, 1e3),
        (multilabel_data, 1e3),
        (multilabel_data, 1.0),
    ],
    ids=["binary-saturated", "multiclass-saturated", "multilabel-saturated", "multilabel"],
)
def test_log_proba_orders_classes_as_proba_ties_included(make_data, scale):
    # Clipping predict_proba into (0, 1) makes saturated outputs tie (1 - eps, tiny); the
    # log-probabilities tie there too, so argmax, sorting and ranking agree.
    X, y = make_data()
    est = small(NumpyMLPClassifier, solver="lbfgs", alpha=1e-6, max_iter=500).fit(X * 10, y)
    proba, log_proba = est.predict_proba(X * scale), est.predict_log_proba(X * scale)
    if scale > 1:  # the test would be vacuous without ties from the clipping
        info = np.finfo(proba.dtype)
        assert ((proba == 1 - info.eps) | (proba == info.tiny)).any()
    assert _same_order(proba, log_proba)
    assert_array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    assert np.isfinite(log_proba).all() and ((proba > 0) & (proba < 1)).all()
    assert_allclose(log_proba, np.log(proba), rtol=1e-7)


def test_log_proba_orders_multilabel_outputs_as_sklearns_test_data():
    # The case scikit-learn's own test_predict_proba_multilabel found: 5 of 50 rows had a
    # different argmax when only predict_proba was clipped.
    X, Y = make_multilabel_classification(n_samples=50, random_state=0)
    clf = NumpyMLPClassifier(solver="lbfgs", hidden_layer_sizes=30, random_state=0)
    clf.fit(X, Y)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert_array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    assert _same_order(proba, log_proba)
    assert_allclose(log_proba, np.log(proba), rtol=1e-7)


def test_lbfgs_multilabel_proba_strictly_inside_unit_interval():
    X, Y = multilabel_data()
    # Nearly no penalty on separable data: the logits become large.
    est = small(NumpyMLPClassifier, solver="lbfgs", alpha=1e-6, max_iter=500, tol=1e-8)
    est.fit(X * 10, Y)
    proba = est.predict_proba(X * 1e3)
    assert proba.shape == Y.shape
    assert ((proba > 0) & (proba < 1)).all()
    # The raw logistic outputs do reach exactly 0 and 1: the clipping is what holds.
    raw = est._predict_output(X * 1e3)
    assert ((raw == 0) | (raw == 1)).any()
    assert_array_equal(est.predict(X * 10), Y)


def test_multilabel_predict_is_an_indicator_matrix():
    X, Y = multilabel_data()
    est = small(NumpyMLPClassifier, solver="lbfgs", max_iter=300).fit(X, Y)
    pred = est.predict(X)
    assert pred.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    assert_array_equal(pred, (est.predict_proba(X) > 0.5).astype(int))


# --------------------------------------------------------------------------- regression


@pytest.mark.parametrize("solver", SOLVERS)
@ignore_convergence
def test_multioutput_regression_predicts_every_output(solver):
    X, Y = regression_data(n_outputs=3)
    est = small(
        NumpyMLPRegressor,
        hidden_layer_sizes=(10,),
        solver=solver,
        max_iter=200,
        learning_rate_init=0.01,
    )
    est.fit(X, Y)
    assert est.n_outputs_ == 3
    assert est.predict(X).shape == (40, 3)
    assert est.score(X, Y) > 0.5


@ignore_convergence  # the identity holds at any iterate; converging is not the point
def test_multioutput_loss_is_sum_over_outputs():
    # sklearn reports the squared error averaged over outputs but back-propagates the
    # gradient of the sum; here loss_ is the function whose gradient is used.
    X, Y = regression_data(n_outputs=3)
    est = small(NumpyMLPRegressor, solver="lbfgs", alpha=0.0, max_iter=500).fit(X, Y)

    residual = est.predict(X) - Y
    assert est.loss_ == pytest.approx(0.5 * (residual**2).sum(axis=1).mean())
    assert est.loss_ == pytest.approx(objective(est, X, Y))
    assert est.loss_ == pytest.approx(3 * LOSS_FUNCTIONS["squared_error"](Y, est.predict(X)))

    # With a penalty, loss_ is still our objective (L-BFGS optimised this very function).
    est = small(NumpyMLPRegressor, solver="lbfgs", alpha=0.5, max_iter=500).fit(X, Y)
    assert est.loss_ == pytest.approx(objective(est, X, Y))


# --------------------------------------------------------------------------- input formats


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@ignore_convergence
def test_sparse_input_gives_the_same_model_as_dense(Estimator, solver, fmt):
    X, y = data_for(Estimator)
    X[np.abs(X) < 0.5] = 0.0  # really sparse
    params = dict(solver=solver, max_iter=20, learning_rate_init=0.01)
    dense = small(Estimator, **params).fit(X, y)
    sparse = small(Estimator, **params).fit(sp.csr_matrix(X).asformat(fmt), y)
    assert_allclose(params_of(sparse), params_of(dense), rtol=1e-7, atol=1e-10)
    assert_allclose(sparse.predict(sp.csc_matrix(X)), dense.predict(X), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@ignore_convergence
def test_float32_kept_for_every_solver(Estimator, solver):
    X, y = data_for(Estimator)
    X32 = X.astype(np.float32)
    est = small(Estimator, solver=solver, max_iter=30, learning_rate_init=0.01).fit(X32, y)
    assert all(W.dtype == np.float32 for W in est.coefs_ + est.intercepts_)
    if Estimator is NumpyMLPRegressor:
        assert est.predict(X32).dtype == np.float32
    else:
        assert est.predict_proba(X32).dtype == np.float32
    # float32 is a precision choice, not a different model.
    reference = small(Estimator, solver=solver, max_iter=30, learning_rate_init=0.01).fit(X, y)
    assert_allclose(params_of(est), params_of(reference), atol=2e-2)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_float32_model_predicts_float64_input_in_float64(Estimator):
    # As sklearn's MLP: NumPy's promotion decides the output dtype. (Found while writing
    # these tests: forward() used to write float64 products into float32 buffers, and
    # numpy refused with "output array is not acceptable".)
    X, y = data_for(Estimator)
    est = small(Estimator, solver="lbfgs", max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a short run suffices
        est.fit(X.astype(np.float32), y)
    out64 = est.predict(X) if Estimator is NumpyMLPRegressor else est.predict_proba(X)
    out32 = (est.predict if Estimator is NumpyMLPRegressor else est.predict_proba)(
        X.astype(np.float32)
    )
    assert out64.dtype == np.float64
    assert out32.dtype == np.float32
    assert_allclose(out64, out32, rtol=1e-4, atol=1e-5)
    if Estimator is NumpyMLPClassifier:
        assert_array_equal(est.predict(X), est.predict(X.astype(np.float32)))
        assert np.isfinite(est.predict_log_proba(X)).all()


def test_integer_features_are_accepted_as_float64():
    X, y = binary_data()
    X_int = np.round(X * 3).astype(int)
    est = small(NumpyMLPClassifier, solver="lbfgs", max_iter=200).fit(X_int, y)
    assert est.coefs_[0].dtype == np.float64
    assert_array_equal(est.predict_proba(X_int), est.predict_proba(X_int.astype(float)))


# --------------------------------------------------------------------------- sample weights


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_integer_sample_weight_equals_repeated_samples_with_lbfgs(Estimator):
    X, y = data_for(Estimator)
    weights = np.random.RandomState(3).randint(1, 4, size=len(X))
    params = dict(solver="lbfgs", max_iter=50, alpha=0.01)
    with warnings.catch_warnings():
        # Both runs stop on the iteration cap at the same point; that is what is compared.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = small(Estimator, **params).fit(X, y, sample_weight=weights)
        repeated = small(Estimator, **params).fit(
            np.repeat(X, weights, axis=0), np.repeat(y, weights)
        )
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-9)
    assert_allclose(params_of(weighted), params_of(repeated), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_zero_sample_weight_rows_are_ignored(Estimator):
    X, y = data_for(Estimator)
    weights = np.ones(len(X))
    weights[::4] = 0.0
    # Rows that would change the fit a lot if they were used at all.
    y_noisy = y.copy()
    if Estimator is NumpyMLPClassifier:
        y_noisy[::4] = 1 - y_noisy[::4]
    else:
        y_noisy[::4] = 100.0
    params = dict(solver="lbfgs", max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # same iteration cap for both
        weighted = small(Estimator, **params).fit(X, y_noisy, sample_weight=weights)
        dropped = small(Estimator, **params).fit(X[weights > 0], y[weights > 0])
    assert_allclose(params_of(weighted), params_of(dropped), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_negative_sample_weight_raises(Estimator):
    X, y = data_for(Estimator)
    weights = np.ones(len(X))
    weights[3] = -1.0
    with pytest.raises(ValueError, match="[Nn]egative"):
        small(Estimator, solver="lbfgs").fit(X, y, sample_weight=weights)
    with pytest.raises(ValueError, match="non-zero|sums to zero"):
        small(Estimator, solver="lbfgs").fit(X, y, sample_weight=np.zeros(len(X)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_zero_weight_minibatch_is_skipped(Estimator):
    # sklearn divides by the batch's weight sum, 0 here: NaN weights. The batch carries no
    # information, so skipping it is the same as not having those rows at all.
    X, y = data_for(Estimator)
    weights = np.ones(len(X))
    weights[:2] = 0.0
    params = dict(solver="sgd", batch_size=2, shuffle=False, max_iter=5, learning_rate_init=0.01)
    with pytest.warns(ConvergenceWarning):  # 5 epochs are not a converged fit
        est = small(Estimator, **params).fit(X, y, sample_weight=weights)
    assert np.isfinite(params_of(est)).all()
    assert np.isfinite(est.loss_curve_).all()

    with pytest.warns(ConvergenceWarning):
        without = small(Estimator, **params).fit(X[2:], y[2:])
    assert_allclose(params_of(est), params_of(without), rtol=1e-12, atol=1e-14)
    assert_allclose(est.loss_curve_, without.loss_curve_, rtol=1e-12)


# --------------------------------------------------------------------------- stopping


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_early_stopping_restores_best_weights(Estimator, monkeypatch):
    snapshots = []
    update = StoppingRule.update

    def record(self, state, loss, score, params):
        update(self, state, loss, score, params)
        snapshots.append(params.copy())  # the weights this epoch's score is of

    monkeypatch.setattr(StoppingRule, "update", record)
    X, y = data_for(Estimator, seed=1)
    X, y = np.tile(X, (2, 1)), np.tile(y, 2)
    X += np.random.RandomState(2).normal(scale=0.3, size=X.shape)
    est = small(
        Estimator,
        hidden_layer_sizes=(20,),
        solver="adam",
        learning_rate_init=0.05,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=5,
        max_iter=200,
        batch_size=10,
    )
    est.fit(X, y)

    scores = est.validation_scores_
    assert est.n_iter_ < 200  # it did stop early
    assert len(scores) == len(snapshots) == est.n_iter_
    assert est.best_validation_score_ == max(scores)
    assert est.best_loss_ is None
    best = int(np.argmax(scores))
    assert best < est.n_iter_ - 1  # else restoring would be indistinguishable from not
    assert_array_equal(params_of(est), snapshots[best])
    assert not np.array_equal(params_of(est), snapshots[-1])


def test_early_stopping_validation_score_is_reproducible_from_the_split():
    # The split is drawn from random_state after the weights, as in sklearn; the restored
    # model scores best_validation_score_ on that held-out part.
    X, y = regression_data(n_samples=80)
    est = small(
        NumpyMLPRegressor,
        solver="adam",
        learning_rate_init=0.01,
        early_stopping=True,
        validation_fraction=0.2,
        max_iter=300,
    )
    est.fit(X, y)

    rng = np.random.RandomState(0)
    for W, b in zip(est.coefs_, est.intercepts_):  # consume the initialisation draws
        rng.uniform(size=W.shape)
        rng.uniform(size=b.shape)
    _, X_val, _, y_val = train_test_split(X, y, random_state=rng, test_size=0.2)
    assert r2_score(y_val, est.predict(X_val)) == pytest.approx(est.best_validation_score_)


def recording_split(splits):
    """train_test_split that records its stratify argument and what it returned."""

    def split(*arrays, **kwargs):
        parts = train_test_split(*arrays, **kwargs)
        splits.append((kwargs.get("stratify"), parts))
        return parts

    return split


@pytest.mark.parametrize(
    "y, label", [([0, 0, 0, 1], "[1]"), (["a", "b", "b", "b"], "['a']"), ([5, 5, 7, 5], "[7]")]
)
def test_early_stopping_names_the_class_too_few_to_stratify(y, label):
    # scikit-learn's words for a binary class with one member, with the user's label (its
    # MLP names the binarized one, ['True']) and what to change.
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    with pytest.raises(ValueError) as raised:
        NumpyMLPClassifier(early_stopping=True).fit(X, y)
    message = str(raised.value)
    assert message.startswith("The least populated classes in y have only 1 member, which is")
    assert f"Classes with too few members are: {label}." in message
    assert "X_val" in message and "early_stopping=False" in message
    # Without early stopping the same data fits.
    with pytest.warns(ConvergenceWarning):
        NumpyMLPClassifier(max_iter=5).fit(X, y)


def test_early_stopping_stratifies_multiclass(monkeypatch):
    # sklearn stratifies the early-stopping split only for binary targets, so the held-out
    # part of a multiclass problem can misrepresent a rare class. Ours keeps every share.
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], [40, 40, 8])
    X = rng.normal(size=(len(y), 3)) + y[:, None]
    params = dict(early_stopping=True, validation_fraction=0.25, learning_rate_init=0.01)

    ours = []
    monkeypatch.setattr(sknumpy_nn._rules, "train_test_split", recording_split(ours))
    est = small(NumpyMLPClassifier, max_iter=300, **params).fit(X, y)
    ((stratify, parts),) = ours
    assert stratify is not None
    val_counts = np.bincount(y[parts[1]], minlength=3)  # ours splits row indices
    assert_array_equal(val_counts, [10, 10, 2])  # exactly a quarter of each class
    assert est.n_iter_ < 300

    # The contrast: sklearn's MLPClassifier, same seed and data, recorded the same way.
    theirs = []
    monkeypatch.setattr(mlp_module, "train_test_split", recording_split(theirs))
    with pytest.warns(ConvergenceWarning):  # 3 epochs are enough to draw the split
        MLPClassifier(hidden_layer_sizes=(5,), random_state=0, max_iter=3, **params).fit(X, y)
    ((stratify, parts),) = theirs
    assert stratify is None
    assert_array_equal(np.bincount(parts[3].argmax(axis=1), minlength=3), [10, 9, 3])


def test_early_stopping_raises_with_partial_fit():
    X, y = regression_data()
    with pytest.raises(ValueError, match="early_stopping"):
        small(NumpyMLPRegressor, early_stopping=True).partial_fit(X, y)
    X, y = binary_data()
    with pytest.raises(ValueError, match="early_stopping"):
        small(NumpyMLPClassifier, early_stopping=True).partial_fit(X, y, classes=[0, 1])


def test_training_loss_plateau_stops_with_a_message_when_verbose(capsys):
    X, y = regression_data()
    est = small(NumpyMLPRegressor, solver="adam", tol=10.0, n_iter_no_change=3, verbose=True)
    est.fit(X, y)
    out = capsys.readouterr().out
    # The first epoch sets the best loss; then 3 + 1 epochs without a 10.0 improvement.
    assert est.n_iter_ == 3 + 2
    assert "Training loss did not improve more than tol=10.000000 for 3 consecutive" in out
    assert "Stopping." in out
    assert len(re.findall(r"^ +\d+ ", out, flags=re.M)) == est.n_iter_  # one log row each


def test_validation_plateau_stops_with_a_message_when_verbose(capsys):
    X, y = regression_data(n_samples=60)
    est = small(
        NumpyMLPRegressor,
        solver="adam",
        tol=10.0,
        n_iter_no_change=2,
        verbose=True,
        early_stopping=True,
        validation_fraction=0.2,
    )
    est.fit(X, y)
    out = capsys.readouterr().out
    assert est.n_iter_ == 2 + 2
    assert "Validation score did not improve more than tol=10.000000 for 2 consecutive" in out
    assert "val score" in out.splitlines()[0]  # the log's header; see tests/test_verbose.py
    assert len(re.findall(r"^ +\d+ ", out, flags=re.M)) == est.n_iter_


def test_adaptive_learning_rate_divides_by_five_on_plateau(capsys):
    X, y = regression_data()
    est = small(
        NumpyMLPRegressor,
        solver="sgd",
        learning_rate="adaptive",
        tol=10.0,
        n_iter_no_change=2,
        learning_rate_init=0.01,
        verbose=True,
    )
    est.fit(X, y)
    out = capsys.readouterr().out
    assert "Setting learning rate to 0.002000" in out
    assert "Learning rate too small. Stopping." in out
    assert est._optimizer_state["learning_rate"] <= 1e-6


@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_convergence_warning_when_max_iter_reached_stochastic(Estimator, solver):
    X, y = data_for(Estimator)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        est = small(Estimator, solver=solver, max_iter=3).fit(X, y)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_convergence_warning_when_max_iter_reached_lbfgs(Estimator):
    X, y = data_for(Estimator)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        est = small(Estimator, solver="lbfgs", max_iter=3).fit(X, y)
    assert est.n_iter_ == 3
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        small(Estimator, solver="lbfgs", max_fun=4).fit(X, y)


# --------------------------------------------------------------------------- warm start


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@ignore_convergence
def test_warm_start_continues_from_previous_weights(Estimator, solver):
    X, y = data_for(Estimator)
    est = small(Estimator, solver=solver, max_iter=10, warm_start=True, learning_rate_init=0.01)
    est.fit(X, y)
    first_curve = list(est.loss_curve_)
    after_first = params_of(est)
    est.fit(X, y)

    assert len(est.loss_curve_) > len(first_curve)
    assert est.loss_curve_[: len(first_curve)] == first_curve
    new_losses = est.loss_curve_[len(first_curve) :]
    assert new_losses[0] < first_curve[0]  # it did not restart from the initial weights

    cold = small(Estimator, solver=solver, max_iter=10, learning_rate_init=0.01).fit(X, y)
    cold.fit(X, y)  # without warm_start a second fit starts over: same as the first one
    assert_allclose(params_of(cold), after_first)
    assert cold.loss_curve_ == first_curve


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_replaced_coefs_are_used_by_predict_and_next_warm_start_fit(Estimator):
    X, y = data_for(Estimator)
    with pytest.warns(ConvergenceWarning):  # a handful of epochs is all that is needed
        est = small(Estimator, solver="sgd", max_iter=5, warm_start=True).fit(X, y)
    replaced = [0.5 * W for W in est.coefs_]
    before = (est.predict_proba(X) if Estimator is NumpyMLPClassifier else est.predict(X)).copy()
    est.coefs_ = [W.copy() for W in replaced]
    after = est.predict_proba(X) if Estimator is NumpyMLPClassifier else est.predict(X)
    assert not np.allclose(after, before)

    # A vanishing step: the next fit must end where it started, at the user's weights.
    est.set_params(learning_rate_init=1e-12, max_iter=1)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    for W, expected in zip(est.coefs_, replaced):
        assert_allclose(W, expected, atol=1e-9)


def test_warm_start_with_different_classes_raises():
    X, y = multiclass_data()
    est = small(NumpyMLPClassifier, solver="lbfgs", max_iter=50, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # training is not the point
        est.fit(X, y)
    with pytest.raises(ValueError, match="same classes"):
        est.fit(X[y < 2], y[y < 2])


def test_warm_start_with_other_hidden_layer_sizes_raises():
    X, y = regression_data()
    est = small(NumpyMLPRegressor, solver="lbfgs", max_iter=50, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    est.set_params(hidden_layer_sizes=(7,))
    with pytest.raises(ValueError, match="layer sizes"):
        est.fit(X, y)


# --------------------------------------------------------------------------- interruption


def interrupt_on_call(n):
    """A replacement method that raises KeyboardInterrupt on its n-th call (Ctrl-C)."""

    def wrap(method):
        calls = []

        def interrupted(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == n:
                raise KeyboardInterrupt
            return method(self, *args, **kwargs)

        return interrupted

    return wrap


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_keeps_a_usable_model_stochastic(Estimator, monkeypatch):
    # _training.py uses the Adam class imported from _optimizers, so patching the class's step
    # is what the training loop calls; 4 batches per epoch, so call 7 is inside epoch 2.
    monkeypatch.setattr(Adam, "step", interrupt_on_call(7)(Adam.step))
    X, y = data_for(Estimator)
    est = small(Estimator, solver="adam", batch_size=10)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        est.fit(X, y)
    assert est.n_iter_ == 1
    assert len(est.loss_curve_) == 1
    assert np.isfinite(params_of(est)).all()
    assert est.predict(X).shape == (len(X),)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_keeps_a_usable_model_lbfgs(Estimator, monkeypatch):
    monkeypatch.setattr(
        Network, "loss_and_gradient", interrupt_on_call(10)(Network.loss_and_gradient)
    )
    X, y = data_for(Estimator)
    est = small(Estimator, solver="lbfgs")
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        est.fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) > 0
    assert np.isfinite(params_of(est)).all()
    assert est.predict(X).shape == (len(X),)
    monkeypatch.undo()
    assert est.loss_ == pytest.approx(objective(est, X, y))  # loss_ describes the model kept


# --------------------------------------------------------------------------- persistence


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@ignore_convergence
def test_pickle_round_trip_predicts_identically_and_warm_starts(Estimator, solver):
    X, y = data_for(Estimator)
    # 5 iterations: far from converged, so the continued fit has somewhere to go.
    est = small(Estimator, solver=solver, max_iter=5, warm_start=True).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert_array_equal(restored.predict(X), est.predict(X))
    if Estimator is NumpyMLPClassifier:
        assert_array_equal(restored.predict_proba(X), est.predict_proba(X))

    # Continuing the restored model is continuing the original one.
    first_params, first_len = params_of(est), len(est.loss_curve_)
    restored.fit(X, y)
    est.fit(X, y)
    assert len(restored.loss_curve_) > first_len
    assert restored.loss_curve_ == est.loss_curve_
    assert_array_equal(params_of(restored), params_of(est))
    assert not np.allclose(params_of(restored), first_params)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_after_unpickling_continues_the_optimizer(Estimator):
    X, y = data_for(Estimator)
    extra = {"classes": np.unique(y)} if Estimator is NumpyMLPClassifier else {}
    est = small(Estimator, solver="adam", learning_rate_init=0.01)
    est.partial_fit(X, y, **extra)
    restored = pickle.loads(pickle.dumps(est))
    est.partial_fit(X, y)
    restored.partial_fit(X, y)
    assert_array_equal(params_of(restored), params_of(est))
    # One full batch (40 rows) per call: two Adam steps, the first made before pickling.
    assert restored._optimizer_state["t"] == est._optimizer_state["t"] == 2


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_clone_gives_an_unfitted_copy_with_the_same_parameters(Estimator):
    X, y = data_for(Estimator)
    est = small(Estimator, solver="lbfgs", alpha=0.3, max_iter=300).fit(X, y)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "coefs_")
    with pytest.raises(NotFittedError):
        copy.predict(X)
    assert_array_equal(copy.fit(X, y).predict(X), est.predict(X))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_nan_or_inf_in_X_raises(Estimator):
    X, y = data_for(Estimator)
    for bad in (np.nan, np.inf):
        X_bad = X.copy()
        X_bad[3, 1] = bad
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            small(Estimator).fit(X_bad, y)
    est = small(Estimator, solver="lbfgs", max_iter=300).fit(X, y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(np.where(X > 1, np.nan, X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_nan_in_y_raises(Estimator):
    X, y = data_for(Estimator)
    y = y.astype(float)
    y[5] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        small(Estimator).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_string_features_raise(Estimator):
    X, y = data_for(Estimator)
    X_str = X.astype(object)
    X_str[0, 0] = "red"
    with pytest.raises(ValueError, match="could not convert string to float"):
        small(Estimator).fit(X_str, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_empty_X_raises(Estimator):
    with pytest.raises(ValueError, match="0 sample"):
        small(Estimator).fit(np.empty((0, 4)), np.empty(0))
    X, y = data_for(Estimator)
    with pytest.raises(ValueError, match="0 feature"):
        small(Estimator).fit(np.empty((len(X), 0)), y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_number_of_features_at_predict_raises(Estimator):
    X, y = data_for(Estimator)
    est = small(Estimator, solver="lbfgs", max_iter=300).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features.*expecting 4 features"):
        est.predict(X[:, :3])
    if Estimator is NumpyMLPClassifier:
        with pytest.raises(ValueError, match="expecting 4 features"):
            est.predict_proba(X[:, :3])
        with pytest.raises(ValueError, match="expecting 4 features"):
            est.predict_log_proba(X[:, :3])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_before_fit_raises_not_fitted(Estimator):
    X, _ = data_for(Estimator)
    with pytest.raises(NotFittedError):
        Estimator().predict(X)


BAD_PARAMS = [
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (-1,)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (5, 0)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": 0}, "hidden_layer_sizes"),
    ({"activation": "foo"}, "activation"),
    ({"solver": "bar"}, "solver"),
    ({"alpha": -1}, "alpha"),
    ({"learning_rate_init": 0}, "learning_rate_init"),
    ({"batch_size": 0}, "batch_size"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"momentum": 1.5}, "momentum"),
    ({"beta_1": 1.0}, "beta_1"),
    ({"max_iter": 0}, "max_iter"),
    ({"learning_rate": "fast"}, "learning_rate"),
]


@pytest.mark.parametrize(("params", "name"), BAD_PARAMS, ids=[str(p) for p, _ in BAD_PARAMS])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_invalid_parameter_raises_naming_it(Estimator, params, name):
    X, y = data_for(Estimator)
    with pytest.raises(ValueError, match=re.escape(name)):
        Estimator(**params).fit(X, y)


def test_invalid_regressor_loss_raises():
    X, y = regression_data()
    with pytest.raises(ValueError, match="'loss' parameter"):
        NumpyMLPRegressor(loss="pinball").fit(X, y)


def test_poisson_with_negative_y_raises():
    X, y = regression_data()
    for solver in SOLVERS:
        with pytest.raises(ValueError, match="non-negative"):
            NumpyMLPRegressor(loss="poisson", solver=solver).fit(X, y - y.min() - 1)
    with pytest.raises(ValueError, match="non-negative"):
        NumpyMLPRegressor(loss="poisson").partial_fit(X, -np.abs(y))


def test_too_small_early_stopping_validation_set_raises():
    X, y = regression_data(n_samples=10)
    with pytest.raises(ValueError, match="validation set is too small"):
        small(NumpyMLPRegressor, early_stopping=True, validation_fraction=0.1).fit(X, y)


def test_batch_size_larger_than_data_warns_and_is_clipped():
    X, y = regression_data()
    with pytest.warns(UserWarning, match="batch_size=100"):
        est = small(NumpyMLPRegressor, batch_size=100, max_iter=2, solver="sgd")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # 2 epochs on purpose
            est.fit(X, y)
    assert est.t_ == 2 * len(X)


# --------------------------------------------------------------------------- no mutation


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@ignore_convergence
def test_inputs_are_never_mutated_and_readonly_inputs_work(Estimator, solver):
    X, y = data_for(Estimator)
    y = y.astype(float) if Estimator is NumpyMLPRegressor else y  # float y could be a view
    weights = np.random.RandomState(0).uniform(0.5, 2, len(X))
    originals = [a.copy() for a in (X, y, weights)]
    for a in (X, y, weights):
        a.setflags(write=False)

    # Early stopping too: its split must copy, not shuffle the user's arrays in place.
    est = small(
        Estimator,
        solver=solver,
        max_iter=10,
        early_stopping=solver != "lbfgs",
        validation_fraction=0.2,
    )
    est.fit(X, y, sample_weight=weights)
    est.predict(X)
    if Estimator is NumpyMLPClassifier:
        est.predict_proba(X)
        est.predict_log_proba(X)
    est.score(X, y, sample_weight=weights)
    if solver != "lbfgs":
        extra = {"classes": [0, 1]} if Estimator is NumpyMLPClassifier else {}
        incremental = small(Estimator, solver=solver)
        incremental.partial_fit(X, y, sample_weight=weights, **extra)
        incremental.partial_fit(X, y, sample_weight=weights)
    for a, original in zip((X, y, weights), originals):
        assert_array_equal(a, original)


def test_fitted_coefs_do_not_alias_user_arrays():
    # Warm start copies the user's coefs_ into the network: editing them after fit must not
    # change the model behind the user's back, and the model must not write into them.
    X, y = regression_data()
    est = small(NumpyMLPRegressor, solver="lbfgs", max_iter=100, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        user_coefs = [W.copy() for W in est.coefs_]
        est.coefs_ = user_coefs
        kept = [W.copy() for W in user_coefs]
        est.fit(X, y)
    for W, original in zip(user_coefs, kept):
        assert_array_equal(W, original)
    assert all(not np.shares_memory(W, U) for W, U in zip(est.coefs_, user_coefs))


# --------------------------------------------------------------------------- meta-estimators


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_grid_search_over_hidden_layer_sizes(Estimator):
    X, y = data_for(Estimator)
    grid = {"hidden_layer_sizes": [(2,), (10,)]}
    search = GridSearchCV(small(Estimator, solver="lbfgs", max_iter=200), grid, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # some folds hit max_iter
        search.fit(X, y)
    assert search.best_params_["hidden_layer_sizes"] in grid["hidden_layer_sizes"]
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.coefs_[0].shape == (
        4,
        search.best_params_["hidden_layer_sizes"][0],
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pipeline_with_standard_scaler(Estimator):
    X, y = data_for(Estimator)
    X_shifted = X * 100 + 50  # needs the scaler to train well
    pipe = make_pipeline(StandardScaler(), small(Estimator, solver="lbfgs", max_iter=500))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X_shifted, y)
    assert pipe.score(X_shifted, y) > 0.8
    scaled = StandardScaler().fit_transform(X_shifted)
    assert_allclose(pipe.predict(X_shifted), pipe[-1].predict(scaled))


# --------------------------------------------------------------------------- sklearn contrast


def test_sklearn_predict_log_proba_does_give_minus_inf_where_ours_is_finite():
    # The contrast behind test_predict_log_proba_finite_for_extreme_inputs: with the same
    # seed and data, sklearn's classifier saturates and takes log(0).
    X, y = binary_data()
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=300, random_state=0)
    sk = MLPClassifier(**params).fit(X, y)
    with warnings.catch_warnings(), np.errstate(divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        sk_log = sk.predict_log_proba(X * 1e4)
    ours = NumpyMLPClassifier(**params).fit(X, y).predict_log_proba(X * 1e4)
    assert np.isinf(sk_log).any()
    assert np.isfinite(ours).all()
