"""Time sknumpy_nn against scikit-learn's MLP in one run: fit, predict, memory, GFLOP/s.

Every case fits scikit-learn's estimator and ours with the same parameters and
``random_state`` for a fixed number of epochs (``tol=0``, ``n_iter_no_change`` never reached),
interleaved (sklearn, ours, sklearn, ours, ...) after one un-timed one-epoch warm-up fit of
each. The table shows the median milliseconds per epoch (per iteration for L-BFGS), the
speedup (sklearn / ours, above 1 means ours is faster) and each model's score on its training
data, which should agree to about three decimals since both train the same model. Then:
``predict`` times, the peak memory of one fit (each in a fresh subprocess), and the GFLOP/s
our largest case achieves against a plain float32 matrix-multiply peak measured in this run.

Usage: ``python benchmarks/bench_vs_sklearn.py [--quick] [--repeats 5] [--runs 1]
[--json PATH] [--threads N]`` (``--quick``: a smoke test of under a minute: fewer repeats and
epochs, a smaller big case; ``--runs 3``: the fit table three times, then per case the median
of the three and their spread, the figures docs/user_guide/speed.md shows). Timings need an
otherwise idle machine: when other processes hold the cores, OpenBLAS's spin-waiting threads
slow minibatch training several-fold; the start-up load average is printed, and
``--threads 1`` sidesteps the worst of it.
"""

import os

# Set on some machines for old OpenBLAS builds; they slow a current NumPy. Unset for this
# process (and the memory subprocesses it starts) only, before NumPy loads OpenBLAS.
_UNSET_ENV = {
    name: os.environ.pop(name)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    if name in os.environ
}

import argparse  # noqa: E402
import contextlib  # noqa: E402
import ctypes  # noqa: E402
import ctypes.util  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_digits, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor  # noqa: E402
from sknumpy_nn._lbfgs import LBFGS_BLOCK_ROWS, LbfgsRun  # noqa: E402

ESTIMATORS = ("sklearn", "ours")
BATCH_SIZE = 200  # what batch_size="auto" gives on every case here (all have n >= 200)


# --------------------------------------------------------------------------------- data
@functools.cache
def sine_data():
    """One feature uniform on [0, 2π] and its sine.

    Returns
    -------
    X : ndarray of shape (2000, 1)
    y : ndarray of shape (2000,)
    """
    X = np.random.default_rng(0).uniform(0.0, 2.0 * np.pi, size=(2000, 1))
    return X, np.sin(X).ravel()


def _standardise(y):
    return (y - y.mean()) / y.std()


@functools.cache
def regression_data():
    """``make_regression`` with 20,000 samples and 20 features, ``y`` standardised.

    Returns
    -------
    X : ndarray of shape (20000, 20)
    y : ndarray of shape (20000,)
    """
    X, y = make_regression(n_samples=20_000, n_features=20, noise=10.0, random_state=0)
    return X, _standardise(y)


@functools.cache
def big_data(n_samples):
    """A float32 synthetic regression with 100 features, ``y`` standardised.

    Parameters
    ----------
    n_samples : int
        Number of rows (50,000 in a full run).

    Returns
    -------
    X : ndarray of shape (n_samples, 100), float32
    y : ndarray of shape (n_samples,), float32
    """
    X, y = make_regression(
        n_samples=n_samples, n_features=100, n_informative=50, noise=10.0, random_state=1
    )
    return X.astype(np.float32), _standardise(y).astype(np.float32)


@functools.cache
def digits_data():
    """The digits images scaled to [0, 1], with their labels.

    Returns
    -------
    X : ndarray of shape (1797, 64)
    y : ndarray of shape (1797,)
    """
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


# -------------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    """One benchmark case: its data, estimator kind and shared hyper-parameters."""

    key: str
    label: str
    data: str  # a key of load_data
    params: dict
    epochs: int  # max_iter of a full run (L-BFGS: iterations)
    quick_epochs: int  # max_iter under --quick
    classifier: bool = False


def load_data(name, quick):
    """The training data of a case.

    Parameters
    ----------
    name : {"sine", "regression", "big", "digits"}
    quick : bool
        Shrinks the big case to 10,000 rows.

    Returns
    -------
    X, y : ndarray
    """
    if name == "big":
        return big_data(10_000 if quick else 50_000)
    return {"sine": sine_data, "regression": regression_data, "digits": digits_data}[name]()


