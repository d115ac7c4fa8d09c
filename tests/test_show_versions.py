"""show_versions() reports what a bug report needs: versions, platform, BLAS threads."""

import importlib.metadata
import platform
import re

import numpy as np
import sklearn
from threadpoolctl import threadpool_info, threadpool_limits

import sknumpy_nn
from sknumpy_nn import show_versions


def _report(capsys) -> str:
    show_versions()
    return capsys.readouterr().out


def _entries(report: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+([\w.-]+): (.*)$", report, flags=re.M))


def test_reports_the_sections_of_a_bug_report(capsys):
    report = _report(capsys)
    titles = re.findall(r"^(\S.*):$", report, flags=re.M)
    assert titles == [
        "System",
        "Python dependencies",
        "Array API libraries",
        "Threadpool libraries (BLAS, OpenMP)",
    ]


def test_reports_the_installed_versions_and_the_platform(capsys):
    entries = _entries(_report(capsys))
    assert entries["sknumpy_nn"] == sknumpy_nn.__version__
    assert entries["numpy"] == np.__version__
    assert entries["scikit-learn"] == sklearn.__version__
    assert entries["array-api-compat"] == importlib.metadata.version("array-api-compat")
    assert entries["machine"] == platform.platform()
    assert entries["python"].startswith(platform.python_version())


def test_a_missing_library_is_reported_as_not_installed(capsys, monkeypatch):
    real_version = importlib.metadata.version

    def version(name):
        if name == "cupy":
            raise importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert _entries(_report(capsys))["cupy"] == "not installed"


def test_reports_each_blas_library_with_its_threads(capsys):
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    assert blas, "NumPy loads a BLAS"
    with threadpool_limits(limits=1, user_api="blas"):
        report = _report(capsys)
    threads = re.findall(r"^\s+num_threads: (\d+)$", report, flags=re.M)
    apis = re.findall(r"^\s+user_api: (\w+)$", report, flags=re.M)
    assert len(threads) == len(apis) >= len(blas)
    assert all(n == "1" for n, api in zip(threads, apis) if api == "blas")
    for info in blas:
        assert info["filepath"] in report
        assert f"architecture: {info['architecture']}" in report


def test_is_public():
    assert "show_versions" in sknumpy_nn.__all__
