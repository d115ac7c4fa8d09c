"""Multilayer perceptrons in NumPy that are first-class scikit-learn estimators."""

from ._classifier import NumpyMLPClassifier
from ._plotting import LossCurveDisplay
from ._regressor import NumpyMLPRegressor

__all__ = ["LossCurveDisplay", "NumpyMLPClassifier", "NumpyMLPRegressor"]
__version__ = "0.1.0"
