"""LossCurveDisplay: the training and validation loss curves of a fitted network.

matplotlib is an optional dependency (``pip install "sknumpy_nn[plot]"``), imported only
inside the functions that draw, so that the estimators never need it.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _import_pyplot(caller: str):
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} needs matplotlib, an optional dependency of sknumpy_nn: install it "
            'with `pip install "sknumpy_nn[plot]"` (or `pip install matplotlib`).'
        ) from error
    return plt


def _best_epoch(loss_curve, validation_scores) -> int | None:
    """1-based epoch of the first best validation score, else of the lowest training loss."""
    if validation_scores is not None and np.isfinite(validation_scores).any():
        scores = np.asarray(validation_scores, dtype=float)
        offset = len(loss_curve) - len(scores)  # the scores cover the last epochs
        return offset + int(np.nanargmax(np.where(np.isfinite(scores), scores, np.nan))) + 1
    losses = np.asarray(loss_curve, dtype=float)
    if not np.isfinite(losses).any():
        return None
    return int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan))) + 1


class LossCurveDisplay:
    """Training and validation loss against the epoch, with the best epoch marked.

    Create it with :meth:`from_estimator`; the constructor only stores the data, for
    curves that come from elsewhere. Call :meth:`plot` to draw (again).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss after each epoch (or L-BFGS iteration), e.g. ``loss_curve_``.
    validation_loss_curve : array-like of shape (n_validated,), default=None
        Validation loss after each of the *last* ``n_validated <= n_epochs`` epochs, e.g.
        ``validation_loss_curve_`` (shorter than ``loss_curve`` when a warm-started model
        began validating late); ``None`` draws the training curve only.
    best_epoch : int, default=None
        1-based epoch to mark; ``None`` marks none.
    estimator_name : str, default=None
        Title of the axes; ``None`` for no title.
    xlabel : str, default="Epoch"
        Label of the x axis ("Iteration" for L-BFGS).

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training-loss curve.
    validation_line_ : matplotlib Line2D or None
        The validation-loss curve, if there is one.
    best_epoch_line_ : matplotlib Line2D or None
        The vertical line at ``best_epoch``, if marked.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    NumpyMLPRegressor, NumpyMLPClassifier : Estimators whose curves this draws.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpy_nn import LossCurveDisplay, NumpyMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=200)
    >>> reg = NumpyMLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=1000,
    ...                         random_state=0)
    >>> reg = reg.fit(X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    >>> display = LossCurveDisplay.from_estimator(reg, log_scale=True)
    >>> len(display.line_.get_ydata()) == len(display.validation_line_.get_ydata()) == reg.n_iter_
    True
    >>> display.ax_.get_xlabel(), display.ax_.get_yscale()
    ('Iteration', 'log')
    >>> bool(display.best_epoch == np.argmax(reg.validation_scores_) + 1)
    True
    >>> import matplotlib.pyplot as plt
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        loss_curve,
        *,
        validation_loss_curve=None,
        best_epoch=None,
        estimator_name=None,
        xlabel="Epoch",
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name
        self.xlabel = xlabel

    def plot(self, ax=None, *, log_scale=False, mark_best=True):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` makes a new figure and axes.
        log_scale : bool, default=False
            Logarithmic loss axis.
        mark_best : bool, default=True
            Draw a dotted vertical line at ``best_epoch`` (when there is one).

        Returns
        -------
        display : LossCurveDisplay
            This object, with ``line_``, ``validation_line_``, ``best_epoch_line_``,
            ``ax_`` and ``figure_`` set.
        """
        plt = _import_pyplot("LossCurveDisplay.plot")
        if ax is None:
            _, ax = plt.subplots()
        n_epochs = len(self.loss_curve)
        (self.line_,) = ax.plot(np.arange(1, n_epochs + 1), self.loss_curve, label="training")
        self.validation_line_ = None
        if self.validation_loss_curve is not None and len(self.validation_loss_curve):
            epochs = np.arange(n_epochs - len(self.validation_loss_curve), n_epochs) + 1
            (self.validation_line_,) = ax.plot(
                epochs, self.validation_loss_curve, label="validation"
            )
        self.best_epoch_line_ = None
        if mark_best and self.best_epoch is not None:
            self.best_epoch_line_ = ax.axvline(
                self.best_epoch, color="0.4", linestyle=":", label=f"best ({self.best_epoch})"
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel("Loss")
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, log_scale=False, mark_best=True):
        """Draw a fitted estimator's ``loss_curve_`` and ``validation_loss_curve_``.

        The best epoch marked is that of the best ``validation_scores_`` (the first, if
        several tie): the weights early stopping restores. Without validation scores it is
        the epoch of the lowest training loss. Works on scikit-learn's MLPs too (which
        have no validation loss curve).

        Parameters
        ----------
        estimator : fitted NumpyMLPRegressor or NumpyMLPClassifier
            Any fitted estimator with a ``loss_curve_``.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` makes a new figure and axes.
        log_scale : bool, default=False
            Logarithmic loss axis.
        mark_best : bool, default=True
            Draw a dotted vertical line at the best epoch.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.
        """
        _import_pyplot("LossCurveDisplay.from_estimator")
        check_is_fitted(estimator)
        loss_curve = getattr(estimator, "loss_curve_", None)
        if not loss_curve:
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_ to plot; fit an MLP first."
            )
        display = cls(
            loss_curve,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            best_epoch=_best_epoch(loss_curve, getattr(estimator, "validation_scores_", None)),
            estimator_name=type(estimator).__name__,
            xlabel="Iteration" if getattr(estimator, "solver", None) == "lbfgs" else "Epoch",
        )
        return display.plot(ax, log_scale=log_scale, mark_best=mark_best)
