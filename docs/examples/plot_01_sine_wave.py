"""
Fitting a sine wave
===================

The classic first exercise for a neural network: one input, one hidden layer of 20 logistic
units and one output, fitted to sin(x) on [0, 2π]. We train the network twice, with L-BFGS
and with plain full-batch gradient descent (the textbook trainer), compare the fits and the
loss curves, and check by hand, in a few lines of NumPy, that one gradient descent epoch of
:class:`~sknumpy_nn.NumpyMLPRegressor` is exactly the textbook back-propagation step.
"""

# %%
# The data and a quasi-Newton fit
# -------------------------------
# 200 evenly spaced points of one period. L-BFGS uses curvature information and needs only a
# few hundred iterations to fit the curve almost perfectly.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sknumpy_nn import NumpyMLPRegressor

X = np.linspace(0, 2 * np.pi, 200).reshape(-1, 1)
y = np.sin(X).ravel()

lbfgs = NumpyMLPRegressor(
    hidden_layer_sizes=(20,),
    activation="logistic",
    solver="lbfgs",
    max_iter=2000,
    tol=1e-8,
    random_state=0,
)
lbfgs.fit(X, y)
print(f"L-BFGS: R^2 = {lbfgs.score(X, y):.5f} after {lbfgs.n_iter_} iterations")

# %%
# Full-batch gradient descent
# ---------------------------
# ``solver="sgd"`` with one batch holding every sample and no momentum is gradient descent
# as the textbooks write it: ``W <- W - learning_rate * dLoss/dW`` once per epoch. ``tol=0``
# and a ``n_iter_no_change`` as large as ``max_iter`` switch off the stopping rule, so all
# epochs run. ``alpha=0`` drops the L2 penalty, which keeps the hand computation below short.
# With a step of 0.2 the loss falls in every epoch.
gd_params = dict(
    hidden_layer_sizes=(20,),
    activation="logistic",
    solver="sgd",
    batch_size=len(X),
    momentum=0.0,
    learning_rate_init=0.2,
    alpha=0.0,
    tol=0.0,
    random_state=0,
)
gd = NumpyMLPRegressor(max_iter=5000, n_iter_no_change=5000, **gd_params)
with warnings.catch_warnings():
    # Running all 5000 epochs is the point; the warning would only say that they all ran.
    warnings.simplefilter("ignore", ConvergenceWarning)
    gd.fit(X, y)
gd_losses = np.asarray(gd.loss_curve_)
print(f"Gradient descent: R^2 = {gd.score(X, y):.3f}, loss {gd_losses[0]:.3f} -> {gd.loss_:.4f}")

assert lbfgs.score(X, y) > 0.999, "L-BFGS fits one period of a sine almost exactly"
assert gd.score(X, y) > 0.9, "5000 gradient descent epochs fit the sine well, if not perfectly"
assert np.all(np.diff(gd_losses) < 0), "with a small enough step the loss falls every epoch"

# %%
# One epoch by hand
# -----------------
# Take the weights reached after 50 epochs, compute one back-propagation step in NumPy, and
# let the estimator run its 51st epoch with ``partial_fit``. With the squared error loss
# ``0.5 * mean((output - y)**2)``, the output error divided by ``n`` is ``dLoss/dZ`` of the
# identity output layer; the logistic derivative is ``A * (1 - A)``.
short = NumpyMLPRegressor(max_iter=50, n_iter_no_change=50, **gd_params)
with warnings.catch_warnings():
    # 50 epochs are deliberately too few to converge: we only want a starting point.
    warnings.simplefilter("ignore", ConvergenceWarning)
    short.fit(X, y)
(W1, W2), (b1, b2) = [W.copy() for W in short.coefs_], [b.copy() for b in short.intercepts_]

n, learning_rate = len(X), short.learning_rate_init
A1 = 1 / (1 + np.exp(-(X @ W1 + b1)))  # hidden layer
output = A1 @ W2 + b2  # identity output
dZ2 = (output - y[:, None]) / n
dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
by_hand = [
    W1 - learning_rate * X.T @ dZ1,
    W2 - learning_rate * A1.T @ dZ2,
    b1 - learning_rate * dZ1.sum(axis=0),
    b2 - learning_rate * dZ2.sum(axis=0),
]

short.partial_fit(X, y)  # one more full-batch epoch
by_estimator = [*short.coefs_, *short.intercepts_]
largest_gap = max(np.abs(a - b).max() for a, b in zip(by_hand, by_estimator))
print(f"largest difference between the hand step and the estimator's: {largest_gap:.1e}")
assert largest_gap < 1e-10, "the estimator's epoch is the textbook gradient descent step"
assert np.isclose(0.5 * np.mean((output[:, 0] - y) ** 2), short.loss_curve_[-1]), (
    "loss_curve_ records the loss at the weights the epoch starts from"
)

# %%
# The fits and the loss curves
# ----------------------------
# Both networks trace the sine; gradient descent is still a little off near the turning
# points. Its loss falls steadily but slowly, while L-BFGS reaches a loss about a hundred
# times lower in a few hundred iterations.
x_plot = np.linspace(0, 2 * np.pi, 500).reshape(-1, 1)
fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
ax_fit.plot(x_plot, np.sin(x_plot), color="black", linewidth=3, alpha=0.3, label="sin(x)")
ax_fit.plot(x_plot, lbfgs.predict(x_plot), label="L-BFGS")
ax_fit.plot(x_plot, gd.predict(x_plot), linestyle="--", label="full-batch gradient descent")
ax_fit.set(xlabel="x", ylabel="y", title="20 logistic hidden units")
ax_fit.legend()

ax_loss.plot(np.arange(1, lbfgs.n_iter_ + 1), lbfgs.loss_curve_, label="L-BFGS (iterations)")
ax_loss.plot(np.arange(1, gd.n_iter_ + 1), gd_losses, label="gradient descent (epochs)")
ax_loss.set(xlabel="Iteration / epoch", ylabel="Loss (half mean squared error)")
ax_loss.set(yscale="log", title="Training loss")
ax_loss.legend()
fig.tight_layout()
plt.show()
