"""Array operations written once for every namespace, with NumPy's fast paths inside.

The core computes with the functions of the standard's namespace ``xp`` of its arrays
(``array_api_compat.array_namespace``: NumPy, torch, CuPy, array-api-strict). The standard
has no ``out=``; NumPy has, and the core relies on it to allocate nothing per batch. So each
operation the core writes into a buffer goes through one function here: on a NumPy array it
is the NumPy call with ``out=`` (the same call, the same bits as before), elsewhere the
standard's function and an assignment into ``out``. A NumPy array is recognised by its exact
type (a few tens of nanoseconds), so the NumPy path pays almost nothing for the others.
"""

import numpy as np
from array_api_compat import array_namespace, is_array_api_obj, is_cupy_array, is_torch_array
from scipy.linalg.blas import dger, get_blas_funcs, sger
from scipy.special import expit as scipy_expit
from scipy.special import xlogy as scipy_xlogy

_GER = {np.dtype(np.float64): dger, np.dtype(np.float32): sger}


def is_standard_array(x) -> bool:
    """Whether ``x`` is an array of an array API namespace (NumPy, torch, CuPy, ...):
    not a scipy sparse matrix, a list or a scalar. (torch's tensors have no
    ``__array_namespace__``: array-api-compat knows them.)"""
    return is_array_api_obj(x) and not isinstance(x, np.generic)


def namespace(*arrays):
    """The array API namespace of ``arrays`` (NumPy's own module for NumPy arrays)."""
    if all(type(array) is np.ndarray for array in arrays):
        return np
    return array_namespace(*arrays)


def apply(name: str, *operands, out=None):
    """``xp.<name>(*operands)``, written into ``out`` when it is given (and returned).

    ``name`` is an elementwise function of the standard that NumPy has under the same name
    (``tanh``, ``exp``, ``expm1``, ``log1p``, ``abs``, ``negative``, ``sign``, ``square``,
    ``maximum``, ``minimum``, ``multiply``, ``subtract``, ``greater``, ...); an operand may be a
    Python scalar. The first operand fixes the namespace.
    """
    first = operands[0]
    if type(first) is np.ndarray:
        return getattr(np, name)(*operands, out=out)
    result = getattr(array_namespace(first), name)(*operands)
    if out is None:
        return result
    out[...] = result
    return out


def clip(x, lower, upper, out=None):
    """``x`` clipped to ``[lower, upper]``, into ``out`` when it is given."""
    if type(x) is np.ndarray:
        return np.clip(x, lower, upper, out=out)
    result = array_namespace(x).clip(x, lower, upper)
    if out is None:
        return result
    out[...] = result
    return out


def row_dot(a, b):
    """``sum(a * b, axis=1)``: one number per row of two ``(n_rows, n_columns)`` arrays."""
    if type(a) is np.ndarray:
        return np.einsum("ij,ij->i", a, b)
    return array_namespace(a, b).vecdot(a, b, axis=-1)


def scalar(x):
    """A reduction's result: a Python float on NumPy; elsewhere the 0-d array itself.

    Turning a device's 0-d array into a Python float makes the host wait for the device;
    the training loop adds these up on the device and reads the total once per epoch.
    """
    if type(x) is np.ndarray or isinstance(x, np.generic | float | int):
        return float(x)
    return x


def sum_of_products(a, b):
    """``sum(a * b)`` over every element (see :func:`scalar` for the type)."""
    if type(a) is np.ndarray:
        return float(np.vdot(a, b))
    xp = array_namespace(a, b)
    return xp.sum(a * b)


def finfo(x):
    """Machine limits of ``x``'s floating dtype."""
    if type(x) is np.ndarray:
        return np.finfo(x.dtype)
    return array_namespace(x).finfo(x.dtype)


def row_max(x):
    """The maximum of each row, kept as a column: shape ``(n_rows, 1)``."""
    if type(x) is np.ndarray:
        if x.ndim == 2 and x.shape[1] < 64:
            # NumPy reduces short rows one row at a time; over a transposed copy the
            # reduction runs down whole columns, 3x faster for 10 classes. A maximum is
            # exact, so the numbers are the same.
            return np.ascontiguousarray(x.T).max(axis=0)[:, None]
        return x.max(axis=1, keepdims=True)
    return array_namespace(x).max(x, axis=1, keepdims=True)


