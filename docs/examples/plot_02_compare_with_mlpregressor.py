"""
The same model as scikit-learn's MLPRegressor
=============================================

:class:`~sknumpy_nn.NumpyMLPRegressor` takes the parameters of
:class:`sklearn.neural_network.MLPRegressor` and draws the same random numbers, so with the
same ``random_state`` it trains the same network. This example fits both on Friedman's
regression problem with Adam and with SGD, and sets their test R² and fit times side by side.
"""

# %%
# Data
# ----
# Friedman #1: ten features, five of which enter a non-linear target. Networks train best on
# standardised inputs, so we scale with the training set's statistics.
from time import perf_counter

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from sknumpy_nn import NumpyMLPRegressor

X, y = make_friedman1(n_samples=1000, noise=0.5, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Fitting both estimators with the same parameters
# ------------------------------------------------
# Each setting trains until the training loss stops improving (well before ``max_iter``),
# so neither estimator warns and the comparison is between finished fits.
settings = {
    "adam": dict(solver="adam", learning_rate_init=0.03),
    "sgd": dict(solver="sgd", learning_rate_init=0.03),
}
estimators = {"scikit-learn": MLPRegressor, "sknumpy_nn": NumpyMLPRegressor}
scores = {name: {} for name in estimators}
seconds = {name: {} for name in estimators}
n_iter = {name: {} for name in estimators}
for setting, params in settings.items():
    for name, Estimator in estimators.items():
        model = Estimator(hidden_layer_sizes=(50,), max_iter=1000, random_state=0, **params)
        start = perf_counter()
        model.fit(X_train, y_train)
        seconds[name][setting] = perf_counter() - start
        scores[name][setting] = model.score(X_test, y_test)
        n_iter[name][setting] = model.n_iter_
    print(
        f"{setting}: test R^2 {scores['scikit-learn'][setting]:.6f} (scikit-learn) vs "
        f"{scores['sknumpy_nn'][setting]:.6f} (sknumpy_nn) after "
        f"{n_iter['sknumpy_nn'][setting]} epochs; fit in "
        f"{seconds['scikit-learn'][setting]:.2f} s vs {seconds['sknumpy_nn'][setting]:.2f} s"
    )

# %%
# The two estimators agree: the same number of epochs and the same test score, to rounding.
# (The fit times depend on the machine, so we only print and plot them.)
for setting in settings:
    assert n_iter["scikit-learn"][setting] == n_iter["sknumpy_nn"][setting], (
        f"{setting}: both stop after the same epoch"
    )
    gap = abs(scores["scikit-learn"][setting] - scores["sknumpy_nn"][setting])
    assert gap < 1e-6, f"{setting}: the same seed trains the same model (R^2 gap {gap:.1e})"
    assert scores["sknumpy_nn"][setting] > 0.9, f"{setting}: the network fits Friedman #1"

# %%
# Scores and fit times side by side
# ---------------------------------
# The score bars are the same height for each solver; the time bars show what the NumPy
# back-propagation core costs on this machine.
fig, (ax_score, ax_time) = plt.subplots(1, 2, figsize=(10, 4))
positions, width = np.arange(len(settings)), 0.38
for offset, name in zip([-width / 2, width / 2], estimators):
    ax_score.bar(positions + offset, list(scores[name].values()), width, label=name)
    ax_time.bar(positions + offset, list(seconds[name].values()), width, label=name)
for ax in (ax_score, ax_time):
    ax.set_xticks(positions, [f'solver="{setting}"' for setting in settings])
    ax.legend(loc="upper right")
ax_score.set(ylabel="Test R²", ylim=(0.9, 1.0), title="Test score (higher is better)")
longest = max(max(times.values()) for times in seconds.values())
ax_time.set(ylabel="Fit time (s)", ylim=(0, 1.35 * longest))  # room for the legend
ax_time.set_title("Fit time on this machine (lower is better)")
fig.suptitle("MLPRegressor vs NumpyMLPRegressor, same parameters and seed")
fig.tight_layout()
plt.show()
