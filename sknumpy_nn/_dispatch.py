"""Where a fit computes: NumPy, or the namespace and device of ``X`` (array API dispatch).

Inside ``sklearn.config_context(array_api_dispatch=True)``, a dense ``X`` of another
namespace (torch, CuPy, array-api-strict) is trained and predicted in that namespace, on its
device; everything else follows ``X``. Targets and weights are encoded on the host (label
binarising, class weights, the early-stopping split's stratification are host work on small
arrays) and then moved to ``X``'s device once; the network, its gradient, the optimizer's
state and every batch live there. Without dispatch, or for NumPy and sparse ``X``, nothing
here changes a thing.

scikit-learn's own array API helpers are used where it has no public ones: ``move_to`` (to
move the user's arrays), ``get_namespace`` (which checks that dispatch can work: scipy's
``SCIPY_ARRAY_API=1``) and the ``__sklearn_array_api_convert__`` hook of
``move_estimator_to``; ``tests/test_array_api_estimators.py`` fails if one disappears.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import clone
from sklearn.utils._array_api import get_namespace_and_device, move_to

from . import _network
from ._ops import from_host, is_standard_array, namespace, reshape, to_host


def dispatching() -> bool:
    """Whether scikit-learn's ``array_api_dispatch`` is on."""
    return get_config()["array_api_dispatch"]


def _is_array_of_other_namespace(a) -> bool:
    return a is not None and type(a) is not np.ndarray and is_standard_array(a)


def on_host(a):
    """``a`` as a NumPy array if it is an array of another namespace under dispatch."""
    return to_host(a) if dispatching() and _is_array_of_other_namespace(a) else a


def fit_namespace(X):
    """``(xp, device)`` a fit on ``X`` computes in, or None for NumPy (and sparse ``X``).

    Raises
    ------
    TypeError
        For a sparse array of another library than scipy under dispatch.
    """
    if not dispatching():
        return None
    module = type(X).__module__
    if module.startswith("cupyx.scipy.sparse") or str(getattr(X, "layout", "")).startswith(
        "torch.sparse"
    ):
        raise TypeError(
            f"Sparse input is supported as a scipy.sparse matrix only (NumPy), got a sparse "
            f"{type(X).__module__}.{type(X).__name__}. Densify it (it then trains on its "
            "device), or pass a scipy.sparse matrix."
        )
    if not _is_array_of_other_namespace(X):
        return None
    xp, _, device = get_namespace_and_device(X)
    return xp, device


def follow_X(placement, y, sample_weight, validation_data):
    """The targets and weights on the host, ``X_val`` with ``X`` (under dispatch).

    ``placement`` is :func:`fit_namespace`'s answer for ``X``. Without dispatch the inputs
    are returned as they are (scikit-learn's validation converts them with NumPy).
    """
    if not dispatching():
        return y, sample_weight, validation_data
    X_val, y_val, sample_weight_val = validation_data
    y, sample_weight, y_val, sample_weight_val = (
        on_host(a) for a in (y, sample_weight, y_val, sample_weight_val)
    )
    if placement is None:
        if _is_array_of_other_namespace(X_val):
            X_val = to_host(X_val)
    elif X_val is not None:
        if sp.issparse(X_val):
            raise TypeError(
                "X_val is a sparse matrix but X is a dense array of another namespace: "
                "give X_val in X's namespace (and on its device)."
            )
        X_val = np.asarray(X_val) if not hasattr(X_val, "shape") else X_val
        X_val = move_to(X_val, xp=placement[0], device=placement[1])
    return y, sample_weight, (X_val, y_val, sample_weight_val)


def to_network(like, arrays):
    """``arrays`` (a tuple, None entries allowed) moved to ``like``'s device and dtype.

    Only NumPy arrays move (the host-encoded targets and weights); ``X`` is already there.
    """
    if arrays is None or type(like) is np.ndarray:
        return arrays
    return tuple(from_host(a, like) if isinstance(a, np.ndarray) else a for a in arrays)


def labels_like(classes: np.ndarray, like):
    """The class labels as ``classes_`` holds them: in ``like``'s namespace and device for
    numbers (as ``LogisticRegression`` keeps them), on the host as NumPy for strings."""
    if not _is_array_of_other_namespace(like) or classes.dtype.kind not in "biuf":
        return classes
    xp = namespace(like)
    return xp.asarray(classes, device=like.device)


def decode_labels(output, binarizer, classes):
    """Labels of a device ``output`` (n_samples, n_outputs), as ``LabelBinarizer`` decodes.

    Binary: ``classes[output > 0.5]``; multiclass: the class of the row's largest entry;
    multilabel: the indicator matrix ``output > 0.5`` as integers. Labels come back in the
    output's namespace, string labels as NumPy.
    """
    xp = namespace(output)
    if binarizer.y_type_ == "multilabel-indicator":
        return xp.astype(output > 0.5, xp.int64)
    if output.shape[1] > 1:
        indices = xp.argmax(output, axis=1)
    else:
        indices = xp.astype(output[:, 0] > 0.5, xp.int64)
    if type(classes) is np.ndarray:  # string labels, kept on the host
        return classes[to_host(indices)]
    return xp.take(classes, indices, axis=0)


class ArrayAPISupport:
    """Mixin of the estimators: the array API tag, the conversion hook, the fit's namespace."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A user's Activation may compute with NumPy only: scikit-learn's array API checks
        # are promised for the built-in activations (a user's is checked at fit).
        tags.array_api_support = isinstance(self.activation, str)
        return tags

    def __sklearn_array_api_convert__(self, converter):
        """A copy with every array converted by ``converter``: the hook through which
        ``sklearn.utils._array_api.move_estimator_to`` moves a fitted model (see
        :func:`converted`)."""
        return converted(self, converter)

    @property
    def _first_coef(self):
        # The fitted array whose namespace and device predict's input must share.
        return self.coefs_[0]


def converted(estimator, converter):
    """``estimator`` with every array converted (``move_estimator_to``'s hook).

    The flat parameter vector is rebuilt in the target namespace and ``coefs_`` and
    ``intercepts_`` made views of it again; string labels and the label binarizer stay on
    the host; the optimizer's state and the best weights are converted.
    """
    new = clone(estimator)
    for key, value in vars(estimator).items():
        setattr(new, key, _converted_value(key, value, converter))
    if hasattr(estimator, "coefs_"):
        coefs, intercepts = estimator.coefs_, estimator.intercepts_
        xp = namespace(coefs[0])
        flat = xp.concat([reshape(a, (-1,)) for a in coefs + intercepts])
        sizes = [coefs[0].shape[0], *(W.shape[1] for W in coefs)]
        new.coefs_, new.intercepts_ = _network.unpack(converter(flat), sizes)
    return new


def _converted_value(key: str, value, converter):
    if key in ("coefs_", "intercepts_", "_label_binarizer"):
        return value
    if isinstance(value, dict):
        return {k: _converted_value(k, v, converter) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind not in "biuf":
        return value  # strings and objects: no other namespace holds them
    if isinstance(value, np.ndarray) or hasattr(value, "__dlpack__"):
        return converter(value)
    return value
