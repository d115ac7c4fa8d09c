"""A multilayer perceptron in plain NumPy: parameters, initialisation, forward and backward.

Shapes follow the row-major convention: ``X`` is ``(n_samples, n_features)``, the weight
matrix of layer ``i`` is ``(fan_in, fan_out)``, so a layer computes ``Z = A_prev @ W + b``
and ``A = g(Z)``. The backward pass mirrors it: ``dZ = dA * g'``, ``dW = A_prev.T @ dZ``,
``db = dZ.sum(axis=0)``, ``dA_prev = dZ @ W.T``.

With dropout (training only), a hidden layer's output ``A`` is multiplied by a mask of
Bernoulli(1 - p) draws divided by (1 - p) before the next layer reads it; the backward pass
multiplies the error by the same mask, and ``g'`` still reads the undropped ``A`` (or ``Z``).

All weights and biases live in one flat vector (all weight matrices, then all bias vectors,
in layer order, as scikit-learn packs them for L-BFGS); ``coefs`` and ``intercepts`` are views
into it, and the gradient has the same layout. Optimizers therefore work on two vectors.
This module knows nothing of scikit-learn.
"""

from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from ._activations import OUTPUT_ACTIVATIONS, HiddenActivation, hidden_activation
from ._losses import LOSSES, Loss, weighted_loss_sum
from ._ops import (
    add_to_rows,
    apply,
    astype,
    axpy_for,
    column_sums_into,
    copy_into,
    empty,
    from_host,
    matmul_into,
    namespace,
    ones,
    reshape,
    rows_of,
    sum_of_products,
    total,
)


