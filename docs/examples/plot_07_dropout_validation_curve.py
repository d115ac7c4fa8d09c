"""
Dropout on a validation curve
=============================

A network with thousands of weights, trained on 150 noisy points, learns the noise: its
training loss keeps falling while its loss on new data rises. This example sweeps the
``dropout`` rate with scikit-learn's :func:`~sklearn.model_selection.validation_curve` (it is
a constructor parameter like any other) and shows the gap between the training and the
validation log-loss closing as the rate grows, with the best validation loss at a rate above
zero.
"""

# %%
# Two interleaving half-moons with a lot of label noise: 150 points to train on and 2,000
# more, drawn the same way, to validate on. One fixed split, passed to ``validation_curve``
# as its ``cv``, keeps the validation estimate steady without the cost of cross-validation.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import validation_curve

from sknumpy_nn import NumpyMLPClassifier

n_train = 150
X_train, y_train = make_moons(n_train, noise=0.35, random_state=0)
X_val, y_val = make_moons(2000, noise=0.35, random_state=1)
X, y = np.vstack([X_train, X_val]), np.concatenate([y_train, y_val])
one_split = [(np.arange(n_train), np.arange(n_train, len(X)))]

# %%
# Every rate trains for the same 200 epochs (``tol=0`` and ``n_iter_no_change=max_iter``).
# The default stopping rule watches the training loss, which dropout makes noisy, so it
# would stop the dropout fits sooner, and the curve would then show early stopping rather
# than dropout. Running all the epochs on purpose ends each fit with a ConvergenceWarning,
# silenced here.
rates = [0.0, 0.1, 0.2, 0.3, 0.5]
net = NumpyMLPClassifier(
    hidden_layer_sizes=(64, 64),
    learning_rate_init=0.01,
    batch_size=32,
    max_iter=200,
    tol=0.0,
    n_iter_no_change=200,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    train_scores, val_scores = validation_curve(
        net,
        X,
        y,
        param_name="dropout",
        param_range=rates,
        cv=one_split,
        scoring="neg_log_loss",
    )
train_loss, val_loss = -train_scores[:, 0], -val_scores[:, 0]
gap = val_loss - train_loss
for rate, train, val in zip(rates, train_loss, val_loss):
    print(f"dropout={rate:.1f}: training log-loss {train:.3f}, validation {val:.3f}")

# %%
# Without dropout the validation loss is more than twice the training loss: the network is
# confidently wrong on new points near the noisy boundary. Each step up in the rate trades
# a little training loss for a larger drop in validation loss.
assert gap[-1] < 0.5 * gap[0], f"the gap should at least halve, got {gap[0]:.3f} -> {gap[-1]:.3f}"
best = int(np.argmin(val_loss))
assert rates[best] > 0, f"the best validation loss should need dropout, got {val_loss}"
assert val_loss[best] < val_loss[0] - 0.1, f"dropout should help by a margin, got {val_loss}"

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(rates, train_loss, "o-", label="training (150 points)")
ax.plot(rates, val_loss, "o-", label="validation (2,000 points)")
ax.fill_between(rates, train_loss, val_loss, alpha=0.15, color="grey", label="gap")
ax.axvline(rates[best], ls=":", color="k", label=f"best validation: dropout={rates[best]}")
ax.set_xlabel("dropout rate of both hidden layers")
ax.set_ylabel("log-loss (lower is better)")
ax.set_title("A (64, 64) network on noisy moons: dropout closes the gap")
ax.legend()
fig.tight_layout()
plt.show()
