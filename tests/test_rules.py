"""The training floor on its own: rules, records and the trainer, on plain arrays, no estimator."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from sknumpy_nn import NumpyMLPRegressor
from sknumpy_nn._network import Network
from sknumpy_nn._records import TrainingSettings, TrainingState
from sknumpy_nn._rules import (
    FiniteSnapshots,
    StoppingRule,
    ValidationScorer,
    best_validation_epoch,
    log_row,
    recover_from_divergence,
    split_validation,
)
from sknumpy_nn._training import batch_size_for, make_optimizer, train
from sknumpy_nn._training_log import TrainingLog


def settings(**changes) -> TrainingSettings:
    """The defaults of scikit-learn's MLPRegressor, changed as given."""
    return TrainingSettings.from_params({**MLPRegressor().get_params(), **changes})


class NoHook:
    """A per-step hook that records the steps and never asks to stop."""

    def __init__(self, stop_after=None):
        self.ended, self.stop_after = 0, stop_after

    def begin_step(self):
        pass

    def end_step(self, coefs, intercepts):
        self.ended += 1
        return self.ended == self.stop_after

    def close_step(self):
        pass


def regression_data(n_samples=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 3))
    Y = (X @ [1.0, -2.0, 0.5])[:, None]
    return X, Y, None


def fresh_network(seed=0, hidden=5):
    network = Network([3, hidden, 1], "relu", "squared_error", np.float64)
    network.initialize(np.random.RandomState(seed))
    return network


# ------------------------------------------------------------------------- stopping rule
def test_stopping_rule_counts_epochs_that_miss_the_best_loss_by_tol():
    rule = StoppingRule(tol=0.1, n_iter_no_change=2, on_validation=False)
    state = TrainingState()
    counts = []
    for loss in [1.0, 0.95, 0.5, 0.45, 0.44, 0.43]:
        rule.update(state, loss, None, np.zeros(2))
        counts.append(state.no_improvement_count)
    assert counts == [0, 1, 0, 1, 2, 3]
    assert state.best_loss == 0.43
    assert rule.stalled(state)
    assert "Training loss did not improve more than tol=0.100000 for 2" in rule.message()


def test_stopping_rule_on_validation_keeps_the_weights_of_each_best_score():
    rule = StoppingRule(tol=0.0, n_iter_no_change=5, on_validation=True)
    state = TrainingState(best_loss=None, validation_scores=[], validation_loss_curve=[])
    state.best_validation_score = -np.inf
    for epoch, score in enumerate([0.1, 0.3, 0.2]):
        params = np.full(2, float(epoch))
        rule.update(state, 1.0, score, params)
        state.record_validation(score, 0.0)
        params[:] = -1  # the rule kept a copy, not the buffer
    assert_array_equal(state.best_params, [1.0, 1.0])
    assert state.no_improvement_count == 1
    assert state.best_validation_score == 0.3
    assert best_validation_epoch(state, stops_early=True) == 2
    assert best_validation_epoch(state, stops_early=False) is None


def test_no_best_epoch_when_no_score_was_ever_finite():
    state = TrainingState(validation_scores=[np.nan, np.nan], best_validation_score=-np.inf)
    assert best_validation_epoch(state, stops_early=True) is None


# ------------------------------------------------------------------------- validation
def test_validation_scorer_gives_score_and_mean_loss_and_nan_on_overflow():
    X, Y, _ = regression_data()
    network = fresh_network()
    scorer = ValidationScorer((X, Y, None), "relu", network.loss, lambda out, Y, w: 0.5)
    score, loss = scorer(network.coefs, network.intercepts)
    assert score == 0.5
    expected = network.loss_and_gradient(X, Y, None, 0.0)  # the objective without penalty
    assert loss == pytest.approx(expected, rel=1e-12)
    huge = [W * 1e200 for W in network.coefs]
    assert all(np.isnan(scorer(huge, network.intercepts)))