CASES = [
    Case(
        "sine",
        "sine 2k x1 (20,) logistic",
        "sine",
        {"hidden_layer_sizes": (20,), "activation": "logistic"},
        epochs=200,
        quick_epochs=50,
    ),
    Case(
        "regression",
        "regr 20k x20 (100,)",
        "regression",
        {"hidden_layer_sizes": (100,)},
        epochs=20,
        quick_epochs=5,
    ),
    Case(
        "regression_wide",
        "regr 20k x20 (256,256)",
        "regression",
        {"hidden_layer_sizes": (256, 256)},
        epochs=5,
        quick_epochs=1,
    ),
    # The slow one: two epochs; --quick also shrinks it to 10,000 rows.
    Case(
        "big",
        "regr 50k x100 (512,512) f32",
        "big",
        {"hidden_layer_sizes": (512, 512)},
        epochs=2,
        quick_epochs=1,
    ),
    Case(
        "big256",
        "regr 50k x100 (256,256) f32",
        "big",
        {"hidden_layer_sizes": (256, 256)},
        epochs=3,
        quick_epochs=1,
    ),
    Case(
        "digits",
        "digits 1.8k x64 (100,) clf",
        "digits",
        {"hidden_layer_sizes": (100,)},
        epochs=100,
        quick_epochs=20,
        classifier=True,
    ),
    Case(
        "lbfgs",
        "regr 20k x20 (100,) lbfgs",
        "regression",
        {"hidden_layer_sizes": (100,), "solver": "lbfgs"},
        epochs=50,
        quick_epochs=10,
    ),
]


def build(case, estimator, max_iter):
    """An unfitted estimator for ``case``: ``estimator`` is "sklearn" or "ours".

    Parameters
    ----------
    case : Case
    estimator : {"sklearn", "ours"}
    max_iter : int
        Epochs (iterations for L-BFGS); with ``tol=0`` every one of them runs.

    Returns
    -------
    model : estimator instance
    """
    if case.classifier:
        cls = MLPClassifier if estimator == "sklearn" else NumpyMLPClassifier
    else:
        cls = MLPRegressor if estimator == "sklearn" else NumpyMLPRegressor
    # tol=0 and an unreachable n_iter_no_change: every case runs exactly max_iter epochs.
    return cls(max_iter=max_iter, tol=0.0, n_iter_no_change=10**9, random_state=0, **case.params)


def timed_fit(model, X, y):
    """Fit ``model`` and return the wall-clock seconds it took.

    Parameters
    ----------
    model : estimator instance
    X, y : ndarray
        Training data.

    Returns
    -------
    seconds : float
    """
    with warnings.catch_warnings():
        # Fixed epoch budgets: not converging is by design, not news.
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - started


def run_case(case, repeats, quick):
    """Warm up, then fit both estimators ``repeats`` times, interleaved.

    Parameters
    ----------
    case : Case
    repeats : int
    quick : bool

    Returns
    -------
    row : dict
        Medians, scores and iteration counts.
    models : dict
        The last fitted model of each estimator.
    """
    X, y = load_data(case.data, quick)
    max_iter = case.quick_epochs if quick else case.epochs
    for estimator in ESTIMATORS:
        # One epoch pages in code, BLAS threads and allocator arenas as a full fit would.
        timed_fit(build(case, estimator, 1), X, y)
    seconds = {estimator: [] for estimator in ESTIMATORS}
    models = {}
    with counting_evaluations() as evaluations:
        for _ in range(repeats):
            for estimator in ESTIMATORS:
                models[estimator] = build(case, estimator, max_iter)
                seconds[estimator].append(timed_fit(models[estimator], X, y))
    row = {"case": case.key, "label": case.label, "n_samples": X.shape[0]}
    row["n_features"], row["max_iter"] = X.shape[1], max_iter
    for estimator, model in models.items():
        fit_seconds = float(np.median(seconds[estimator]))
        row[f"{estimator}_fit_ms"] = 1e3 * fit_seconds
        row[f"{estimator}_fit_ms_each"] = [1e3 * t for t in seconds[estimator]]
        row[f"{estimator}_n_iter"] = int(model.n_iter_)
        row[f"{estimator}_ms_per_iter"] = 1e3 * fit_seconds / model.n_iter_
        row[f"{estimator}_score"] = float(model.score(X, y))
    row["speedup"] = row["sklearn_ms_per_iter"] / row["ours_ms_per_iter"]
    # Each repeat's pair (interleaved, so they shared the machine's state): the spread.
    pairs = [a / b for a, b in zip(seconds["sklearn"], seconds["ours"])]
    row["speedup_spread"] = [float(min(pairs)), float(max(pairs))]
    if evaluations[0]:  # L-BFGS
        row["ours_evaluations_per_iter"] = evaluations[0] / (repeats * row["ours_n_iter"])
    row["floor_ms_per_iter"] = floor_ms(case, row, quick)
    row["efficiency"] = row["floor_ms_per_iter"] / row["ours_ms_per_iter"]
    return row, models


