"""Money, not curves: the business case for active learning and its sensitivity.

The engine's simulations say how many labels AL saves; this package turns that into dollars, ROI,
break-even and payback, against random sampling and against labeling the whole production pool.
"""

from simulations.economics.business_case import (
    CASE_FIELDS,
    BusinessCase,
    BusinessCaseRange,
    EconomicInputs,
    Projection,
    Range,
    business_case,
    business_case_from_per_seed,
    business_case_from_results,
    business_case_over_seeds,
    choose_strategy,
    curve_projection,
)
from simulations.economics.sensitivity import TORNADO_INPUTS, roi_grid, tornado

__all__ = [
    "CASE_FIELDS",
    "TORNADO_INPUTS",
    "BusinessCase",
    "BusinessCaseRange",
    "EconomicInputs",
    "Projection",
    "Range",
    "business_case",
    "business_case_from_per_seed",
    "business_case_from_results",
    "business_case_over_seeds",
    "choose_strategy",
    "curve_projection",
    "roi_grid",
    "tornado",
]
