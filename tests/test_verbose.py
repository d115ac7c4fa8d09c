"""The ``verbose`` training log: a header once, then one aligned row per epoch or iteration."""

import re

import numpy as np
import pytest
from sklearn.neural_network import MLPRegressor

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor

ignore_convergence = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# The count column is titled with scikit-learn's word, for epochs and L-BFGS iterations alike.
TRAIN_ONLY = ["Iteration", "train loss", "learning rate", "seconds"]
WITH_VALIDATION = ["Iteration", "train loss", "val loss", "val score", "learning rate", "seconds"]


def data(n_samples, seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]


def small(**params):
    return NumpyMLPRegressor(**{"hidden_layer_sizes": (5,), "random_state": 0, **params})


def read_log(out):
    """The header's column titles (split on runs of 2+ spaces) and the numeric rows."""
    lines = out.splitlines()
    headers = [line for line in lines if "train loss" in line]
    rows = [[float(v) for v in line.split()] for line in lines if line.split()[0].isdigit()]
    return [header.strip().split("  ") for header in headers], rows


def titles(header):
    return [title.strip() for title in header if title.strip()]


@ignore_convergence
def test_header_once_then_one_row_per_epoch_without_validation_columns(capsys):
    X, y = data(40, seed=0)
    est = small(solver="sgd", learning_rate_init=0.01, max_iter=7, verbose=True).fit(X, y)
    headers, rows = read_log(capsys.readouterr().out)

    assert [titles(header) for header in headers] == [TRAIN_ONLY]
    assert len(rows) == est.n_iter_ == 7
    assert [row[0] for row in rows] == list(range(1, 8))
    assert_close([row[1] for row in rows], est.loss_curve_)
    assert [row[2] for row in rows] == [0.01] * 7  # the constant learning rate
    # The last column is the epoch's duration: only its format is checked (a number >= 0),
    # never how long anything took.
    assert all(row[3] >= 0 for row in rows)


@ignore_convergence
@pytest.mark.parametrize("how", ["X_val", "early_stopping"])
def test_validation_columns_show_the_recorded_loss_and_score(capsys, how):
    X, y = data(60, seed=0)
    est = small(solver="adam", max_iter=6, verbose=1, early_stopping=how == "early_stopping")
    if how == "X_val":
        est.fit(X, y, X_val=data(20, seed=1)[0], y_val=data(20, seed=1)[1])
    else:
        est.fit(X, y)
    headers, rows = read_log(capsys.readouterr().out)

    assert [titles(header) for header in headers] == [WITH_VALIDATION]
    assert len(rows) == est.n_iter_ == 6
    assert_close([row[1] for row in rows], est.loss_curve_)
    assert_close([row[2] for row in rows], est.validation_loss_curve_)
    assert_close([row[3] for row in rows], est.validation_scores_, digits=6)


@ignore_convergence
def test_lbfgs_prints_one_row_per_iteration_and_no_learning_rate(capsys):
    X, y = data(40, seed=0)
    X_val, y_val = data(20, seed=1)
    est = small(solver="lbfgs", max_iter=30, verbose=True)
    est.fit(X, y, X_val=X_val, y_val=y_val)
    headers, rows = read_log(capsys.readouterr().out)

    assert [titles(header) for header in headers] == [
        ["Iteration", "train loss", "val loss", "val score", "seconds"]
    ]
    assert len(rows) == est.n_iter_ > 10
    assert_close([row[1] for row in rows], est.loss_curve_)
    assert_close([row[3] for row in rows], est.validation_scores_, digits=6)


@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_the_log_says_iteration_as_sklearns_does(capsys, solver):
    # Scripts and scikit-learn's own tests (test_verbose_sgd) look for "Iteration".
    X, y = data(40, seed=0)
    small(solver=solver, max_iter=3, verbose=True).fit(X, y)
    ours = capsys.readouterr().out
    assert ours.splitlines()[0].split()[0] == "Iteration"
    if solver != "lbfgs":  # scikit-learn's L-BFGS prints nothing of its own to stdout
        MLPRegressor(hidden_layer_sizes=(5,), solver=solver, max_iter=3, verbose=True).fit(X, y)
        assert capsys.readouterr().out.startswith("Iteration 1, loss = ")


def test_partial_fit_prints_the_header_on_the_first_call_only(capsys):
    X, y = data(40, seed=0)
    est = small(solver="sgd", verbose=True)
    for _ in range(3):
        est.partial_fit(X, y)
    headers, rows = read_log(capsys.readouterr().out)
    assert len(headers) == 1
    assert [row[0] for row in rows] == [1, 2, 3]


@ignore_convergence
def test_warm_start_fit_prints_a_new_header_and_continues_the_epoch_count(capsys):
    X, y = data(40, seed=0)
    est = small(max_iter=3, warm_start=True, verbose=1)
    est.fit(X, y)
    est.fit(X, y)
    headers, rows = read_log(capsys.readouterr().out)
    assert len(headers) == 2
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5, 6]  # the index into loss_curve_


@ignore_convergence
def test_rows_are_aligned_under_the_header(capsys):
    X, y = data(40, seed=0)
    clf = NumpyMLPClassifier(hidden_layer_sizes=(5,), max_iter=4, verbose=True, random_state=0)
    clf.fit(X, y > 0, X_val=X[:10], y_val=y[:10] > 0)
    header, *rows = capsys.readouterr().out.splitlines()
    # Every value ends (right-aligned) where its column's title ends.
    title_ends = [match.end() for match in re.finditer(r"\S+(?: \S+)*", header)]
    assert len(title_ends) == 6
    for row in rows:
        assert [match.end() for match in re.finditer(r"\S+", row)] == title_ends


@ignore_convergence
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_quiet_by_default(capsys, solver):
    X, y = data(40, seed=0)
    small(solver=solver, max_iter=5, early_stopping=True).fit(X, y)
    assert capsys.readouterr().out == ""


def assert_close(printed, recorded, digits=None):
    """Printed values equal the recorded ones to the digits the log shows."""
    recorded = np.asarray(recorded, dtype=float)
    if digits is None:  # 8 significant digits
        np.testing.assert_allclose(printed, recorded, rtol=1e-7)
    else:  # fixed decimals
        np.testing.assert_allclose(printed, recorded, atol=10.0**-digits)
