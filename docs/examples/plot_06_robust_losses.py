"""
Robust losses against outliers
==============================

The squared error grows with the square of a residual, so a few gross outliers in ``y`` pull
a least-squares fit far from the rest of the data. ``NumpyMLPRegressor`` also trains with
``loss="huber"``, quadratic for small residuals and linear beyond ``huber_delta``, and with
``loss="absolute_error"``, whose fit follows the conditional median. This example fits all
three to a noisy sine with 10 % of its targets pushed far up, and measures how close each
fit stays to the clean curve.
"""

# %%
# A sine with gross outliers
# --------------------------
# 200 points of sin(x) with a little noise; 20 of them are moved up by 5 to 10.
import matplotlib.pyplot as plt
import numpy as np

from sknumpy_nn import NumpyMLPRegressor

rng = np.random.RandomState(0)
n_samples, n_outliers = 200, 20
X = np.sort(rng.uniform(0, 2 * np.pi, size=(n_samples, 1)), axis=0)
y = np.sin(X.ravel()) + 0.1 * rng.normal(size=n_samples)
outliers = rng.choice(n_samples, n_outliers, replace=False)
y[outliers] += rng.uniform(5, 10, size=n_outliers)

# %%
# Three fits that differ only in the loss
# ---------------------------------------
# A small tanh network trained by L-BFGS, with an L2 penalty that keeps the squared error fit
# from chasing each outlier with a spike. We score every fit by its mean absolute error
# against the clean sin(x) on a fine grid: the function the data came from, not the data.
x_grid = np.linspace(0, 2 * np.pi, 300).reshape(-1, 1)
clean = np.sin(x_grid.ravel())
fits, errors = {}, {}
for loss in ["squared_error", "huber", "absolute_error"]:
    model = NumpyMLPRegressor(
        loss=loss,
        hidden_layer_sizes=(10,),
        activation="tanh",
        solver="lbfgs",
        alpha=1.0,
        max_iter=5000,
        random_state=0,
    )
    model.fit(X, y)
    fits[loss] = model.predict(x_grid)
    errors[loss] = np.mean(np.abs(fits[loss] - clean))
    print(f"{loss:<15} mean absolute error to sin(x): {errors[loss]:.3f}")

# %%
# The squared error fit is lifted by about the outliers' mean share of the targets (10 % of
# 7.5). Huber's rises a little, since each outlier still pulls with a force of
# ``huber_delta``; the absolute error fit hardly moves.
for loss in ["huber", "absolute_error"]:
    assert errors[loss] < errors["squared_error"] / 3, f"{loss} resists the outliers"
    assert errors[loss] < 0.3, f"{loss} stays close to the clean curve"

# %%
# The fits over the data
# ----------------------
fig, ax = plt.subplots(figsize=(8, 5))
inliers = np.setdiff1d(np.arange(n_samples), outliers)
ax.scatter(X[inliers], y[inliers], color="0.5", s=12, label="data")
ax.scatter(X[outliers], y[outliers], color="black", marker="x", s=30, label="outliers")
ax.plot(x_grid, clean, color="black", linewidth=3, alpha=0.3, label="clean sin(x)")
styles = {"squared_error": "-", "huber": "--", "absolute_error": ":"}
for loss, prediction in fits.items():
    ax.plot(
        x_grid,
        prediction,
        linestyle=styles[loss],
        linewidth=2,
        label=f'loss="{loss}" (MAE to sin {errors[loss]:.2f})',
    )
ax.set(xlabel="x", ylabel="y", title="Fits with squared, Huber and absolute error losses")
ax.legend(loc="upper right", fontsize="small")
fig.tight_layout()
plt.show()
