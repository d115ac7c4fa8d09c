"""Docstring fragments shared by the two estimators (written once, filled into both)."""

PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', \
'softplus', 'gelu', 'silu', 'mish'} or Activation, default='relu'
        Activation of the hidden layers: ``x``, ``1 / (1 + exp(-x))``, ``tanh(x)``,
        ``max(0, x)``; beyond scikit-learn's four, ``max(0.01 x, x)`` ('leaky_relu'),
        ``x`` for ``x > 0`` else ``exp(x) - 1`` ('elu'), ``log(1 + exp(x))`` ('softplus'),
        ``0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))`` ('gelu', the tanh
        approximation), ``x / (1 + exp(-x))`` ('silu', also called swish) or
        ``x tanh(log(1 + exp(x)))`` ('mish'); or an :class:`Activation` of your own, a
        function and its derivative. The weights are drawn from Glorot's uniform
        distribution with the factor 2 for 'logistic' and 6 for every other activation (as
        scikit-learn does for its four).

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        Weight optimizer. 'lbfgs' is scipy's L-BFGS-B on the whole data set (good for small
        data); 'sgd' is minibatch stochastic gradient descent (full-batch gradient descent
        with ``batch_size=n_samples, momentum=0``); 'adam' is Kingma and Ba's Adam.

    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights (not the biases).

    batch_size : int, default='auto'
        Minibatch size of the stochastic solvers; 'auto' is ``min(200, n_samples)``.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule of ``solver='sgd'``: constant; ``learning_rate_init / (t + 1) **
        power_t`` after ``t`` samples; or divided by 5 each time ``n_iter_no_change`` epochs
        fail to improve by ``tol``.

    learning_rate_init : float, default=0.001
        Initial step size of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs ('sgd', 'adam') or iterations ('lbfgs').

    shuffle : bool, default=True
        Shuffle the samples every epoch ('sgd', 'adam').

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the early-stopping split and the shuffles; the same
        seed gives the same draws as scikit-learn's MLP.

    tol : float, default=1e-4
        Improvement of the loss (or validation score) below which an epoch counts as no
        progress; for 'lbfgs', the projected-gradient tolerance.

    verbose : bool or int, default=False
        Print a training log: a header, then one row per epoch ('lbfgs': per iteration)
        with the epoch, the training loss, the validation loss and score (when there is
        validation data), the learning rate (sgd, adam; for Adam, its bias-corrected step
        size) and the seconds the epoch took; and a line when progress stalls.

    warm_start : bool, default=False
        Continue from the fitted weights on the next ``fit`` instead of re-initialising.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum ('sgd' with ``momentum > 0``).

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (or use the ``X_val`` given
        to ``fit``) and stop when its score stops improving for ``n_iter_no_change``
        epochs; the best weights are kept. Only for 'sgd' and 'adam'.

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping; unused when ``fit`` is
        given ``X_val``.

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int, default=10
        Epochs without an improvement of ``tol`` before stopping ('sgd', 'adam').

    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'."""

# Our keyword-only parameters after each estimator's own ones, in the signature's order.
EXTRA_PARAMETERS = """\
dropout : float or array-like of float, default=0.0
        Inverted dropout on the hidden layers ('sgd' and 'adam' only; beyond scikit-learn):
        during training each hidden unit's output is zeroed with this probability and the
        others are divided by ``1 - dropout``, with fresh masks for every minibatch drawn
        from ``random_state``. Never applied in ``predict``. A float in [0, 1) for every
        hidden layer, or one rate per hidden layer. ``loss_curve_`` then records the loss of
        the dropped-out networks. 'lbfgs' with a rate above 0 raises a ValueError.

    scoring : str, callable or None, default=None
        What the validation data (``early_stopping``'s split, or ``X_val``) is scored with,
        for early stopping, ``validation_scores_``, ``best_validation_score_`` and the best
        weights restored (beyond scikit-learn's MLP, as ``HistGradientBoosting*`` take it).
        None: R² or accuracy, as scikit-learn's MLP; ``'loss'``: the negative validation
        loss (the training loss without the penalty, as ``validation_loss_curve_``
        records it); a scikit-learn scorer name (``'neg_log_loss'``, ``'f1_macro'``,
        ``'neg_mean_absolute_error'``, ...; see ``sklearn.metrics.get_scorer_names``) or a
        callable ``scorer(estimator, X, y)`` (given ``sample_weight=`` too when the
        validation rows are weighted). Bigger is better. A scorer sees the estimator with
        the weights being scored in ``coefs_`` and ``intercepts_``, so it may call
        ``predict``; ``'neg_log_loss'`` scores against the fitted classes (a validation part
        may lack one) and, with several labels, sums each label's binary log-loss. On a
        device a scorer gets host (NumPy) copies of the weights and validation rows."""

