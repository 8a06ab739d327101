"""Learning-curve models, robust fitting with backtest selection, and projection with intervals."""

from simulations.curves.fit import CurveFit, LabelsEstimate, fit_curve, fit_curves, fit_family
from simulations.curves.models import FAMILIES, LAST1, MODEL_NAMES, CurveFamily
from simulations.curves.pool import (
    QUICK_VS_FULL,
    PoolCaveat,
    PoolFits,
    PoolProjection,
    QuickVsFull,
    StrategyAtPool,
    pool_caveat,
    pool_fits,
    project_to_pool,
    projection_curves,
)

__all__ = [
    "FAMILIES",
    "LAST1",
    "MODEL_NAMES",
    "QUICK_VS_FULL",
    "CurveFamily",
    "CurveFit",
    "LabelsEstimate",
    "PoolCaveat",
    "PoolFits",
    "PoolProjection",
    "QuickVsFull",
    "StrategyAtPool",
    "fit_curve",
    "fit_curves",
    "fit_family",
    "pool_caveat",
    "pool_fits",
    "project_to_pool",
    "projection_curves",
]
