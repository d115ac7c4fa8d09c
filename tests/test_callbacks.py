"""scikit-learn's callback API (sklearn.callback): one task per epoch, stop on request."""

import numpy as np
import pytest
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

# Short fixed budgets on purpose; the ConvergenceWarning says nothing about callbacks.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def regression_data(n_samples=120, seed=0):
    X, y = make_regression(n_samples=n_samples, n_features=4, noise=1.0, random_state=seed)
    return X, y / np.std(y)


class StopAfter:
    """A minimal FitCallback that asks to stop once `n_epochs` epoch tasks have ended."""

    def __init__(self, n_epochs):
        self.n_epochs = n_epochs
        self.ended = []

    def setup(self, estimator, context):
        self.ended = []

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.parent is None:
            return False
        self.ended.append(context.task_name)
        return len(self.ended) >= self.n_epochs


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_callback_asking_to_stop_ends_training_after_that_epoch(solver):
    X, y = regression_data()
    callback = StopAfter(3)
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), solver=solver, max_iter=50, random_state=0)
    est.set_callbacks(callback).fit(X, y)
    assert est.n_iter_ == 3
    assert len(est.loss_curve_) == 3
    assert callback.ended == ["epoch"] * 3


def test_lbfgs_reports_one_task_per_iteration_and_stops_on_request():
    X, y = regression_data()
    callback = StopAfter(4)
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=50, random_state=0)
    est.set_callbacks(callback).fit(X, y)
    assert est.n_iter_ == 4
    assert callback.ended[:4] == ["iteration"] * 4


def _epoch_rows(monitor, score_name):
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    return [row[score_name] for row in rows]


def test_scoring_monitor_records_each_epoch_on_the_training_data():
    X, y = regression_data()
    monitor = ScoringMonitor(scoring="r2")
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), max_iter=8, random_state=0)
    est.set_callbacks(monitor).fit(X, y)
    scores = _epoch_rows(monitor, "r2")
    assert len(scores) == est.n_iter_ == 8
    # The last epoch's weights are the fitted ones.
    assert scores[-1] == pytest.approx(est.score(X, y), rel=1e-12)
    assert scores[-1] > scores[0]


def test_scoring_monitor_scores_the_validation_split_with_early_stopping():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    monitor = ScoringMonitor(scoring="accuracy")
    est = NumpyMLPClassifier(
        hidden_layer_sizes=(5,),
        early_stopping=True,
        max_iter=6,
        n_iter_no_change=100,
        random_state=0,
    )
    est.set_callbacks(monitor).fit(X, y)
    scores = _epoch_rows(monitor, "accuracy")
    assert scores == pytest.approx(est.validation_scores_, rel=1e-12)


def test_scoring_monitor_works_inside_grid_search():
    X, y = regression_data()
    monitor = ScoringMonitor(scoring="r2")
    est = NumpyMLPRegressor(max_iter=3, random_state=0).set_callbacks(monitor)
    GridSearchCV(est, {"hidden_layer_sizes": [(3,), (6,)]}, cv=2).fit(X, y)
    rows = [row for run in monitor.get_logs(select="all") for row in run.data]
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    # 2 candidates x 2 folds + the refit, 3 epochs each.
    assert len(epochs) == (2 * 2 + 1) * 3


def test_progress_bar_runs_and_leaves_the_model_unchanged(capsys):
    pytest.importorskip("rich")
    X, y = regression_data()
    plain = NumpyMLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y)
    with_bar = NumpyMLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with_bar.set_callbacks(ProgressBar()).fit(X, y)
    assert with_bar.loss_curve_ == plain.loss_curve_
    for ours, theirs in zip(with_bar.coefs_, plain.coefs_):
        np.testing.assert_array_equal(ours, theirs)


def test_minimum_scikit_learn_declared_is_one_with_the_callback_api():
    # The callback API arrived in scikit-learn 1.9; pyproject.toml must not allow older.
    import tomllib
    from pathlib import Path

    import sklearn
    import sklearn.callback
    from packaging.requirements import Requirement
    from packaging.version import Version

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    (requirement,) = [Requirement(d) for d in dependencies if d.startswith("scikit-learn")]
    assert not requirement.specifier.contains("1.8.99")
    assert requirement.specifier.contains(sklearn.__version__)
    assert Version(sklearn.__version__) >= Version("1.9")
    assert hasattr(sklearn.callback, "CallbackSupportMixin")
