"""The plan: one answer per scenario (labels, money, the stop), computed once by the engine.

``simulate_for_plan`` simulates until the answer is determined; ``build_plan`` turns the per-seed results and the
user's inputs into the :class:`Plan` every page, the report, the CLI and the JSON read.
"""

from simulations.plan.adaptive import AdaptiveRun, Stage, simulate_for_plan
from simulations.plan.build import Estimate, Plan, PlanStop, TargetAtPool, build_plan, pays_off_rule, target_at_pool
from simulations.plan.inputs import (
    DEFAULT_TIME_CAP_SECONDS,
    VALUE_MODES,
    InputProblem,
    PlanInputError,
    PlanInputs,
    check_plan_inputs,
)

__all__ = [
    "DEFAULT_TIME_CAP_SECONDS", "VALUE_MODES", "AdaptiveRun", "Estimate", "InputProblem", "Plan", "PlanInputError",
    "PlanInputs", "PlanStop", "Stage", "TargetAtPool", "build_plan", "check_plan_inputs", "pays_off_rule",
    "simulate_for_plan", "target_at_pool",
]
