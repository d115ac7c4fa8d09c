"""Minibatch epochs: the batch loop of the stochastic solvers, with no per-batch checks.

Batches are gathered with ``take`` into buffers allocated once per fit (a per-epoch copy of
``X`` would double the memory); without shuffling they are plain row slices. On a device
the loop never waits for it: the visiting order is moved there once per epoch, the batch
losses are summed there, and which batches carry weight is known on the host beforehand.
"""

import numpy as np
import scipy.sparse as sp

from ._ops import namespace, reshape, scalar, to_host, widest_float


class EpochDraws:
    """The uniform draws of one epoch's dropout masks, drawn on the host in a few pieces.

    A device would wait for a host-to-device copy at every batch if each batch's masks
    were drawn there; instead the numbers of several batches are drawn in one call and
    moved at once. They are the same numbers: ``RandomState.random_sample`` draws in one
    call of ``n + m`` what it draws in two calls of ``n`` and ``m``. A piece always ends at
    a batch boundary, so nothing is drawn that the epoch will not use before its next
    shuffle. Stands in for the ``random_state`` the network draws its masks from.

    Parameters
    ----------
    random_state : numpy.random.RandomState
    like : array
        An array of the device's namespace; the draws move there in its widest float
        (float64 where the device has it, so that the masks are NumPy's).
    """

    PIECE = 2**22  # numbers per piece, at most (32 MiB of float64)

    def __init__(self, random_state, like):
        self.random_state, self.like = random_state, like
        self.dtype = widest_float(like)
        self._pending, self._piece, self._offset = [], None, 0

    def start(self, numbers_per_batch: list) -> None:
        """The numbers each batch of this epoch will ask for, in order."""
        self._pending, self._piece, self._offset = list(numbers_per_batch), None, 0

    def random_sample(self, shape):
        """The next ``shape`` draws, on the device."""
        n = int(np.prod(shape))
        if self._piece is None or self._offset + n > self._piece.shape[0]:
            if self._piece is not None and self._offset != self._piece.shape[0]:
                raise RuntimeError("dropout draws out of step with the epoch's batches")
            size = self._pending.pop(0)
            while self._pending and size + self._pending[0] <= self.PIECE:
                size += self._pending.pop(0)
            draws = self.random_state.random_sample(size)
            xp = namespace(self.like)
            self._piece = xp.asarray(draws, dtype=self.dtype, device=self.like.device)
            self._offset = 0
        draws = self._piece[self._offset : self._offset + n]
        self._offset += n
        return reshape(draws, shape)


class Epoch:
    """One pass of minibatch training over fixed data, with the batch buffers it needs.

    Parameters
    ----------
    network : Network
        The network trained in place.
    X : {array, sparse CSR matrix} of shape (n_samples, n_features)
        In the network's namespace and on its device (a sparse ``X`` with NumPy only).
    Y : array of shape (n_samples, n_outputs)
        Encoded targets in the network's dtype, namespace and device.
    sample_weight : array of shape (n_samples,) or None
        Likewise.
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
        self._numpy = type(Y) is np.ndarray
        self._dense = not sp.issparse(X)
        self._X_buffer = np.empty((batch_size, X.shape[1]), X.dtype) if self._numpy else None
        self._Y_buffer = np.empty((batch_size, Y.shape[1]), Y.dtype) if self._numpy else None
        self._w_buffer = None
        self._host_weights = None
        if sample_weight is not None:
            self._host_weights = to_host(sample_weight)
            if self._numpy:
                self._w_buffer = np.empty(batch_size, Y.dtype)
        self._device_order = None
        self._draws = None
        if not self._numpy and network.dropout is not None:
            self._draws = EpochDraws(random_state, Y)

    def shuffle(self, random_state) -> None:
        """Compose a fresh permutation onto the visiting order."""
        permutation = np.arange(self.n_samples)
        random_state.shuffle(permutation)
        self.order = permutation if self.order is None else self.order[permutation]
        if not self._numpy:  # once per epoch, so that no batch waits for the host
            xp = namespace(self.Y)
            self._device_order = xp.asarray(self.order, device=self.Y.device)

    def _batch(self, start: int, stop: int):
        if self.order is None:
            rows = slice(start, stop)
            weights = None if self.sample_weight is None else self.sample_weight[rows]
            if self._numpy:
                return self.X[rows], self.Y[rows], weights
            return self.X[rows, ...], self.Y[rows, ...], weights
        if not self._numpy:
            xp = namespace(self.Y)
            rows = self._device_order[start:stop]
            weights = None
            if self.sample_weight is not None:
                weights = xp.take(self.sample_weight, rows, axis=0)
            return xp.take(self.X, rows, axis=0), xp.take(self.Y, rows, axis=0), weights
        rows, n = self.order[start:stop], stop - start
        # mode="clip": the rows are a permutation's, always in range, and NumPy buffers
        # out= under the default mode="raise" (a second copy of every batch).
        if self._dense:
            X = np.take(self.X, rows, axis=0, out=self._X_buffer[:n], mode="clip")
        else:
            X = self.X[rows]
        Y = np.take(self.Y, rows, axis=0, out=self._Y_buffer[:n], mode="clip")
        weights = None
        if self.sample_weight is not None:
            weights = np.take(self.sample_weight, rows, out=self._w_buffer[:n], mode="clip")
        return X, Y, weights

    def _weighted_batches(self) -> np.ndarray | None:
        """Per batch, whether any of its rows has a positive weight (None: all do)."""
        if self._host_weights is None:
            return None
        weights = self._host_weights if self.order is None else self._host_weights[self.order]
        starts = np.arange(0, self.n_samples, self.batch_size)
        return np.logical_or.reduceat(weights > 0, starts)

    def _draws_per_batch(self, weighted) -> list:
        """How many dropout draws each batch that trains will ask for."""
        units = sum(
            n for n, rate in zip(self.network.layer_sizes[1:-1], self.network.dropout) if rate
        )
        starts = range(0, self.n_samples, self.batch_size)
        return [
            (min(start + self.batch_size, self.n_samples) - start) * units
            for number, start in enumerate(starts)
            if weighted is None or weighted[number]
        ]

    def run(self, optimizer) -> float:
        """Train on every batch once; return the row-weighted mean of the batch losses."""
        total, counted = 0.0, 0
        weighted = self._weighted_batches()
        random_state = self.random_state
        if self._draws is not None:
            self._draws.start(self._draws_per_batch(weighted))
            random_state = self._draws
        for number, start in enumerate(range(0, self.n_samples, self.batch_size)):
            if weighted is not None and not weighted[number]:
                continue  # nothing to learn from, and the objective would divide by zero
            stop = min(start + self.batch_size, self.n_samples)
            X, Y, weights = self._batch(start, stop)
            loss = self.network.loss_and_gradient(
                X, Y, weights, self.alpha, random_state=random_state
            )
            optimizer.step(self.network.params, self.network.grad)
            total = total + loss * (stop - start)  # on a device: a 0-d array, not read yet
            counted += stop - start
        return float(scalar(total) / counted) if counted else np.nan