ATTRIBUTES = """\
loss_ : float
        Objective after the last epoch (sgd, adam) or at the solution (lbfgs), penalty
        included.

    best_loss_ : float or None
        Lowest training loss seen; ``None`` with early stopping (sgd, adam).

    loss_curve_ : list of float
        Loss after each epoch (sgd, adam) or each iteration (lbfgs).

    validation_scores_ : list of float or None
        Score (R^2 or accuracy, sample-weighted) on the validation data after each epoch
        ('lbfgs': iteration), when there is validation data: ``X_val`` given to ``fit``,
        or the part held out by ``early_stopping``; ``None`` otherwise.

    validation_loss_curve_ : list of float or None
        Loss on the validation data after each epoch ('lbfgs': iteration), alongside
        ``validation_scores_``: the training loss of ``loss_curve_`` (half squared error,
        half Poisson deviance or log-loss), as a mean weighted by ``sample_weight_val``,
        *without* the L2 penalty, and at the weights reached at the end of the epoch
        (``loss_curve_`` averages the minibatch losses during it, penalty included).

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    t_ : int
        Number of training samples seen by the stochastic solver.

    coefs_ : list of ndarray
        ``coefs_[i]`` is the ``(fan_in, fan_out)`` weight matrix of layer ``i``.

    intercepts_ : list of ndarray
        ``intercepts_[i]`` is the ``(fan_out,)`` bias vector of layer ``i``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Feature names seen during fit, when ``X`` has string column names.

    n_iter_ : int
        Epochs (sgd, adam) or iterations (lbfgs) run by the last fit.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Output activation."""


# fit's validation-data parameters, indented for a method's docstring.
VALIDATION_PARAMETERS = """\
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation data, checked like ``predict``'s input (the features seen in ``X``).
            When given, ``X`` is trained on whole (no ``validation_fraction`` split) and,
            after every epoch (every iteration with 'lbfgs'), the model is scored on the
            validation data: ``validation_scores_``, ``validation_loss_curve_`` and
            ``best_validation_score_`` record it.

            - With ``early_stopping=True`` (sgd, adam), the validation score decides when
              to stop, and the weights of the best-scoring epoch are restored at the end,
              exactly as with the split.
            - With ``early_stopping=False``, or with 'lbfgs' (whose ``early_stopping`` has
              no effect, as in scikit-learn), the scores are only recorded: they never stop
              training (the training loss does, as without validation data), and the model
              keeps its final weights, not the best-scoring ones. Scikit-learn's
              ``HistGradientBoosting*`` refuse ``X_val`` without early stopping; here it
              gives learning curves.

            Under cross-validation (e.g. ``GridSearchCV`` with metadata routing), an
            ``X_val`` with exactly as many rows as ``X`` is taken for per-sample metadata
            and split along with ``X``: give a validation set of another size.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), default=None
            Targets of ``X_val``, checked like ``y``: known classes only (classifier),
            numbers with as many outputs as ``y``, non-negative for ``loss='poisson'``
            (regressor). Required with ``X_val`` and only with it.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Non-negative weights of the validation samples, used by the validation score
            and loss; ``None`` weighs them equally. Only with ``X_val``.

"""


def fill_docstring(documented):
    """Decorator: substitute the shared fragments into a class's or function's docstring."""
    documented.__doc__ = (
        documented.__doc__.replace("{parameters}", PARAMETERS)
        .replace("{extra_parameters}", EXTRA_PARAMETERS)
        .replace("{attributes}", ATTRIBUTES)
        .replace("        {validation_parameters}\n", VALIDATION_PARAMETERS)
    )
    return documented