def test_split_validation_sizes_and_errors():
    X = np.arange(40.0).reshape(20, 2)
    Y = np.arange(20.0)[:, None]
    weights = np.linspace(1, 2, 20)
    train_part, val_part = split_validation(X, Y, weights, 0.25, None, np.random.RandomState(0))
    assert [len(part) for part in train_part] == [15, 15, 15]
    assert [len(part) for part in val_part] == [5, 5, 5]
    # Rows keep their targets and weights.
    assert_array_equal(val_part[0][:, 0] / 2, val_part[1][:, 0])
    with pytest.raises(ValueError, match="The validation set is too small"):
        split_validation(X, Y, None, 0.01, None, np.random.RandomState(0))
    with pytest.raises(ValueError, match="leaving none to train on"):
        split_validation(X, Y, None, 0.99, None, np.random.RandomState(0))


# ------------------------------------------------------------------------- divergence
def test_snapshots_keep_the_last_two_finite_weights():
    snapshots = FiniteSnapshots(np.zeros(2))
    assert snapshots.latest(0) == []
    for value in (1.0, 2.0, 3.0):
        snapshots.keep(np.full(2, value))
    (n_last, last), (n_before, before) = snapshots.latest(7)
    assert (n_last, n_before) == (7, 6)
    assert_array_equal(last, [3.0, 3.0])
    assert_array_equal(before, [2.0, 2.0])
    assert_array_equal(snapshots.start, [0.0, 0.0])


def test_recovery_skips_weights_that_fail_the_check_and_reports_them():
    network = fresh_network()
    snapshots = FiniteSnapshots(network.params)
    good, bad = np.full_like(network.params, 0.1), np.full_like(network.params, 0.2)
    snapshots.keep(good)
    snapshots.keep(bad)
    state = TrainingState(loss_curve=[3.0, 2.0, 1.5, 1.2], optimizer_state={"t": 4})
    report = recover_from_divergence(
        network,
        snapshots,
        state,
        settings(solver="sgd"),
        "epoch",
        lambda net: net.params[0] == 0.1,
        True,
    )
    assert_array_equal(network.params, good)
    assert not report.nothing_learned and state.optimizer_state is None
    message = report.message()
    assert "Training diverged in epoch 5" in message
    assert "from the end of epoch 3" in message
    assert "smaller learning_rate_init" in message


@pytest.mark.parametrize("from_scratch", [True, False])
def test_recovery_with_nothing_usable(from_scratch):
    network = fresh_network()
    start = network.params.copy()
    snapshots = FiniteSnapshots(start)
    network.params[...] = np.inf
    state = TrainingState(optimizer_state={"t": 1})
    report = recover_from_divergence(
        network, snapshots, state, settings(solver="lbfgs"), "iteration", None, from_scratch
    )
    assert report.nothing_learned is from_scratch
    if from_scratch:
        assert report.message().startswith("Solver produced non-finite parameter weights.")
        assert "in the first iteration, before anything was learned" in report.message()
        assert state.optimizer_state == {"t": 1}
    else:
        assert_array_equal(network.params, start)
        assert "this call started from" in report.message()
        assert state.optimizer_state is None


# ------------------------------------------------------------------------- records
def test_settings_are_frozen_and_read_from_get_params():
    s = settings(solver="sgd", early_stopping=True, learning_rate_init=0.5)
    assert s.stops_early and s.learning_rate_init == 0.5
    assert not settings(solver="lbfgs", early_stopping=True).stops_early
    with pytest.raises(AttributeError):
        s.tol = 1.0
    assert "smaller learning_rate_init (it is 0.5)" in s.divergence_advice()
    assert "learning_rate_init" not in settings(solver="lbfgs").divergence_advice()


def test_batch_size_is_clipped_with_a_warning():
    assert batch_size_for("auto", 50) == (50, [])
    assert batch_size_for("auto", 500) == (200, [])
    size, warnings = batch_size_for(64, 10)
    assert size == 10 and "clipped" in warnings[0][0]


