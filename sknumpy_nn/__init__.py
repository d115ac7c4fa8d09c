"""Multilayer perceptrons in NumPy that are first-class scikit-learn estimators."""

from ._classifier import NumpyMLPClassifier
from ._regressor import NumpyMLPRegressor

__all__ = ["NumpyMLPClassifier", "NumpyMLPRegressor"]
__version__ = "0.1.0"