@contextlib.contextmanager
def counting_evaluations():
    """Count our L-BFGS loss-and-gradient evaluations meanwhile (a one-item list)."""
    count = [0]
    original = LbfgsRun.loss_and_gradient

    def counted(self, params):
        count[0] += 1
        return original(self, params)

    LbfgsRun.loss_and_gradient = counted
    try:
        yield count
    finally:
        LbfgsRun.loss_and_gradient = original


def _warnings(row):
    flags = []
    if abs(row["sklearn_score"] - row["ours_score"]) >= 5e-4:
        flags.append("scores differ")
    if row["sklearn_n_iter"] != row["ours_n_iter"]:
        flags.append(f"ours ran {row['ours_n_iter']} iterations")
    each = (row["sklearn_fit_ms_each"], row["ours_fit_ms_each"])
    spread = max(max(times) / min(times) for times in each)
    if spread > 1.5:  # repeats this far apart mean something else was using the cores
        flags.append(f"noisy: repeats differ up to {spread:.1f}x")
    return "".join(f"  <-- {flag}" for flag in flags)


def print_fit_table(cases, repeats, quick):
    """Run and print every fit case.

    Parameters
    ----------
    cases : list of Case
    repeats : int
    quick : bool

    Returns
    -------
    rows : list of dict
    models : dict
        ``{case key: {estimator: fitted model}}``.
    """
    print(f"fit: median of {repeats} interleaved fits after a 1-epoch warm-up of each; ms per")
    print("epoch (per iteration for lbfgs); score = .score on the training data (R^2 / acc)\n")
    print("speedup: median [min-max of the interleaved pairs]; floor: the same matrix")
    print("products alone, timed in this run; efficiency = floor / ours\n")
    header = (
        f"{'case':<29} {'epochs':>6} {'sklearn ms':>11} {'ours ms':>9} {'speedup':>8} "
        f"{'spread':>11} {'floor ms':>9} {'effic.':>6} "
        f"{'sklearn score':>13} {'our score':>10} {'|diff|':>8}"
    )
    print(header + "\n" + "-" * len(header))
    rows, models = [], {}
    for case in cases:
        row, models[case.key] = run_case(case, repeats, quick)
        rows.append(row)
        diff = abs(row["sklearn_score"] - row["ours_score"])
        print(
            f"{row['label']:<29} {row['sklearn_n_iter']:>6} {row['sklearn_ms_per_iter']:>11.2f} "
            f"{row['ours_ms_per_iter']:>9.2f} {row['speedup']:>7.2f}x "
            f"{row['speedup_spread'][0]:>5.2f}-{row['speedup_spread'][1]:<5.2f} "
            f"{row['floor_ms_per_iter']:>9.2f} {100 * row['efficiency']:>5.0f}% "
            f"{row['sklearn_score']:>13.5f} {row['ours_score']:>10.5f} {diff:>8.1e}"
            + _warnings(row),
            flush=True,
        )
    return rows, models