def row_sum(x, keepdims: bool = True):
    """The sum of each row: shape ``(n_rows, 1)``, or ``(n_rows,)`` without ``keepdims``."""
    if type(x) is np.ndarray:
        return x.sum(axis=1, keepdims=keepdims)
    return array_namespace(x).sum(x, axis=1, keepdims=keepdims)


def total(x):
    """The sum of every element of ``x`` (see :func:`scalar` for the type)."""
    if type(x) is np.ndarray:
        return float(x.sum())
    return array_namespace(x).sum(x)


def all_finite(x) -> bool:
    """Whether every element of ``x`` is finite (on a device, the host waits for it)."""
    if type(x) is np.ndarray:
        return bool(np.isfinite(x).all())
    xp = array_namespace(x)
    return bool(xp.all(xp.isfinite(x)))


def copy(x):
    """A new array equal to ``x``, in its namespace and on its device."""
    if type(x) is np.ndarray:
        return x.copy()
    return array_namespace(x).asarray(x, copy=True)


def multiply_by_mask(x, mask) -> None:
    """``x *= mask`` in place, for a boolean ``mask`` of ``x``'s shape."""
    if type(x) is np.ndarray:
        np.multiply(x, mask, out=x)
    else:
        x *= array_namespace(x).astype(mask, x.dtype)


def positive_indicator(x):
    """1 where ``x > 0``, else 0, in ``x``'s dtype (a new array)."""
    if type(x) is np.ndarray:
        return np.greater(x, 0, out=np.empty_like(x))
    return array_namespace(x).astype(x > 0, x.dtype)


def expit(x):
    """The logistic function ``1 / (1 + exp(-x))``, accurate for small results (a new array)."""
    if type(x) is np.ndarray:
        return scipy_expit(x)
    xp = array_namespace(x)
    small = xp.exp(-xp.abs(x))  # never overflows
    return xp.where(x >= 0, 1 / (1 + small), small / (1 + small))


def xlogy(x, y):
    """``x * log(y)``, 0 where ``x`` is 0 (also where ``y`` is), as scipy's ``xlogy``."""
    if type(x) is np.ndarray:
        return scipy_xlogy(x, y)
    xp = array_namespace(x, y)
    return x * xp.log(xp.where(x == 0, xp.ones_like(y), y))


def matmul_into(A, B, out):
    """``out[...] = A @ B`` for dense operands; on NumPy by the faster of its two BLAS paths.

    ``np.matmul`` is up to 1.5x faster than ``np.dot`` on tall-thin products (a forward
    pass over many rows), ``np.dot`` several times faster on outer products (``B`` a row).
    """
    if type(out) is np.ndarray:
        if B.shape[0] == 1:
            return np.dot(A, B, out=out)
        return np.matmul(A, B, out=out)
    out[...] = A @ B
    return out


