"""scikit-learn conventions beyond the estimator checks: feature names from a DataFrame,
metadata routing of ``sample_weight``, the HTML repr's documentation links, the estimator
tags, ``set_params`` through pipelines and searches, and ``clone``.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError, UnsetMetadataPassedError
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_html_repr

from sknumpy_nn import Activation, NumpyMLPClassifier, NumpyMLPRegressor

ESTIMATORS = [NumpyMLPRegressor, NumpyMLPClassifier]
ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def softsign(Z):
    return Z / (1 + np.abs(Z))


def softsign_derivative(Z):
    return 1 / (1 + np.abs(Z)) ** 2


SOFTSIGN = Activation("softsign", softsign, softsign_derivative)


def data_for(Estimator, n_samples=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=n_samples)
    return X, (y if Estimator is NumpyMLPRegressor else (y > 0).astype(int))


def small(Estimator, **params):
    return Estimator(hidden_layer_sizes=(5,), random_state=0, **{"max_iter": 20, **params})


def fit_quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


# --------------------------------------------------------------------------- feature names


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_feature_names_from_a_dataframe_are_checked_at_predict(Estimator):
    X, y = data_for(Estimator)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = fit_quietly(small(Estimator), frame, y)
    assert_array_equal(est.feature_names_in_, ["a", "b", "c", "d"])
    assert est.feature_names_in_.dtype == object
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same frame predicts without a warning
        from_frame = est.predict(frame)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        assert_array_equal(est.predict(X), from_frame)
    renamed = frame.rename(columns={"d": "e"})
    with pytest.raises(ValueError, match="Feature names unseen at fit time:\n- e"):
        est.predict(renamed)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_frame_at_predict_after_fitting_an_array_warns(Estimator):
    X, y = data_for(Estimator)
    est = fit_quietly(small(Estimator), X, y)
    assert not hasattr(est, "feature_names_in_")
    message = f"X has feature names, but {Estimator.__name__} was fitted without feature names"
    with pytest.warns(UserWarning, match=message):
        est.predict(pd.DataFrame(X, columns=["a", "b", "c", "d"]))


# --------------------------------------------------------------------------- routing


def weights_for(n_samples):
    return np.random.RandomState(1).uniform(0, 3, size=n_samples)


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cross_validate_routes_sample_weight_to_each_fit(Estimator):
    X, y = data_for(Estimator)
    weights = weights_for(len(y))
    cv = KFold(3)
    with sklearn.config_context(enable_metadata_routing=True):
        # The weights go to fit and, since score takes them too, to the test-fold scores.
        est = small(Estimator, solver="lbfgs")
        est.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        routed = cross_validate(
            est, X, y, cv=cv, params={"sample_weight": weights}, return_estimator=True
        )
        unweighted = cross_validate(est, X, y, cv=cv, return_estimator=True)
    for (train, test), weighted_fit, plain_fit, test_score in zip(
        cv.split(X), routed["estimator"], unweighted["estimator"], routed["test_score"]
    ):
        manual = small(Estimator, solver="lbfgs").fit(X[train], y[train], weights[train])
        assert test_score == manual.score(X[test], y[test], weights[test])
        assert weighted_fit.loss_curve_ == manual.loss_curve_
        for routed_coef, manual_coef in zip(weighted_fit.coefs_, manual.coefs_):
            assert_array_equal(routed_coef, manual_coef)
        assert weighted_fit.loss_curve_ != plain_fit.loss_curve_


@ignore_convergence
def test_grid_search_routes_sample_weight_and_refits_with_it():
    X, y = data_for(NumpyMLPRegressor)
    weights = weights_for(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        est = small(NumpyMLPRegressor, solver="lbfgs")
        est.set_fit_request(sample_weight=True).set_score_request(sample_weight=False)
        search = GridSearchCV(est, {"alpha": [1e-4, 1.0]}, cv=2)
        search.fit(X, y, sample_weight=weights)
    manual = small(NumpyMLPRegressor, solver="lbfgs", **search.best_params_)
    manual.fit(X, y, sample_weight=weights)
    assert search.best_estimator_.loss_curve_ == manual.loss_curve_


def test_routing_without_a_request_refuses_the_weights():
    X, y = data_for(NumpyMLPRegressor)
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            cross_validate(
                small(NumpyMLPRegressor), X, y, cv=2, params={"sample_weight": weights_for(60)}
            )


# --------------------------------------------------------------------------- HTML repr


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_html_repr_links_to_no_scikit_learn_page(Estimator, fitted):
    # Ours are not scikit-learn classes: a link to scikit-learn.org would be to another
    # class's page (or a missing one).
    est = small(Estimator)
    if fitted:
        fit_quietly(est, *data_for(Estimator))
    assert est._get_doc_link() == ""
    for html in (est._repr_html_(), estimator_html_repr(est)):
        assert Estimator.__name__ in html
        # (scikit-learn.org is named in a CSS comment; no link goes there.)
        assert re.findall(r'href="([^"]*)"', html) == []


def test_html_repr_of_a_pipeline_links_only_the_scikit_learn_steps():
    pipeline = make_pipeline(StandardScaler(), NumpyMLPRegressor())
    links = set(re.findall(r'href="([^"]*)"', estimator_html_repr(pipeline)))
    assert links  # sklearn's own steps do link to their pages
    assert all(
        "sklearn.pipeline.Pipeline" in link or "sklearn.preprocessing.StandardScaler" in link
        for link in links
    ), links


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("loss", "multi_output"),
    [("squared_error", True), ("huber", True), ("absolute_error", True), ("poisson", False)],
)
def test_regressor_tags(loss, multi_output):
    tags = NumpyMLPRegressor(loss=loss).__sklearn_tags__()
    assert tags.estimator_type == "regressor"
    assert tags.input_tags.sparse
    assert tags.target_tags.required
    assert tags.target_tags.multi_output is multi_output
    assert tags.target_tags.positive_only is (loss == "poisson")


@pytest.mark.parametrize(
    ("class_weight", "multi_label"), [(None, True), ("balanced", False), ({0: 2.0}, False)]
)
def test_classifier_tags(class_weight, multi_label):
    tags = NumpyMLPClassifier(class_weight=class_weight).__sklearn_tags__()
    assert tags.estimator_type == "classifier"
    assert tags.input_tags.sparse
    assert tags.classifier_tags.multi_class
    assert tags.classifier_tags.multi_label is multi_label


# --------------------------------------------------------------------------- set_params, clone


@ignore_convergence
def test_set_params_reaches_the_network_inside_a_pipeline():
    X, y = data_for(NumpyMLPRegressor)
    pipeline = make_pipeline(StandardScaler(), small(NumpyMLPRegressor, solver="lbfgs"))
    pipeline.set_params(numpymlpregressor__alpha=3.0, numpymlpregressor__activation=SOFTSIGN)
    assert pipeline[-1].alpha == 3.0 and pipeline[-1].activation == SOFTSIGN
    pipeline.fit(X, y)
    direct = small(NumpyMLPRegressor, solver="lbfgs", alpha=3.0, activation=SOFTSIGN)
    direct.fit(StandardScaler().fit_transform(X), y)
    assert pipeline[-1].loss_curve_ == direct.loss_curve_


@ignore_convergence
def test_grid_search_over_pipeline_parameters_sets_them_on_the_network():
    X, y = data_for(NumpyMLPClassifier)
    pipeline = make_pipeline(StandardScaler(), small(NumpyMLPClassifier, solver="lbfgs"))
    grid = {
        "numpymlpclassifier__hidden_layer_sizes": [(3,), (6, 4)],
        "numpymlpclassifier__activation": ["tanh", SOFTSIGN],
    }
    search = GridSearchCV(pipeline, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    best = search.best_estimator_[-1]
    for name, value in search.best_params_.items():
        assert getattr(best, name.removeprefix("numpymlpclassifier__")) == value
    assert len(best.coefs_) == len(best.hidden_layer_sizes) + 1


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_clone_of_a_fitted_model_is_unfitted_with_equal_parameters(Estimator):
    X, y = data_for(Estimator)
    est = fit_quietly(small(Estimator, activation=SOFTSIGN, dropout=0.1), X, y)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert copy.activation == SOFTSIGN
    assert not hasattr(copy, "coefs_")
    with pytest.raises(NotFittedError):
        copy.predict(X)
    fit_quietly(copy, X, y)
    assert copy.loss_curve_ == est.loss_curve_
    assert_array_equal(copy.predict(X), est.predict(X))
