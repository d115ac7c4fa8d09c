"""
Prediction intervals from quantile regression
=============================================

With ``loss="quantile"``, a network fits a conditional quantile of the target instead of
its mean. Three fits, at the 5 %, 50 % and 95 % quantiles, give a median curve and a 90 %
prediction interval that widens where the data are noisier. This example checks the
interval on held-out data: it holds about 90 % of the points overall and in both the quiet
and the noisy half of the input range, where a band of constant width does not.
"""

# %%
# A wavy trend whose noise grows thirteenfold from left to right: the standard deviation
# is ``0.1 + 0.3 x`` on ``x`` in [0, 4]. 3,000 points to train on, 20,000 to check the
# interval on.
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from sknumpy_nn import NumpyMLPRegressor


def trend(x):
    return np.sin(2 * x) + x


def noise_scale(x):
    return 0.1 + 0.3 * x


def heteroscedastic(n_samples, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(0, 4, size=(n_samples, 1))
    return X, trend(X[:, 0]) + noise_scale(X[:, 0]) * rng.normal(size=n_samples)


X_train, y_train = heteroscedastic(3000, seed=0)
X_test, y_test = heteroscedastic(20000, seed=1)

# %%
# One network per quantile, each with the pinball loss of its ``quantile`` and L-BFGS,
# which stops on its own well within ``max_iter``.
quantiles = [0.05, 0.5, 0.95]
models = {
    q: NumpyMLPRegressor(
        loss="quantile",
        quantile=q,
        hidden_layer_sizes=(16,),
        solver="lbfgs",
        max_iter=2000,
        random_state=0,
    ).fit(X_train, y_train)
    for q in quantiles
}
low, median, high = (models[q].predict(X_test) for q in quantiles)
inside = (low <= y_test) & (y_test <= high)
below_median = (y_test <= median).mean()

# %%
# For comparison, the usual shortcut: the median plus the 5 % and 95 % quantiles of its
# training residuals, a band of one width everywhere.
residuals = y_train - models[0.5].predict(X_train)
offset_low, offset_high = np.quantile(residuals, [0.05, 0.95])
inside_constant = (median + offset_low <= y_test) & (y_test <= median + offset_high)

quiet = X_test[:, 0] < 2
for name, hit in [("quantile fits", inside), ("constant width", inside_constant)]:
    print(
        f"{name}: coverage {hit.mean():.3f} overall, "
        f"{hit[quiet].mean():.3f} for x < 2, {hit[~quiet].mean():.3f} for x >= 2"
    )
print(f"held-out points below the median fit: {below_median:.3f}")

# %%
# Both bands hold 90 % of the points on average, but only the quantile fits hold it
# everywhere: the constant band is too wide where the noise is small and too narrow where
# it is large. The median fit has half the points on each side.
for part, hit in [("overall", inside), ("x < 2", inside[quiet]), ("x >= 2", inside[~quiet])]:
    assert abs(hit.mean() - 0.90) < 0.05, f"coverage {part} is {hit.mean():.3f}, not 0.90"
assert abs(below_median - 0.5) < 0.05, f"{below_median:.3f} of the points lie below the median"
assert inside_constant[quiet].mean() > 0.95, "a constant band is too wide where it is quiet"
assert inside_constant[~quiet].mean() < 0.85, "a constant band is too narrow where it is noisy"

fig, (ax_band, ax_coverage) = plt.subplots(1, 2, figsize=(11, 4.5))
grid = np.linspace(0, 4, 200)
shown = slice(0, 2000)  # a tenth of the held-out points keeps the scatter readable
ax_band.scatter(X_test[shown, 0], y_test[shown], s=3, color="grey", alpha=0.4, label="held-out")
predicted = {q: models[q].predict(grid.reshape(-1, 1)) for q in quantiles}
ax_band.fill_between(grid, predicted[0.05], predicted[0.95], alpha=0.3, label="fitted 90 % band")
ax_band.plot(grid, predicted[0.5], label="fitted median")
for q in (0.05, 0.95):
    true_quantile = trend(grid) + norm.ppf(q) * noise_scale(grid)
    ax_band.plot(grid, true_quantile, "k--", lw=1, label="true 5 % and 95 %" if q < 0.5 else None)
ax_band.set_xlabel("x")
ax_band.set_ylabel("y")
ax_band.set_title(f"Quantile fits: {inside.mean():.1%} of held-out points inside")
ax_band.legend(loc="upper left")

edges = np.linspace(0, 4, 9)
bins = np.digitize(X_test[:, 0], edges[1:-1])
centres = (edges[:-1] + edges[1:]) / 2
for name, hit in [("quantile fits", inside), ("constant width", inside_constant)]:
    per_bin = [hit[bins == b].mean() for b in range(len(centres))]
    ax_coverage.plot(centres, per_bin, "o-", label=name)
ax_coverage.axhline(0.9, color="k", ls=":", label="90 % asked")
ax_coverage.set_xlabel("x (bins of width 0.5)")
ax_coverage.set_ylabel("held-out coverage")
ax_coverage.set_ylim(0.6, 1.02)
ax_coverage.set_title("Coverage across the input range")
ax_coverage.legend(loc="lower left")
fig.tight_layout()
plt.show()