def summarise_runs(runs):
    """Per case, the median over full runs of the speedup, ms and efficiency, with spreads.

    Parameters
    ----------
    runs : list of list of dict
        The fit rows of each run (from :func:`print_fit_table`), cases in the same order.

    Returns
    -------
    rows : list of dict
        Per case: ``label``, the run medians of ``sklearn_ms_per_iter``, ``ours_ms_per_iter``,
        ``floor_ms_per_iter``, ``speedup`` and ``efficiency``, and ``speedup_runs`` /
        ``efficiency_runs``, each run's value.
    """
    rows = []
    for per_run in zip(*runs):
        row = {"case": per_run[0]["case"], "label": per_run[0]["label"]}
        for key in ("sklearn_ms_per_iter", "ours_ms_per_iter", "floor_ms_per_iter"):
            row[key] = float(np.median([r[key] for r in per_run]))
        for key in ("speedup", "efficiency"):
            row[f"{key}_runs"] = [r[key] for r in per_run]
            row[key] = float(np.median(row[f"{key}_runs"]))
        rows.append(row)
    return rows


def print_run_summary(rows, n_runs):
    """Print :func:`summarise_runs`' table and the geometric mean of the median speedups."""
    print(f"\nmedian of {n_runs} full runs (spread: min-max of the runs' medians)")
    header = (
        f"{'case':<29} {'sklearn ms':>11} {'ours ms':>9} {'speedup':>8} {'spread':>11} "
        f"{'floor ms':>9} {'effic.':>6} {'spread':>9}"
    )
    print(header + "\n" + "-" * len(header))
    for row in rows:
        speedups, efficiencies = row["speedup_runs"], row["efficiency_runs"]
        print(
            f"{row['label']:<29} {row['sklearn_ms_per_iter']:>11.2f} "
            f"{row['ours_ms_per_iter']:>9.2f} {row['speedup']:>7.2f}x "
            f"{min(speedups):>5.2f}-{max(speedups):<5.2f} {row['floor_ms_per_iter']:>9.2f} "
            f"{100 * row['efficiency']:>5.0f}% "
            f"{100 * min(efficiencies):>3.0f}-{100 * max(efficiencies):.0f}%"
        )
    speedup = geometric_mean([row["speedup"] for row in rows])
    print(f"geometric mean of the median speedups: {speedup:.2f}x")
    return speedup


def geometric_mean(values):
    """Geometric mean of positive numbers.

    Parameters
    ----------
    values : sequence of float

    Returns
    -------
    mean : float
    """
    return float(np.exp(np.mean(np.log(values))))


# ------------------------------------------------------------------------------ predict
def time_predict(models, X, repeats):
    """Median ``predict`` seconds of each model on ``X``, interleaved after a warm-up.

    Parameters
    ----------
    models : dict
        ``{estimator: fitted model}``.
    X : ndarray
    repeats : int

    Returns
    -------
    medians : dict
        ``{estimator: milliseconds}``.
    """
    for model in models.values():
        model.predict(X)
    times = {estimator: [] for estimator in models}
    for _ in range(repeats):
        for estimator, model in models.items():
            started = time.perf_counter()
            model.predict(X)
            times[estimator].append(time.perf_counter() - started)
    return {estimator: 1e3 * float(np.median(t)) for estimator, t in times.items()}


def print_predict_table(cases, models, repeats, quick):
    """Time and print ``predict`` on the case-2 and case-4 data.

    Parameters
    ----------
    cases : list of Case
    models : dict
        ``{case key: {estimator: fitted model}}`` from the fit table.
    repeats : int
    quick : bool

    Returns
    -------
    rows : list of dict
    """
    # predict is cheap next to fit: more repeats for a steadier median at little cost.
    repeats = 3 * repeats
    print(f"\npredict on the training data, median of {repeats} interleaved calls")
    print(f"{'case':<29} {'sklearn ms':>11} {'ours ms':>9} {'speedup':>8}")
    rows = []
    for case in cases:
        if case.key not in ("regression", "big"):
            continue
        X, _ = load_data(case.data, quick)
        ms = time_predict(models[case.key], X, repeats)
        row = {"case": case.key, "sklearn_ms": ms["sklearn"], "ours_ms": ms["ours"]}
        row["speedup"] = ms["sklearn"] / ms["ours"]
        rows.append(row)
        print(
            f"{case.label:<29} {row['sklearn_ms']:>11.2f} {row['ours_ms']:>9.2f} "
            f"{row['speedup']:>7.2f}x",
            flush=True,
        )
    return rows


