"""Multilayer perceptrons in NumPy that are first-class scikit-learn estimators."""

from ._activations import Activation
from ._classifier import NumpyMLPClassifier
from ._plotting import LossCurveDisplay
from ._regressor import NumpyMLPRegressor
from ._show_versions import show_versions
from ._streaming import fit_in_chunks

__all__ = [
    "Activation",
    "LossCurveDisplay",
    "NumpyMLPClassifier",
    "NumpyMLPRegressor",
    "fit_in_chunks",
    "show_versions",
]
__version__ = "0.1.0"
