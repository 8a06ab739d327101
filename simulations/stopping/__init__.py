"""When to stop labeling: stopping criteria, the cost-optimal stop, recommendations and a live-project check.

Where things are: :mod:`~simulations.stopping.base` (the criterion contract, seed ranges),
:mod:`~simulations.stopping.criteria` (the criteria), :mod:`~simulations.stopping.optimum` (the cost-optimal stop,
the marginal rule), :mod:`~simulations.stopping.evaluation` (criteria replayed on simulated runs),
:mod:`~simulations.stopping.recommendation` (what to plan for and monitor), :mod:`~simulations.stopping.advice`
(both for a simulation result), :mod:`~simulations.stopping.curve_log` (reading a team's curve log) and
:mod:`~simulations.stopping.live` (the live-project check).
"""

from simulations.stopping.advice import StopAdvice, advise, choose_strategy
from simulations.stopping.base import RANGE_METHOD, SeedRange, StoppingCriterion
from simulations.stopping.criteria import (
    CRITERIA,
    Budget,
    ClassificationChange,
    MaxConfidence,
    OverallUncertainty,
    PerformanceConvergence,
    PredictedChangeF,
    StabilizingPredictions,
    ValidationPlateau,
    default_criteria,
)
from simulations.stopping.curve_log import load_curve_csv, validate_curve
from simulations.stopping.evaluation import CriterionReport, StopEvaluation, evaluate_criteria
from simulations.stopping.live import LiveCheck, check_live
from simulations.stopping.optimum import (
    CostInputError,
    MarginalStop,
    OptimumPoint,
    check_costs,
    cost_curve,
    hindsight_optimum,
    marginal_stop,
    marginal_value_curve,
    marginal_value_per_label,
    regret,
)
from simulations.stopping.recommendation import Recommendation, recommend

__all__ = [
    "CRITERIA",
    "RANGE_METHOD",
    "Budget",
    "ClassificationChange",
    "CostInputError",
    "CriterionReport",
    "LiveCheck",
    "MarginalStop",
    "MaxConfidence",
    "OptimumPoint",
    "OverallUncertainty",
    "PerformanceConvergence",
    "PredictedChangeF",
    "Recommendation",
    "SeedRange",
    "StabilizingPredictions",
    "StopAdvice",
    "StopEvaluation",
    "StoppingCriterion",
    "ValidationPlateau",
    "advise",
    "check_costs",
    "check_live",
    "choose_strategy",
    "cost_curve",
    "default_criteria",
    "evaluate_criteria",
    "hindsight_optimum",
    "load_curve_csv",
    "marginal_stop",
    "marginal_value_curve",
    "marginal_value_per_label",
    "recommend",
    "regret",
    "validate_curve",
]
