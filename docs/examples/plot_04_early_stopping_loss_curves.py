"""
Overfitting, validation loss curves and early stopping
======================================================

A network far too big for its 30 noisy training points, without any L2 penalty, learns the
noise: its training loss keeps falling while its loss on a separate validation set turns
and rises. ``fit(X, y, X_val=..., y_val=...)`` records the validation loss after every
epoch, :class:`~sknumpy_nn.LossCurveDisplay` draws both curves, and ``early_stopping=True``
stops the training once the validation score stops improving and keeps the weights of the
best epoch.
"""

# %%
# Data: a noisy sine, and far too few training points
# ---------------------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sknumpy_nn import LossCurveDisplay, NumpyMLPRegressor


def noisy_sine(n_samples, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n_samples, 1))
    return X, np.sin(2 * X[:, 0]) + 0.3 * rng.normal(size=n_samples)


X_train, y_train = noisy_sine(30, seed=0)
X_val, y_val = noisy_sine(200, seed=1)
network = dict(
    hidden_layer_sizes=(64, 64),
    learning_rate_init=0.005,
    alpha=0.0,  # no regularisation: nothing holds the network back from the noise
    max_iter=600,
    random_state=0,
)

# %%
# Training for all 600 epochs
# ---------------------------
# Without early stopping the validation set is only scored: the training itself is the same
# as without it. ``tol=0`` with a patience as long as the run makes every epoch run.
overfit = NumpyMLPRegressor(tol=0.0, n_iter_no_change=600, **network)
with warnings.catch_warnings():
    # Running all 600 epochs is deliberate; the warning would only say that they all ran.
    warnings.simplefilter("ignore", ConvergenceWarning)
    overfit.fit(X_train, y_train, X_val=X_val, y_val=y_val)

train_loss = np.asarray(overfit.loss_curve_)
val_loss = np.asarray(overfit.validation_loss_curve_)
lowest = int(np.argmin(val_loss))
print(
    f"validation loss: lowest {val_loss[lowest]:.3f} at epoch {lowest + 1}, "
    f"{val_loss[-1]:.3f} at epoch {len(val_loss)}"
)
print(f"training loss: {train_loss[lowest]:.3f} then, {train_loss[-1]:.3f} at the end")
assert overfit.n_iter_ == len(val_loss) == 600, "every epoch ran and was validated"
assert val_loss[-1] > 1.3 * val_loss[lowest], "the validation loss rises after its minimum"
assert train_loss[-1] < 0.9 * train_loss[lowest], "while the training loss keeps falling"

# %%
# Early stopping on the validation set
# ------------------------------------
# With ``early_stopping=True`` the given validation set decides when to stop (all of
# ``X_train`` is still trained on): after 50 epochs without a better validation R², the fit
# ends and the weights of the best epoch are restored.
stopped = NumpyMLPRegressor(early_stopping=True, n_iter_no_change=50, **network)
stopped.fit(X_train, y_train, X_val=X_val, y_val=y_val)

kept = int(np.argmax(stopped.validation_scores_))
kept_r2, last_r2 = stopped.score(X_val, y_val), stopped.validation_scores_[-1]
print(
    f"stopped after {stopped.n_iter_} of {stopped.max_iter} epochs, kept epoch {kept + 1}: "
    f"validation R^2 {kept_r2:.3f} (the last epoch had {last_r2:.3f})"
)
assert stopped.n_iter_ < stopped.max_iter, "early stopping ended the fit before max_iter"
assert np.isclose(kept_r2, stopped.best_validation_score_), "the best weights were restored"
assert kept_r2 > last_r2 + 0.01, "the kept epoch validates better than the last one"
assert kept_r2 > overfit.score(X_val, y_val) + 0.1, "and much better than training on"

# %%
# The loss curves
# ---------------
# Left, the full run: the validation loss bottoms out and climbs while the training loss
# keeps falling. Middle, the early-stopped run, with its kept epoch marked. Right, what
# the two networks predict: the overfitted one bends towards single noisy points.
fig, (ax_full, ax_stopped, ax_fit) = plt.subplots(1, 3, figsize=(15, 4))
LossCurveDisplay.from_estimator(overfit, ax=ax_full, log_scale=True)
ax_full.set_title("600 epochs, validation set only scored")
LossCurveDisplay.from_estimator(stopped, ax=ax_stopped, log_scale=True)
ax_stopped.set_title("early_stopping=True, n_iter_no_change=50")
ax_stopped.set_xlim(ax_full.get_xlim())

x_plot = np.linspace(-3, 3, 500).reshape(-1, 1)
ax_fit.scatter(X_train, y_train, color="black", s=15, label="training points")
ax_fit.plot(x_plot, np.sin(2 * x_plot), color="0.6", linewidth=3, label="sin(2x)")
ax_fit.plot(x_plot, overfit.predict(x_plot), color="tab:red", label="after 600 epochs")
ax_fit.plot(
    x_plot, stopped.predict(x_plot), color="tab:green", label=f"early stopped (epoch {kept + 1})"
)
ax_fit.set(xlabel="x", ylabel="y", title="Predictions")
ax_fit.legend(fontsize="small")
fig.tight_layout()
plt.show()
