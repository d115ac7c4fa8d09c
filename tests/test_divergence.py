"""Training that diverges: what a fit keeps, what it says, and when it raises instead.

- Divergence after at least one finite epoch (L-BFGS: iteration) stops training, keeps the
  last finite weights and warns (a ``ConvergenceWarning`` naming the epoch).
- A ``warm_start`` fit or ``partial_fit`` that diverges at once keeps the model's earlier
  weights, and warns.
- A fit from scratch that diverges in its first epoch learned nothing: it raises
  scikit-learn's ``ValueError`` and leaves the estimator unfitted.
- None of it lets a NumPy ``RuntimeWarning`` out (the suite turns warnings into errors),
  including while a diverging run is scored on validation data.
"""

import re

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sknumpy_nn import Activation, NumpyMLPClassifier, NumpyMLPRegressor

# scikit-learn's words (its test_nonfinite_params matches them).
SKLEARNS_ERROR = (
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed."
)


def data():
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    return X * 1e3, y * 1e3


def diverging(**params):
    # A learning rate far too large for unscaled data: sgd overflows in its second epoch.
    settings = dict(solver="sgd", learning_rate_init=10.0, max_iter=50, random_state=0)
    return NumpyMLPRegressor(**{**settings, **params})


def overflowing_data(n_samples=10):
    # scikit-learn's test_nonfinite_params: inputs near the largest float overflow at once.
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(n_samples, 2))
    return X, rng.standard_normal(size=n_samples)


def test_divergence_warns_naming_the_epoch_and_keeps_finite_weights():
    X, y = data()
    est = diverging()
    with pytest.warns(ConvergenceWarning, match=r"diverged in epoch 2.*learning_rate_init"):
        est.fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 1
    assert np.isfinite(est.loss_curve_).all()
    assert all(np.isfinite(W).all() for W in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.predict(X)).all()


def test_the_kept_weights_are_those_of_the_last_finite_epoch():
    X, y = data()
    with pytest.warns(ConvergenceWarning, match="diverged"):
        diverged = diverging().fit(X, y)
    # The same run stopped one epoch earlier, by max_iter, ends with the same weights.
    replay = diverging(max_iter=diverged.n_iter_)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        replay.fit(X, y)
    for ours, theirs in zip(diverged.coefs_, replay.coefs_):
        assert_array_equal(ours, theirs)


# (The classifier with adam on these data keeps a finite loss, its clipped log-loss, and
# finite weights in every epoch: it trains, saturated, rather than diverge.)
@pytest.mark.parametrize(
    "Estimator, solver",
    [
        (NumpyMLPRegressor, "sgd"),
        (NumpyMLPRegressor, "adam"),
        (NumpyMLPRegressor, "lbfgs"),
        (NumpyMLPClassifier, "sgd"),
        (NumpyMLPClassifier, "lbfgs"),
    ],
)
def test_divergence_in_the_first_epoch_raises_sklearns_error(Estimator, solver):
    X, y = overflowing_data()
    if Estimator is NumpyMLPClassifier:
        y = y > 0
    est = Estimator(solver=solver, random_state=0)
    with pytest.raises(ValueError, match=SKLEARNS_ERROR) as raised:
        est.fit(X, y)  # and no RuntimeWarning on the way (warnings are errors here)
    step = "iteration" if solver == "lbfgs" else "epoch"
    # The classifier's clipped log-loss stays finite for one epoch, whose weights then
    # overflow on the data: the fit is as empty as one that diverged at once.
    assert re.search(
        f"in (the first {step}, before anything was learned|{step} 2, and)", str(raised.value)
    )
    assert "StandardScaler" in str(raised.value)
    assert ("learning_rate_init" in str(raised.value)) == (solver != "lbfgs")
    # Nothing that looks like a model is left behind.
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize("validation", ["none", "X_val"])
def test_lbfgs_with_early_stopping_on_diverges_as_without_it(validation):
    # early_stopping has no effect on L-BFGS (as in scikit-learn), divergence included.
    X, y = overflowing_data()
    fit_params = dict(X_val=X[:4], y_val=y[:4]) if validation == "X_val" else {}
    est = NumpyMLPRegressor(solver="lbfgs", early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match=SKLEARNS_ERROR):
        est.fit(X, y, **fit_params)


def test_a_first_partial_fit_that_diverges_at_once_raises():
    X, y = overflowing_data()
    est = NumpyMLPRegressor(solver="sgd", random_state=0)
    with pytest.raises(ValueError, match=SKLEARNS_ERROR):
        est.partial_fit(X, y)
    assert not hasattr(est, "coefs_")
    # The next call starts from scratch again, and trains on reasonable data.
    est.partial_fit(X / np.finfo(np.float64).max, y)
    assert est.n_iter_ == 1 and np.isfinite(est.loss_)


