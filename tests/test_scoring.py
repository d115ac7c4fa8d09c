"""scoring=: what the validation data is scored with (early stopping, its records, verbose).

None is scikit-learn's MLP behaviour (R² / accuracy) and stays bitwise as before (the parity
and reference-fit tests); these tests cover 'loss', scorer names and callables: a scorer
that disagrees with accuracy stops at another epoch, a callable sees the estimator holding
the scored weights and gets the validation rows once per epoch or iteration, the weights
and classes reach it, and bad values fail at fit with an error naming ``scoring``.
"""

import contextlib
import io
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, mean_absolute_error
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def three_classes(n_samples=600, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=20,
        n_informative=5,
        n_classes=3,
        flip_y=0.1,
        random_state=seed,
    )


def classifier(**params):
    defaults = dict(hidden_layer_sizes=(50,), learning_rate_init=0.01, max_iter=300)
    return NumpyMLPClassifier(random_state=0, **{**defaults, **params})


def test_a_scorer_that_disagrees_with_accuracy_stops_elsewhere_and_keeps_other_weights():
    X, y = three_classes()
    by_accuracy = classifier(early_stopping=True).fit(X, y)
    by_log_loss = classifier(early_stopping=True, scoring="neg_log_loss").fit(X, y)
    assert by_log_loss.n_iter_ != by_accuracy.n_iter_
    best = int(np.argmax(by_log_loss.validation_scores_)) + 1
    assert best != int(np.argmax(by_accuracy.validation_scores_)) + 1
    assert not np.array_equal(by_log_loss.coefs_[0], by_accuracy.coefs_[0])
    # The scores recorded are the negative log-loss of the validation split, the best kept.
    assert by_log_loss.best_validation_score_ == max(by_log_loss.validation_scores_)
    assert all(score < 0 for score in by_log_loss.validation_scores_)


@ignore_convergence
def test_loss_scores_the_negative_validation_loss():
    X, y = three_classes(300)
    model = classifier(max_iter=8, scoring="loss").fit(
        X[:200], y[:200], X_val=X[200:], y_val=y[200:]
    )
    assert_allclose(model.validation_scores_, -np.asarray(model.validation_loss_curve_))
    # For the log-loss that is scikit-learn's own metric of the validation predictions.
    expected = log_loss(y[200:], model.predict_proba(X[200:]))
    assert_allclose(model.validation_loss_curve_[-1], expected, rtol=1e-10)


class RecordingScorer:
    """A module-level-like callable scorer that records what it was given."""

    def __init__(self):
        self.calls = []

    def __call__(self, estimator, X, y, sample_weight=None):
        prediction = estimator.predict(X)
        self.calls.append(
            {
                "coefs": [W.copy() for W in estimator.coefs_],
                "X": X,
                "y": np.array(y),
                "sample_weight": sample_weight,
                "prediction": prediction,
            }
        )
        return -mean_absolute_error(y, prediction, sample_weight=sample_weight)


@ignore_convergence
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_callable_sees_the_scored_weights_and_the_validation_rows_once_per_step(solver):
    rng = np.random.RandomState(0)
    X, X_val = rng.normal(size=(200, 4)), rng.normal(size=(60, 4))
    y, y_val = X @ [1.0, -2.0, 0.5, 0.0], X_val @ [1.0, -2.0, 0.5, 0.0]
    weights = rng.uniform(0.5, 2.0, size=60)
    scorer = RecordingScorer()
    model = NumpyMLPRegressor(
        hidden_layer_sizes=(8,), solver=solver, max_iter=6, scoring=scorer, random_state=0
    )
    model.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=weights)
    assert len(scorer.calls) == model.n_iter_ == len(model.validation_scores_)
    for call, score in zip(scorer.calls, model.validation_scores_):
        assert_array_equal(call["X"], X_val)
        assert_allclose(call["y"], y_val)
        assert_array_equal(call["sample_weight"], weights)
        assert score == -mean_absolute_error(y_val, call["prediction"], sample_weight=weights)
    # The weights after the last step are the model's: the scorer saw them in coefs_.
    for seen, final in zip(scorer.calls[-1]["coefs"], model.coefs_):
        assert_allclose(seen, final)
    assert not np.array_equal(scorer.calls[0]["coefs"][0], scorer.calls[-1]["coefs"][0])


