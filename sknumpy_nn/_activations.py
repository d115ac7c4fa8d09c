"""Activation registry: name -> (in-place forward, in-place derivative), and user activations.

Every forward works in place on the pre-activation ``Z`` (turning it into ``A = g(Z)``),
so the forward pass needs one buffer per layer. Where it can be, a hidden derivative is
written in terms of the layer's *output* ``A`` -- the array the forward pass already stored
-- and multiplies the back-propagated error ``delta`` by ``g'`` in place. An activation whose
derivative needs ``Z`` itself (gelu, silu, mish and every user :class:`Activation`) says so with
``from_pre_activation``, and the network then keeps a copy of each hidden layer's ``Z``.

Output activations have no derivative here: each is paired with its canonical loss (see
``_losses.py``), for which the derivative of the loss with respect to ``Z`` is simply
``A - Y``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._ops import (
    apply,
    clip,
    copy,
    expit,
    finfo,
    from_host,
    is_standard_array,
    multiply_by_mask,
    namespace,
    positive_indicator,
    row_max,
    row_sum,
)


class HiddenActivation(NamedTuple):
    """A hidden-layer activation as a (function, derivative) pair.

    Parameters
    ----------
    forward : callable
        ``forward(Z)`` overwrites ``Z``, an ``(n_samples, n_units)`` array, with ``g(Z)``.
    derivative : callable
        ``derivative(A, delta)`` multiplies ``delta`` in place by ``g'`` evaluated where the
        layer's output is ``A``; both are ``(n_samples, n_units)`` arrays. With
        ``from_pre_activation`` it is ``derivative(Z, delta)``, ``g'`` evaluated at ``Z``.
    from_pre_activation : bool, default=False
        Whether the derivative reads the pre-activation ``Z`` rather than the output ``A``.
    """

    forward: Callable[[np.ndarray], None]
    derivative: Callable[[np.ndarray, np.ndarray], None]
    from_pre_activation: bool = False


def _identity(Z: np.ndarray) -> None:
    pass


def _identity_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    pass


def _logistic(Z: np.ndarray) -> None:
    # 1 / (1 + exp(-Z)) as (1 + tanh(Z / 2)) / 2: tanh never overflows, and NumPy's
    # vectorised tanh is several times faster than scipy's expit.
    Z *= 0.5
    apply("tanh", Z, out=Z)
    Z *= 0.5
    Z += 0.5


def _logistic_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    delta *= A
    delta *= 1 - A


def _tanh(Z: np.ndarray) -> None:
    apply("tanh", Z, out=Z)


def _tanh_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    delta *= 1 - A**2


def _relu(Z: np.ndarray) -> None:
    apply("maximum", Z, 0, out=Z)


def _relu_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    # relu's output is 0 exactly where its slope is 0, so the output alone tells. Multiplying
    # by the mask is several times faster than assigning through it (delta[A == 0] = 0).
    multiply_by_mask(delta, A > 0)


_LEAKY_SLOPE = 0.01


# NumPy's masked ufuncs (where=) are ~10x slower than a full pass here, so both functions
# below do the arithmetic on every element instead.
def _leaky_relu(Z: np.ndarray) -> None:
    apply("maximum", Z, Z * _LEAKY_SLOPE, out=Z)


def _leaky_relu_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    # The output has the sign of the input. At 0 the slope is the left one, as for relu.
    slope = positive_indicator(A)  # 1 or 0, in A's dtype
    slope *= 1 - _LEAKY_SLOPE
    slope += _LEAKY_SLOPE
    delta *= slope


def _elu(Z: np.ndarray) -> None:
    # expm1 of the negative part only: exp never sees a large positive number.
    negative_part = apply("minimum", Z, 0)
    apply("expm1", negative_part, out=negative_part)
    apply("maximum", Z, 0, out=Z)
    Z += negative_part


def _elu_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    # g' is 1 where A > 0 and exp(Z) = A + 1 where A <= 0: both are 1 + min(A, 0).
    slope = apply("minimum", A, 0)
    slope += 1
    delta *= slope


def _softplus(Z: np.ndarray) -> None:
    # log(1 + exp(Z)) as max(Z, 0) + log1p(exp(-|Z|)): exp never sees a positive number, so
    # nothing overflows, and log1p keeps the digits of a tiny exp(Z). (It is what
    # np.logaddexp(0, Z) computes, at a ninth of its time.)
    tail = apply("abs", Z)
    apply("negative", tail, out=tail)
    apply("exp", tail, out=tail)
    apply("log1p", tail, out=tail)
    apply("maximum", Z, 0, out=Z)
    Z += tail


def _softplus_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    # g' = sigmoid(Z) = 1 - exp(-A), as -expm1(-A): exact even where A is tiny.
    slope = apply("negative", A)
    apply("expm1", slope, out=slope)
    delta *= slope
    apply("negative", delta, out=delta)


_GELU_SCALE = float(np.sqrt(2 / np.pi))
_GELU_CUBIC = 0.044715
# Where |Z| >= 10 the tanh argument exceeds 43 and tanh is +-1 to the last bit (float32 and
# float64 alike), so the cubic can be evaluated at Z clipped there without changing a single
# value -- and then it cannot overflow, however large Z is.
_GELU_CLIP = 10.0


def _gelu_tanh(clipped: np.ndarray) -> np.ndarray:
    """``tanh(sqrt(2 / pi) * (z + 0.044715 z^3))`` of a clipped ``Z``, in a new array."""
    inner = apply("square", clipped)
    inner *= _GELU_CUBIC
    inner += 1
    inner *= clipped
    inner *= _GELU_SCALE
    return apply("tanh", inner, out=inner)


def _gelu(Z: np.ndarray) -> None:
    # The tanh approximation: 0.5 z (1 + tanh(sqrt(2 / pi) (z + 0.044715 z^3))).
    half_gate = _gelu_tanh(clip(Z, -_GELU_CLIP, _GELU_CLIP))
    half_gate += 1
    half_gate *= 0.5
    Z *= half_gate


def _gelu_derivative(Z: np.ndarray, delta: np.ndarray) -> None:
    # g' = 0.5 (1 + t) + 0.5 z (1 - t^2) sqrt(2 / pi) (1 + 3 * 0.044715 z^2), t the tanh
    # above. The output does not determine z (g is not monotonic), so this one reads Z.
    clipped = clip(Z, -_GELU_CLIP, _GELU_CLIP)
    t = _gelu_tanh(clipped)
    slope = apply("square", clipped)
    slope *= 3 * _GELU_CUBIC
    slope += 1
    slope *= _GELU_SCALE
    slope *= clipped
    slope *= 1 - t * t  # 0 exactly beyond the clip, so clipping z here changes nothing
    slope += 1
    slope += t
    slope *= 0.5
    delta *= slope


def _silu(Z: np.ndarray) -> None:
    # z * sigmoid(z), the sigmoid by expit: exact in its tails, where a tanh-based one loses
    # the digits of a tiny sigmoid; z * 0 or z * 1 at the extremes, never an overflow.
    Z *= expit(Z)


def _silu_derivative(Z: np.ndarray, delta: np.ndarray) -> None:
    # g' = s + z s (1 - s) = s (1 + z (1 - s)), s = sigmoid(z). g is not monotonic, so the
    # output does not determine z: this one reads Z. At the extremes z (1 - s) is z * 0 for
    # a large positive z and a large negative z is multiplied by s = 0: finite either way.
    sigmoid = expit(Z)
    slope = 1 - sigmoid
    slope *= Z
    slope += 1
    slope *= sigmoid
    delta *= slope


def _tanh_softplus(Z: np.ndarray) -> np.ndarray:
    """``tanh(softplus(z))`` in a new array, softplus in its overflow-free form."""
    gate = copy(Z)
    _softplus(gate)
    return apply("tanh", gate, out=gate)


def _mish(Z: np.ndarray) -> None:
    # z * tanh(softplus(z)): softplus never overflows and tanh saturates at 1.
    Z *= _tanh_softplus(Z)


def _mish_derivative(Z: np.ndarray, delta: np.ndarray) -> None:
    # g' = t + z (1 - t^2) sigmoid(z), t = tanh(softplus(z)); reads Z (g is not monotonic).
    # 1 - t^2 is 0 exactly for a large positive z and sigmoid(z) 0 for a large negative one,
    # so the product with z stays finite.
    gate = _tanh_softplus(Z)
    slope = gate * gate
    apply("negative", slope, out=slope)
    slope += 1
    slope *= Z
    slope *= expit(Z)
    slope += gate
    delta *= slope


HIDDEN_ACTIVATIONS: dict[str, HiddenActivation] = {
    "identity": HiddenActivation(_identity, _identity_derivative),
    "logistic": HiddenActivation(_logistic, _logistic_derivative),
    "tanh": HiddenActivation(_tanh, _tanh_derivative),
    "relu": HiddenActivation(_relu, _relu_derivative),
    "leaky_relu": HiddenActivation(_leaky_relu, _leaky_relu_derivative),
    "elu": HiddenActivation(_elu, _elu_derivative),
    "softplus": HiddenActivation(_softplus, _softplus_derivative),
    "gelu": HiddenActivation(_gelu, _gelu_derivative, from_pre_activation=True),
    "silu": HiddenActivation(_silu, _silu_derivative, from_pre_activation=True),
    "mish": HiddenActivation(_mish, _mish_derivative, from_pre_activation=True),
}


def _callable_name(function) -> str:
    return getattr(function, "__qualname__", None) or getattr(function, "__name__", repr(function))


@dataclass(frozen=True, repr=False)
class Activation:
    """A hidden-layer activation of your own: a function and its derivative.

    Pass one as ``activation=`` to :class:`NumpyMLPRegressor` or :class:`NumpyMLPClassifier`
    in place of a built-in name. Both callables work elementwise on a layer's pre-activation
    ``Z`` (the classic ``(g, g')`` pair). Define them at module level (not as lambdas or
    closures) so that estimators using them can be pickled, cloned and grid-searched. Two
    activations are equal when their three fields are. The weights are initialised with
    the Glorot factor 6, as for every activation but ``'logistic'``.

    Parameters
    ----------
    name : str
        A label for the activation, shown in its ``repr``.
    function : callable
        ``function(Z) -> A``: the activation ``g`` of an ``(n_samples, n_units)`` array
        ``Z``, returned as a new array of the same shape (``Z`` must not be modified).
    derivative : callable
        ``derivative(Z) -> G``: the derivative ``g'`` evaluated at ``Z``, a new array of
        the same shape.

    See Also
    --------
    NumpyMLPRegressor, NumpyMLPClassifier : The estimators that take it as ``activation``.

    Examples
    --------
    The softsign ``z / (1 + |z|)``, whose derivative is ``1 / (1 + |z|)^2``:

    >>> import numpy as np
    >>> from sknumpy_nn import Activation, NumpyMLPRegressor
    >>> def softsign(Z):
    ...     return Z / (1 + np.abs(Z))
    >>> def softsign_derivative(Z):
    ...     return 1 / (1 + np.abs(Z)) ** 2
    >>> activation = Activation("softsign", softsign, softsign_derivative)
    >>> activation
    Activation('softsign', function=softsign, derivative=softsign_derivative)
    >>> X = np.linspace(-2, 2, 40).reshape(-1, 1)
    >>> reg = NumpyMLPRegressor(hidden_layer_sizes=(10,), activation=activation,
    ...                         solver="lbfgs", random_state=0).fit(X, X.ravel() ** 2)
    >>> bool(reg.score(X, X.ravel() ** 2) > 0.99)
    True
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]

    def __repr__(self) -> str:
        return (
            f"Activation({self.name!r}, function={_callable_name(self.function)}, "
            f"derivative={_callable_name(self.derivative)})"
        )


