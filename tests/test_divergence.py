"""Training that diverges stops, keeps the last finite weights and says so."""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

from sknumpy_nn import NumpyMLPRegressor


def data():
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    return X * 1e3, y * 1e3


def diverging(**params):
    # A learning rate far too large for unscaled data: sgd overflows within two epochs.
    settings = dict(solver="sgd", learning_rate_init=10.0, max_iter=50, random_state=0)
    return NumpyMLPRegressor(**{**settings, **params})


def test_divergence_warns_naming_the_epoch_and_keeps_finite_weights():
    X, y = data()
    est = diverging()
    with pytest.warns(ConvergenceWarning, match=r"diverged in epoch \d+.*learning_rate_init"):
        est.fit(X, y)
    assert est.n_iter_ < est.max_iter
    assert len(est.loss_curve_) == est.n_iter_
    assert np.isfinite(est.loss_curve_).all()
    assert all(np.isfinite(W).all() for W in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.predict(X)).all()


def test_the_kept_weights_are_those_of_the_last_finite_epoch():
    X, y = data()
    with pytest.warns(ConvergenceWarning, match="diverged"):
        diverged = diverging().fit(X, y)
    # The same run stopped one epoch earlier, by max_iter, ends with the same weights.
    replay = diverging(max_iter=diverged.n_iter_) if diverged.n_iter_ else None
    if replay is None:
        pytest.skip("diverged in the first epoch: the kept weights are the initial ones")
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        replay.fit(X, y)
    for ours, theirs in zip(diverged.coefs_, replay.coefs_):
        np.testing.assert_array_equal(ours, theirs)


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