def _dot(A, B: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out[...] = A @ B`` without a temporary when ``A`` is dense."""
    if sp.issparse(A) or type(out) is not np.ndarray:
        out[...] = A @ B
    else:
        np.dot(A, B, out=out)
    return out


def unpack(flat: np.ndarray, layer_sizes: list[int]) -> tuple[list, list]:
    """Views of a flat vector as per-layer weight matrices and bias vectors.

    Parameters
    ----------
    flat : ndarray of shape (n_params,)
        All weight matrices, then all bias vectors, each raveled in C order.
    layer_sizes : list of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.

    Returns
    -------
    coefs : list of ndarray, ``coefs[i]`` of shape (layer_sizes[i], layer_sizes[i + 1])
    intercepts : list of ndarray, ``intercepts[i]`` of shape (layer_sizes[i + 1],)
    """
    coefs, intercepts, start = [], [], 0
    for fan_in, fan_out in pairwise(layer_sizes):
        coefs.append(reshape(flat[start : start + fan_in * fan_out], (fan_in, fan_out)))
        start += fan_in * fan_out
    for fan_out in layer_sizes[1:]:
        intercepts.append(flat[start : start + fan_out])
        start += fan_out
    return coefs, intercepts


def n_parameters(layer_sizes: list[int]) -> int:
    """Number of weights and biases of a network with these layer sizes."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in pairwise(layer_sizes))


# Rows per block in predict on the CPU: large enough for efficient matrix products, small
# enough that a block's activations (rows x widest layer) stay a few MB.
PREDICT_BLOCK_ROWS = 4096
# Rows of a bias tile in predict (see _ops.add_to_rows): a few KB per layer.
BIAS_TILE_ROWS = 64
# On a device a block is as large as this many activations (128 MiB of float32 per layer):
# a GPU needs many rows per kernel to be busy, and has the memory for them.
DEVICE_BLOCK_ELEMENTS = 2**25


def block_rows(like, cpu_rows: int, widest: int) -> int:
    """Rows per block for arrays like ``like``: ``cpu_rows`` on the host (NumPy, torch's
    CPU), else enough rows for ``DEVICE_BLOCK_ELEMENTS`` activations of ``widest`` units."""
    if type(like) is np.ndarray or str(getattr(like, "device", "cpu")) == "cpu":
        return cpu_rows
    return max(1, DEVICE_BLOCK_ELEMENTS // max(1, widest))


def forward(
    X,
    coefs: list[np.ndarray],
    intercepts: list[np.ndarray],
    hidden: HiddenActivation,
    output_activation: str,
    outputs: list[np.ndarray],
    pre_activations: list[np.ndarray] | None = None,
    masks: list[np.ndarray | None] | None = None,
    dropped: list[np.ndarray | None] | None = None,
    ones: np.ndarray | None = None,
    bias_tiles: list | None = None,
) -> list:
    """Forward pass, storing every layer's output.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The input rows.
    coefs, intercepts : list of ndarray
        Weights ``(fan_in, fan_out)`` and biases ``(fan_out,)`` of each layer.
    hidden : HiddenActivation
        Hidden activation (see ``hidden_activation``).
    output_activation : str
        Output activation, a key of ``OUTPUT_ACTIVATIONS`` (``"identity"`` to get the
        output pre-activation).
    outputs : list of ndarray
        ``outputs[i]`` of shape ``(n_samples, fan_out of layer i)`` receives layer ``i``'s
        output ``A``; the buffers are overwritten, nothing else is allocated.
    pre_activations : list of ndarray or None, default=None
        One buffer per hidden layer, shaped as its output, that receives its ``Z`` (for a
        derivative that reads ``Z``); ``None`` keeps no ``Z``.
    masks : list of (ndarray or None) or None, default=None
        Per hidden layer, the scaled dropout mask its output is multiplied by (shaped as the
        output), or ``None`` for a layer without dropout; ``None`` for no dropout at all.
    dropped : list of (ndarray or None) or None, default=None
        Where ``masks[i]`` is an array, ``dropped[i]`` receives the masked output; the
        undropped one stays in ``outputs[i]``.
    ones : ndarray of shape (n_samples,) or None, default=None
        Ones, for adding the biases by BLAS (training only: see
        :func:`~sknumpy_nn._ops.add_to_rows`); ``None`` adds them with NumPy.
    bias_tiles : list of (ndarray or None) or None, default=None
        Per layer, its bias repeated over a few rows, or ``None``, for adding the biases a
        few rows at a time (``predict``: see :func:`~sknumpy_nn._ops.add_to_rows`).

    Returns
    -------
    layer_inputs : list of ndarray
        ``[X, input of layer 2, ..., input of layer L, A_L]``: what each layer multiplied by
        its weights (a hidden layer's output after dropout), then the network's output.
    """
    last = len(coefs) - 1
    A = X
    layer_inputs = [X]
    for i, (W, b, Z) in enumerate(zip(coefs, intercepts, outputs)):
        if i == 0 and sp.issparse(A):  # only the input can be sparse
            _dot(A, W, out=Z)
        else:
            matmul_into(A, W, out=Z)
        add_to_rows(Z, b, ones, None if bias_tiles is None else bias_tiles[i])
        if i == last:
            OUTPUT_ACTIVATIONS[output_activation](Z)
        else:
            if pre_activations is not None:
                copy_into(Z, pre_activations[i])
            hidden.forward(Z)
            if masks is not None and masks[i] is not None:
                Z = apply("multiply", Z, masks[i], out=dropped[i])
        A = Z
        layer_inputs.append(A)
    return layer_inputs


def predict(X, coefs: list, intercepts: list, activation, output_activation: str) -> np.ndarray:
    """Network output for ``X``, allocating fresh arrays (safe to call from many threads).

    Never drops units: dropout is a training-time device only.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    coefs, intercepts : list of ndarray
        As in :func:`forward`.
    activation : str or Activation
        Hidden activation: a key of ``HIDDEN_ACTIVATIONS`` or a user ``Activation``.
    output_activation : str
        As in :func:`forward`.

    Returns
    -------
    output : ndarray of shape (n_samples, n_outputs)
    """
    # NumPy's promotion, as scikit-learn's MLP gives: a float32 model keeps float64 input
    # in float64, and float32 input to a float32 model stays float32.
    like = coefs[0]
    dtype = namespace(like).result_type(X.dtype, *(a.dtype for a in coefs + intercepts))
    hidden = hidden_activation(activation)
    n_samples = X.shape[0]
    result = empty((n_samples, coefs[-1].shape[1]), like, dtype)
    # Rows in blocks: the hidden activations of one block at a time, so memory stays
    # bounded by the block whatever the number of rows (a row's output does not depend on
    # the others).
    widest = max(W.shape[1] for W in coefs)
    block = max(1, min(n_samples, block_rows(like, PREDICT_BLOCK_ROWS, widest)))
    buffers = [empty((block, W.shape[1]), like, dtype) for W in coefs[:-1]]
    tiles = None
    if type(like) is np.ndarray and block >= BIAS_TILE_ROWS:
        tiles = [np.tile(b, (BIAS_TILE_ROWS, 1)) for b in intercepts]
    for start in range(0, n_samples, block):
        rows = slice(start, min(start + block, n_samples))
        n_rows = rows.stop - rows.start
        outputs = [rows_of(buffer, slice(n_rows)) for buffer in buffers]
        outputs.append(rows_of(result, rows))
        inputs = rows_of(X, rows)
        forward(inputs, coefs, intercepts, hidden, output_activation, outputs, bias_tiles=tiles)
    return result


class Network:
    """Flat parameters and gradient of one MLP, with its training buffers.

    Parameters
    ----------
    layer_sizes : list of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    activation : str or Activation
        Hidden activation: a key of ``HIDDEN_ACTIVATIONS`` or a user ``Activation``.
    loss : str or Loss
        Key of ``LOSSES``, or a ``Loss`` built for its parameters (``huber_loss(delta)``);
        fixes the output activation.
    dtype : numpy dtype
        float32 or float64, for parameters, gradient and buffers.
    dropout : tuple of float or None, default=None
        Dropout rate in [0, 1) of each hidden layer, applied by :meth:`loss_and_gradient`
        when it is given a ``random_state``; ``None`` (or all zeros) for none.
    like : array or None, default=None
        An array of the namespace and device to compute in (``dtype`` then one of that
        namespace's dtypes); ``None`` for NumPy.
    """

    def __init__(
        self, layer_sizes: list[int], activation, loss: str | Loss, dtype, dropout=None, like=None
    ):
        self.layer_sizes = list(layer_sizes)
        self.activation = activation
        self._hidden = hidden_activation(activation)
        self.dropout = tuple(dropout) if dropout is not None and any(dropout) else None
        self.loss = LOSSES[loss] if isinstance(loss, str) else loss
        n_params = n_parameters(self.layer_sizes)
        if like is None or type(like) is np.ndarray:
            self.dtype = np.dtype(dtype)
            self.params = np.zeros(n_params, dtype=self.dtype)
        else:  # another namespace: its arrays, on like's device
            self.dtype = dtype
            self.params = namespace(like).zeros(n_params, dtype=dtype, device=like.device)
        self.grad = empty(self.params.shape, self.params)
        self.grad[...] = 0
        self.coefs, self.intercepts = unpack(self.params, self.layer_sizes)
        self.coef_grads, self.intercept_grads = unpack(self.grad, self.layer_sizes)
        self._n_weights = sum(fan_in * fan_out for fan_in, fan_out in pairwise(self.layer_sizes))
        # BLAS y += a * x, in place: one pass for the penalty's gradient.
        self._axpy = axpy_for(self.params)
        self._extra_grad: np.ndarray | None = None
        self._views: tuple | None = None
        self._outputs: list[np.ndarray] = []
        self._deltas: list[np.ndarray] = []
        self._pre_activations: list[np.ndarray] | None = None
        self._masks: list[np.ndarray | None] | None = None
        self._dropped: list[np.ndarray | None] | None = None

    def initialize(self, random_state: np.random.RandomState) -> None:
        """Glorot-uniform weights and biases, drawn exactly as scikit-learn's MLP draws them.

        Per layer, the weights and then the biases, in float64 and then cast, from
        ``U(-b, b)`` with ``b = sqrt(factor / (fan_in + fan_out))``, ``factor`` 2 for a
        logistic hidden activation and 6 otherwise.
        """
        factor = 2.0 if self.activation == "logistic" else 6.0
        for W, b in zip(self.coefs, self.intercepts):
            bound = np.sqrt(factor / (W.shape[0] + W.shape[1]))
            W[...] = from_host(random_state.uniform(-bound, bound, W.shape), W)
            b[...] = from_host(random_state.uniform(-bound, bound, b.shape), b)

    def load(self, coefs: list, intercepts: list) -> None:
        """Copy per-layer arrays into the flat vector (so edits a user made are honoured)."""
        for mine, theirs in zip(self.coefs + self.intercepts, list(coefs) + list(intercepts)):
            if np.shape(theirs) != mine.shape:
                raise ValueError(
                    f"coefs_/intercepts_ hold an array of shape {np.shape(theirs)} where the "
                    f"network needs {mine.shape}; refit without warm_start."
                )
            copy_into(theirs, mine)

    def _buffers(self, n_rows: int) -> tuple:
        """Buffers for ``n_rows`` rows: outputs, deltas, a vector of ones, pre-activations,
        dropout masks and dropped outputs (the last three ``None`` unless needed).

        Allocated for the largest batch seen; a smaller batch uses their leading rows.
        """
        if self._views is not None and self._views[0] == n_rows:
            return self._views[1]
        if not self._outputs or self._outputs[0].shape[0] < n_rows:
            self._allocate(n_rows)

        def rows(buffers):
            if buffers is None:
                return None
            return [None if B is None else rows_of(B, slice(n_rows)) for B in buffers]

        views = (
            rows(self._outputs),
            rows(self._deltas),
            self._ones[:n_rows],
            rows(self._pre_activations),
            rows(self._masks),
            rows(self._dropped),
        )
        self._views = (n_rows, views)
        return views

    def _allocate(self, n_rows: int) -> None:
        sizes, hidden_sizes = self.layer_sizes[1:], self.layer_sizes[1:-1]
        like = self.params
        self._outputs = [empty((n_rows, size), like) for size in sizes]
        self._deltas = [empty((n_rows, size), like) for size in sizes]
        self._ones = ones(n_rows, like)
        if self._hidden.from_pre_activation:
            self._pre_activations = [empty((n_rows, size), like) for size in hidden_sizes]
        if self.dropout is not None:
            self._masks = [
                empty((n_rows, size), like) if rate else None
                for size, rate in zip(hidden_sizes, self.dropout)
            ]
            self._dropped = [None if M is None else empty(M.shape, M) for M in self._masks]

    def _draw_masks(self, masks: list, random_state: np.random.RandomState) -> None:
        """Fill each hidden layer's mask with Bernoulli(1 - p) draws divided by 1 - p.

        Layer by layer, row-major, from ``random_state`` -- the same seed, the same masks.
        """
        for mask, rate in zip(masks, self.dropout):
            if mask is not None:
                # RandomState has no out= for its draws: this one temporary per layer.
                draws = random_state.random_sample(mask.shape)
                if type(mask) is np.ndarray:
                    np.greater_equal(draws, rate, out=mask)
                elif type(draws) is np.ndarray:  # drawn on the host, then moved
                    mask[...] = from_host((draws >= rate).astype(np.float64), mask)
                else:  # already on the device (the epoch's draws, see _epoch.EpochDraws)
                    mask[...] = astype(draws >= rate, mask.dtype)
                mask *= 1 / (1 - rate)

    def loss_and_gradient(
        self,
        X,
        Y: np.ndarray,
        sample_weight: np.ndarray | None,
        alpha: float,
        block_rows: int | None = None,
        random_state: np.random.RandomState | None = None,
    ) -> float:
        """Objective of a batch, with its gradient written into ``self.grad``.

        The objective is scikit-learn's: the sample-weighted mean loss plus
        ``0.5 * alpha * ||W||^2 / sum(sample_weight)`` -- of the network with fresh dropout
        masks applied, when it has dropout and ``random_state`` is given.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_outputs)
            Targets, in the network's dtype.
        sample_weight : ndarray of shape (n_samples,) or None
            Non-negative weights whose sum must be positive.
        alpha : float
            L2 penalty on the weights (not the biases).
        block_rows : int or None, default=None
            Work through the rows in blocks of this many, accumulating the gradient (for
            full-batch solvers: the activations of a block stay in cache); ``None`` does all
            rows at once.
        random_state : numpy.random.RandomState or None, default=None
            The stream the dropout masks are drawn from (a training step); ``None`` evaluates
            the network without dropout. Ignored by a network without dropout.

        Returns
        -------
        loss : float
        """
        n_samples = X.shape[0]
        block_rows = block_rows or n_samples
        weight_sum = n_samples if sample_weight is None else total(sample_weight)
        if block_rows >= n_samples:
            weighted_loss = self._backprop(
                X, Y, sample_weight, weight_sum, self.grad, random_state
            )
        else:
            weighted_loss = self._accumulate_blocks(
                X, Y, sample_weight, weight_sum, block_rows, random_state
            )
        # The weight matrices lead the flat vector: the penalty is one dot product.
        coefs = self.params[: self._n_weights]
        if alpha:
            self._axpy(coefs, self.grad[: self._n_weights], a=alpha / weight_sum)
        return (weighted_loss + 0.5 * alpha * sum_of_products(coefs, coefs)) / weight_sum

    def _accumulate_blocks(
        self, X, Y, sample_weight, weight_sum, block_rows, random_state
    ) -> float:
        weighted_loss = 0.0
        for start in range(0, X.shape[0], block_rows):
            rows = slice(start, min(start + block_rows, X.shape[0]))
            weights = None if sample_weight is None else sample_weight[rows]
            target = self.grad if start == 0 else self._block_grad()
            weighted_loss += self._backprop(
                rows_of(X, rows), rows_of(Y, rows), weights, weight_sum, target, random_state
            )
            if start > 0:
                self.grad += target
        return weighted_loss

    def _block_grad(self) -> np.ndarray:
        if self._extra_grad is None:
            self._extra_grad = empty(self.grad.shape, self.grad)
        return self._extra_grad

    def _output_delta(self, output, Y, sample_weight, weight_sum: float, delta) -> float:
        """The output layer's error ``d objective / d Z_out`` into ``delta``; the loss sum.

        ``output``, ``Y`` and ``delta`` are of shape (n_rows, n_outputs); the return value
        is the rows' sample-weighted loss sum.
        """
        # Canonical loss-link pairs: d loss / d Z_out is A_out - Y; other losses turn that
        # residual into their derivative. Folding the weights and 1 / sum(weights) into it
        # after the loss makes every later product normalised.
        apply("subtract", output, Y, out=delta)
        loss = weighted_loss_sum(self.loss, Y, output, delta, sample_weight)
        if self.loss.output_delta is not None:
            self.loss.output_delta(delta, delta)
        if sample_weight is None:
            delta *= 1.0 / weight_sum
        else:
            delta *= (sample_weight / weight_sum)[:, None]
        return loss

    def _backprop(
        self, X, Y, sample_weight, weight_sum: float, grad: np.ndarray, random_state
    ) -> float:
        """Forward and backward pass over some rows, the gradient written into ``grad``.

        Returns the rows' sample-weighted loss sum; the gradient is already divided by
        ``weight_sum`` (the batch total), so blocks of one batch add up.
        """
        outputs, deltas, ones, pre_activations, masks, dropped = self._buffers(X.shape[0])
        if masks is not None:
            if random_state is None:
                masks = None  # evaluate without dropout
            else:
                self._draw_masks(masks, random_state)
        hidden = self._hidden
        activations = forward(
            X,
            self.coefs,
            self.intercepts,
            hidden,
            self.loss.output_activation,
            outputs,
            pre_activations,
            masks,
            dropped,
            ones,
        )
        delta = deltas[-1]
        loss = self._output_delta(activations[-1], Y, sample_weight, weight_sum, delta)
        coef_grads, intercept_grads = (
            (self.coef_grads, self.intercept_grads)
            if grad is self.grad
            else unpack(grad, self.layer_sizes)
        )
        # g' reads each hidden layer's undropped output, or its Z where the activation needs it.
        derivative_inputs = pre_activations if hidden.from_pre_activation else outputs
        for i in range(len(self.coefs) - 1, -1, -1):
            _dot(activations[i].T, delta, out=coef_grads[i])
            column_sums_into(ones, delta, out=intercept_grads[i])
            if i > 0:
                delta = matmul_into(delta, self.coefs[i].T, out=deltas[i - 1])
                if masks is not None and masks[i - 1] is not None:
                    delta *= masks[i - 1]
                hidden.derivative(derivative_inputs[i - 1], delta)
        return loss
