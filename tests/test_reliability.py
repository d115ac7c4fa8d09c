"""Reliability: extreme scales, determinism, concurrent predict, bounded predict memory."""

import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from threadpoolctl import threadpool_limits

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor, _network

# Short fixed budgets on purpose; the ConvergenceWarning says nothing about these properties.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def regression(n_samples=200, seed=0):
    X, y = make_regression(n_samples=n_samples, n_features=5, noise=1.0, random_state=seed)
    return X, y / y.std()


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_huge_inputs_and_targets_train_without_any_warning(solver):
    # Warnings are errors in this suite: overflow in exp, softmax or the loss would fail here.
    X, y = regression()
    est = NumpyMLPRegressor(hidden_layer_sizes=(8,), solver=solver, max_iter=20, random_state=0)
    est.fit(X * 1e6, y * 1e6)
    assert np.isfinite(est.predict(X * 1e6)).all()
    Xc, yc = make_classification(
        n_samples=200, n_features=5, n_classes=3, n_informative=3, random_state=0
    )
    clf = NumpyMLPClassifier(hidden_layer_sizes=(8,), solver=solver, max_iter=20, random_state=0)
    clf.fit(Xc * 1e6, yc)
    proba = clf.predict_proba(Xc * 1e6)
    assert np.isfinite(proba).all() and np.isfinite(clf.predict_log_proba(Xc * 1e6)).all()


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam", shuffle=True),
        dict(solver="sgd", early_stopping=True, n_iter_no_change=100),
        dict(solver="adam", dropout=0.3),
    ],
)
def test_same_random_state_gives_bitwise_identical_weights(params):
    X, y = regression()
    first = NumpyMLPRegressor(hidden_layer_sizes=(8, 4), max_iter=15, random_state=3, **params)
    second = NumpyMLPRegressor(hidden_layer_sizes=(8, 4), max_iter=15, random_state=3, **params)
    first.fit(X, y), second.fit(X, y)
    assert first.loss_curve_ == second.loss_curve_
    for ours, theirs in zip(first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_):
        assert_array_equal(ours, theirs)


def test_blas_thread_count_changes_results_only_by_rounding():
    # One BLAS thread and the default may sum the products in other orders: the weights
    # after a short adam run agree to rounding (documented tolerance: rtol 1e-9).
    X, y = regression(600)
    est = dict(hidden_layer_sizes=(64, 64), max_iter=5, random_state=0)
    default = NumpyMLPRegressor(**est).fit(X, y)
    with threadpool_limits(limits=1, user_api="blas"):
        single = NumpyMLPRegressor(**est).fit(X, y)
    assert_allclose(single.loss_curve_, default.loss_curve_, rtol=1e-9)
    for ours, theirs in zip(single.coefs_, default.coefs_):
        assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_predict_from_many_threads_equals_sequential_predict():
    X, y = make_classification(
        n_samples=400, n_features=6, n_classes=3, n_informative=4, random_state=0
    )
    clf = NumpyMLPClassifier(hidden_layer_sizes=(16,), max_iter=30, random_state=0).fit(X, y)
    parts = [X[i::8] for i in range(8)]
    expected = [clf.predict_proba(part) for part in parts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            results = list(pool.map(clf.predict_proba, parts))
            for got, want in zip(results, expected):
                assert_array_equal(got, want)


def test_predict_on_many_rows_works_in_bounded_memory(monkeypatch):
    # The hidden activations of all rows at once would be n_rows x 512 x 8 bytes (160 MiB
    # here); predict works through row blocks, so its peak stays far below that.
    monkeypatch.setattr(_network, "PREDICT_BLOCK_ROWS", 1024)
    X, y = regression(50)
    est = NumpyMLPRegressor(hidden_layer_sizes=(512,), max_iter=2, random_state=0).fit(X, y)
    X_big = np.random.RandomState(0).normal(size=(40000, 5))
    full_activations = X_big.shape[0] * 512 * 8
    tracemalloc.start()
    predictions = est.predict(X_big)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < full_activations / 10
    # Blocks change nothing: the same rows predicted at once give the same values.
    monkeypatch.setattr(_network, "PREDICT_BLOCK_ROWS", 10**9)
    assert_allclose(predictions, est.predict(X_big), rtol=1e-12, atol=1e-12)


def test_predict_raises_when_the_output_overflows():
    # sklearn's MLP returns inf (or NaN) with NumPy's RuntimeWarning; ours names the rows.
    X, y = regression()
    est = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, y)
    X_far = X[:6].copy()
    X_far[[2, 4]] = np.finfo(np.float64).max
    with pytest.raises(
        ValueError, match=r"non-finite.*on 2 of the 6 rows of X \(the first is row 2\)"
    ):
        est.predict(X_far)
    assert np.isfinite(est.predict(X[:6])).all()
    clf = NumpyMLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    clf.fit(X, y > 0)
    for method in (clf.predict, clf.predict_proba, clf.predict_log_proba):
        with pytest.raises(ValueError, match="Scale X as the training data was scaled"):
            method(X_far)


def _with_infinities(dtype):
    """A (6, 2) array of ``dtype`` holding both inf and -inf: float16 values beyond its range."""
    values = np.random.RandomState(0).normal(size=(6, 2)) * 1e5
    with np.errstate(over="ignore"):  # making the bad input is not what is tested
        X = values.astype(dtype)
    if dtype != np.float16:
        X[0, 0], X[1, 1] = np.inf, -np.inf
    assert np.isposinf(X).any() and np.isneginf(X).any()
    return X


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("Estimator", [NumpyMLPRegressor, NumpyMLPClassifier])
def test_infinite_input_raises_a_clear_error_and_no_warning_first(Estimator, dtype):
    # scikit-learn's finiteness check sums the array first, which warns "invalid value
    # encountered in reduce" for inf + -inf (its MLP lets that out before the error).
    X_bad = _with_infinities(dtype)
    X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1, 0, 1, 0, 1])
    est = Estimator(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        est.fit(X_bad, y)
    est.fit(X, y)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        est.predict(X_bad)
    with pytest.raises(ValueError, match="Invalid validation data.*infinity"):
        est.fit(X, y, X_val=X_bad, y_val=y)
    with pytest.raises(ValueError, match="infinity"):
        est.fit(X, y, sample_weight=np.array([np.inf, -np.inf, 1, 1, 1, 1]))


def test_targets_beyond_float32_for_a_float32_model_raise_a_clear_error():
    # A float32 X makes a float32 model, whose targets are cast to float32: 1e50 would
    # become inf (with NumPy's overflow warning). Found by the property tests.
    X = np.random.RandomState(0).normal(size=(6, 2)).astype(np.float32)
    y = np.array([1e50, 1.0, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match="beyond the range of float32.*give X as float64"):
        NumpyMLPRegressor(max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        NumpyMLPRegressor(max_iter=5).fit(X, y / 1e50, X_val=X, y_val=y)
    assert np.isfinite(NumpyMLPRegressor(max_iter=5).fit(X.astype(np.float64), y).loss_)