def check_activation(activation, like) -> None:
    """Raise unless a user :class:`Activation` is usable (built-in names are always fine).

    Checks that ``name`` is a string, that both fields are callables, and that each returns
    an array of its input's namespace and shape for a small probe ``Z`` of the training
    dtype, in the namespace and on the device of ``like`` (the training data).

    Raises
    ------
    TypeError
        A field of the wrong type, a callable that fails on (or returns something other
        than) an array of the training data's namespace.
    ValueError
        A callable returning an array of the wrong shape.
    """
    if isinstance(activation, str):
        return
    if not isinstance(activation.name, str):
        raise TypeError(f"Activation name must be a str, got {activation.name!r}.")
    probe = _probe(like)
    for field in ("function", "derivative"):
        function = getattr(activation, field)
        if not callable(function):
            raise TypeError(
                f"The {field} of Activation {activation.name!r} must be a callable taking "
                f"the pre-activation Z, got {function!r}."
            )
        result = _call_on_probe(activation, field, probe)
        if not isinstance(result, type(probe)):
            raise TypeError(
                f"The {field} of Activation {activation.name!r} must return an array of "
                f"Z's namespace ({type(probe).__module__}.{type(probe).__name__}) and "
                f"shape, got {type(result).__name__} for Z of shape {tuple(probe.shape)}."
            )
        if tuple(result.shape) != tuple(probe.shape):
            raise ValueError(
                f"The {field} of Activation {activation.name!r} must return an array of "
                f"Z's shape (elementwise), got shape {tuple(result.shape)} for Z of shape "
                f"{tuple(probe.shape)}."
            )


