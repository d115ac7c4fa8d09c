"""Optimizers as in-place steps on one flat parameter vector.

``SGD`` and ``Adam`` keep their state (velocities, moments, step count, learning rate) in a
plain ``state`` dict of arrays and numbers, so an estimator can keep it between
``partial_fit`` calls and pickle it without pickling an optimizer object. The arithmetic
follows scikit-learn's ``_stochastic_optimizers`` operation for operation, so the same
gradients give bit-for-bit the same steps. ``minimize_lbfgs`` runs scipy's L-BFGS-B on the
same flat vector.
"""

from contextlib import nullcontext
from pathlib import Path

import numpy as np
import scipy
import scipy.optimize
from threadpoolctl import ThreadpoolController


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
    ):
        self.learning_rate_init = learning_rate_init
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.state = state or {
            "learning_rate": float(learning_rate_init),
            "velocity": np.zeros(n_params, dtype=dtype),
        }
        self._scaled_grad = np.empty(n_params, dtype=dtype)
        self._update = np.empty(n_params, dtype=dtype)

    @property
    def learning_rate(self) -> float:
        """The current step size."""
        return self.state["learning_rate"]

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Move ``params`` (shape ``(n_params,)``) in place along ``-grad``."""
        velocity = self.state["velocity"]
        np.multiply(grad, self.learning_rate, out=self._scaled_grad)
        velocity *= self.momentum
        velocity -= self._scaled_grad
        if self.nesterov:
            np.multiply(velocity, self.momentum, out=self._update)
            self._update -= self._scaled_grad
            params += self._update
        else:
            params += velocity

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

    def __init__(self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon, state=None):
        self.learning_rate_init = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.state = state or {
            "learning_rate": float(learning_rate_init),
            "t": 0,
            "m": np.zeros(n_params, dtype=dtype),
            "v": np.zeros(n_params, dtype=dtype),
        }
        self._scratch = np.empty(n_params, dtype=dtype)
        self._update = np.empty(n_params, dtype=dtype)

    @property
    def learning_rate(self) -> float:
        """The bias-corrected step size of the last step."""
        return self.state["learning_rate"]

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Move ``params`` (shape ``(n_params,)``) in place by one Adam step."""
        state, scratch = self.state, self._scratch
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        m *= self.beta_1
        m += np.multiply(grad, 1 - self.beta_1, out=scratch)
        v *= self.beta_2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - self.beta_2
        v += scratch
        state["learning_rate"] = float(
            self.learning_rate_init * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        )
        np.multiply(m, -self.learning_rate, out=self._update)
        np.sqrt(v, out=scratch)
        scratch += self.epsilon
        self._update /= scratch
        params += self._update

    def end_epoch(self, time_step: int) -> None:
        """Adam has no schedule."""

    def on_plateau(self) -> tuple[bool, str]:
        """Adam stops when progress stalls."""
        return True, "Stopping."


def _scipy_own_blas():
    """The BLAS libraries shipped inside scipy's own install (not NumPy's)."""
    scipy_dir = Path(scipy.__file__).resolve().parent
    roots = (str(scipy_dir), str(scipy_dir.parent / "scipy.libs"))
    controller = ThreadpoolController()
    paths = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas" and lib.filepath.startswith(roots)
    ]
    return controller.select(filepath=paths) if paths else None


def minimize_lbfgs(loss_and_gradient, x0, max_iter, max_fun, tol, callback):
    """Minimise with scipy's L-BFGS-B.

    Scipy's wheels ship an OpenBLAS of their own beside NumPy's. L-BFGS-B's small vector
    operations run on it, and its idle threads spin on the same cores NumPy's threads need
    for the gradient; held to one thread for the duration, every fit runs much faster.

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
    scipy_blas = _scipy_own_blas()
    with scipy_blas.limit(limits=1) if scipy_blas is not None else nullcontext():
        return scipy.optimize.minimize(
            loss_and_gradient,
            x0,
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
