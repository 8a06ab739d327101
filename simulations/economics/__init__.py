"""Money, not curves: the business case for active learning and its sensitivity.

The engine's simulations say how many labels AL saves; this package turns that into dollars, ROI,
break-even and payback, against random sampling and against labeling the whole production pool.

The package's API is its two modules' ``__all__``, listed once, in the modules themselves.
"""

from simulations.economics.business_case import *  # noqa: F403
from simulations.economics.business_case import __all__ as _business_case_api
from simulations.economics.sensitivity import *  # noqa: F403
from simulations.economics.sensitivity import __all__ as _sensitivity_api

__all__ = [*_business_case_api, *_sensitivity_api]