def test_optimizer_state_is_continued_only_for_its_own_solver():
    adam = make_optimizer(settings(solver="adam"), 4, np.float64, None)
    adam.step(np.zeros(4), np.ones(4))
    continued = make_optimizer(settings(solver="adam"), 4, np.float64, adam.state)
    assert continued.state["t"] == 1
    switched = make_optimizer(settings(solver="sgd"), 4, np.float64, adam.state)
    assert "t" not in switched.state and switched.state["solver"] == "sgd"


def test_log_row_prints_the_last_epoch(capsys):
    state = TrainingState(loss_curve=[0.5, 0.25], validation_scores=[0.7])
    state.validation_loss_curve = [0.3]
    log = TrainingLog(validation=True, learning_rate=True)
    log_row(log, state, validation=True, learning_rate=(0.01,))
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:3] == ["Iteration", "train", "loss"]
    assert row.split()[:5] == ["2", "0.25", "0.3", "0.700000", "0.01"]


# ------------------------------------------------------------------------- the trainer
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_the_trainer_alone_trains_as_the_estimator_does(solver):
    X, Y, _ = regression_data()
    est = NumpyMLPRegressor(
        hidden_layer_sizes=(5,), solver=solver, max_iter=15, random_state=0, tol=0.0
    )
    with pytest.warns(ConvergenceWarning):
        est.fit(X, Y.ravel())

    random_state = np.random.RandomState(0)
    network = Network([3, 5, 1], "relu", "squared_error", np.float64)
    network.initialize(random_state)
    result = train(
        network,
        (X, Y, None),
        settings(**est.get_params()),
        TrainingState(),
        random_state,
        NoHook(),
        None,
        from_scratch=True,
        one_epoch=False,
    )
    assert result.n_iter == est.n_iter_ == 15
    assert result.state.loss_curve == est.loss_curve_
    assert_array_equal(
        network.params, np.concatenate([W.ravel() for W in est.coefs_ + est.intercepts_])
    )
    assert result.stop_reason in {"max_iter", "lbfgs_stopped"}
    assert result.warnings and result.warnings[-1][1] is ConvergenceWarning


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_the_hook_stops_the_trainer(solver):
    X, Y, _ = regression_data()
    network = fresh_network()
    hook = NoHook(stop_after=3)
    result = train(
        network,
        (X, Y, None),
        settings(solver=solver),
        TrainingState(),
        np.random.RandomState(0),
        hook,
        None,
        from_scratch=True,
        one_epoch=False,
    )
    assert result.stop_reason == "callback"
    assert len(result.state.loss_curve) == 3 and result.warnings == ()


@pytest.mark.parametrize(
    "scale, from_scratch, nothing_learned",
    # 1e3: a few epochs before the overflow, the last finite weights are kept. 1e150: the
    # weights of every finite epoch overflow on the data; from scratch that is nothing
    # learned, in a continuation the weights it started from are kept.
    [(1e3, True, False), (1e150, True, True), (1e150, False, False)],
)
def test_the_trainer_reports_divergence_instead_of_raising(scale, from_scratch, nothing_learned):
    X, Y, _ = regression_data()
    network = fresh_network()
    start = network.params.copy()
    result = train(
        network,
        (X * scale, Y * scale, None),
        settings(solver="sgd", learning_rate_init=10.0, momentum=0.0),
        TrainingState(),
        np.random.RandomState(0),
        NoHook(),
        None,
        from_scratch=from_scratch,
        one_epoch=False,
    )
    assert result.stop_reason == "diverged"
    report = result.divergence
    assert report.failed == len(result.state.loss_curve) + 1
    assert report.nothing_learned is nothing_learned
    if report.nothing_learned:
        assert result.warnings == ()  # the estimator raises instead
    else:
        assert np.isfinite(network.params).all()
        assert result.warnings[-1] == (report.message(), ConvergenceWarning)
        assert result.state.optimizer_state is None
        if scale > 1e100:
            assert_array_equal(network.params, start)
