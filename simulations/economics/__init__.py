"""Money, not curves: the business case for active learning and its sensitivity.

The engine's simulations say how many labels AL saves; this package turns that into dollars, ROI,
break-even and payback, against random sampling and against labeling the whole production pool.

Where things are:

* :mod:`~simulations.economics.inputs`: :class:`EconomicInputs` (costs, value of accuracy) and its checks;
* :mod:`~simulations.economics.formulas`: :data:`CASE_FIELDS` and :func:`case_fields`, the formulas;
* :mod:`~simulations.economics.case`: :func:`business_case`, :func:`business_case_over_seeds` and the case objects
  (the case over seeds in :mod:`~simulations.economics.case_range`, re-exported by ``case``);
* :mod:`~simulations.economics.from_results`: the case from a simulation's results;
* :mod:`~simulations.economics.sensitivity`: the tornado table and the ROI grid.

(:mod:`~simulations.economics.business_case` re-exports the first four under their former module name.)
The package's API is these modules' ``__all__``, listed once, in the modules themselves.
"""

from simulations.economics.case import *  # noqa: F403
from simulations.economics.case import __all__ as _case_api
from simulations.economics.formulas import *  # noqa: F403
from simulations.economics.formulas import __all__ as _formulas_api
from simulations.economics.from_results import *  # noqa: F403
from simulations.economics.from_results import __all__ as _from_results_api
from simulations.economics.inputs import *  # noqa: F403
from simulations.economics.inputs import __all__ as _inputs_api
from simulations.economics.sensitivity import *  # noqa: F403
from simulations.economics.sensitivity import __all__ as _sensitivity_api

__all__ = [*_inputs_api, *_formulas_api, *_case_api, *_from_results_api, *_sensitivity_api]
