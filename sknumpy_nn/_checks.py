"""The estimators' checks of their parameters and inputs, with messages that name the problem.

scikit-learn's ``_parameter_constraints`` check each parameter's type and range; these check
what depends on several parameters or on the data: the layer sizes, the dropout rates, the
sample weights, the validation set, the shapes a continued fit must keep, and the network's
output at prediction time.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn import config_context, get_config
from sklearn.utils._array_api import check_same_namespace, get_namespace
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._activations import HIDDEN_ACTIVATIONS, Activation
from ._ops import host_dtype, namespace, to_host
from ._records import STOCHASTIC_SOLVERS

# The parameters both estimators share, for scikit-learn's _parameter_constraints.
PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), Activation],
    "solver": [StrOptions({"lbfgs", *STOCHASTIC_SOLVERS})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "scoring": [None, str, callable],
}


def validate_quietly(check, *args, **kwargs):
    """``check(*args, **kwargs)``, scikit-learn's input validation, without NumPy's warnings.

    scikit-learn's finiteness check first sums the array, which warns ("invalid value
    encountered in reduce") when it holds both inf and -inf, before raising its own clear
    ValueError; that error is the whole answer a user needs.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return check(*args, **kwargs)


def float_dtypes(X) -> tuple:
    """float64 and float32 of ``X``'s namespace (NumPy's without array API dispatch)."""
    xp = get_namespace(X)[0]
    return xp.float64, xp.float32


def checked_input(estimator, X, method: str = "predict"):
    """``method``'s input ``X``, validated against the fitted ``estimator``.

    Under array API dispatch ``X`` must be of the namespace and device the model was
    fitted in (scikit-learn's error otherwise, which says how to move the model).
    """
    check_is_fitted(estimator)
    check_same_namespace(X, estimator, attribute="_first_coef", method=method)
    first_coef = estimator._first_coef
    fitted_in = type(first_coef)
    if not isinstance(first_coef, np.ndarray) and not get_config()["array_api_dispatch"]:
        raise ValueError(
            f"{type(estimator).__name__}.{method}() was called without array API dispatch, "
            f"but the model was fitted on {fitted_in.__module__}.{fitted_in.__name__} "
            "arrays. Call it inside sklearn.config_context(array_api_dispatch=True) with X "
            "on the model's device, or move the model to NumPy with "
            "sklearn.utils._array_api.move_estimator_to(estimator, numpy, 'cpu')."
        )
    return validate_quietly(
        validate_data,
        estimator,
        X,
        accept_sparse=["csr", "csc"],
        reset=False,
        dtype=float_dtypes(X),
    )


def checked_sample_weight(sample_weight, X, name: str):
    """``sample_weight`` as a validated NumPy array of ``X``'s dtype, or None.

    Weights are checked and combined with class weights on the host, whatever ``X``'s
    namespace; the fit moves them to ``X``'s device afterwards.
    """
    if sample_weight is None:
        return None
    with config_context(array_api_dispatch=False):
        sample_weight = validate_quietly(
            _check_sample_weight,
            sample_weight,
            X,
            dtype=host_dtype(X),
            ensure_non_negative=True,
        )
    if not sample_weight.sum() > 0:
        raise ValueError(f"{name} sums to zero: every sample would be ignored.")
    return sample_weight


def check_stochastic_solver(estimator) -> bool:
    """``partial_fit``'s availability: True for 'sgd' and 'adam', else AttributeError."""
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers; "
            f"solver={estimator.solver!r} is not stochastic."
        )
    return True


def layer_sizes(hidden_layer_sizes, n_features: int, n_outputs: int) -> list[int]:
    """``[n_features, *hidden_layer_sizes, n_outputs]``, the hidden sizes checked."""
    hidden = list(hidden_layer_sizes) if np.iterable(hidden_layer_sizes) else [hidden_layer_sizes]
    if not all(isinstance(h, Integral) and h >= 1 for h in hidden):
        raise ValueError(
            f"hidden_layer_sizes must hold positive integers, got {hidden_layer_sizes!r}."
        )
    return [n_features, *(int(h) for h in hidden), n_outputs]


