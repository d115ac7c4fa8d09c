"""Milliseconds per epoch on every device present: scikit-learn's MLP, ours on NumPy, ours on
torch (cuda, mps, cpu) and CuPy, in one run, with ratios.

Every row fits the same data with the same parameters and ``random_state`` for a fixed
number of epochs (``tol=0``); ours on a device runs inside
``sklearn.config_context(array_api_dispatch=True)`` with ``X`` and ``y`` already on the
device (the transfer is not timed: it is made once, not per epoch). Each (case, backend) is
fitted once untimed first (a device's first call pays for its kernels and handles), then
``--repeats`` times interleaved across backends; the table shows medians, the speedup over
scikit-learn and over ours on NumPy, and each model's training score (they train the same
model, so the scores agree up to the device's rounding). Backends that are absent (no torch,
no GPU, no CuPy) are listed as skipped, with why.

Usage: ``python benchmarks/bench_device.py [--quick] [--repeats 3] [--json PATH]``.
``--quick`` (a few minutes): 50,000 rows instead of 200,000 for the wide case, one epoch, one
repeat. ``SCIPY_ARRAY_API=1`` is set for this process (scikit-learn's dispatch needs it).
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before scipy and scikit-learn load
_UNSET_ENV = {  # as bench_vs_sklearn: old-OpenBLAS settings slow a current NumPy
    name: os.environ.pop(name)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    if name in os.environ
}

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
from sklearn import config_context  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_vs_sklearn import (  # noqa: E402
    big_data,
    digits_data,
    environment,
    print_environment,
    regression_data,
)

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor  # noqa: E402


@dataclass(frozen=True)
class Case:
    """One row group: data, estimator kind, parameters, epochs."""

    key: str
    label: str
    params: dict
    epochs: int
    quick_epochs: int
    classifier: bool = False


CASES = [
    Case("wide_200", "(512,512) relu 200k x100 f32, batch 200", {"batch_size": 200}, 2, 1),
    Case("wide_2000", "(512,512) relu 200k x100 f32, batch 2000", {"batch_size": 2000}, 3, 1),
    Case("regression", "(100,) regr 20k x20", {"hidden_layer_sizes": (100,)}, 10, 2),
    Case("digits", "(100,) digits clf", {"hidden_layer_sizes": (100,)}, 50, 5, True),
]


def case_data(case, quick):
    """``(X, y)`` of a case, on the host."""
    if case.key.startswith("wide"):
        return big_data(50_000 if quick else 200_000)
    return digits_data() if case.classifier else regression_data()


def backends():
    """``(available, skipped)``: names of the backends to time, and why others are not."""
    available, skipped = ["sklearn", "numpy"], {}
    try:
        import torch
    except ImportError:
        skipped["torch"] = "torch is not installed"
    else:
        if torch.cuda.is_available():
            available.append("torch:cuda")
        else:
            skipped["torch:cuda"] = "no CUDA device"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            available.append("torch:mps")
        available.append("torch:cpu")
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
        available.append("cupy")
    except Exception as error:  # not installed, or no device / driver
        skipped["cupy"] = f"{type(error).__name__}: {error}"[:80]
    return available, skipped


def to_backend(backend, *arrays):
    """The host arrays on ``backend``'s device (NumPy for "sklearn" and "numpy")."""
    if backend in ("sklearn", "numpy"):
        return arrays
    if backend == "cupy":
        import cupy

        return tuple(cupy.asarray(a) for a in arrays)
    import torch

    device = backend.split(":")[1]
    return tuple(torch.asarray(a, device=device) for a in arrays)


def synchronise(backend):
    """Wait for the device's queued work (a fit already ends with a read of the loss)."""
    if backend == "torch:cuda":
        import torch

        torch.cuda.synchronize()
    elif backend == "cupy":
        import cupy

        cupy.cuda.Device().synchronize()


def build(case, backend, epochs):
    """The unfitted model of ``case`` for ``backend``."""
    params = {"hidden_layer_sizes": (512, 512), **case.params}
    if backend == "sklearn":
        cls = MLPClassifier if case.classifier else MLPRegressor
    else:
        cls = NumpyMLPClassifier if case.classifier else NumpyMLPRegressor
    return cls(max_iter=epochs, tol=0.0, n_iter_no_change=10**9, random_state=0, **params)


def timed_fit(case, backend, X, y, epochs):
    """Seconds per epoch of one fit, and the fitted model's training score."""
    model = build(case, backend, epochs)
    dispatch = backend not in ("sklearn", "numpy")
    with warnings.catch_warnings(), config_context(array_api_dispatch=dispatch):
        warnings.simplefilter("ignore", ConvergenceWarning)
        synchronise(backend)
        start = time.perf_counter()
        model.fit(X, y)
        synchronise(backend)
        seconds = time.perf_counter() - start
        score = model.score(X, y)
    return seconds / epochs, float(score)


def run(quick, repeats):
    """Time every case on every available backend; return the rows."""
    available, skipped = backends()
    rows = []
    for case in CASES:
        epochs = case.quick_epochs if quick else case.epochs
        X, y = case_data(case, quick)
        data = {backend: to_backend(backend, X, y) for backend in available}
        times = {backend: [] for backend in available}
        scores = {}
        for backend in available:  # warm-up on a slice: kernels, handles, caches
            timed_fit(case, backend, *(a[:2000] for a in data[backend]), 1)
        for _ in range(repeats):
            for backend in available:
                seconds, scores[backend] = timed_fit(case, backend, *data[backend], epochs)
                times[backend].append(seconds)
        for backend in available:
            median = float(np.median(times[backend]))
            rows.append(
                {
                    "case": case.key,
                    "label": case.label,
                    "backend": backend,
                    "ms_per_epoch": 1e3 * median,
                    "spread_ms": [1e3 * min(times[backend]), 1e3 * max(times[backend])],
                    "score": scores[backend],
                    "epochs": epochs,
                    "rows": int(X.shape[0]),
                }
            )
        print_case(case, [row for row in rows if row["case"] == case.key])
    return rows, skipped


def print_case(case, rows):
    """One case's table: ms/epoch, speedup over scikit-learn and over ours on NumPy."""
    by_backend = {row["backend"]: row for row in rows}
    sklearn_ms = by_backend["sklearn"]["ms_per_epoch"]
    numpy_ms = by_backend["numpy"]["ms_per_epoch"]
    print(f"{case.label} ({rows[0]['rows']:,} rows, {rows[0]['epochs']} epoch(s))")
    header = f"{'backend':12s} {'ms/epoch':>10s} {'vs sklearn':>11s} {'vs NumPy':>9s}"
    print(f"  {header} {'score':>8s}")
    for backend, row in by_backend.items():
        ms = row["ms_per_epoch"]
        print(
            f"  {backend:12s} {ms:10.1f} {sklearn_ms / ms:10.2f}x {numpy_ms / ms:8.2f}x "
            f"{row['score']:8.4f}"
        )
    print(flush=True)


def main():
    """Parse the arguments, print the environment and the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few minutes in all")
    parser.add_argument("--repeats", type=int, default=None, help="timed fits per backend")
    parser.add_argument("--json", default=None, help="write the rows to this file")
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    info = environment()
    print_environment(info)
    available, skipped = backends()
    print("backends:", ", ".join(available))
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    print()
    rows, skipped = run(args.quick, repeats)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"environment": info, "skipped": skipped, "rows": rows}, handle, indent=1)


if __name__ == "__main__":
    main()