# ------------------------------------------------------------------------------- memory
def _proc_status_kib(field_name):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise KeyError(field_name)


def _release_free_heap():
    # glibc keeps freed heap pages resident (data generation frees ~100 MB), and a fit then
    # reuses them without growing RSS; malloc_trim hands them back so the fit's growth shows.
    try:
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass


def _reset_peak_rss():
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0); without it the
    # high-water mark would still hold the data generation's peak from before the fit.
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_memory_child(case_key, estimator, quick):
    """Measure one fit's peak memory in this (fresh) process and print it as JSON.

    Two fits of the same model: the first under the resident-set high-water mark
    (``VmHWM`` after resetting it, minus ``VmRSS`` before the fit), the second under
    ``tracemalloc`` (peak traced bytes above those traced before the fit; NumPy reports its
    array buffers to tracemalloc, so this is the fit's own Python + NumPy allocations).

    Parameters
    ----------
    case_key : str
    estimator : {"sklearn", "ours"}
    quick : bool
    """
    case = next(c for c in CASES if c.key == case_key)
    X, y = load_data(case.data, quick)
    max_iter = case.quick_epochs if quick else case.epochs
    # A small un-measured fit first, so lazy imports and first-call set-up are not counted.
    timed_fit(build(case, estimator, 1), X[:400], y[:400])
    _release_free_heap()
    result = {"rss_hwm_reset": _reset_peak_rss(), "rss_before_kib": _proc_status_kib("VmRSS")}
    timed_fit(build(case, estimator, max_iter), X, y)
    result["rss_peak_mib"] = (_proc_status_kib("VmHWM") - result["rss_before_kib"]) / 1024
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    timed_fit(build(case, estimator, max_iter), X, y)
    result["tracemalloc_peak_mib"] = (tracemalloc.get_traced_memory()[1] - before) / 2**20
    tracemalloc.stop()
    print(json.dumps(result))


def measure_peak_memory(case_key, estimator, child_flags):
    """Run :func:`peak_memory_child` in a fresh interpreter and return its numbers.

    Parameters
    ----------
    case_key : str
    estimator : {"sklearn", "ours"}
    child_flags : list of str
        ``--quick`` and ``--threads`` as given to this run.

    Returns
    -------
    result : dict
    """
    command = [sys.executable, os.path.abspath(__file__), "--peak-memory-child"]
    command += [case_key, estimator, *child_flags]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def print_memory_table(cases, child_flags):
    """Measure and print the peak memory of a case-2 and a case-4 fit of each estimator.

    Parameters
    ----------
    cases : list of Case
    child_flags : list of str
        Options passed on to each subprocess.

    Returns
    -------
    rows : list of dict
    """
    print("\npeak memory of one fit, each in a fresh subprocess, MiB above the pre-fit level")
    print("(tracemalloc: peak Python + NumPy allocations during the fit; RSS: VmHWM after")
    print(" resetting it via /proc/self/clear_refs, minus VmRSS just before the fit)")
    print(f"{'case':<29} {'sklearn tracemalloc':>19} {'ours':>7} {'sklearn RSS':>12} {'ours':>7}")
    rows = []
    for case in cases:
        if case.key not in ("regression", "big"):
            continue
        row = {"case": case.key}
        for estimator in ESTIMATORS:
            row[estimator] = measure_peak_memory(case.key, estimator, child_flags)
        rows.append(row)
        rss_note = "" if row["ours"]["rss_hwm_reset"] else "  (RSS peak not resettable here)"
        print(
            f"{case.label:<29} {row['sklearn']['tracemalloc_peak_mib']:>19.1f} "
            f"{row['ours']['tracemalloc_peak_mib']:>7.1f} "
            f"{row['sklearn']['rss_peak_mib']:>12.1f} {row['ours']['rss_peak_mib']:>7.1f}"
            + rss_note,
            flush=True,
        )
    return rows