@pytest.mark.parametrize(
    "how", ["partial_fit", "warm_start-sgd", "warm_start-adam", "warm_start-lbfgs"]
)
def test_a_continuation_that_diverges_at_once_keeps_the_earlier_weights(how):
    X_good, y_good = make_regression(n_samples=40, n_features=2, random_state=0)
    X_bad, y_bad = overflowing_data(40)
    solver = "sgd" if how == "partial_fit" else how.split("-")[1]
    est = NumpyMLPRegressor(
        hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0, warm_start=True
    )
    with pytest.warns(ConvergenceWarning):  # 5 epochs (iterations) on purpose
        est.fit(X_good, y_good)
    before = [W.copy() for W in est.coefs_ + est.intercepts_]
    n_iter, curve = est.n_iter_, list(est.loss_curve_)
    # The kept weights are the end of epoch (iteration) 5: those this call started from.
    with pytest.warns(ConvergenceWarning, match=r"diverged in (epoch|iteration) 6"):
        if how == "partial_fit":
            est.partial_fit(X_bad, y_bad)
        else:
            est.fit(X_bad, y_bad)
    for ours, theirs in zip(est.coefs_ + est.intercepts_, before):
        assert_array_equal(ours, theirs)
    assert est.loss_curve_ == curve
    assert est.n_iter_ in (0, n_iter)  # this call's epochs (fit) or unchanged (partial_fit)
    assert np.isfinite(est.predict(X_good)).all()


def test_a_diverged_model_stays_finite_when_training_continues():
    # The kept weights can be far too large to train from (they may diverge again at once),
    # but continuing never produces a model that predicts NaN, and never crashes.
    X, y = data()
    est = diverging()
    with pytest.warns(ConvergenceWarning, match="diverged"):
        est.fit(X, y)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        est.partial_fit(X, y)
    assert np.isfinite(est.predict(X)).all()


# An activation that breaks (NaN) after a number of calls: L-BFGS then diverges after some
# finite iterations, which plain data rarely makes it do (scipy backs off from an inf loss).
_FLAKY_CALLS = {"count": 0, "limit": np.inf}


def _flaky_tanh(Z):
    _FLAKY_CALLS["count"] += 1
    return (
        np.tanh(Z) if _FLAKY_CALLS["count"] <= _FLAKY_CALLS["limit"] else np.full_like(Z, np.nan)
    )


def _tanh_derivative(Z):
    return 1 - np.tanh(Z) ** 2


FLAKY_TANH = Activation("flaky_tanh", _flaky_tanh, _tanh_derivative)


@pytest.mark.parametrize("early_stopping", [False, True])  # no effect on L-BFGS
def test_lbfgs_divergence_keeps_the_last_finite_iterate(early_stopping):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    y = X.sum(axis=1)
    params = dict(
        hidden_layer_sizes=(4,),
        activation=FLAKY_TANH,
        solver="lbfgs",
        early_stopping=early_stopping,
        random_state=0,
    )
    _FLAKY_CALLS.update(count=0, limit=12)
    try:
        with pytest.warns(ConvergenceWarning, match=r"diverged in iteration \d+.*last finite"):
            diverged = NumpyMLPRegressor(max_iter=50, **params).fit(X, y)
    finally:
        _FLAKY_CALLS.update(limit=np.inf)
    assert 1 <= diverged.n_iter_ == len(diverged.loss_curve_) < 50
    assert np.isfinite(diverged.loss_curve_).all()
    # The same run stopped by max_iter at that iteration ends with the same weights.
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        replay = NumpyMLPRegressor(max_iter=diverged.n_iter_, **params).fit(X, y)
    for ours, theirs in zip(
        diverged.coefs_ + diverged.intercepts_, replay.coefs_ + replay.intercepts_
    ):
        assert_array_equal(ours, theirs)


# The cases a property test found: sgd diverging while it is scored on validation data. The
# predictions grow huge but finite, and R² (or the Poisson deviance) overflowed in NumPy.
SCORED_DIVERGENCE = [
    dict(n_features=1, x_scale=100, loss="squared_error", y_scale=1),
    dict(n_features=1, x_scale=100, loss="poisson", y_scale=1000),
    dict(n_features=12, x_scale=10, loss="poisson", y_scale=1),
]


@pytest.mark.parametrize("validation", ["early_stopping", "X_val"])
@pytest.mark.parametrize("case", SCORED_DIVERGENCE, ids=lambda case: f"{case}")
def test_diverging_fit_scored_on_validation_data_lets_no_runtime_warning_out(case, validation):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(11, case["n_features"])) * case["x_scale"]
    y = np.abs(rng.normal(size=11)) * case["y_scale"]
    est = NumpyMLPRegressor(
        hidden_layer_sizes=(3,),
        activation="identity",
        solver="sgd",
        loss=case["loss"],
        max_iter=6,
        early_stopping=validation == "early_stopping",
        random_state=0,
    )
    fit_params = dict(X_val=X[:5], y_val=y[:5]) if validation == "X_val" else {}
    with pytest.warns(ConvergenceWarning, match="diverged"):
        est.fit(X, y, **fit_params)  # a RuntimeWarning would be an error here
    assert len(est.validation_scores_) == est.n_iter_ >= 1
    assert all(isinstance(score, float) for score in est.validation_scores_)
    assert np.isfinite(est.predict(X)).all()
