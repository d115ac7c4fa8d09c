"""Compare sknumpy_nn with scikit-learn's MLP on built-in data sets: score and fit time.

Each data set is split once (stratified for classifiers), features standardised, and both
estimators are fitted with the same hyper-parameters and ``random_state``, interleaved,
``--repeats`` times; the table shows the median fit time of each, their ratio
(sklearn / ours, above 1 means ours is faster) and the test score of each.

Usage: ``python benchmarks/compare_with_sklearn.py [--repeats 3] [--json PATH]``
"""

import os

# Set on some machines for old OpenBLAS builds; they slow a current NumPy. Unset for this
# process only, before NumPy loads OpenBLAS (never in tests or CI).
for _name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_name, None)

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

from sknumpy_nn import NumpyMLPClassifier, NumpyMLPRegressor  # noqa: E402


def _synthetic_regression():
    return make_regression(n_samples=5000, n_features=20, noise=10.0, random_state=0)


# name, loader, is_classifier, hyper-parameters shared by both estimators
CASES = [
    ("iris", lambda: load_iris(return_X_y=True), True, dict(max_iter=300)),
    ("wine", lambda: load_wine(return_X_y=True), True, dict(max_iter=300)),
    ("breast_cancer", lambda: load_breast_cancer(return_X_y=True), True, dict(max_iter=200)),
    ("digits", lambda: load_digits(return_X_y=True), True, dict(max_iter=100)),
    (
        "digits (lbfgs)",
        lambda: load_digits(return_X_y=True),
        True,
        dict(solver="lbfgs", max_iter=200),
    ),
    (
        "diabetes",
        lambda: load_diabetes(return_X_y=True),
        False,
        dict(hidden_layer_sizes=(20,), max_iter=200),
    ),
    (
        "diabetes (lbfgs)",
        lambda: load_diabetes(return_X_y=True),
        False,
        dict(hidden_layer_sizes=(10,), solver="lbfgs", alpha=10.0, max_iter=200),
    ),
    ("regression 5000x20", _synthetic_regression, False, dict(max_iter=100)),
]


def _model(estimator_class, is_classifier, params):
    estimator = estimator_class(random_state=0, **params)
    if not is_classifier:
        estimator = TransformedTargetRegressor(estimator, transformer=StandardScaler())
    return make_pipeline(StandardScaler(), estimator)


def _time_fit(model, X, y):
    started = time.perf_counter()
    with warnings.catch_warnings():
        # Fixed epoch budgets: not converging is part of the comparison, not news.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - started


def run_case(name, load, is_classifier, params, repeats):
    """Fit both estimators ``repeats`` times, interleaved; return one result row."""
    X, y = load()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y if is_classifier else None
    )
    ours_class, theirs_class = (
        (NumpyMLPClassifier, MLPClassifier) if is_classifier else (NumpyMLPRegressor, MLPRegressor)
    )
    times = {"sklearn": [], "sknumpy_nn": []}
    models = {}
    for _ in range(repeats):
        for label, cls in (("sklearn", theirs_class), ("sknumpy_nn", ours_class)):
            models[label] = _model(cls, is_classifier, params)
            times[label].append(_time_fit(models[label], X_train, y_train))
    row = {"case": name, "n_samples": len(X), "n_features": X.shape[1]}
    for label, model in models.items():
        row[f"{label}_seconds"] = float(np.median(times[label]))
        row[f"{label}_score"] = float(model.score(X_test, y_test))
    row["speedup"] = row["sklearn_seconds"] / row["sknumpy_nn_seconds"]
    return row


def main():
    """Run every case and print the table (and optionally write JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    args = parser.parse_args()

    blas = [
        f"{info.get('internal_api')} {info.get('architecture', '')} "
        f"threads={info.get('num_threads')}"
        for info in threadpool_info()
    ]
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, {os.cpu_count()} cores"
    )
    print("BLAS: " + "; ".join(blas))
    print(f"median of {args.repeats} interleaved fits; test scores (accuracy / R^2)\n")
    header = (
        f"{'case':<20} {'sklearn s':>10} {'ours s':>9} {'speedup':>8} "
        f"{'sklearn score':>14} {'our score':>10}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for case in CASES:
        row = run_case(*case, repeats=args.repeats)
        rows.append(row)
        print(
            f"{row['case']:<20} {row['sklearn_seconds']:>10.3f} "
            f"{row['sknumpy_nn_seconds']:>9.3f} {row['speedup']:>7.2f}x "
            f"{row['sklearn_score']:>14.4f} {row['sknumpy_nn_score']:>10.4f}",
            flush=True,
        )
    geometric_mean = float(np.exp(np.mean(np.log([row["speedup"] for row in rows]))))
    print(f"\ngeometric-mean fit-time ratio sklearn/ours: {geometric_mean:.2f}x")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                {"rows": rows, "geometric_mean_speedup": geometric_mean, "blas": blas},
                handle,
                indent=2,
            )


if __name__ == "__main__":
    main()