# -------------------------------------------------------------------------------- floors
def epoch_products(layer_sizes, row_blocks, dtype):
    """Operands of the matrix products one pass of back-propagation makes, per row block.

    Per layer of ``(fan_in, fan_out)`` and block of ``n`` rows: the forward product
    ``(n, fan_in) @ (fan_in, fan_out)``, the weight gradient ``(n, fan_in).T @ (n, fan_out)``
    and, except for the first layer, the input gradient ``(n, fan_out) @ (fan_out,
    fan_in).T`` -- what both libraries compute, and nothing else (no bias, activation, loss
    or optimizer). One set of buffers per distinct block size; a block list repeats them.

    Parameters
    ----------
    layer_sizes : list of int
    row_blocks : list of int
        The rows of each minibatch of an epoch (L-BFGS: each block of one evaluation).
    dtype : numpy dtype

    Returns
    -------
    work : list of list of (callable, tuple)
        Per block, the ``(function, arguments)`` of its products.
    """
    rng = np.random.default_rng(0)
    layers = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    weights = [rng.standard_normal(shape).astype(dtype) for shape in layers]
    per_size = {}
    for n in sorted(set(row_blocks)):
        calls = []
        for i, (W, (fan_in, fan_out)) in enumerate(zip(weights, layers)):
            A = rng.standard_normal((n, fan_in)).astype(dtype)
            delta = rng.standard_normal((n, fan_out)).astype(dtype)
            calls.append((np.matmul, (A, W, np.empty((n, fan_out), dtype))))
            calls.append((np.dot, (A.T, delta, np.empty((fan_in, fan_out), dtype))))
            if i > 0:
                calls.append((np.matmul, (delta, W.T, np.empty((n, fan_in), dtype))))
        per_size[n] = calls
    return [per_size[n] for n in row_blocks]


def time_products(work, repeats=5):
    """Median seconds of one pass over ``work`` (from :func:`epoch_products`)."""
    for function, (a, b, out) in work[0]:
        function(a, b, out=out)  # warm: threads, caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for block in work:
            for function, (a, b, out) in block:
                function(a, b, out=out)
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def floor_ms(case, row, quick):
    """The case's floor: ms of its matrix products alone, per epoch (L-BFGS: per iteration).

    Minibatches of ``BATCH_SIZE`` rows for sgd/adam; for L-BFGS one evaluation's blocks of
    ``LBFGS_BLOCK_ROWS`` rows, times the evaluations per iteration our fit made.
    """
    X, y = load_data(case.data, quick)
    n_outputs = len(np.unique(y)) if case.classifier else 1
    hidden = list(case.params["hidden_layer_sizes"])
    sizes = [X.shape[1], *hidden, n_outputs]
    block = LBFGS_BLOCK_ROWS if case.params.get("solver") == "lbfgs" else BATCH_SIZE
    n = X.shape[0]
    blocks = [min(block, n - start) for start in range(0, n, block)]
    seconds = time_products(epoch_products(sizes, blocks, X.dtype))
    return 1e3 * seconds * row.get("ours_evaluations_per_iter", 1.0)