def dropout_rates(dropout, n_hidden: int, solver: str, hidden_layer_sizes):
    """One dropout rate per hidden layer (a tuple), or None when no layer drops units."""
    rates = dropout
    if np.iterable(rates):
        rates = tuple(rates)
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout={dropout!r} gives {len(rates)} rate(s), but the network has "
                f"{n_hidden} hidden layer(s) (hidden_layer_sizes={hidden_layer_sizes!r}); "
                "give one rate per hidden layer or one float."
            )
        for rate in rates:
            if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
                raise ValueError(
                    f"Each rate in dropout must be a float in [0, 1), got {rate!r} in "
                    f"dropout={dropout!r}."
                )
    else:
        rates = (rates,) * n_hidden
    if not any(rates):
        return None
    if solver == "lbfgs":
        raise ValueError(
            f"dropout={dropout!r} needs a stochastic solver ('sgd' or 'adam'): "
            "solver='lbfgs' minimises one deterministic full-batch objective. Use "
            "dropout=0.0 with 'lbfgs'."
        )
    return tuple(float(rate) for rate in rates)


def validation_set(encode, n_outputs: int, X_val, y_val, sample_weight_val):
    """The validation data given to ``fit`` as ``(X_val, Y_val, sample_weight_val)``, or None.

    ``encode(X, y)`` validates and encodes it as the training data (known features and
    classes, changing no fitted state); ``n_outputs`` is the training targets' width.
    """
    if X_val is None and y_val is None:
        if sample_weight_val is not None:
            raise ValueError("sample_weight_val was given without X_val and y_val.")
        return None
    if X_val is None or y_val is None:
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ValueError(f"{given} was given without {missing}: pass both or neither.")
    try:
        X_val, Y_val = encode(X_val, y_val)
    except ValueError as error:  # sklearn's message speaks of X and y
        raise ValueError(f"Invalid validation data (X_val, y_val): {error}") from error
    try:
        sample_weight_val = checked_sample_weight(sample_weight_val, X_val, "sample_weight_val")
    except ValueError as error:
        raise ValueError(f"Invalid sample_weight_val: {error}") from error
    if Y_val.shape[0] < 2:
        # As for the split off by early_stopping: R² needs two samples to be defined.
        raise ValueError(
            f"The validation set is too small: X_val has {Y_val.shape[0]} sample, it "
            "needs at least 2."
        )
    if Y_val.shape[1] != n_outputs:
        raise ValueError(
            f"y_val has {Y_val.shape[1]} output(s) but y has {n_outputs}; they must match."
        )
    return (X_val.tocsr() if sp.issparse(X_val) else X_val), Y_val, sample_weight_val


def check_warm_start_shapes(coefs: list, sizes: list[int]) -> None:
    """The model being continued has the layer ``sizes`` the data and parameters need."""
    fitted = [coefs[0].shape[0], *(W.shape[1] for W in coefs)]
    if fitted != sizes:
        raise ValueError(
            f"The data and hidden_layer_sizes need layer sizes {sizes}, but the model "
            f"being continued (warm_start or partial_fit) has {fitted}. Use the same "
            "features, outputs and hidden_layer_sizes, or fit from scratch."
        )


def check_finite_output(output):
    """``output`` (n_samples, n_outputs), or a ValueError naming the rows that overflowed."""
    xp = namespace(output)
    finite = xp.all(xp.isfinite(output), axis=1)
    if not bool(xp.all(finite)):
        overflowed = ~to_host(finite)
        raise ValueError(
            "The network's output is non-finite (it overflowed to inf or NaN) on "
            f"{overflowed.sum()} of the {len(overflowed)} rows of X (the first is row "
            f"{overflowed.argmax()}): X holds values far beyond those the model was "
            "trained on. Scale X as the training data was scaled (e.g. with the same "
            "fitted StandardScaler)."
        )
    return output
