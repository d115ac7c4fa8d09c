"""An explicit validation set: ``fit(X, y, X_val=..., y_val=..., sample_weight_val=...)``.

Early stopping on it, scores and losses recorded after every epoch (and every L-BFGS
iteration) with or without early stopping, the bad-input cases, and metadata routing
through GridSearchCV and a Pipeline that scales the validation data.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.metrics import log_loss, r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network._multilayer_perceptron import _pack
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def regression_data(n_samples, seed, noise=0.0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2] + noise * rng.normal(size=n_samples)
    return X, y


def classification_data(n_samples, seed, labels=("a", "b", "c")):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = np.asarray(labels)[np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])]
    return X, y


def noisy_regression():
    """40 noisy training rows and 30 clean validation rows: a wide network overfits."""
    return (*regression_data(40, seed=0, noise=0.5), *regression_data(30, seed=1))


def overfitting(**params):
    params = {"hidden_layer_sizes": (50,), "learning_rate_init": 0.05, "random_state": 0, **params}
    return NumpyMLPRegressor(**params)


def params_of(est):
    return _pack(est.coefs_, est.intercepts_)


def hand_loss(est, X_val, y_val, sample_weight_val=None):
    """The validation loss recomputed from predictions, without the network core."""
    if isinstance(est, NumpyMLPRegressor):
        return 0.5 * np.average((est.predict(X_val) - y_val) ** 2, weights=sample_weight_val)
    return log_loss(y_val, est.predict_proba(X_val), sample_weight=sample_weight_val)


# --------------------------------------------------------------------------- early stopping


def test_x_val_changes_where_early_stopping_stops_and_restores_its_best_epoch():
    X, y, X_val, y_val = noisy_regression()
    split = overfitting(early_stopping=True, max_iter=300).fit(X, y)
    given = overfitting(early_stopping=True, max_iter=300).fit(X, y, X_val=X_val, y_val=y_val)

    assert given.n_iter_ != split.n_iter_
    assert given.n_iter_ < 300
    assert given.t_ == given.n_iter_ * len(X)  # every row trained on: nothing split off
    scores = given.validation_scores_
    assert len(scores) == len(given.validation_loss_curve_) == given.n_iter_
    best = int(np.argmax(scores))
    assert best <= given.n_iter_ - 1 - (given.n_iter_no_change + 1)  # stopped after patience
    # The restored weights are the best epoch's: they score and lose exactly that on X_val.
    assert given.score(X_val, y_val) == pytest.approx(given.best_validation_score_) == scores[best]
    assert hand_loss(given, X_val, y_val) == pytest.approx(given.validation_loss_curve_[best])
    assert given.best_loss_ is None


@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("Estimator", [NumpyMLPRegressor, NumpyMLPClassifier])
def test_each_epochs_score_and_loss_are_those_of_its_weights(Estimator, solver):
    # A warm-started fit of one epoch at a time appends one entry per call, each of which
    # must be the score and loss of the weights the call ended with.
    make = regression_data if Estimator is NumpyMLPRegressor else classification_data
    X, y = make(60, seed=0)
    X_val, y_val = make(25, seed=1)
    weights = np.random.RandomState(2).uniform(0.5, 2.0, size=len(X_val))
    est = Estimator(
        hidden_layer_sizes=(8,), solver=solver, learning_rate_init=0.05, max_iter=1
    ).set_params(warm_start=True, random_state=0)
    for epoch in range(1, 6):
        est.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=weights)
        assert len(est.validation_scores_) == len(est.validation_loss_curve_) == epoch
        score = est.score(X_val, y_val, sample_weight=weights)
        assert est.validation_scores_[-1] == pytest.approx(score, rel=1e-12)
        loss = hand_loss(est, X_val, y_val, weights)
        assert est.validation_loss_curve_[-1] == pytest.approx(loss, rel=1e-10)
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize("Estimator", [NumpyMLPRegressor, NumpyMLPClassifier])
def test_validation_loss_has_no_l2_penalty(Estimator):
    make = regression_data if Estimator is NumpyMLPRegressor else classification_data
    X, y = make(60, seed=0)
    X_val, y_val = make(25, seed=1)
    est = Estimator(hidden_layer_sizes=(8,), solver="lbfgs", alpha=10.0, random_state=0)
    est.fit(X, y, X_val=X_val, y_val=y_val)
    assert est.validation_loss_curve_[-1] == pytest.approx(hand_loss(est, X_val, y_val))
    # The training loss carries the (large) penalty; on the training data without it, the
    # same recomputation comes out well below.
    assert est.loss_ > 1.2 * hand_loss(est, X, y)


def test_split_off_validation_data_records_its_loss_too():
    X, y = regression_data(80, seed=0)
    params = dict(hidden_layer_sizes=(5,), learning_rate_init=0.01, random_state=0)
    est = NumpyMLPRegressor(early_stopping=True, validation_fraction=0.2, max_iter=300, **params)
    est.fit(X, y)
    rng = np.random.RandomState(0)
    for W, b in zip(est.coefs_, est.intercepts_):  # the weights are drawn before the split
        rng.uniform(size=W.shape)
        rng.uniform(size=b.shape)
    _, X_val, _, y_val = train_test_split(X, y, random_state=rng, test_size=0.2)

    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == est.n_iter_
    best = int(np.argmax(est.validation_scores_))
    assert est.validation_loss_curve_[best] == pytest.approx(hand_loss(est, X_val, y_val))
    assert r2_score(y_val, est.predict(X_val)) == pytest.approx(est.best_validation_score_)


@ignore_convergence
@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
def test_no_validation_data_means_no_validation_records(solver):
    X, y = regression_data(40, seed=0)
    # lbfgs ignores early_stopping (as sklearn's does): no split, so nothing to record.
    est = NumpyMLPRegressor(solver=solver, early_stopping=solver == "lbfgs", max_iter=20)
    est.fit(X, y)
    assert est.validation_loss_curve_ is None
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None


# --------------------------------------------------------------------------- recording only


@ignore_convergence
def test_recording_without_early_stopping_never_stops_and_keeps_the_last_weights():
    X, y, X_val, y_val = noisy_regression()
    params = dict(max_iter=150, tol=0.0, n_iter_no_change=1000)
    plain = overfitting(**params).fit(X, y)
    recorded = overfitting(**params).fit(X, y, X_val=X_val, y_val=y_val)

    scores = recorded.validation_scores_
    assert len(scores) == len(recorded.validation_loss_curve_) == recorded.n_iter_ == 150
    assert np.argmax(scores) < 50  # the validation score peaked early and fell for 100 epochs
    assert recorded.best_validation_score_ == max(scores) > scores[-1] + 0.1
    # The same training as without validation data; the last weights, not the best, kept.
    assert_array_equal(recorded.loss_curve_, plain.loss_curve_)
    assert_array_equal(params_of(recorded), params_of(plain))
    assert recorded.score(X_val, y_val) == pytest.approx(scores[-1])
    assert recorded.best_loss_ == min(recorded.loss_curve_)


@pytest.mark.parametrize("Estimator", [NumpyMLPRegressor, NumpyMLPClassifier])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_lbfgs_records_every_iteration_and_ignores_early_stopping(Estimator, early_stopping):
    make = regression_data if Estimator is NumpyMLPRegressor else classification_data
    X, y = make(60, seed=0)
    X_val, y_val = make(25, seed=1)
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=300, random_state=0)
    plain = Estimator(**params).fit(X, y)
    est = Estimator(early_stopping=early_stopping, **params)
    est.fit(X, y, X_val=X_val, y_val=y_val)

    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == est.n_iter_
    assert est.n_iter_ == plain.n_iter_ > 10
    assert_array_equal(est.coefs_[0], plain.coefs_[0])  # scored, never stopped or restored
    assert est.validation_scores_[-1] == pytest.approx(est.score(X_val, y_val))
    assert est.validation_loss_curve_[-1] == pytest.approx(hand_loss(est, X_val, y_val))
    assert est.best_validation_score_ == max(est.validation_scores_)


def test_sparse_and_float32_validation_data_score_like_dense_float64():
    X, y = regression_data(60, seed=0)
    X_val, y_val = regression_data(25, seed=1)
    est = NumpyMLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    dense = clone(est).fit(X, y, X_val=X_val, y_val=y_val)
    sparse = clone(est).fit(X, y, X_val=sp.csc_matrix(X_val), y_val=y_val)
    single = clone(est).fit(X, y, X_val=X_val.astype(np.float32), y_val=y_val)
    assert_allclose(sparse.validation_scores_, dense.validation_scores_, rtol=1e-12)
    assert_allclose(single.validation_loss_curve_, dense.validation_loss_curve_, rtol=1e-5)


@ignore_convergence
def test_classifier_validation_labels_may_be_a_subset_of_the_classes():
    X, y = classification_data(60, seed=0)
    X_val, y_val = classification_data(25, seed=1)
    keep = y_val != "c"
    est = NumpyMLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    est.fit(X, y, X_val=X_val[keep], y_val=y_val[keep])
    assert est.validation_scores_[-1] == pytest.approx(est.score(X_val[keep], y_val[keep]))


@ignore_convergence
def test_warm_start_adding_validation_data_starts_its_records():
    X, y = regression_data(40, seed=0)
    X_val, y_val = regression_data(20, seed=1)
    est = NumpyMLPRegressor(hidden_layer_sizes=(5,), max_iter=5, warm_start=True, random_state=0)
    est.fit(X, y)
    assert est.validation_loss_curve_ is None
    est.fit(X, y, X_val=X_val, y_val=y_val)
    assert len(est.loss_curve_) == 10
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == 5


# --------------------------------------------------------------------------- bad input

X_TRAIN, Y_TRAIN = regression_data(30, seed=0)
X_VAL, Y_VAL = regression_data(10, seed=1)
VAL = dict(X_val=X_VAL, y_val=Y_VAL)


@pytest.mark.parametrize(
    ("validation", "message"),
    [
        (dict(X_val=X_VAL), "X_val was given without y_val"),
        (dict(y_val=Y_VAL), "y_val was given without X_val"),
        (dict(sample_weight_val=np.ones(10)), "sample_weight_val was given without X_val"),
        (dict(X_val=X_VAL[:, :3], y_val=Y_VAL), "X_val, y_val.*3 features.*expecting 4"),
        (dict(X_val=X_VAL, y_val=Y_VAL[:9]), "X_val, y_val.*inconsistent numbers of samples"),
        (dict(X_val=np.where(X_VAL > 1, np.nan, X_VAL), y_val=Y_VAL), "X_val, y_val.*NaN"),
        (dict(X_val=X_VAL, y_val=np.array(["x"] * 10, dtype=object)), "X_val, y_val"),
        (dict(X_val=X_VAL, y_val=np.column_stack([Y_VAL, Y_VAL])), "y_val has 2 output"),
        ({**VAL, "sample_weight_val": np.ones(9)}, "sample_weight_val.*9"),
        ({**VAL, "sample_weight_val": -np.ones(10)}, "sample_weight_val.*Negative"),
        ({**VAL, "sample_weight_val": np.zeros(10)}, "sample_weight_val.*non-zero"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_validation_data_raises_naming_it(validation, message):
    est = NumpyMLPRegressor(hidden_layer_sizes=(3,), max_iter=5)
    with pytest.raises(ValueError, match=message):
        est.fit(X_TRAIN, Y_TRAIN, **validation)


def test_classifier_validation_labels_must_be_known_classes():
    X, y = classification_data(40, seed=0)
    X_val, _ = classification_data(10, seed=1)
    est = NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=5)
    with pytest.raises(ValueError, match="X_val, y_val.*classes not in"):
        est.fit(X, y, X_val=X_val, y_val=np.array(["a", "d"] * 5))


def test_poisson_validation_targets_must_be_non_negative():
    est = NumpyMLPRegressor(loss="poisson", hidden_layer_sizes=(3,), max_iter=5)
    with pytest.raises(ValueError, match="X_val, y_val.*non-negative"):
        est.fit(X_TRAIN, np.abs(Y_TRAIN), X_val=X_VAL, y_val=Y_VAL - 10)


# --------------------------------------------------------------------------- routing


@ignore_convergence
def test_grid_search_routes_the_validation_set_to_every_fit():
    X, y, X_val, y_val = noisy_regression()  # X_val has fewer rows than X: passed whole
    with sklearn.config_context(enable_metadata_routing=True):
        est = overfitting(early_stopping=True, max_iter=100)
        est.set_fit_request(X_val=True, y_val=True)
        search = GridSearchCV(est, {"alpha": [1e-4, 1e-1]}, cv=2)
        search.fit(X, y, X_val=X_val, y_val=y_val)
    best = search.best_estimator_
    direct = overfitting(early_stopping=True, max_iter=100, **search.best_params_)
    direct.fit(X, y, X_val=X_val, y_val=y_val)
    assert best.validation_scores_ == direct.validation_scores_
    assert best.score(X_val, y_val) == pytest.approx(best.best_validation_score_)


@ignore_convergence
def test_pipeline_transform_input_scales_the_validation_data():
    X, y, X_val, y_val = noisy_regression()
    X, X_val = 100 + 50 * X, 100 + 50 * X_val  # far from standardised
    with sklearn.config_context(enable_metadata_routing=True):
        est = overfitting(early_stopping=True, max_iter=100)
        est.set_fit_request(X_val=True, y_val=True)
        scaled = make_pipeline(StandardScaler(), clone(est), transform_input=["X_val"])
        scaled.fit(X, y, X_val=X_val, y_val=y_val)
        raw = make_pipeline(StandardScaler(), clone(est)).fit(X, y, X_val=X_val, y_val=y_val)

    scaler = StandardScaler().fit(X)
    manual = overfitting(early_stopping=True, max_iter=100)
    manual.fit(scaler.transform(X), y, X_val=scaler.transform(X_val), y_val=y_val)
    assert scaled[-1].validation_scores_ == manual.validation_scores_
    assert scaled.score(X_val, y_val) == pytest.approx(manual.best_validation_score_)
    # Without transform_input the network is scored on unscaled rows: nothing like it.
    assert max(raw[-1].validation_scores_) < manual.best_validation_score_ - 1
