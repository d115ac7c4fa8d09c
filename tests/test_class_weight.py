"""NumpyMLPClassifier(class_weight=...): dict or 'balanced' weights multiplied into sample_weight.

A class weight is nothing but a per-sample weight, so the strongest checks compare against
the same weights passed through ``sample_weight`` (bit for bit, every solver, early stopping
included) and against repeated samples; the behaviour tests show what a user wants from
'balanced': the minority class found more often.
"""

import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknumpy_nn import NumpyMLPClassifier

SOLVERS = ["lbfgs", "sgd", "adam"]
ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def three_classes(n_samples=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] + 0.5 * rng.normal(size=n_samples) > 0.5)
    return X, y


def imbalanced(seed=0):
    """Two overlapping classes, 90% / 10%: split into 600 training and 400 test rows."""
    X, y = make_classification(
        n_samples=1000,
        n_features=5,
        n_informative=3,
        weights=[0.9],
        class_sep=0.5,
        flip_y=0,
        random_state=seed,
    )
    return X[:600], y[:600], X[600:], y[600:]


def small(**params):
    return NumpyMLPClassifier(**{"hidden_layer_sizes": (5,), "random_state": 0, **params})


# --------------------------------------------------------------------------- equivalences


@ignore_convergence
@pytest.mark.parametrize(
    ("solver", "early_stopping"),
    [("lbfgs", False), ("sgd", False), ("sgd", True), ("adam", False), ("adam", True)],
)
def test_class_weight_equals_the_same_weights_given_as_sample_weight(solver, early_stopping):
    # Multiplied into sample_weight before anything else (the early-stopping split
    # included): the training cannot tell the two apart.
    X, y = three_classes()
    user_weights = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y))
    class_weight = {0: 0.5, 1: 2.0, 2: 3.0}
    params = dict(solver=solver, max_iter=20, early_stopping=early_stopping)

    by_class = small(class_weight=class_weight, **params).fit(X, y, sample_weight=user_weights)
    per_sample = np.array([class_weight[label] for label in y]) * user_weights
    by_sample = small(**params).fit(X, y, sample_weight=per_sample)

    assert_array_equal(by_class.loss_curve_, by_sample.loss_curve_)
    assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))
    if early_stopping:
        assert_array_equal(by_class.validation_scores_, by_sample.validation_scores_)


@ignore_convergence  # both runs stop on the iteration cap at the same point
@pytest.mark.parametrize("use_sample_weight", [False, True], ids=["alone", "with-sample-weight"])
def test_integer_class_weight_equals_repeating_those_samples(use_sample_weight):
    X, y = three_classes()
    class_weight = {0: 2, 1: 1, 2: 3}
    sample_weight = np.random.RandomState(2).randint(1, 3, size=len(y))
    repeats = np.array([class_weight[label] for label in y])
    if use_sample_weight:
        repeats = repeats * sample_weight
    params = dict(solver="lbfgs", max_iter=50, alpha=0.01)

    weighted = small(class_weight=class_weight, **params).fit(
        X, y, sample_weight=sample_weight if use_sample_weight else None
    )
    repeated = small(**params).fit(np.repeat(X, repeats, axis=0), np.repeat(y, repeats))

    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-9)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6)


@ignore_convergence
@pytest.mark.parametrize("use_sample_weight", [False, True], ids=["counts", "weighted-counts"])
def test_balanced_equals_the_dict_computed_by_hand(use_sample_weight):
    # Non-contiguous, unsorted labels: the weights must land on the right classes.
    X, y = three_classes(seed=3)
    y = np.array([7, -1, 3])[y]
    sample_weight = np.random.RandomState(4).uniform(0.5, 3.0, size=len(y))
    counted = sample_weight if use_sample_weight else np.ones(len(y))
    # n_samples / (n_classes * n_samples_in_class), samples counted by their weight.
    by_hand = {c: counted.sum() / (3 * counted[y == c].sum()) for c in (7, -1, 3)}
    fit_weights = sample_weight if use_sample_weight else None

    balanced = small(class_weight="balanced", solver="lbfgs", max_iter=50)
    explicit = small(class_weight=by_hand, solver="lbfgs", max_iter=50)
    balanced.fit(X, y, sample_weight=fit_weights)
    explicit.fit(X, y, sample_weight=fit_weights)

    assert_allclose(balanced.predict_proba(X), explicit.predict_proba(X), rtol=1e-10)
    assert_allclose(balanced.loss_curve_, explicit.loss_curve_, rtol=1e-10)
    # And it is not the unweighted fit: the classes are not balanced here.
    assert len(set(np.unique(y, return_counts=True)[1])) > 1
    unweighted = small(solver="lbfgs", max_iter=50).fit(X, y, sample_weight=fit_weights)
    assert not np.allclose(unweighted.predict_proba(X), balanced.predict_proba(X))


# --------------------------------------------------------------------------- behaviour


