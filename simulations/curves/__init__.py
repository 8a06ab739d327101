"""Learning-curve models, robust fitting with backtest selection, and projection with intervals."""

from simulations.curves.fit import CurveFit, LabelsEstimate, fit_curve, fit_curves, fit_family
from simulations.curves.models import FAMILIES, LAST1, MODEL_NAMES, CurveFamily

__all__ = [
    "FAMILIES",
    "LAST1",
    "MODEL_NAMES",
    "CurveFamily",
    "CurveFit",
    "LabelsEstimate",
    "fit_curve",
    "fit_curves",
    "fit_family",
]
