"""Training parity with scikit-learn 1.9.1's MLP: same data, parameters and seed, same model.

Each test fits ``NumpyMLPRegressor``/``NumpyMLPClassifier`` and sklearn's ``MLPRegressor``/
``MLPClassifier`` side by side and checks what a user sees: the same ``loss_curve_``, the
same number of epochs, the same validation scores and the same final weights. That holds
only if everything matches -- initial weights, early-stopping split, every epoch's shuffle,
the gradients, the optimizer steps, the learning-rate schedule and the stopping rule -- so
one wrong random draw or one misplaced factor fails these tests.

The two implementations sum in different orders (sklearn scales the gradient by the sample
weights after the matrix product, we before it), so results agree to rounding, not bit for
bit: ``RTOL`` leaves orders of magnitude of room above the differences seen here (loss
curves ~1e-15 relative, weights ~1e-12, weights after 30 L-BFGS iterations ~1e-10) while
still catching any real change.

Deliberate differences are left out: a multiclass early-stopping split is stratified here but
not in sklearn, and multi-output squared error reports a different ``loss_`` (see
docs/differences.md).
"""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_limits

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

# Runs of a few dozen epochs on purpose end before convergence; sklearn warns about that, and
# the pytest configuration turns warnings into errors.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def single_threaded_blas():
    # sklearn's L-BFGS fits run scipy's and NumPy's BLAS thread pools against each other
    # (ours holds scipy's to one thread), up to 20 times slower on two cores; one BLAS
    # thread keeps the comparison fast and changes no result beyond rounding.
    with threadpool_limits(limits=1, user_api="blas"):
        yield


RTOL = 1e-6
# Weights and outputs are O(0.01..1) and differ by ~1e-15 absolute through rounding; one that
# happens to sit near zero carries that absolute error, which relative tolerance alone would
# blow up. 1e-9 is far below any difference a real bug makes.
ATOL = 1e-9

N_SAMPLES = 200
_rng = np.random.RandomState(0)
X_REG, _y = make_regression(
    n_samples=N_SAMPLES, n_features=5, n_informative=4, noise=5.0, random_state=0
)
# Targets of order 1, so SGD at learning_rate_init=0.05 neither crawls nor diverges.
Y_REG = _y / 100
# Non-negative counts with a log-linear mean, for loss="poisson".
Y_POISSON = _rng.poisson(np.exp(0.5 * X_REG[:, 0] + 0.3 * X_REG[:, 1])).astype(float)
X_BIN, Y_BIN = make_classification(
    n_samples=N_SAMPLES, n_features=5, n_informative=3, n_redundant=1, random_state=0
)
X_MULTI, Y_MULTI = make_classification(
    n_samples=N_SAMPLES,
    n_features=5,
    n_informative=3,
    n_redundant=1,
    n_classes=3,
    n_clusters_per_class=1,
    random_state=0,
)
# Positive, clearly unequal weights: a weight dropped or applied twice changes every gradient.
SAMPLE_WEIGHT = _rng.uniform(0.5, 2.0, N_SAMPLES)

TASKS = {
    # name: (ours, sklearn's, X, y, extra constructor parameters)
    "regression": (NumpyMLPRegressor, MLPRegressor, X_REG, Y_REG, {}),
    "poisson": (NumpyMLPRegressor, MLPRegressor, X_REG, Y_POISSON, {"loss": "poisson"}),
    "binary": (NumpyMLPClassifier, MLPClassifier, X_BIN, Y_BIN, {}),
    "multiclass": (NumpyMLPClassifier, MLPClassifier, X_MULTI, Y_MULTI, {}),
}

# batch_size=32 splits 200 samples (180 after the early-stopping split) into several
# minibatches with a ragged last one, so every epoch's shuffle decides which rows meet.
# tol and n_iter_no_change are set so plateaus do happen within max_iter: runs stop early,
# the adaptive schedule divides its step, and early stopping restores an earlier epoch.
STOCHASTIC = dict(
    hidden_layer_sizes=(10,),
    batch_size=32,
    max_iter=30,
    tol=1e-3,
    n_iter_no_change=3,
    random_state=0,
)
SGD = dict(STOCHASTIC, solver="sgd", learning_rate_init=0.05, power_t=0.25)
ADAM = dict(STOCHASTIC, solver="adam", learning_rate_init=0.01)
# L-BFGS magnifies last-bit gradient differences as it goes (to ~1e-6 by iteration 50 for
# some (8, 6) networks); 30 iterations of a (10,) network stay below 1e-11.
LBFGS = dict(hidden_layer_sizes=(10,), solver="lbfgs", max_iter=30, random_state=0)


def make_pair(task, **params):
    """Our estimator and sklearn's, unfitted, with the same parameters."""
    ours, theirs, _, _, extra = TASKS[task]
    return ours(**extra, **params), theirs(**extra, **params)


def fit_pair(task, weighted=False, **params):
    """Both estimators fitted on the task's data (with SAMPLE_WEIGHT when ``weighted``)."""
    _, _, X, y, _ = TASKS[task]
    sample_weight = SAMPLE_WEIGHT if weighted else None
    ours, theirs = make_pair(task, **params)
    ours.fit(X, y, sample_weight=sample_weight)
    theirs.fit(X, y, sample_weight=sample_weight)
    return ours, theirs