# ------------------------------------------------------------------------------- GFLOP/s
def training_flops(layer_sizes, n_samples):
    """Floating-point operations of one epoch's matrix products.

    Forward: ``2 n Σ fan_in·fan_out``; backward: the weight gradients cost as much again,
    and so do the input gradients except the first layer's, which is never computed.
    Element-wise work (activations, biases, the optimiser) is left out.

    Parameters
    ----------
    layer_sizes : list of int
        Input, hidden and output widths.
    n_samples : int

    Returns
    -------
    flops : float
    """
    forward = sum(2.0 * n_samples * a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    first_input_gradient = 2.0 * n_samples * layer_sizes[0] * layer_sizes[1]
    return 3.0 * forward - first_input_gradient


def matmul_gflops(a_shape, b_shape, dtype=np.float32, transpose_a=False, transpose_b=False):
    """Best GFLOP/s of ``np.dot`` on random matrices of the given shapes.

    Parameters
    ----------
    a_shape, b_shape : tuple of int
        Shapes of the stored operands.
    dtype : numpy dtype
    transpose_a, transpose_b : bool
        Multiply by the transposed view, as back-propagation does.

    Returns
    -------
    gflops : float
    """
    rng = np.random.default_rng(0)
    A = rng.standard_normal(a_shape, dtype=dtype)
    B = rng.standard_normal(b_shape, dtype=dtype)
    A, B = (A.T if transpose_a else A), (B.T if transpose_b else B)
    flops = 2.0 * A.shape[0] * A.shape[1] * B.shape[1]
    # Enough calls per timing that each lasts ~50 ms at ~100 GFLOP/s; best of 5 timings.
    calls = max(1, int(5e9 / flops))
    np.dot(A, B)
    best = np.inf
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            np.dot(A, B)
        best = min(best, (time.perf_counter() - started) / calls)
    return flops / best / 1e9


def print_gflops(fit_rows):
    """Print case-4 training GFLOP/s of each estimator against measured matmul peaks.

    Parameters
    ----------
    fit_rows : list of dict
        The fit table's rows (case 4 is looked up by key).

    Returns
    -------
    result : dict
    """
    row = next(r for r in fit_rows if r["case"] == "big")
    hidden = next(c for c in CASES if c.key == "big").params["hidden_layer_sizes"]
    flops = training_flops([row["n_features"], *hidden, 1], row["n_samples"])
    batch, width = (BATCH_SIZE, hidden[0]), (hidden[0], hidden[1])
    peaks = {
        f"layer-2 forward {batch}@{width}": matmul_gflops(batch, width),
        f"layer-2 weight grad {batch}.T@{batch}": matmul_gflops(batch, batch, transpose_a=True),
        f"layer-2 input grad {batch}@{width}.T": matmul_gflops(batch, width, transpose_b=True),
        "square (2048, 2048)@(2048, 2048)": matmul_gflops((2048, 2048), (2048, 2048)),
    }
    result = {"flops_per_epoch": flops, "matmul_peak_gflops": peaks}
    print(f"\ncase-4 training: {flops / 1e9:.1f} GFLOP of matrix products per epoch")
    print("float32 np.dot peak in this run (best of 5), GFLOP/s:")
    for name, gflops in peaks.items():
        print(f"  {name:<48} {gflops:7.1f}")
    *batch_peaks, square_peak = peaks.values()
    batch_peak = max(batch_peaks)
    for estimator in ESTIMATORS:
        achieved = flops / (row[f"{estimator}_ms_per_iter"] / 1e3) / 1e9
        result[f"{estimator}_gflops"] = achieved
        print(
            f"{estimator:>8} achieves {achieved:6.1f} GFLOP/s = "
            f"{100 * achieved / batch_peak:5.1f}% of the best minibatch-shape peak, "
            f"{100 * achieved / square_peak:5.1f}% of the square peak"
        )
    return result


# ---------------------------------------------------------------------------- reporting
def _cpu_times():
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return sum(values), values[3] + values[4]  # total, idle + iowait


def cpu_busy_fraction(seconds=1.0):
    """Fraction of all cores' time spent busy over ``seconds`` of this process sleeping.

    The load average lags by a minute (and counts this benchmark's own earlier runs); a
    fresh sample says whether other processes hold the cores right now.

    Parameters
    ----------
    seconds : float

    Returns
    -------
    fraction : float or None
        None where ``/proc/stat`` is not available.
    """
    try:
        total_before, idle_before = _cpu_times()
        time.sleep(seconds)
        total_after, idle_after = _cpu_times()
    except OSError:
        return None
    total = total_after - total_before
    return 1.0 - (idle_after - idle_before) / total if total else None


def environment():
    """Versions, cores, BLAS libraries and the unset environment variables.

    Returns
    -------
    info : dict
    """
    blas = [
        f"{os.path.basename(info.get('filepath', ''))}: {info.get('internal_api')} "
        f"{info.get('version')} {info.get('architecture', '')} threads={info.get('num_threads')}"
        for info in threadpool_info()
    ]
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "cpu_count": os.cpu_count(),
        "unset_env": _UNSET_ENV,
        "load_average_1min_at_start": os.getloadavg()[0],
        "cpu_busy_at_start": cpu_busy_fraction(),
        "threadpools": blas,
    }


