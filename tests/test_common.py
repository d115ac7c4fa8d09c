"""scikit-learn's estimator checks over both estimators, with no expected failures."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

# Small networks and few epochs keep the suite fast; each solver is checked. The checks'
# 15-sample data sets form one full batch ('auto' batch size), so sample weights and
# repeated rows give the same gradients, as the weight-equivalence checks require.
COMMON = dict(random_state=0)
ESTIMATORS = [
    NumpyMLPRegressor(solver="adam", max_iter=100, **COMMON),
    NumpyMLPRegressor(solver="sgd", max_iter=100, **COMMON),
    NumpyMLPRegressor(solver="lbfgs", max_iter=100, **COMMON),
    NumpyMLPRegressor(loss="poisson", solver="lbfgs", max_iter=100, **COMMON),
    NumpyMLPClassifier(solver="adam", max_iter=100, **COMMON),
    NumpyMLPClassifier(solver="sgd", max_iter=100, **COMMON),
    NumpyMLPClassifier(solver="lbfgs", max_iter=100, **COMMON),
]


# Few epochs on tiny data do not converge; that warning is expected here and nowhere else.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