@ignore_convergence
def test_a_scorer_leaves_an_unfitted_estimator_unfitted_between_steps_and_fitted_after():
    X, y = three_classes(200)
    seen = []

    def accuracy_and_state(estimator, X, y):
        seen.append(hasattr(estimator, "coefs_"))
        return float(np.mean(estimator.predict(X) == y))

    model = classifier(max_iter=3, scoring=accuracy_and_state)
    model.fit(X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    assert seen == [True, True, True]
    assert hasattr(model, "coefs_") and len(model.validation_scores_) == 3


def test_neg_log_loss_scores_against_the_fitted_classes_when_validation_lacks_one():
    X, y = three_classes(400)
    keep = y[300:] != 2  # the validation rows hold classes 0 and 1 only
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at all
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = classifier(max_iter=5, scoring="neg_log_loss")
        model.fit(X[:300], y[:300], X_val=X[300:][keep], y_val=y[300:][keep])
    proba = model.predict_proba(X[300:][keep])
    expected = -log_loss(y[300:][keep], proba, labels=model.classes_)
    assert_allclose(model.validation_scores_[-1], expected, rtol=1e-10)


def test_multilabel_neg_log_loss_sums_the_labels_binary_log_losses_silently():
    X, Y = make_multilabel_classification(n_samples=300, n_classes=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = classifier(max_iter=5, scoring="neg_log_loss")
        model.fit(X[:200], Y[:200], X_val=X[200:], y_val=Y[200:])
    proba = model.predict_proba(X[200:])
    expected = -sum(
        log_loss(Y[200:, k], np.column_stack([1 - proba[:, k], proba[:, k]]), labels=[0, 1])
        for k in range(3)
    )
    assert_allclose(model.validation_scores_[-1], expected, rtol=1e-10)
    # The same number as the network's own validation loss, summed over the labels.
    assert_allclose(model.validation_scores_[-1], -model.validation_loss_curve_[-1], rtol=1e-8)


@ignore_convergence
def test_named_regression_scorer_with_the_early_stopping_split():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, 2.0, -1.0] + 0.1 * rng.normal(size=300)
    model = NumpyMLPRegressor(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        scoring="neg_mean_absolute_error",
        max_iter=20,
        random_state=0,
    ).fit(X, y)
    assert all(score < 0 for score in model.validation_scores_)
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_unknown_scorer_name_fails_at_fit_naming_it():
    X, y = three_classes(100)
    with pytest.raises(ValueError, match="'no_such_score' is not a valid scoring value"):
        classifier(scoring="no_such_score").fit(X, y)


@pytest.mark.parametrize("scoring", [3, ["accuracy"], 1.5])
def test_scoring_of_the_wrong_type_fails_naming_the_parameter(scoring):
    X, y = three_classes(100)
    with pytest.raises(ValueError, match="'scoring' parameter"):
        classifier(scoring=scoring).fit(X, y)


@ignore_convergence
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_verbose_table_titles_the_chosen_score(solver):
    X, y = three_classes(200)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        classifier(max_iter=2, solver=solver, scoring="neg_log_loss", verbose=True).fit(
            X[:150], y[:150], X_val=X[150:], y_val=y[150:]
        )
    header = output.getvalue().splitlines()[0]
    assert "val neg_log_loss" in header and "val score" not in header


@ignore_convergence
def test_pickle_keeps_the_scoring_and_what_it_chose():
    X, y = three_classes(200)
    model = classifier(max_iter=4, scoring="neg_log_loss", early_stopping=True).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    assert again.scoring == "neg_log_loss"
    assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    assert again.validation_scores_ == model.validation_scores_


# Early stopping itself refuses partial_fit and validation splits of fewer than 2 rows, as
# scikit-learn's MLP does, so early-stopping estimators fail some checks whatever they score
# with. A scoring must fail none that the same estimator with scoring=None passes.
BASELINES = {
    "classifier": NumpyMLPClassifier(early_stopping=True, max_iter=100, random_state=0),
    "regressor": NumpyMLPRegressor(early_stopping=True, max_iter=100, random_state=0),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [
        clone(BASELINES["classifier"]).set_params(scoring="neg_log_loss"),
        clone(BASELINES["classifier"]).set_params(scoring="f1_macro"),
        clone(BASELINES["regressor"]).set_params(scoring="loss"),
    ]
)
def test_scoring_fails_no_estimator_check_that_scoring_none_passes(estimator, check):
    baseline = clone(BASELINES["classifier" if is_classifier(estimator) else "regressor"])
    try:
        check(baseline)
    except Exception as error:  # noqa: BLE001 - any failure of the baseline
        pytest.skip(
            f"early stopping fails this check with scoring=None too ({type(error).__name__})"
        )
    check(estimator)
