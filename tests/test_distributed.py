"""Grid search scaled out on dask.distributed gives the same results as on one machine.

A two-worker ``LocalCluster`` on the loopback interface stands in for a real cluster: the
estimators are pickled to worker processes and trained there, exactly as they would be on
remote machines. The search under joblib's ``"dask"`` backend is compared with the same
search under the default (loky) backend, and the workers' BLAS thread pools are checked for
oversubscription.
"""

import os

import joblib
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV

import sknumpy_nn
from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

N_WORKERS = 2

# A handful of Adam epochs: the searches must reproduce each other, not fit well. Both
# backends run the same code on the same folds with one BLAS thread per process, so the
# scores agree to the last bit in practice; the tolerance only leaves room for a BLAS that
# sums in a different order, and is far below any difference between the grid's models.
SCORE_RTOL = 1e-12
SCORE_ATOL = 1e-14

# Five epochs stop short on purpose. scikit-learn's Parallel carries the warning filters into
# the workers, so without this the suite's "error" filter would fail every fit there.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def client():
    # host: scheduler and workers listen on loopback only. The scheduler always serves HTTP
    # (health, metrics) even with dashboard_address=None, then on port 8787, and warns if that
    # port is taken (another cluster on the machine); port 0 picks a free one instead.
    with (
        LocalCluster(
            n_workers=N_WORKERS,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


def regression_data(n_samples=90, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]
    return X, y


def classification_data(n_samples=90, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    return X, y


SEARCHES = {
    "regressor": (NumpyMLPRegressor, regression_data),
    "classifier": (NumpyMLPClassifier, classification_data),
}


def grid_search(estimator_class, n_jobs):
    return GridSearchCV(
        estimator_class(solver="adam", max_iter=5, random_state=0),
        {"hidden_layer_sizes": [(5,), (10,), (5, 5)]},
        cv=3,
        n_jobs=n_jobs,
        error_score="raise",
    )


def _worker_process_facts():
    import threadpoolctl

    return {
        "sknumpy_nn": sknumpy_nn.__file__,
        "blas_threads": [
            pool["num_threads"]
            for pool in threadpoolctl.threadpool_info()
            if pool["user_api"] == "blas"
        ],
    }


def test_workers_import_this_sknumpy_nn(client):
    # Otherwise the comparison below could pit two different versions of the code.
    facts = client.run(_worker_process_facts)
    assert len(facts) == N_WORKERS
    assert {worker["sknumpy_nn"] for worker in facts.values()} == {sknumpy_nn.__file__}


def test_worker_blas_threads_do_not_oversubscribe_the_cores(client):
    # dask's nanny sets OMP/MKL/OPENBLAS_NUM_THREADS=1 in each worker process before it
    # starts (distributed.nanny.pre-spawn-environ), so a worker's BLAS runs single-threaded
    # and its dask threads are the only parallelism.
    facts = client.run(_worker_process_facts)
    for worker in facts.values():
        assert worker["blas_threads"]  # NumPy's BLAS is loaded and was inspected
        assert set(worker["blas_threads"]) == {1}
    busy_threads = sum(
        n_threads * max(facts[address]["blas_threads"])
        for address, n_threads in client.nthreads().items()
    )
    assert busy_threads <= os.cpu_count()


@pytest.mark.parametrize("kind", list(SEARCHES))
def test_grid_search_on_dask_matches_grid_search_on_loky(client, kind):
    estimator_class, make_data = SEARCHES[kind]
    X, y = make_data()

    with get_task_stream(client) as tasks, joblib.parallel_config(backend="dask"):
        on_dask = grid_search(estimator_class, n_jobs=-1).fit(X, y)  # all workers' threads
    with joblib.parallel_config(backend="loky"):
        on_loky = grid_search(estimator_class, n_jobs=N_WORKERS).fit(X, y)

    # The dask search did run on the cluster, on both workers.
    assert {task["worker"] for task in tasks.data} == set(client.nthreads())
    split_scores = [f"split{fold}_test_score" for fold in range(3)]
    for key in ["mean_test_score", "std_test_score", *split_scores]:
        assert_allclose(
            on_dask.cv_results_[key], on_loky.cv_results_[key], rtol=SCORE_RTOL, atol=SCORE_ATOL
        )
    assert on_dask.cv_results_["params"] == on_loky.cv_results_["params"]
    assert_array_equal(
        on_dask.cv_results_["rank_test_score"], on_loky.cv_results_["rank_test_score"]
    )
    assert on_dask.best_params_ == on_loky.best_params_
    # The grid's models differ, so matching scores are not an accident of a flat grid.
    assert len(np.unique(np.round(on_dask.cv_results_["mean_test_score"], 6))) == 3