def add_to_rows(x, v, ones=None, tile=None) -> None:
    """``x += v`` in place, ``v`` of shape ``(n_columns,)`` added to every row of ``x``.

    Two faster ways for a C-ordered NumPy ``x`` of 8 columns or more, giving the same
    numbers. Given ``ones`` (``n_rows`` ones), BLAS's rank-one update ``x += ones v^T``: half
    the time of NumPy's broadcast add (each entry gets ``1 * v[j]``, which is exact). The BLAS
    is scipy's, which training holds to one thread (see
    ``_optimizers.scipy_blas_single_threaded``), so only training passes ``ones``. Given
    ``tile`` (``v`` repeated over ``k`` rows), ``x`` is added to ``k`` rows at a time, a
    contiguous add instead of a broadcast one (1.5x faster on ``predict``'s blocks).
    """
    if type(x) is np.ndarray and x.shape[1] >= 8 and x.flags.c_contiguous:
        ger = None if ones is None else _GER.get(x.dtype)
        if ger is not None:
            ger(1.0, v, ones, a=x.T, overwrite_a=True)  # x.T is x's memory, F-ordered
            return
        if tile is not None and x.shape[0] >= tile.shape[0]:
            k = tile.shape[0]
            whole = x.shape[0] - x.shape[0] % k
            stacked = x[:whole].reshape(whole // k, k, x.shape[1])
            stacked += tile
            x[whole:] += v
            return
    x += v


def column_sums_into(ones, x, out):
    """``out[...] = x.sum(axis=0)``; on NumPy as ``ones @ x``, where BLAS beats add.reduce."""
    if type(out) is np.ndarray:
        return np.dot(ones, x, out=out)
    out[...] = array_namespace(x).sum(x, axis=0)
    return out


def copy_into(source, out) -> None:
    """``out[...] = source``; a NumPy ``source`` is moved to ``out``'s device and dtype."""
    if type(out) is np.ndarray:
        np.copyto(out, source)
        return
    if isinstance(source, np.ndarray) or not is_standard_array(source):
        source = from_host(np.asarray(source), out)
    elif source.dtype != out.dtype:
        source = array_namespace(source).astype(source, out.dtype)
    out[...] = source


def empty(shape, like, dtype=None):
    """An uninitialised array of ``shape`` in ``like``'s namespace, device and dtype."""
    if type(like) is np.ndarray:
        return np.empty(shape, dtype=dtype or like.dtype)
    xp = array_namespace(like)
    return xp.empty(shape, dtype=dtype or like.dtype, device=like.device)


def from_host(values: np.ndarray, like):
    """The NumPy array ``values`` as an array of ``like``'s namespace, device and dtype."""
    if type(like) is np.ndarray:
        return values.astype(like.dtype, copy=False)
    xp = array_namespace(like)
    return xp.asarray(values, dtype=like.dtype, device=like.device)


def reshape(x, shape):
    """A view of ``x`` with ``shape`` (``x`` is contiguous)."""
    if type(x) is np.ndarray:
        return x.reshape(shape)
    return array_namespace(x).reshape(x, shape)


def ones(n: int, like):
    """A vector of ``n`` ones in ``like``'s namespace, device and dtype."""
    if type(like) is np.ndarray:
        return np.ones(n, like.dtype)
    xp = array_namespace(like)
    return xp.ones(n, dtype=like.dtype, device=like.device)


def axpy_for(like):
    """``axpy(x, y, a=1.0)``: ``y += a * x`` in place, for arrays like ``like``.

    On NumPy it is BLAS's axpy (one fused pass over memory); elsewhere the standard's
    arithmetic.
    """
    if type(like) is np.ndarray:
        return get_blas_funcs("axpy", (like,))

    def axpy(x, y, a=1.0):
        y += a * x
        return y

    return axpy


def rows_of(x, rows: slice):
    """The rows ``rows`` (a slice) of a 2-D array, dense of any namespace or sparse."""
    if type(x) is np.ndarray or not is_standard_array(x):
        return x[rows]  # NumPy, or a scipy sparse matrix
    return x[rows, ...]  # the standard indexes every axis explicitly


def take_rows(x, indices: np.ndarray):
    """The rows ``indices`` (a NumPy integer vector) of a 2-D or 1-D array, as a new array.

    Dense of any namespace (the indices are moved to its device) or sparse.
    """
    if type(x) is np.ndarray or not is_standard_array(x):
        return x[indices]  # NumPy, or a scipy sparse matrix
    xp = array_namespace(x)
    return xp.take(x, xp.asarray(indices, device=x.device), axis=0)


def host_dtype(x) -> np.dtype:
    """The NumPy dtype of ``x``'s floating dtype (float32 or float64)."""
    if type(x) is np.ndarray or not is_standard_array(x):
        return np.dtype(x.dtype)  # NumPy, or a scipy sparse matrix
    return np.dtype(np.float32 if x.dtype == array_namespace(x).float32 else np.float64)


def to_host(x) -> np.ndarray:
    """``x`` as a NumPy array in host memory (``x`` itself if it is one).

    Through DLPack where the library can hand its memory to NumPy (copied off a device);
    else the library's own way to the host.
    """
    if type(x) is np.ndarray:
        return x
    if is_torch_array(x):
        return x.detach().cpu().numpy()
    if is_cupy_array(x):
        return x.get()
    try:
        return np.from_dlpack(x, device="cpu", copy=None)
    except TypeError:  # NumPy < 2.1: no device= (the producer is then on the host)
        return np.from_dlpack(x)


def astype(x, dtype):
    """``x`` as ``dtype`` (a copy), dense of any namespace or sparse."""
    if type(x) is np.ndarray or not is_standard_array(x):
        return x.astype(dtype)
    return array_namespace(x).astype(x, dtype)


def widest_float(like):
    """float64 of ``like``'s namespace where its device has it (Apple's MPS has not), else
    float32."""
    if type(like) is np.ndarray:
        return np.dtype(np.float64)
    xp = array_namespace(like)
    info = xp.__array_namespace_info__()
    return xp.float64 if "float64" in info.dtypes(device=like.device) else xp.float32
