"""Minibatch epochs: the batch loop of the stochastic solvers, with no per-batch checks.

Batches are gathered with ``np.take`` into buffers allocated once per fit (a per-epoch
copy of ``X`` would double the memory); without shuffling they are plain row slices.
"""

import numpy as np
import scipy.sparse as sp


class Epoch:
    """One pass of minibatch training over fixed data, with the batch buffers it needs.

    Parameters
    ----------
    network : Network
        The network trained in place.
    X : {ndarray, sparse CSR matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets in the network's dtype.
    sample_weight : ndarray of shape (n_samples,) or None
    batch_size : int
        Rows per minibatch (the last one may be smaller).
    alpha : float
        L2 penalty.
    random_state : numpy.random.RandomState
        Draws the dropout masks, if the network has dropout.

    Rows are visited in ``order``; a shuffle composes a fresh permutation onto the current
    order (as scikit-learn does), so each epoch's draw depends on all earlier ones. The
    network draws its dropout masks (if it has dropout) from the same ``random_state``.
    """

    def __init__(self, network, X, Y, sample_weight, batch_size, alpha, random_state):
        self.network, self.X, self.Y, self.sample_weight = network, X, Y, sample_weight
        self.alpha = alpha
        self.random_state = random_state
        self.n_samples = X.shape[0]
        self.batch_size = batch_size
        self.order = None
        self._dense = not sp.issparse(X)
        self._X_buffer = np.empty((batch_size, X.shape[1]), X.dtype) if self._dense else None
        self._Y_buffer = np.empty((batch_size, Y.shape[1]), Y.dtype)
        self._w_buffer = None if sample_weight is None else np.empty(batch_size, Y.dtype)

    def shuffle(self, random_state) -> None:
        """Compose a fresh permutation onto the visiting order."""
        permutation = np.arange(self.n_samples)
        random_state.shuffle(permutation)
        self.order = permutation if self.order is None else self.order[permutation]

    def _batch(self, start: int, stop: int):
        if self.order is None:
            rows = slice(start, stop)
            weights = None if self.sample_weight is None else self.sample_weight[rows]
            return self.X[rows], self.Y[rows], weights
        rows, n = self.order[start:stop], stop - start
        X = np.take(self.X, rows, axis=0, out=self._X_buffer[:n]) if self._dense else self.X[rows]
        Y = np.take(self.Y, rows, axis=0, out=self._Y_buffer[:n])
        weights = None
        if self.sample_weight is not None:
            weights = np.take(self.sample_weight, rows, out=self._w_buffer[:n])
        return X, Y, weights

    def run(self, optimizer) -> float:
        """Train on every batch once; return the row-weighted mean of the batch losses."""
        total, counted = 0.0, 0
        for start in range(0, self.n_samples, self.batch_size):
            stop = min(start + self.batch_size, self.n_samples)
            X, Y, weights = self._batch(start, stop)
            if weights is not None and not weights.sum() > 0:
                continue  # nothing to learn from, and the objective would divide by zero
            loss = self.network.loss_and_gradient(
                X, Y, weights, self.alpha, random_state=self.random_state
            )
            optimizer.step(self.network.params, self.network.grad)
            total += loss * (stop - start)
            counted += stop - start
        return total / counted if counted else np.nan
