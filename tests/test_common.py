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


def test_the_array_api_checks_are_among_them_and_cannot_skip_silently():
    # The array_api_support tag makes scikit-learn yield its array API checks; on
    # array-api-strict (in the test extra) they run, and they skip only without
    # SCIPY_ARRAY_API=1, which the root conftest.py sets.
    import os
    from functools import partial

    marker = parametrize_with_checks(ESTIMATORS)
    checks = [getattr(param, "values", param)[1] for param in marker.args[1]]
    strict = [
        (check.func.__name__, check.keywords.get("device_name"))
        for check in checks
        if isinstance(check, partial)
        and check.keywords.get("array_namespace") == "array_api_strict"
    ]
    per_estimator = len(ESTIMATORS)
    assert strict.count(("check_array_api_input", "CPU_DEVICE")) == per_estimator
    assert strict.count(("check_array_api_input", "device1")) == per_estimator
    assert strict.count(("check_array_api_same_namespace", None)) == per_estimator
    assert os.environ.get("SCIPY_ARRAY_API") == "1"