def print_environment(info):
    """Print the environment header.

    Parameters
    ----------
    info : dict
        From :func:`environment`.
    """
    print(
        f"Python {info['python']}, numpy {info['numpy']}, scikit-learn {info['sklearn']}, "
        f"{info['cpu_count']} cores"
    )
    unset = ", ".join(f"{k}={v!r}" for k, v in info["unset_env"].items())
    print(
        f"unset for this process before importing numpy: {unset}"
        if unset
        else "OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE were not set (nothing to unset)"
    )
    busy, load = info["cpu_busy_at_start"], info["load_average_1min_at_start"]
    busy_text = "unknown" if busy is None else f"{100 * busy:.0f}%"
    warning = "  <-- timings will be noisy" if busy is not None and busy > 0.1 else ""
    print(
        f"CPU busy in the 1 s before start (other processes, VM steal): {busy_text}; "
        f"1-minute load average {load:.2f}{warning}"
    )
    print("thread pools (threadpoolctl):")
    for line in info["threadpools"]:
        print(f"  {line}")
    print()


def parse_args():
    """Command-line options.

    Returns
    -------
    args : argparse.Namespace
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke-test run")
    parser.add_argument("--repeats", type=int, help="timed fits per case (default 5, quick 2)")
    parser.add_argument("--json", metavar="PATH", help="also write every number as JSON")
    parser.add_argument(
        "--threads", type=int, help="limit BLAS/OpenMP threads (default: leave them as loaded)"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="full fit tables to run; above 1 also prints their medians and spread",
    )
    parser.add_argument("--peak-memory-child", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args()


def run_all(args):
    """Run every measurement, print the tables and return all numbers.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`parse_args`.

    Returns
    -------
    report : dict
    """
    repeats = args.repeats or (2 if args.quick else 5)
    started = time.perf_counter()
    info = environment()
    print_environment(info)
    runs = []
    for run in range(args.runs):
        if args.runs > 1:
            print(f"--- full run {run + 1} of {args.runs}")
        fit_rows, models = print_fit_table(CASES, repeats, args.quick)
        speedup = geometric_mean([row["speedup"] for row in fit_rows])
        print(
            f"\ngeometric-mean speedup (sklearn / ours) over {len(fit_rows)} cases: {speedup:.2f}x"
        )
        runs.append(fit_rows)
        if run + 1 < args.runs:
            del models
    summary = summary_speedup = None
    if args.runs > 1:
        summary = summarise_runs(runs)
        summary_speedup = print_run_summary(summary, args.runs)
    lbfgs = next(row for row in fit_rows if row["case"] == "lbfgs")
    print(
        f"lbfgs per fit: sklearn {lbfgs['sklearn_fit_ms']:.1f} ms "
        f"({lbfgs['sklearn_n_iter']} iterations), ours {lbfgs['ours_fit_ms']:.1f} ms "
        f"({lbfgs['ours_n_iter']} iterations)"
    )
    predict_rows = print_predict_table(CASES, models, repeats, args.quick)
    del models  # the memory subprocesses should not compete with big fitted models
    child_flags = (["--quick"] if args.quick else []) + (
        ["--threads", str(args.threads)] if args.threads else []
    )
    memory_rows = print_memory_table(CASES, child_flags)
    gflops = print_gflops(fit_rows)
    elapsed = time.perf_counter() - started
    print(f"\ntotal {elapsed:.0f} s; 1-minute load average at the end {os.getloadavg()[0]:.2f}")
    return {
        "environment": info,
        "quick": args.quick,
        "repeats": repeats,
        "fit": fit_rows,
        "geometric_mean_speedup": speedup,
        "runs": runs,
        "summary": summary,
        "summary_geometric_mean_speedup": summary_speedup,
        "predict": predict_rows,
        "peak_memory": memory_rows,
        "gflops": gflops,
        "seconds": elapsed,
    }


def main():
    """Parse the options, run (or be a memory subprocess), optionally write JSON."""
    args = parse_args()
    # threadpoolctl limits every BLAS/OpenMP pool this process has loaded, for both estimators.
    limit = threadpool_limits(args.threads) if args.threads else contextlib.nullcontext()
    with limit:
        if args.peak_memory_child:
            peak_memory_child(*args.peak_memory_child, quick=args.quick)
            return
        report = run_all(args)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