def _probe(like):
    """A small ``Z`` of the training data's dtype, namespace and device."""
    values = np.linspace(-2, 2, 6).reshape(3, 2)
    if isinstance(like, np.ndarray) or not is_standard_array(like):
        return values.astype(like.dtype)  # NumPy, or a sparse matrix's dtype
    return from_host(values, like)


def _call_on_probe(activation, field: str, probe):
    """``activation.<field>(probe)``; a TypeError naming it where it fails on a non-NumPy
    array (a NumPy-only function given another namespace's array)."""
    kind = type(probe).__module__.split(".")[0]
    try:
        return getattr(activation, field)(copy(probe))
    except Exception as error:
        if kind == "numpy":
            raise
        raise TypeError(
            f"The {field} of Activation {activation.name!r} failed on an array of {kind}: "
            "under array API dispatch it receives arrays of the training data's "
            "namespace and device, so it must compute with that namespace's functions "
            "(array_api_compat.array_namespace(Z)), not NumPy's. It raised "
            f"{type(error).__name__}: {error}"
        ) from error


def hidden_activation(activation) -> HiddenActivation:
    """The registry entry of a built-in name, or the in-place form of a user Activation.

    Parameters
    ----------
    activation : str or Activation
        A key of ``HIDDEN_ACTIVATIONS`` or a user activation (see :func:`check_activation`).

    Returns
    -------
    hidden : HiddenActivation
    """
    if isinstance(activation, str):
        return HIDDEN_ACTIVATIONS[activation]
    function, derivative = activation.function, activation.derivative

    def forward(Z: np.ndarray) -> None:
        Z[...] = function(Z)

    def multiply_by_derivative(Z: np.ndarray, delta: np.ndarray) -> None:
        delta *= derivative(Z)

    return HiddenActivation(forward, multiply_by_derivative, from_pre_activation=True)


