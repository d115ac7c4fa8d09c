"""NumpyMLPRegressor: the NumPy MLP with scikit-learn's regressor contract."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d, validate_data

from ._base import BaseNumpyMLP
from ._checks import check_stochastic_solver, float_dtypes, validate_quietly
from ._docstrings import fill_docstring
from ._losses import REGRESSION_LOSSES, huber_loss, quantile_loss
from ._ops import host_dtype, reshape, to_host


@fill_docstring
class NumpyMLPRegressor(RegressorMixin, BaseNumpyMLP):
    """Multilayer perceptron regressor in NumPy, a drop-in for ``MLPRegressor``.

    Minimises half the squared error (or half the Poisson deviance, or a robust Huber or
    absolute error) plus an L2 penalty with L-BFGS, SGD or Adam. With the same parameters and
    ``random_state`` it trains the same model as :class:`sklearn.neural_network.MLPRegressor`.

    Parameters
    ----------
    loss : {'squared_error', 'poisson', 'huber', 'absolute_error', 'quantile'}, \
default='squared_error'
        Half squared error with an identity output, or half Poisson deviance with an
        exponential output (``y`` must be non-negative). Beyond scikit-learn's MLP, two
        losses robust to outliers, both with an identity output: 'huber', per output
        ``0.5 * r**2`` where ``|r| <= huber_delta`` and ``huber_delta * (|r| - 0.5 *
        huber_delta)`` beyond, for the residual ``r``; and 'absolute_error', ``|r|`` (its
        fit follows the conditional median); and 'quantile', the pinball loss of
        ``quantile``: ``quantile * r`` for ``r = y - prediction >= 0``, ``(quantile - 1) *
        r`` below, whose fit follows the conditional ``quantile`` of ``y`` (a prediction
        interval from two fits; two separately fitted quantile models may cross). With
        several outputs the loss is summed over them. ``score`` stays R^2 for every loss.

    {parameters}

    huber_delta : float, default=1.0
        Threshold of ``loss='huber'`` between its quadratic and its linear part, in the
        units of ``y``: residuals larger than this count linearly, so outliers pull less.
        A very large value gives the squared error. Ignored by the other losses.

    quantile : float, default=0.5
        The quantile ``loss='quantile'`` fits, in the open interval (0, 1) (0.5: the
        median; the name and meaning of ``HistGradientBoostingRegressor``'s). Validated
        always, used only with ``loss='quantile'``. Away from 0.5, R^2 (``score``) is low
        by nature: the fit is meant to sit above or below most targets.

    {extra_parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    NumpyMLPClassifier : The classifier on the same core.
    sklearn.neural_network.MLPRegressor : The estimator this one replaces.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpy_nn import NumpyMLPRegressor
    >>> X = np.linspace(0, 1, 50).reshape(-1, 1)
    >>> y = 2 * X.ravel() + 1
    >>> reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs",
    ...                         random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.99)
    True
    """

    _parameter_constraints: dict = {
        **BaseNumpyMLP._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        huber_delta=1.0,
        quantile=0.5,
        dropout=0.0,
        scoring=None,
    ):
        self.loss = loss
        self.huber_delta = huber_delta
        self.quantile = quantile
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            scoring=scoring,
        )

    def _network_loss(self):
        # Huber's threshold and the quantile are parameters of the loss itself: build it
        # for this estimator.
        if self.loss == "huber":
            return huber_loss(float(self.huber_delta))
        if self.loss == "quantile":
            return quantile_loss(float(self.quantile))
        return self.loss

    def _encode_target(self, X, y, incremental, reset):
        X, y = validate_quietly(
            validate_data,
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=float_dtypes(X),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(
                f"loss='poisson' needs non-negative targets y; got a minimum of {np.min(y)!r}."
            )
        largest, dtype = np.abs(y).max(), host_dtype(X)
        if dtype != y.dtype and largest > np.finfo(dtype).max:
            # The model takes X's dtype, and so do its targets: they would become inf.
            raise ValueError(
                f"y holds values up to {largest:.3g} in magnitude, beyond the range of "
                f"{dtype} ({np.finfo(dtype).max:.3g}), the dtype of X and so of the model. "
                "Scale y down, or give X as float64."
            )
        return X, y.reshape(y.shape[0], -1).astype(dtype, copy=False)

    def _validation_score(self, output, Y, sample_weight) -> float:
        return r2_score(Y, output, sample_weight=sample_weight)

    def _validation_target(self, Y):
        """The validation targets as ``fit`` took them, from their encoding (a scorer's y)."""
        Y = to_host(Y)
        return Y[:, 0] if self.n_outputs_ == 1 else Y

    def predict(self, X):
        """Predict with the fitted network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, in the dtype of the fitted weights.
        """
        return self._decode(self._predict_output(X))

    def _decode(self, output):
        return reshape(output, (-1,)) if output.shape[1] == 1 else output

    @available_if(check_stochastic_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data ('sgd' and 'adam' only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Poisson fits several outputs too (tests/test_regressor.py), but sklearn's
        # multi-output check feeds it negative targets, which Poisson rejects; the tag then
        # matches sklearn's own Poisson MLP, which runs the same checks.
        tags.target_tags.multi_output = self.loss != "poisson"
        tags.target_tags.positive_only = self.loss == "poisson"
        # A quantile away from the median scores a low R^2 by design (about 0.4 for a perfect
        # 0.9-quantile on scikit-learn's check data).
        tags.regressor_tags.poor_score = self.loss == "quantile" and self.quantile != 0.5
        return tags
