"""Out-of-core training from a numpy.memmap: memory bounded by the chunk, score as in memory.

Writes a synthetic regression data set to a memmap on disk (by default 400,000 x 50 float64,
160 MB), then in two fresh processes trains the same network (i) with ``fit_in_chunks``,
reading ``--chunk-size`` rows at a time from the memmap, and (ii) with ``fit`` on the data
loaded into memory, for the same number of epochs. Each process reports the peak of its
Python/NumPy allocations (``tracemalloc``) and of its anonymous resident memory (VmRSS minus
the file-backed pages of the memmap, from /proc/self/status), and the R^2 on held-out rows.

Usage: ``python benchmarks/bench_streaming.py [--rows 400000] [--chunk-size 20000]
[--progress {none,log,bar}]``; ``--progress log`` shows each run's training log
(``verbose=1``: a row per chunk, a row per epoch in memory), ``--progress bar`` the callback
``ProgressBar`` (needs rich: ``pip install ".[progress]"``).
"""

import os

for _name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # slow a current NumPy; this run only
    os.environ.pop(_name, None)

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

N_FEATURES = 50
N_TEST = 20000
PARAMS = dict(hidden_layer_sizes=(64,), learning_rate_init=0.003, random_state=0)


def write_data(directory, n_rows):
    """Write X, y (a fixed random two-layer target function) as memmaps; return paths."""
    rng = np.random.RandomState(0)
    W1, W2 = rng.normal(size=(N_FEATURES, 16)) / 7, rng.normal(size=16)
    paths = {"X": directory / "X.dat", "y": directory / "y.dat"}
    X = np.memmap(paths["X"], dtype=np.float64, mode="w+", shape=(n_rows + N_TEST, N_FEATURES))
    y = np.memmap(paths["y"], dtype=np.float64, mode="w+", shape=(n_rows + N_TEST,))
    for start in range(0, n_rows + N_TEST, 50000):  # written in pieces: never all in memory
        rows = slice(start, min(start + 50000, n_rows + N_TEST))
        X[rows] = rng.normal(size=(rows.stop - rows.start, N_FEATURES))
        y[rows] = np.tanh(X[rows] @ W1) @ W2 + 0.1 * rng.normal(size=rows.stop - rows.start)
    X.flush(), y.flush()
    return paths


def _anonymous_rss_mib():
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
    )
    return int(fields["RssAnon"].split()[0]) / 1024


def _model(progress, **params):
    """The network, showing its progress through one of the two displays, or none."""
    from sknumpy_nn import NumpyMLPRegressor

    model = NumpyMLPRegressor(verbose=progress == "log", **PARAMS, **params)
    if progress == "bar":
        from sklearn.callback import ProgressBar

        model.set_callbacks(ProgressBar())
    return model


def child(mode, directory, n_rows, chunk_size, epochs, progress):
    """Train once in this fresh process; write memory, time and score as JSON to a file."""
    from sklearn.exceptions import ConvergenceWarning

    from sknumpy_nn import fit_in_chunks

    X = np.memmap(Path(directory) / "X.dat", dtype=np.float64, mode="r")
    X = X.reshape(-1, N_FEATURES)
    y = np.memmap(Path(directory) / "y.dat", dtype=np.float64, mode="r")
    X_train, y_train = X[:n_rows], y[:n_rows]
    X_test, y_test = np.array(X[n_rows:]), np.array(y[n_rows:])
    before_rss = _anonymous_rss_mib()
    tracemalloc.start()
    started = time.perf_counter()
    if mode == "streaming":
        model = fit_in_chunks(
            _model(progress), X_train, y_train, chunk_size=chunk_size, epochs=epochs
        )
    else:
        X_memory, y_memory = np.array(X_train), np.array(y_train)  # the data, in memory
        model = _model(progress, max_iter=epochs, tol=0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # fixed epochs on purpose
            model.fit(X_memory, y_memory)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    (Path(directory) / f"{mode}.json").write_text(
        json.dumps(
            {
                "mode": mode,
                "tracemalloc_peak_mib": peak / 2**20,
                "anonymous_rss_growth_mib": _anonymous_rss_mib() - before_rss,
                "seconds": seconds,
                "test_r2": float(model.score(X_test, y_test)),
            }
        )
    )


def main():
    """Write the data, run both modes in fresh processes, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400000)
    parser.add_argument("--chunk-size", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--progress", choices=["none", "log", "bar"], default="none")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.rows, args.chunk_size, args.epochs, args.progress)
        return
    with tempfile.TemporaryDirectory() as directory:
        write_data(Path(directory), args.rows)
        data_mib = args.rows * (N_FEATURES + 1) * 8 / 2**20
        chunk_mib = args.chunk_size * (N_FEATURES + 1) * 8 / 2**20
        print(f"training data on disk: {args.rows} x {N_FEATURES} float64, {data_mib:.0f} MiB;")
        print(f"chunks of {args.chunk_size} rows, {chunk_mib:.1f} MiB; {args.epochs} epochs")
        results = {}
        for mode in ("streaming", "in-memory"):
            command = [sys.executable, __file__, "--child", mode, directory]
            for flag in ("rows", "chunk_size", "epochs", "progress"):
                command += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
            subprocess.run(command, check=True)  # its progress display goes to the terminal
            results[mode] = json.loads((Path(directory) / f"{mode}.json").read_text())
        print(
            f"{'mode':<10} {'tracemalloc peak':>17} {'anon RSS growth':>16} {'seconds':>8} "
            f"{'test R^2':>9}"
        )
        for mode, result in results.items():
            print(
                f"{mode:<10} {result['tracemalloc_peak_mib']:>13.1f} MiB "
                f"{result['anonymous_rss_growth_mib']:>12.1f} MiB {result['seconds']:>8.1f} "
                f"{result['test_r2']:>9.4f}"
            )


if __name__ == "__main__":
    main()
