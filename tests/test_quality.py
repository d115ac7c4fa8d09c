"""Model quality on scikit-learn's real data sets: as good as sklearn's MLP, and good outright.

For each data set, 3-fold ``cross_val_score`` of our estimator and of sklearn's at equal
settings (same parameters, same ``random_state``), each inside a ``Pipeline`` that
standardises ``X`` (and, for the diabetes regression, the target too). The mean scores must
agree within 0.01, and ours must clear a floor well above what a model that learned little
would get, so a slip in training is caught even where sklearn's score would hide it.

Networks and epoch budgets are small so the file runs in seconds: the point is equal
quality at equal settings, not the best score each data set allows.
"""

import numpy as np
import pytest
from sklearn import datasets
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

# Epoch budgets are kept short on purpose, so some folds stop at max_iter and both
# libraries warn; the pytest configuration would turn that warning into an error.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def single_threaded_blas():
    # sklearn's L-BFGS fits run scipy's and NumPy's BLAS thread pools against each other
    # (ours holds scipy's to one thread), up to 20 times slower on two cores; one BLAS
    # thread keeps the comparison fast and changes no result beyond rounding.
    with threadpool_limits(limits=1, user_api="blas"):
        yield


MAX_SCORE_GAP = 0.01

CASES = {
    # id: (loader, estimator parameters, floor for our mean score)
    # Default Adam step on 442 samples: a few hundred epochs; sklearn reaches R^2 ~0.46.
    "diabetes-adam": (
        datasets.load_diabetes,
        dict(hidden_layer_sizes=(32,), max_iter=300),
        0.4,
    ),
    # Strong L2 keeps L-BFGS from fitting the noise of this small data set (R^2 ~0.50).
    "diabetes-lbfgs": (
        datasets.load_diabetes,
        dict(hidden_layer_sizes=(16,), solver="lbfgs", alpha=10.0, max_iter=200),
        0.45,
    ),
    # The largest set (1797 x 64): a larger step and 30 epochs reach ~0.93 accuracy.
    "digits-adam": (
        datasets.load_digits,
        dict(hidden_layer_sizes=(32,), max_iter=30, learning_rate_init=0.01),
        0.9,
    ),
    "iris-adam": (
        datasets.load_iris,
        dict(hidden_layer_sizes=(16,), max_iter=300, learning_rate_init=0.01),
        0.9,
    ),
    "wine-adam": (
        datasets.load_wine,
        dict(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.01),
        0.9,
    ),
    "wine-lbfgs": (
        datasets.load_wine,
        dict(hidden_layer_sizes=(16,), solver="lbfgs", alpha=1.0, max_iter=200),
        0.9,
    ),
    "breast_cancer-adam": (
        datasets.load_breast_cancer,
        dict(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.01),
        0.9,
    ),
    "breast_cancer-lbfgs": (
        datasets.load_breast_cancer,
        dict(hidden_layer_sizes=(16,), solver="lbfgs", alpha=1.0, max_iter=200),
        0.9,
    ),
}


def make_model(estimator, is_regression):
    """X standardised in a pipeline; for regression, y standardised around it as well."""
    model = make_pipeline(StandardScaler(), estimator)
    if is_regression:
        # Diabetes targets are in the hundreds: unscaled, Adam would spend its epochs
        # just growing the output bias.
        model = TransformedTargetRegressor(regressor=model, transformer=StandardScaler())
    return model


def mean_cv_score(estimator, X, y, is_regression):
    # error_score="raise": a failing fold should fail the test, not become a NaN score.
    scores = cross_val_score(make_model(estimator, is_regression), X, y, cv=3, error_score="raise")
    assert np.isfinite(scores).all()
    return scores.mean()


@pytest.mark.parametrize("case", list(CASES))
def test_cross_validated_score_matches_sklearn(case):
    loader, params, floor = CASES[case]
    X, y = loader(return_X_y=True)
    is_regression = loader is datasets.load_diabetes
    ours_cls, theirs_cls = (
        (NumpyMLPRegressor, MLPRegressor) if is_regression else (NumpyMLPClassifier, MLPClassifier)
    )
    ours = mean_cv_score(ours_cls(random_state=0, **params), X, y, is_regression)
    theirs = mean_cv_score(theirs_cls(random_state=0, **params), X, y, is_regression)
    # R^2 for diabetes, accuracy for the classification sets (cross_val_score's default).
    assert abs(ours - theirs) <= MAX_SCORE_GAP, f"ours {ours:.4f} vs sklearn {theirs:.4f}"
    assert ours > floor, f"ours {ours:.4f} (sklearn {theirs:.4f}) is not above {floor}"
