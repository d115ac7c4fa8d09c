"""Optimizers as in-place steps on one flat parameter vector.

``SGD`` and ``Adam`` keep their state (velocities, moments, step count, learning rate) in a
plain ``state`` dict of arrays and numbers, so an estimator can keep it between
``partial_fit`` calls and pickle it without pickling an optimizer object. The updates are
scikit-learn's ``_stochastic_optimizers`` formulas; each ``a * x + y`` is one BLAS ``axpy``
(one pass over memory, fused multiply-add), so a step makes 4 to 9 passes over the
parameters instead of 12 to 17, and agrees with scikit-learn's to rounding.
``minimize_lbfgs`` runs scipy's L-BFGS-B on the same flat vector.

The BLAS level-1 routines come from ``scipy.linalg.blas``, i.e. scipy's own BLAS: run the
training inside :func:`scipy_blas_single_threaded` so its thread pool does not compete with
NumPy's.
"""

from contextlib import nullcontext
from functools import cache
from pathlib import Path

import numpy as np
import scipy
import scipy.optimize
from scipy.linalg.blas import get_blas_funcs
from threadpoolctl import ThreadpoolController

from ._ops import apply, axpy_for, namespace


class SGD:
    """Stochastic gradient descent with momentum and learning-rate schedules.

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy dtype
        The parameters' dtype.
    learning_rate_init : float
        Initial step size.
    schedule : {"constant", "invscaling", "adaptive"}
        ``invscaling`` sets the step to ``learning_rate_init / (t + 1) ** power_t`` after each
        epoch (``t`` samples seen); ``adaptive`` divides it by 5 when progress stalls.
    momentum : float
        Momentum in [0, 1].
    nesterov : bool
        Use Nesterov's momentum.
    power_t : float
        Exponent of ``invscaling``.
    state : dict or None
        State of an earlier run to continue; ``None`` starts afresh.
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init,
        schedule,
        momentum,
        nesterov,
        power_t,
        state=None,
        like=None,
    ):
        self.learning_rate_init = learning_rate_init
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.state = state or {
            "learning_rate": float(learning_rate_init),
            "velocity": _zeros(n_params, dtype, like),
        }
        self._axpy, self._scal = _level1_blas(dtype, like)

    @property
    def learning_rate(self) -> float:
        """The current step size."""
        return self.state["learning_rate"]

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Move ``params`` (shape ``(n_params,)``) in place along ``-grad``."""
        velocity, rate = self.state["velocity"], self.learning_rate
        self._scal(self.momentum, velocity)
        self._axpy(grad, velocity, a=-rate)  # v = momentum * v - rate * g
        if self.nesterov:
            self._axpy(velocity, params, a=self.momentum)
            self._axpy(grad, params, a=-rate)  # p += momentum * v - rate * g
        else:
            self._axpy(velocity, params, a=1.0)

    def end_epoch(self, time_step: int) -> None:
        """Update the schedule once ``time_step`` samples have been seen."""
        if self.schedule == "invscaling":
            self.state["learning_rate"] = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def on_plateau(self) -> tuple[bool, str]:
        """Whether to stop when progress stalls, and what to tell the user."""
        if self.schedule != "adaptive":
            return True, "Stopping."
        if self.learning_rate <= 1e-6:
            return True, "Learning rate too small. Stopping."
        self.state["learning_rate"] /= 5.0
        return False, f"Setting learning rate to {self.learning_rate:f}"


