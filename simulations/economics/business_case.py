"""The business case for active learning, under its first module name: re-exports only.

The code now lives in four modules, one per step (see ``docs/business-case.md`` for the cost model):

* :mod:`simulations.economics.inputs`: :class:`EconomicInputs` and the checks on a case's numbers;
* :mod:`simulations.economics.formulas`: :data:`CASE_FIELDS` and :func:`case_fields`, the vectorized formulas;
* :mod:`simulations.economics.case`: :class:`BusinessCase`, :class:`BusinessCaseRange`, :class:`Range`,
  :func:`business_case`, :func:`business_case_over_seeds` and :data:`NO_SIGNAL_VERDICT`;
* :mod:`simulations.economics.from_results`: the case built from simulation results (:func:`choose_strategy`,
  :func:`business_case_from_per_seed`, :func:`business_case_from_results`, :func:`curve_projection`,
  :func:`check_pool_covers_simulation`).

``from simulations.economics.business_case import ...`` keeps working for every public name; new code imports
from :mod:`simulations.economics` or from the module that defines the name.
"""

from simulations.economics.case import (
    NO_SIGNAL_VERDICT,
    BusinessCase,
    BusinessCaseRange,
    Range,
    business_case,
    business_case_over_seeds,
)
from simulations.economics.formulas import CASE_FIELDS, case_fields
from simulations.economics.from_results import (
    Projection,
    business_case_from_per_seed,
    business_case_from_results,
    check_pool_covers_simulation,
    choose_strategy,
    curve_projection,
)
from simulations.economics.inputs import EconomicInputs

__all__ = [
    "CASE_FIELDS",
    "NO_SIGNAL_VERDICT",
    "BusinessCase",
    "BusinessCaseRange",
    "EconomicInputs",
    "Projection",
    "Range",
    "business_case",
    "business_case_from_per_seed",
    "business_case_from_results",
    "business_case_over_seeds",
    "case_fields",
    "check_pool_covers_simulation",
    "choose_strategy",
    "curve_projection",
]
