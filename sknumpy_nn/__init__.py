"""Multilayer perceptrons in NumPy that are first-class scikit-learn estimators."""

from ._activations import Activation
from ._classifier import NumpyMLPClassifier
from ._plotting import LossCurveDisplay
from ._regressor import NumpyMLPRegressor

__all__ = ["Activation", "LossCurveDisplay", "NumpyMLPClassifier", "NumpyMLPRegressor"]
__version__ = "0.1.0"