class Adam:
    """Adam (Kingma & Ba, 2014) on a flat parameter vector.

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy dtype
        The parameters' dtype.
    learning_rate_init : float
        Step size.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
        Added to the root of the second moment for numerical stability.
    state : dict or None
        State of an earlier run to continue; ``None`` starts afresh.
    """

    def __init__(
        self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon, state=None, like=None
    ):
        self.learning_rate_init = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.state = state or {
            "learning_rate": float(learning_rate_init),
            "t": 0,
            "m": _zeros(n_params, dtype, like),
            "v": _zeros(n_params, dtype, like),
        }
        self._scratch = _zeros(n_params, dtype, like)
        self._axpy, self._scal = _level1_blas(dtype, like)

    @property
    def learning_rate(self) -> float:
        """The bias-corrected step size of the last step."""
        return self.state["learning_rate"]

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Move ``params`` (shape ``(n_params,)``) in place by one Adam step."""
        state, scratch = self.state, self._scratch
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        self._scal(self.beta_1, m)
        self._axpy(grad, m, a=1 - self.beta_1)  # m = beta_1 * m + (1 - beta_1) * g
        apply("multiply", grad, grad, out=scratch)
        self._scal(self.beta_2, v)
        self._axpy(scratch, v, a=1 - self.beta_2)  # v = beta_2 * v + (1 - beta_2) * g^2
        state["learning_rate"] = float(
            self.learning_rate_init * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        )
        apply("sqrt", v, out=scratch)
        scratch += self.epsilon
        apply("divide", m, scratch, out=scratch)
        self._axpy(scratch, params, a=-self.learning_rate)  # p -= rate * m / (sqrt(v) + eps)

    def end_epoch(self, time_step: int) -> None:
        """Adam has no schedule."""

    def on_plateau(self) -> tuple[bool, str]:
        """Adam stops when progress stalls."""
        return True, "Stopping."


def _level1_blas(dtype, like=None):
    """``axpy`` (``y += a * x`` in place) and ``scal`` (``x *= a``) for ``dtype``.

    BLAS's for NumPy (``like`` None or a NumPy array); the standard's arithmetic for
    arrays of another namespace.
    """
    if like is None or type(like) is np.ndarray:
        return get_blas_funcs(("axpy", "scal"), (np.empty(0, dtype=dtype),))

    def scal(a, x):
        x *= a
        return x

    return axpy_for(like), scal


def _zeros(n: int, dtype, like):
    """A zero vector of ``n`` entries: NumPy's, or of ``like``'s namespace and device."""
    if like is None or type(like) is np.ndarray:
        return np.zeros(n, dtype=dtype)
    return namespace(like).zeros(n, dtype=dtype, device=like.device)


@cache
def _controller() -> ThreadpoolController:
    """The process's thread pools, found once (finding them costs ~0.6 ms, a fit's limits
    a few microseconds; NumPy's and scipy's BLAS are loaded before any fit)."""
    return ThreadpoolController()


def _scipy_own_blas():
    """The BLAS libraries shipped inside scipy's own install (not NumPy's), or None."""
    scipy_dir = Path(scipy.__file__).resolve().parent
    roots = (str(scipy_dir), str(scipy_dir.parent / "scipy.libs"))
    controller = _controller()
    paths = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas" and lib.filepath.startswith(roots)
    ]
    return controller.select(filepath=paths) if paths else None


def scipy_blas_single_threaded():
    """Context manager holding scipy's own BLAS (not NumPy's) to one thread.

    Scipy's wheels ship an OpenBLAS of their own beside NumPy's. The optimizers' vector
    updates and L-BFGS-B run on it, and its idle threads spin on the same cores that NumPy's
    threads need for the matrix products; held to one thread, training runs much faster
    (L-BFGS fits several times faster). Where scipy shares NumPy's BLAS, nothing changes.
    """
    scipy_blas = _scipy_own_blas()
    return scipy_blas.limit(limits=1) if scipy_blas is not None else nullcontext()


# Below this many floating-point operations in the largest matrix product of a minibatch,
# the products run faster on one BLAS thread: waking the second thread for each small call
# costs more than it saves. Measured on 2 cores (same process, 1 vs 2 threads): sine (20,)
# 8 kflop 0.90x the time, regression (100,) 0.8 Mflop 0.99x, digits (100,) 1.3 Mflop 0.75x,
# (256, 256) 26 Mflop 1.39x; adam on (256,) or (160, 160) at 10 Mflop 1.19x and 1.36x.
SMALL_PRODUCT_FLOPS = 4e6
# L-BFGS's blocks of 1000 rows keep one thread up to a larger product: between its products
# an evaluation does more serial work (the loss, scipy's step), during which a second BLAS
# thread only spins, and on a shared 2-core machine a spinning thread at times halves the
# speed of the other (fits then take twice as long on two threads, never on one). Measured
# (same process, 1 vs 2 threads, medians of 6): (100,) on 20 features, 4 Mflop, 0.63x the
# time; 50 features, 10 Mflop, 0.79x; (256,) on 20 features, 10 Mflop, 1.04x; 100 features,
# 20 Mflop, 1.32x.
LBFGS_SMALL_PRODUCT_FLOPS = 1.5e7


def small_products_single_threaded(
    layer_sizes, batch_rows: int, like, threshold: float = SMALL_PRODUCT_FLOPS
):
    """Context manager: every BLAS pool at one thread while the minibatches' products are
    small (below ``threshold`` floating-point operations, see ``SMALL_PRODUCT_FLOPS``);
    else, or off NumPy, nothing changes.

    A rule of the shapes alone, so two fits of the same data stay bitwise identical; a
    limit of one never exceeds one the user (or dask) has set, and the limits are restored
    when the context exits.
    """
    largest = max(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    if type(like) is not np.ndarray or 2.0 * batch_rows * largest >= threshold:
        return nullcontext()
    return _controller().limit(limits=1, user_api="blas")


def minimize_lbfgs(loss_and_gradient, x0, max_iter, max_fun, tol, callback):
    """Minimise with scipy's L-BFGS-B (run it inside :func:`scipy_blas_single_threaded`).

    Parameters
    ----------
    loss_and_gradient : callable
        ``loss_and_gradient(x) -> (float, ndarray)`` for ``x`` of shape ``(n_params,)``.
    x0 : ndarray of shape (n_params,)
        Starting point (float64).
    max_iter, max_fun : int
        Iteration and function-evaluation budgets.
    tol : float
        Projected-gradient tolerance (scipy's ``gtol``).
    callback : callable
        Called after each iteration with the current ``OptimizeResult``.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
    """
    return scipy.optimize.minimize(
        loss_and_gradient,
        x0,
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )
