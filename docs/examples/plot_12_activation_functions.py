"""
The built-in hidden activations and their derivatives
=====================================================

``activation=`` takes scikit-learn's four hidden activations and six more. This example
draws each one, ``g(z)``, and its derivative ``g'(z)``, read out of a network through the
public API only: the values from ``predict`` of a network whose weights route each input
straight through the activation, the derivatives from one gradient step of that network.
Both are checked against the textbook formulas.
"""

# %%
# The formulas, as the activations page states them (gelu is its tanh approximation), written with
# NumPy and SciPy for a grid of ``z`` that avoids the kinks of relu and leaky_relu at 0.
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit

from sknumpy_nn import NumpyMLPRegressor

z = np.linspace(-4, 4, 160)  # an even number of points: 0 is not on the grid
sigmoid = expit(z)
softplus = np.logaddexp(0, z)
gelu_inner = np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)
gelu_tanh = np.tanh(gelu_inner)
mish_gate = np.tanh(softplus)
formulas = {  # name: (g(z), g'(z))
    "identity": (z, np.ones_like(z)),
    "logistic": (sigmoid, sigmoid * (1 - sigmoid)),
    "tanh": (np.tanh(z), 1 - np.tanh(z) ** 2),
    "relu": (np.maximum(z, 0), (z > 0).astype(float)),
    "leaky_relu": (np.where(z > 0, z, 0.01 * z), np.where(z > 0, 1, 0.01)),
    "elu": (np.where(z > 0, z, np.expm1(z)), np.where(z > 0, 1, np.exp(z))),
    "softplus": (softplus, sigmoid),
    "gelu": (
        0.5 * z * (1 + gelu_tanh),
        0.5 * (1 + gelu_tanh)
        + 0.5 * z * (1 - gelu_tanh**2) * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * z**2),
    ),
    "silu": (z * sigmoid, sigmoid * (1 + z * (1 - sigmoid))),
    "mish": (z * mish_gate, mish_gate + z * (1 - mish_gate**2) * sigmoid),
}


# %%
# The network: one input, one hidden unit per grid point and one output per hidden unit.
# With the input 1, hidden weights ``z`` and zero biases, hidden unit ``k``'s
# pre-activation is ``z[k]``; identity output weights and zero output biases then make
# output ``k`` equal to ``g(z[k])``. A first ``partial_fit`` only builds the network
# (its weights are then overwritten in place).
#
# For the derivative, one plain gradient step (``solver="sgd"``, no momentum, no penalty)
# on the single sample with targets one below the outputs: every residual is 1, so the
# gradient of the loss (half the squared error) with respect to hidden bias ``k`` is
# ``g'(z[k])``, and the step moves that bias from 0 by ``-learning_rate * g'(z[k])``.
def read_activation(name, z, learning_rate=1e-3):
    n = len(z)
    net = NumpyMLPRegressor(
        hidden_layer_sizes=(n,),
        activation=name,
        solver="sgd",
        learning_rate_init=learning_rate,
        momentum=0.0,
        alpha=0.0,
        random_state=0,
    )
    one = np.ones((1, 1))
    net.partial_fit(one, np.zeros((1, n)))
    net.coefs_[0][...] = z
    net.intercepts_[0][...] = 0.0
    net.coefs_[1][...] = np.eye(n)
    net.intercepts_[1][...] = 0.0
    values = net.predict(one)[0]
    net.partial_fit(one, (values - 1)[np.newaxis, :])
    return values, -net.intercepts_[0] / learning_rate


measured = {name: read_activation(name, z) for name in formulas}

# %%
# The package's forward and backward passes agree with the formulas to rounding.
for name, (g, g_prime) in formulas.items():
    values, derivatives = measured[name]
    value_error = np.max(np.abs(values - g))
    slope_error = np.max(np.abs(derivatives - g_prime))
    print(f"{name:>10}: largest error {value_error:.1e} in g, {slope_error:.1e} in g'")
    assert value_error < 1e-12, f"{name}: g differs from its formula by {value_error:.1e}"
    assert slope_error < 1e-10, f"{name}: g' differs from its formula by {slope_error:.1e}"

# %%
# The saturating ones (logistic, tanh) have derivatives that vanish on both sides; the
# ReLU family keeps a slope of 1 for positive inputs; gelu, silu and mish dip below zero
# for negative inputs before returning to it, so their derivatives are briefly negative.
fig, axes = plt.subplots(2, 5, figsize=(13, 5.5), sharex=True, sharey=True)
for ax, (name, (values, derivatives)) in zip(axes.flat, measured.items()):
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.plot(z, values, label="g(z), from predict")
    ax.plot(z, derivatives, "--", label="g'(z), from one gradient step")
    ax.set_title(name)
ax.set_ylim(-1.5, 3)
for ax in axes[-1]:
    ax.set_xlabel("pre-activation z")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", ncols=2)
fig.suptitle("The ten built-in hidden activations, read out of a network")
fig.tight_layout(rect=(0, 0.06, 1, 1))
plt.show()