def assert_same_weights(ours, theirs):
    assert len(ours.coefs_) == len(theirs.coefs_)
    for mine, reference in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert mine.shape == reference.shape
        assert_allclose(mine, reference, rtol=RTOL, atol=ATOL)


def assert_same_training(ours, theirs):
    """Same epochs, loss curve, stopping state, validation scores and final weights."""
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=RTOL)
    if theirs.validation_scores_ is None:
        assert ours.validation_scores_ is None
        assert ours.best_validation_score_ is None
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=RTOL)
    else:
        assert len(ours.validation_scores_) == len(theirs.validation_scores_) == theirs.n_iter_
        assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=RTOL)
        assert ours.best_validation_score_ == pytest.approx(
            theirs.best_validation_score_, rel=RTOL
        )
        assert ours.best_loss_ is None
    assert_same_weights(ours, theirs)


def _ids(name, values):
    return [f"{name}={value}" for value in values]


SGD_SCHEDULES = list(
    itertools.product(["constant", "invscaling", "adaptive"], [0.0, 0.9], [False, True])
)


@pytest.mark.parametrize("early_stopping", [False, True], ids=_ids("early_stopping", [0, 1]))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    "learning_rate, momentum, nesterovs_momentum",
    SGD_SCHEDULES,
    ids=[f"{lr}-momentum={m}-nesterov={int(n)}" for lr, m, n in SGD_SCHEDULES],
)
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_sgd_loss_curve_matches_sklearn(
    task, learning_rate, momentum, nesterovs_momentum, weighted, early_stopping
):
    ours, theirs = fit_pair(
        task,
        weighted,
        **SGD,
        learning_rate=learning_rate,
        momentum=momentum,
        nesterovs_momentum=nesterovs_momentum,
        early_stopping=early_stopping,
    )
    # A run of one or two epochs would compare almost nothing.
    assert theirs.n_iter_ >= 5
    assert_same_training(ours, theirs)


@pytest.mark.parametrize("early_stopping", [False, True], ids=_ids("early_stopping", [0, 1]))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_adam_loss_curve_matches_sklearn(task, weighted, early_stopping):
    ours, theirs = fit_pair(task, weighted, **ADAM, early_stopping=early_stopping)
    assert theirs.n_iter_ >= 5
    assert_same_training(ours, theirs)


@pytest.mark.parametrize("early_stopping", [False, True], ids=_ids("early_stopping", [0, 1]))
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_adaptive_sgd_divides_the_learning_rate_at_the_same_epochs_as_sklearn(
    task, early_stopping, capsys
):
    # The verbose log is the public trace of the schedule: each plateau prints the new step
    # size. Epoch lines are left out (ours also print the epoch's duration).
    ours, theirs = make_pair(
        task, **SGD, learning_rate="adaptive", early_stopping=early_stopping, verbose=True
    )
    _, _, X, y, _ = TASKS[task]
    logs = []
    for estimator in (ours, theirs):
        estimator.fit(X, y)
        lines = capsys.readouterr().out.splitlines()
        logs.append([line for line in lines if "did not improve" in line])
    ours_log, theirs_log = logs
    assert any("Setting learning rate to" in line for line in theirs_log)
    assert ours_log == theirs_log
    assert_same_training(ours, theirs)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_early_stopping_stops_at_sklearns_epoch_and_restores_its_best_weights(task, solver):
    # tol=0: the run stops after n_iter_no_change + 1 epochs that all score below the best,
    # so the weights kept are an earlier epoch's, restored at the end.
    params = dict(SGD if solver == "sgd" else ADAM, max_iter=100, tol=0.0)
    ours, theirs = fit_pair(task, **params, early_stopping=True)
    # Preconditions: the run did stop early, after its best epoch.
    assert theirs.n_iter_ < 100
    assert theirs.validation_scores_[-1] < theirs.best_validation_score_
    assert_same_training(ours, theirs)
    _, _, X, _, _ = TASKS[task]
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_multiclass_loss_curve_matches_sklearn(solver, weighted):
    params = SGD if solver == "sgd" else ADAM
    ours, theirs = fit_pair("multiclass", weighted, **params)
    assert theirs.n_iter_ >= 5
    assert_same_training(ours, theirs)
    assert_allclose(ours.predict_proba(X_MULTI), theirs.predict_proba(X_MULTI), atol=ATOL)


@pytest.mark.parametrize("early_stopping", [False, True], ids=_ids("early_stopping", [0, 1]))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_poisson_loss_curve_matches_sklearn(solver, weighted, early_stopping):
    # A smaller SGD step: the exponential output makes large counts steep.
    params = dict(SGD, learning_rate_init=0.01) if solver == "sgd" else ADAM
    ours, theirs = fit_pair("poisson", weighted, **params, early_stopping=early_stopping)
    assert theirs.n_iter_ >= 5
    assert_same_training(ours, theirs)
    assert_allclose(ours.predict(X_REG), theirs.predict(X_REG), rtol=RTOL)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_each_activation_gives_sklearns_loss_curve(task, activation):
    # Two hidden layers, so the activation's derivative is back-propagated through a hidden
    # layer, and logistic's smaller initialisation bound is exercised too.
    params = dict(ADAM, hidden_layer_sizes=(8, 6), activation=activation)
    ours, theirs = fit_pair(task, **params)
    assert theirs.n_iter_ >= 5
    assert_same_training(ours, theirs)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("task", ["regression", "poisson", "binary", "multiclass"])