@ignore_convergence
@pytest.mark.parametrize("solver", SOLVERS)
def test_balanced_finds_more_of_the_minority_class(solver):
    X_train, y_train, X_test, y_test = imbalanced()
    params = dict(hidden_layer_sizes=(10,), solver=solver, max_iter=300)
    if solver != "lbfgs":
        params["learning_rate_init"] = 0.01

    plain = small(**params).fit(X_train, y_train)
    balanced = small(class_weight="balanced", **params).fit(X_train, y_train)

    minority_recall = [recall_score(y_test, m.predict(X_test)) for m in (plain, balanced)]
    assert minority_recall[1] > minority_recall[0] + 0.2
    assert balanced_accuracy_score(y_test, balanced.predict(X_test)) > balanced_accuracy_score(
        y_test, plain.predict(X_test)
    )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_with_a_dict_weighs_the_classes(solver):
    X, y = three_classes()
    class_weight = {0: 0.5, 2: 4.0}  # class 1 left out: weight 1
    per_sample = np.array([class_weight.get(label, 1.0) for label in y])
    by_class = small(solver=solver, class_weight=class_weight)
    by_sample = small(solver=solver)
    for batch in (slice(0, 30), slice(30, 60)):
        by_class.partial_fit(X[batch], y[batch], classes=[0, 1, 2])
        by_sample.partial_fit(
            X[batch], y[batch], sample_weight=per_sample[batch], classes=[0, 1, 2]
        )

    assert_array_equal(by_class.loss_curve_, by_sample.loss_curve_)
    assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))
    unweighted = small(solver=solver).partial_fit(X[:30], y[:30], classes=[0, 1, 2])
    assert unweighted.loss_curve_[0] != by_class.loss_curve_[0]


def test_partial_fit_with_balanced_raises_and_says_to_pass_a_dict():
    X, y = three_classes()
    est = small(solver="adam", class_weight="balanced")
    with pytest.raises(ValueError, match=r"'balanced' is not supported by partial_fit.*dict"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(est, "classes_")  # nothing was set up


@ignore_convergence
def test_balanced_with_a_class_of_zero_weight_samples_trains_on_the_rest():
    # 0 / 0 for that class's weight; its rows weigh 0 whatever it is, so no warning, no NaN.
    X, y = three_classes()
    sample_weight = np.where(y == 2, 0.0, 1.0)
    est = small(class_weight="balanced", solver="lbfgs", max_iter=30)
    est.fit(X, y, sample_weight=sample_weight)
    assert np.isfinite(est.loss_)
    assert np.isfinite(est.predict_proba(X)).all()


# --------------------------------------------------------------------------- errors and tags


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 2.0}])
def test_multilabel_target_with_class_weight_raises(class_weight):
    X, _ = three_classes()
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    with pytest.raises(ValueError, match="class_weight is not supported for multilabel"):
        small(class_weight=class_weight).fit(X, Y)
    with pytest.raises(ValueError, match="class_weight is not supported for multilabel"):
        small(class_weight={0: 1.0}, solver="sgd").partial_fit(X, Y, classes=[0, 1])


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 2.0}])
def test_multi_label_tag_is_off_while_class_weight_is_set(class_weight):
    assert NumpyMLPClassifier().__sklearn_tags__().classifier_tags.multi_label
    tags = NumpyMLPClassifier(class_weight=class_weight).__sklearn_tags__()
    assert not tags.classifier_tags.multi_label


def test_class_weight_key_that_is_not_a_class_raises_naming_it():
    X, y = three_classes()
    with pytest.raises(ValueError, match=r"not classes: \[7\]"):
        small(class_weight={0: 1.0, 7: 2.0}).fit(X, y)
    labels = np.array(["cat", "dog", "eel"])[y]
    with pytest.raises(ValueError, match=r"not classes: \[0\]"):
        small(class_weight={0: 2.0, "dog": 1.0}).fit(X, labels)


def test_negative_class_weight_raises():
    X, y = three_classes()
    with pytest.raises(ValueError, match="non-negative"):
        small(class_weight={0: -1.0}).fit(X, y)


@pytest.mark.parametrize("class_weight", ["auto", 2.0, [1.0, 2.0]])
def test_invalid_class_weight_raises_naming_the_parameter(class_weight):
    X, y = three_classes()
    with pytest.raises(ValueError, match="'class_weight' parameter"):
        small(class_weight=class_weight).fit(X, y)


def test_class_weight_is_a_keyword_only_parameter_after_sklearns():
    parameters = inspect.signature(NumpyMLPClassifier.__init__).parameters
    names = list(parameters)
    assert names.index("class_weight") > names.index("max_fun")  # after all of sklearn's
    assert parameters["class_weight"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["class_weight"].default is None
    assert NumpyMLPClassifier(class_weight="balanced").get_params()["class_weight"] == "balanced"


# --------------------------------------------------------------------------- sklearn checks

# A dict cannot be checked generically (the checks' labels vary), and 'balanced' makes
# partial_fit raise by design, so the check runs on the solver without partial_fit.
CLASS_WEIGHT_ESTIMATORS = [
    NumpyMLPClassifier(class_weight="balanced", solver="lbfgs", max_iter=100, random_state=0),
]


# Few epochs on tiny data do not converge; that warning is expected here, as in test_common.
@ignore_convergence
@parametrize_with_checks(CLASS_WEIGHT_ESTIMATORS)
def test_class_weighted_classifier_is_sklearn_compatible(estimator, check):
    check(estimator)