def _softmax(Z: np.ndarray) -> None:
    # Subtracting the row maximum is the log-sum-exp trick: exp never overflows.
    Z -= row_max(Z)
    apply("exp", Z, out=Z)
    Z /= row_sum(Z)


def _exp(Z: np.ndarray) -> None:
    # Capped at sqrt(max float): far beyond any count, yet sums and squares of such outputs
    # still stay finite, so a wild L-BFGS trial step yields a large loss, not an overflow.
    cap = 0.5 * np.log(finfo(Z).max)  # in Z's precision for NumPy, as before
    apply("minimum", Z, cap if type(Z) is np.ndarray else float(cap), out=Z)
    apply("exp", Z, out=Z)


OUTPUT_ACTIVATIONS: dict[str, Callable[[np.ndarray], None]] = {
    "identity": _identity,
    "logistic": _logistic,
    "softmax": _softmax,
    "exp": _exp,
}


def log_output(Z: np.ndarray, output_activation: str) -> np.ndarray:
    """Logarithm of the output activation, computed from the pre-activation.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Pre-activation of the output layer; not modified.
    output_activation : {"logistic", "softmax"}
        The output activation whose logarithm is wanted.

    Returns
    -------
    log_A : ndarray of shape (n_samples, n_outputs)
        ``log(g(Z))``, finite wherever ``Z`` is finite (no ``log(0)``).
    """
    if output_activation == "softmax":
        shifted = Z - row_max(Z)
        return shifted - apply("log", row_sum(apply("exp", shifted)))
    if output_activation == "logistic":
        return -apply("logaddexp", -Z, 0)
    raise ValueError(f"log_output is defined for logistic and softmax, got {output_activation!r}")


def probabilities(logits, output_activation: str):
    """Class probabilities from output logits, strictly inside (0, 1); a new array.

    One column per column of ``logits`` (a binary model's one logit column gives the
    probability of ``classes_[1]``; its two columns ``[-z, z]`` both classes').

    Parameters
    ----------
    logits : array of shape (n_samples, n_columns)
    output_activation : {"softmax", "logistic"}
    """
    if output_activation == "softmax":
        proba = copy(logits)
        OUTPUT_ACTIVATIONS["softmax"](proba)
    else:
        # expit of the logits keeps a small probability's digits; a binary model's
        # columns are expit(-z) and expit(z) rather than 1 - p, likewise.
        proba = expit(logits)
    # Strictly inside (0, 1): log(proba) is finite, and a probability is never 0 or 1.
    info = finfo(proba)
    return clip(proba, *_bounds(proba, info.smallest_normal, 1 - info.eps), out=proba)


def log_probabilities(logits, output_activation: str):
    """Logarithm of :func:`probabilities`, finite, ordering classes as they do.

    Below 1/2 the log-softmax (log-sigmoid) of the logits, accurate where the logarithm of
    a rounded probability is not; from 1/2 up the logarithm of the probability, whose
    rounding it then shares, so both make the same ties; clipped to the logarithms of the
    probabilities' bounds.
    """
    proba = probabilities(logits, output_activation)
    log_proba = log_output(logits, output_activation)
    info = finfo(proba)
    bounds = _bounds(proba, np.log(info.smallest_normal), np.log1p(-info.eps))
    clip(log_proba, *bounds, out=log_proba)
    return namespace(proba).where(proba >= 0.5, apply("log", proba), log_proba)


def _bounds(like, *bounds) -> tuple:
    # NumPy keeps them as scalars of the array's precision; the standard takes Python floats.
    return bounds if type(like) is np.ndarray else tuple(float(bound) for bound in bounds)