def test_lbfgs_weights_and_predictions_match_sklearn(task, weighted):
    ours, theirs = fit_pair(task, weighted, **LBFGS)
    _, _, X, _, _ = TASKS[task]
    assert theirs.n_iter_ == LBFGS["max_iter"]  # ran the whole budget, no early convergence
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=RTOL)
    assert_same_weights(ours, theirs)
    if task in ("regression", "poisson"):
        assert_allclose(ours.predict(X), theirs.predict(X), rtol=RTOL, atol=ATOL)
    else:
        assert_array_equal(ours.predict(X), theirs.predict(X))
        # Near-certain predictions leave a tiny class probability that sklearn computes as
        # 1 - p (exactly 0 or a few digits) and we from the logit: compare those absolutely.
        assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL, atol=ATOL)


def _chunks(n_samples, n_chunks):
    return np.array_split(np.arange(n_samples), n_chunks)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_regressor_loss_curve_matches_sklearn(solver, weighted):
    # invscaling: the step size depends on t_, which must carry over between calls, as
    # Adam's moment estimates and step count must.
    params = dict(SGD, learning_rate="invscaling") if solver == "sgd" else ADAM
    ours, theirs = make_pair("regression", **params)
    # Two passes over four chunks: eight calls, each one epoch on its chunk.
    for rows in _chunks(N_SAMPLES, 4) * 2:
        weights = SAMPLE_WEIGHT[rows] if weighted else None
        ours.partial_fit(X_REG[rows], Y_REG[rows], sample_weight=weights)
        theirs.partial_fit(X_REG[rows], Y_REG[rows], sample_weight=weights)
    assert len(theirs.loss_curve_) == 8
    assert_same_training(ours, theirs)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_partial_fit_classifier_loss_curve_matches_sklearn(task, solver):
    params = dict(SGD, learning_rate="invscaling") if solver == "sgd" else ADAM
    ours, theirs = make_pair(task, **params)
    _, _, X, y, _ = TASKS[task]
    classes = np.unique(y)
    # The first chunk holds a single class: `classes=` alone must fix the output layer. (It
    # has more rows than batch_size: a smaller chunk makes both libraries warn.)
    order = np.argsort(y, kind="stable")
    first, rest = order[:40], np.sort(order[40:])
    assert len(np.unique(y[first])) == 1
    for rows in [first, *np.array_split(rest, 3)]:
        ours.partial_fit(X[rows], y[rows], classes=classes)
        theirs.partial_fit(X[rows], y[rows], classes=classes)
    assert len(theirs.loss_curve_) == 4
    assert_same_training(ours, theirs)
    assert_array_equal(ours.classes_, theirs.classes_)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_after_fit_continues_like_sklearn(solver):
    # partial_fit after fit keeps fit's optimizer state (momentum, Adam's moments).
    params = dict(SGD if solver == "sgd" else ADAM, max_iter=10, n_iter_no_change=100)
    ours, theirs = fit_pair("regression", **params)
    for rows in _chunks(N_SAMPLES, 3):
        ours.partial_fit(X_REG[rows], Y_REG[rows])
        theirs.partial_fit(X_REG[rows], Y_REG[rows])
    assert len(theirs.loss_curve_) == 13
    assert_same_training(ours, theirs)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_warm_start_second_fit_matches_sklearn(task, solver):
    params = dict(SGD if solver == "sgd" else ADAM, warm_start=True, n_iter_no_change=100)
    _, _, X, y, _ = TASKS[task]
    ours, theirs = make_pair(task, **dict(params, max_iter=10))
    for estimator in (ours, theirs):
        estimator.fit(X, y)
        # The second fit continues from the first one's weights, on part of the data.
        estimator.set_params(max_iter=15).fit(X[:150], y[:150])
    assert theirs.n_iter_ == 15
    assert len(theirs.loss_curve_) == 25  # the curve goes on across warm-started fits
    assert_same_training(ours, theirs)


@pytest.mark.parametrize("task", ["regression", "multiclass"])
def test_lbfgs_warm_start_second_fit_matches_sklearn(task):
    params = dict(LBFGS, max_iter=15, warm_start=True)
    _, _, X, y, _ = TASKS[task]
    ours, theirs = make_pair(task, **params)
    for estimator in (ours, theirs):
        estimator.fit(X, y)
        estimator.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 15
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=RTOL)
    assert_same_weights(ours, theirs)
    # The second fit really continued: a single fit of 15 iterations is somewhere else.
    fresh, _ = make_pair(task, **dict(params, warm_start=False))
    assert fresh.fit(X, y).loss_ > theirs.loss_ * (1 + 1e-3)
