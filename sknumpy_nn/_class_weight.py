"""Class weights: the weight of each sample's class, from a dict or the 'balanced' rule."""

import numpy as np
from sklearn.utils.class_weight import compute_class_weight


def class_weight_per_sample(class_weight, classes, labels, sample_weight):
    """Weight of each sample's class.

    Parameters
    ----------
    class_weight : dict or "balanced"
        ``{class_label: weight}`` (classes left out weigh 1), or "balanced":
        ``total / (n_classes * total_of_class)``, totals counting ``sample_weight``.
    classes : ndarray of shape (n_classes,)
        The class labels, in the order ``labels`` indexes them.
    labels : ndarray of int of shape (n_samples,)
        Index into ``classes`` of each sample's class.
    sample_weight : ndarray of shape (n_samples,) or None
        The user's weights, counted by the 'balanced' rule (``None``: all 1).

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Float64 class weight of every sample (not yet multiplied by ``sample_weight``).
    """
    if class_weight == "balanced":
        per_class = _balanced(len(classes), labels, sample_weight)
    else:
        per_class = _from_dict(class_weight, classes.tolist())
    return per_class[labels]


def _balanced(n_classes: int, labels: np.ndarray, sample_weight) -> np.ndarray:
    # A class whose samples all weigh 0 gets 0 / 0 from the rule; its weight then only
    # multiplies zero-weight rows, so any finite value does: 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = compute_class_weight(
            "balanced", classes=np.arange(n_classes), y=labels, sample_weight=sample_weight
        )
    per_class[~np.isfinite(per_class)] = 0.0
    return per_class


def _from_dict(class_weight: dict, classes: list) -> np.ndarray:
    unknown = [label for label in class_weight if label not in classes]
    if unknown:
        raise ValueError(
            f"class_weight has keys that are not classes: {unknown!r}. The classes are "
            f"{classes!r}."
        )
    per_class = np.array([class_weight.get(label, 1.0) for label in classes], dtype=float)
    if not (np.isfinite(per_class) & (per_class >= 0)).all():
        raise ValueError(
            f"class_weight values must be finite and non-negative, got {class_weight!r}."
        )
    return per_class
