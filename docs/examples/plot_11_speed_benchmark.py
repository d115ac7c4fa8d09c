"""
Training speed against scikit-learn's MLP
=========================================

``benchmarks/bench_vs_sklearn.py`` times scikit-learn's MLP and ours on the same data, with
the same settings and seed, and writes its results as JSON. This example draws the
committed results of its latest full run as a bar chart (it runs no benchmark): per case,
how many times faster our fit is, with the spread over the three full runs, and the
geometric mean over the cases.
"""

# %%
# The results live in ``benchmarks/`` at the top of the repository. sphinx-gallery runs
# the script from its own folder, ``docs/examples``, and may not define ``__file__``, so
# the working directory is the fallback.
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

try:
    here = Path(__file__).resolve().parent
except NameError:
    here = Path.cwd().resolve()
results = json.loads((here.parents[1] / "benchmarks" / "latest_full_run.json").read_text())

# %%
# Each case's ``speedup`` is scikit-learn's fit time divided by ours (median of five
# interleaved fits) in one full run; ``speedup_runs`` holds that figure for each of the
# full runs, and the summary keeps their median. The summary's geometric mean is taken
# over those medians: recomputing it from the cases must give the stored number.
summary = results["summary"]
labels = [case["label"] for case in summary]
speedup = np.array([case["speedup"] for case in summary])
runs = [np.array(case["speedup_runs"]) for case in summary]
geometric_mean = float(np.exp(np.mean(np.log(speedup))))
stored = results["summary_geometric_mean_speedup"]
print(f"{len(summary)} cases, {len(runs[0])} full runs; geometric mean {geometric_mean:.4f}x")

for label, median, each in zip(labels, speedup, runs):
    assert median == np.median(each), f"{label}: the speedup is the median of the runs"
assert abs(geometric_mean - stored) <= 1e-9 * stored, f"{geometric_mean} != stored {stored}"
assert np.all(speedup > 1), f"every case should be faster than scikit-learn's: {speedup}"

# %%
# The environment the benchmark recorded: the BLAS libraries with their kernel and
# threads (numpy's and scipy's OpenBLAS), and the number of cores.
environment = results["environment"]
blas = sorted(
    {
        f"OpenBLAS {match[1]} kernel, {match[2]} threads"
        for pool in environment["threadpools"]
        if (match := re.search(r"openblas \S+ (\S+) threads=(\d+)", pool))
    }
)
setting = (
    f"{environment['cpu_count']} cores, {'; '.join(blas)}; Python {environment['python']}, "
    f"numpy {environment['numpy']}, scikit-learn {environment['sklearn']}"
)
print(setting)

# %%
# Every median bar is past parity. The wide (256, 256) case's error bar crosses it: in
# one of the three runs the shared machine's two cores slowed down together (see the
# user guide's speed page), and that run's ratio fell just below 1.
order = np.argsort(speedup)
low = np.array([speedup[i] - runs[i].min() for i in order])
high = np.array([runs[i].max() - speedup[i] for i in order])
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.barh(np.arange(len(order)), speedup[order], xerr=[low, high], capsize=3, color="C0")
ax.set_yticks(np.arange(len(order)), [labels[i] for i in order])
ax.axvline(1, color="k", lw=1, label="parity (as fast as scikit-learn)")
ax.axvline(geometric_mean, color="C3", ls="--", label=f"geometric mean {geometric_mean:.2f}x")
ax.set_xlabel("speedup: scikit-learn fit time / ours (median of runs, bars: min to max)")
ax.set_title(f"Fit speed against scikit-learn's MLP\n{setting}", fontsize=10)
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
