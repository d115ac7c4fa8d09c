"""
A custom activation: squareplus
===============================

Any elementwise function and its derivative can be a hidden activation, through
:class:`sknumpy_nn.Activation`. This example builds squareplus, ``(z + sqrt(z**2 + 4)) / 2``,
a smooth ReLU made of a square root only (no exponential or logarithm), checks its
derivative against finite differences, and shows that a network using it fits a noisy curve
as well as one using the built-in ``"softplus"``, which it closely resembles.
"""

# %%
# An activation is a pair of functions of the layer's pre-activation ``Z``: the value
# ``g(Z)`` and the derivative ``g'(Z)``, both returning a new array of ``Z``'s shape. They
# are defined at module level (not as lambdas) so that an estimator using them can be
# pickled and cloned.
import matplotlib.pyplot as plt
import numpy as np

from sknumpy_nn import Activation, NumpyMLPRegressor

B = 4.0  # the curvature at 0: with B = 4, squareplus(0) = 1, close to softplus(0) = log 2


def squareplus(Z):
    return 0.5 * (Z + np.sqrt(Z * Z + B))


def squareplus_derivative(Z):
    return 0.5 * (1.0 + Z / np.sqrt(Z * Z + B))


SQUAREPLUS = Activation("squareplus", squareplus, squareplus_derivative)

# %%
# Back-propagation trusts the derivative blindly: a wrong one trains a model quietly worse
# instead of failing. A central difference ``(g(z + h) - g(z - h)) / 2h`` is accurate to
# about ``h**2`` times ``g'''``, here below 1e-10, so a mismatch of 1e-7 would be a bug.
z = np.linspace(-6, 6, 241)
h = 1e-5
finite_difference = (squareplus(z + h) - squareplus(z - h)) / (2 * h)
error = np.max(np.abs(finite_difference - squareplus_derivative(z)))
print(f"largest derivative error against finite differences: {error:.1e}")
assert error < 1e-7, f"the derivative disagrees with finite differences by {error:.1e}"


# %%
# A wavy curve on a slope, with noise, fitted with 16 hidden units and L-BFGS once with
# squareplus and once with softplus; both fits converge well within ``max_iter``.
def wavy(n_samples, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n_samples, 1))
    return X, np.sin(2 * X[:, 0]) + 0.5 * np.abs(X[:, 0]) + 0.2 * rng.normal(size=n_samples)


X_train, y_train = wavy(300, seed=0)
X_test, y_test = wavy(1000, seed=1)
models, scores = {}, {}
for activation in [SQUAREPLUS, "softplus"]:
    name = getattr(activation, "name", activation)
    models[name] = NumpyMLPRegressor(
        hidden_layer_sizes=(16,),
        activation=activation,
        solver="lbfgs",
        alpha=1e-3,
        max_iter=2000,
        random_state=0,
    ).fit(X_train, y_train)
    scores[name] = models[name].score(X_test, y_test)
    print(f"{name}: held-out R^2 {scores[name]:.4f} after {models[name].n_iter_} iterations")

# %%
# The two networks score the same to two decimals on the held-out points: the noise, not
# the activation, limits them (a perfect model would score about 0.95 here).
assert scores["squareplus"] > 0.9, f"squareplus should fit the curve, got {scores}"
assert abs(scores["squareplus"] - scores["softplus"]) < 0.01, f"should match, got {scores}"

fig, (ax_g, ax_fit) = plt.subplots(1, 2, figsize=(10, 4))
ax_g.plot(z, squareplus(z), label="squareplus g(z)")
ax_g.plot(z, squareplus_derivative(z), label="its derivative g'(z)")
ax_g.plot(z, np.logaddexp(0, z), "k--", lw=1, label="softplus, for reference")
ax_g.set_xlabel("pre-activation z")
ax_g.set_title("Squareplus: a smooth ReLU from a square root")
ax_g.legend()

grid = np.linspace(-3, 3, 300).reshape(-1, 1)
ax_fit.scatter(X_test[:, 0], y_test, s=4, color="grey", alpha=0.4, label="held-out data")
for name, style in [("squareplus", "-"), ("softplus", "--")]:
    ax_fit.plot(
        grid[:, 0], models[name].predict(grid), style, label=f"{name}: R² {scores[name]:.3f}"
    )
ax_fit.set_xlabel("x")
ax_fit.set_ylabel("y")
ax_fit.set_title("The same network with either activation")
ax_fit.legend()
fig.tight_layout()
plt.show()
