"""Out-of-core training: ``partial_fit`` over chunks of data too large for memory."""

import numpy as np
from sklearn.base import is_classifier

from ._callbacks import FitTasks


def fit_in_chunks(estimator, X, y, *, chunk_size, epochs=1, classes=None, sample_weight=None):
    """Train ``estimator`` with ``partial_fit``, reading ``chunk_size`` rows at a time.

    ``X`` (and ``y``, ``sample_weight``) may be anything that slices like an array without
    loading the whole of it: a ``numpy.memmap`` on disk, an HDF5 or zarr dataset. Only one
    chunk is handed to ``partial_fit`` at a time (a memmap's slice is read from disk as it
    is used, an HDF5 slice is read into memory), so the memory training needs is bounded by
    the chunk and the model, whatever the size of the data. Every epoch visits the chunks
    in order; each ``partial_fit`` call is one epoch over its chunk, in minibatches
    shuffled within it.

    Parameters
    ----------
    estimator : NumpyMLPRegressor or NumpyMLPClassifier
        An estimator with ``solver='sgd'`` or ``'adam'``; trained in place (continuing from
        its current state if it has one).
    X : array-like of shape (n_samples, n_features)
        The training data, sliced ``X[start:stop]``.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The targets, sliced likewise.
    chunk_size : int
        Rows read at a time (at least 1).
    epochs : int, default=1
        Passes over the whole data.
    classes : array-like of shape (n_classes,), default=None
        All class labels, required for a classifier (a chunk may miss some): the same as
        ``partial_fit``'s ``classes``. Ignored for a regressor.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights, sliced like ``X``.

    Returns
    -------
    estimator : object
        The trained estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpy_nn import NumpyMLPRegressor, fit_in_chunks
    >>> X = np.random.RandomState(0).normal(size=(1000, 3))
    >>> y = X.sum(axis=1)
    >>> reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0)
    >>> reg = fit_in_chunks(reg, X, y, chunk_size=250, epochs=20)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """
    n_samples = _check_chunking(estimator, X, y, chunk_size, epochs, sample_weight)
    extra = {}
    if is_classifier(estimator):
        if classes is None and not hasattr(estimator, "classes_"):
            raise ValueError(
                "fit_in_chunks needs classes= for a classifier: a chunk may not hold every "
                "class. Pass all class labels, e.g. numpy.unique(y)."
            )
        extra["classes"] = classes
    n_chunks = -(-n_samples // chunk_size)
    tasks = FitTasks(
        estimator, "chunk", epochs * n_chunks, task_name="fit_in_chunks", detached=True
    )
    try:
        tasks.begin()
        for _ in range(epochs * n_chunks):
            start = (_ % n_chunks) * chunk_size
            rows = slice(start, min(start + chunk_size, n_samples))
            X_chunk, y_chunk = np.asarray(X[rows]), np.asarray(y[rows])
            weights = None if sample_weight is None else np.asarray(sample_weight[rows])
            tasks.begin_step()
            estimator.partial_fit(X_chunk, y_chunk, sample_weight=weights, **extra)
            tasks.judge_on(X_chunk, y_chunk, weights, encoded=False)
            if tasks.end_step(estimator.coefs_, estimator.intercepts_):
                break  # a callback asked to stop
        tasks.end(estimator.coefs_, estimator.intercepts_)
    finally:
        tasks.teardown()
    return estimator


def _check_chunking(estimator, X, y, chunk_size, epochs, sample_weight) -> int:
    """Validate the arguments that partial_fit cannot see; return the number of rows."""
    if not hasattr(estimator, "partial_fit"):
        raise ValueError(
            f"fit_in_chunks trains with partial_fit, which {type(estimator).__name__} with "
            f"solver={getattr(estimator, 'solver', None)!r} does not have; use 'sgd' or 'adam'."
        )
    for name, value in (("chunk_size", chunk_size), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    n_samples = len(X)
    lengths = {"y": len(y)}
    if sample_weight is not None:
        lengths["sample_weight"] = len(sample_weight)
    for name, length in lengths.items():
        if length != n_samples:
            raise ValueError(f"X has {n_samples} rows but {name} has {length}.")
    if n_samples == 0:
        raise ValueError("X has no rows: nothing to train on.")
    return n_samples
