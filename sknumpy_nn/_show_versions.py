"""``show_versions()``: what a bug report needs to know about the machine it came from."""

import importlib.metadata
import importlib.util
import platform
import sys

# The packages whose versions change what a fit computes or how fast.
DEPENDENCIES = (
    "sknumpy_nn",
    "numpy",
    "scipy",
    "scikit-learn",
    "threadpoolctl",
    "joblib",
    "matplotlib",
    "rich",
    "dask",
    "skops",
)
# Array libraries an estimator can train on through the array API (array_api_dispatch=True).
ARRAY_API_LIBRARIES = ("array-api-compat", "array-api-strict", "torch", "cupy", "jax")


def _version(distribution: str) -> str | None:
    """The installed version of a distribution, or None where it is not installed."""
    if distribution == "sknumpy_nn":
        # Also right when the package is imported from a checkout that was not installed.
        from . import __version__

        return __version__
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _array_api_version(distribution: str) -> str | None:
    # A CUDA build of torch or CuPy takes seconds to import: its metadata says enough, and
    # a module present without metadata (a source checkout) still counts as present.
    version = _version(distribution)
    module = distribution.replace("-", "_")
    if version is None and importlib.util.find_spec(module) is not None:
        return "present, version unknown"
    return version


def _blas_threads() -> list[dict]:
    """The BLAS and OpenMP libraries loaded by NumPy and SciPy, with their thread counts."""
    # threadpoolctl sees only loaded libraries: load the ones a fit uses.
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_info

    return threadpool_info()


def _system() -> dict[str, str]:
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def show_versions() -> None:
    """Print the versions and settings a bug report should include.

    Python and the platform, the versions of the dependencies (``not installed`` where one is
    not), the array API libraries present, and every BLAS / OpenMP library NumPy and
    SciPy loaded, with its kernel (``architecture``: what ``OPENBLAS_CORETYPE`` selects) and
    its number of threads, as reported by ``threadpoolctl``. The rounding of a fit depends on
    all of these.

    See Also
    --------
    sklearn.show_versions : The same report for scikit-learn.

    Examples
    --------
    >>> from sknumpy_nn import show_versions
    >>> show_versions()  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    <BLANKLINE>
    System:
        python: ...
    <BLANKLINE>
    Python dependencies:
        sknumpy_nn: 0.1.0
    ...
    """
    sections = {
        "System": _system(),
        "Python dependencies": {name: _version(name) or "not installed" for name in DEPENDENCIES},
        "Array API libraries": {
            name: _array_api_version(name) or "not installed" for name in ARRAY_API_LIBRARIES
        },
    }
    for title, entries in sections.items():
        print(f"\n{title}:")
        _print_entries(entries)
    print("\nThreadpool libraries (BLAS, OpenMP):")
    for library in _blas_threads():
        print()
        _print_entries(library)


def _print_entries(entries: dict) -> None:
    width = max(map(len, entries))
    for name, value in entries.items():
        print(f"{name:>{width + 4}}: {value}")
