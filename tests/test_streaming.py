"""fit_in_chunks: partial_fit over chunks read one at a time (e.g. from a memmap on disk)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor, fit_in_chunks


def on_disk(tmp_path, name, array):
    """A read-only numpy.memmap holding ``array``."""
    path = tmp_path / f"{name}.dat"
    writable = np.memmap(path, dtype=array.dtype, mode="w+", shape=array.shape)
    writable[...] = array
    writable.flush()
    del writable
    return np.memmap(path, dtype=array.dtype, mode="r", shape=array.shape)


def regression(n_samples=2000, seed=0):
    X, y = make_regression(n_samples=n_samples, n_features=6, noise=1.0, random_state=seed)
    return X, y / y.std()


class ChunkSpy:
    """Wraps partial_fit to record the number of rows each call received."""

    def __init__(self, estimator, monkeypatch):
        self.rows = []
        original = estimator.partial_fit

        def spy(X, y, **kwargs):
            self.rows.append(len(X))
            assert isinstance(X, np.ndarray) and not isinstance(X, np.memmap)
            return original(X, y, **kwargs)

        monkeypatch.setattr(estimator, "partial_fit", spy)


def test_memmap_is_read_chunk_by_chunk_and_reaches_the_in_memory_score(tmp_path, monkeypatch):
    X_all, y_all = regression(5000)
    X, y, X_test, y_test = X_all[:4000], y_all[:4000], X_all[4000:], y_all[4000:]
    X_disk, y_disk = on_disk(tmp_path, "X", X), on_disk(tmp_path, "y", y)
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    streamed = NumpyMLPRegressor(**params)
    spy = ChunkSpy(streamed, monkeypatch)
    fit_in_chunks(streamed, X_disk, y_disk, chunk_size=500, epochs=15)
    # Every call saw one chunk, never the whole file.
    assert spy.rows == [500] * 8 * 15
    in_memory = NumpyMLPRegressor(max_iter=15, tol=0.0, **params)
    with pytest.warns(ConvergenceWarning):  # 15 epochs on purpose
        in_memory.fit(X, y)
    assert streamed.score(X_test, y_test) == pytest.approx(
        in_memory.score(X_test, y_test), abs=0.02
    )
    assert streamed.score(X_test, y_test) > 0.95


def test_one_chunk_holding_everything_equals_repeated_partial_fit():
    X, y = regression(600)
    chunked = fit_in_chunks(
        NumpyMLPRegressor(hidden_layer_sizes=(5,), random_state=0), X, y, chunk_size=600, epochs=3
    )
    repeated = NumpyMLPRegressor(hidden_layer_sizes=(5,), random_state=0)
    for _ in range(3):
        repeated.partial_fit(X, y)
    assert chunked.loss_curve_ == repeated.loss_curve_
    for ours, theirs in zip(chunked.coefs_, repeated.coefs_):
        assert_array_equal(ours, theirs)


def test_last_short_chunk_and_sample_weights_are_passed_along(monkeypatch):
    X, y = regression(1050)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(X))
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), random_state=0)
    seen = []
    original = est.partial_fit
    monkeypatch.setattr(
        est,
        "partial_fit",
        lambda X, y, sample_weight=None: (
            seen.append(sample_weight) or original(X, y, sample_weight)
        ),
    )
    fit_in_chunks(est, X, y, chunk_size=500, sample_weight=weights)
    assert [len(w) for w in seen] == [500, 500, 50]
    assert_array_equal(np.concatenate(seen), weights)


def test_classifier_needs_classes_and_accepts_chunks_missing_a_class(tmp_path):
    X, y = make_classification(
        n_samples=900, n_features=5, n_classes=3, n_informative=3, random_state=0
    )
    order = np.argsort(y, kind="stable")  # sorted: the first chunks hold one class only
    X_disk, y_disk = on_disk(tmp_path, "X", X[order]), on_disk(tmp_path, "y", y[order])
    clf = NumpyMLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    with pytest.raises(ValueError, match="classes="):
        fit_in_chunks(clf, X_disk, y_disk, chunk_size=100)
    fit_in_chunks(clf, X_disk, y_disk, chunk_size=100, classes=np.unique(y), epochs=3)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (900, 3)


def test_the_data_on_disk_is_left_untouched(tmp_path):
    X, y = regression(300)
    X_disk, y_disk = on_disk(tmp_path, "X", X), on_disk(tmp_path, "y", y)
    fit_in_chunks(NumpyMLPRegressor(hidden_layer_sizes=(4,)), X_disk, y_disk, chunk_size=64)
    assert_array_equal(X_disk, X)
    assert_array_equal(y_disk, y)


def test_verbose_prints_the_training_log_header_once_and_a_row_per_chunk(capsys):
    X, y = regression(400)
    est = NumpyMLPRegressor(hidden_layer_sizes=(4,), verbose=1, random_state=0)
    fit_in_chunks(est, X, y, chunk_size=100, epochs=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert sum("train loss" in line for line in lines) == 1
    assert len(lines) == 1 + 8


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(chunk_size=0), "chunk_size"),
        (dict(chunk_size=10, epochs=0), "epochs"),
        (dict(chunk_size=2.5), "chunk_size"),
    ],
)
def test_bad_arguments_raise_a_clear_error(kwargs, message):
    X, y = regression(50)
    with pytest.raises(ValueError, match=message):
        fit_in_chunks(NumpyMLPRegressor(), X, y, **kwargs)


def test_mismatched_lengths_and_lbfgs_raise():
    X, y = regression(50)
    with pytest.raises(ValueError, match="y has 49"):
        fit_in_chunks(NumpyMLPRegressor(), X, y[:49], chunk_size=10)
    with pytest.raises(ValueError, match="partial_fit"):
        fit_in_chunks(NumpyMLPRegressor(solver="lbfgs"), X, y, chunk_size=10)


class CountingCallback:
    """Counts setup/teardown and the chunk tasks; asks to stop after `stop_after` chunks."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.setups = self.teardowns = 0
        self.chunks = []

    def setup(self, estimator, context):
        self.setups += 1

    def teardown(self, estimator, context):
        self.teardowns += 1

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, X=None):
        if context.task_name != "chunk":
            return False
        self.chunks.append(len(X))
        return self.stop_after is not None and len(self.chunks) >= self.stop_after


def test_callbacks_see_one_task_per_chunk_set_up_and_torn_down_once():
    X, y = regression(1000)
    callback = CountingCallback()
    est = NumpyMLPRegressor(hidden_layer_sizes=(4,), random_state=0).set_callbacks(callback)
    fit_in_chunks(est, X, y, chunk_size=300, epochs=2)
    assert callback.chunks == [300, 300, 300, 100] * 2
    assert (callback.setups, callback.teardowns) == (1, 1)


def test_a_callback_can_stop_chunked_training():
    X, y = regression(1000)
    callback = CountingCallback(stop_after=3)
    est = NumpyMLPRegressor(hidden_layer_sizes=(4,), random_state=0).set_callbacks(callback)
    fit_in_chunks(est, X, y, chunk_size=100, epochs=5)
    assert len(est.loss_curve_) == 3
    assert callback.teardowns == 1


def test_progress_bar_shows_chunked_training_without_changing_it():
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = regression(600)
    plain = fit_in_chunks(
        NumpyMLPRegressor(hidden_layer_sizes=(4,), random_state=0), X, y, chunk_size=200
    )
    shown = NumpyMLPRegressor(hidden_layer_sizes=(4,), random_state=0)
    fit_in_chunks(shown.set_callbacks(ProgressBar()), X, y, chunk_size=200)
    assert shown.loss_curve_ == plain.loss_curve_
