"""The plan's value model: error costs put to work, and the value of shipping sooner.

* :func:`in_error_cost`: with error costs, the results get the error-cost score as their metric
  (``simulations.economics.value_model.with_cost_score``) and a target in money becomes the score it means, so
  :func:`simulations.plan.build.build_plan` computes labels to target, money and the cost-optimal stop in that money
  through its one path (no copy of it for costs).
* :func:`plan_value`: what the plan reports about the value model: the ``value_model`` block, the ``error_cost``
  block (per 1,000 predictions, both plans at the recommended stop, the value of the reduction) and the
  ``time_value`` block (months earlier x the model's monthly value, optionally discounted), kept apart from the
  label savings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from simulations.economics.value_model import (
    COST_SCORE,
    WORKING_DAYS_PER_MONTH,
    ErrorCostInputError,
    cost_per_prediction,
    cost_score_target,
    error_cost_at,
    error_cost_curves,
    time_value,
    with_cost_score,
)
from simulations.money import money
from simulations.plan.inputs import InputProblem, PlanInputError, PlanInputs
from simulations.stats import median_interval
from simulations.summary import Target

__all__ = ["in_error_cost", "plan_value"]

#: What the error costs assume about production, said wherever their money is shown.
MIX_ASSUMPTION = ("production sees the test set's class mix (each class as common as in the labeled data), so the "
                  "expected error cost per prediction is sum over (true i, predicted j) of the test share x its cost")


def _classes(result: Any) -> list[str]:
    return [str(c) for c in ((getattr(result, "meta", {}) or {}).get("classes") or [])]


def _costs(result: Any, inputs: PlanInputs) -> Any:
    try:
        return inputs.error_costs(_classes(result))
    except ErrorCostInputError as exc:
        raise PlanInputError([InputProblem(field=exc.field, message=exc.message, hint=exc.hint)]) from None


def in_error_cost(result: Any, inputs: PlanInputs) -> tuple[Any, PlanInputs]:
    """The results and inputs the plan computes with: unchanged, or in the error-cost score (see the module doc).

    Raises
    ------
    PlanInputError
        The error costs do not fit the data's classes, or the results have no confusion counts (a re-run gives
        them).
    """
    if inputs.value_mode != "error_costs":
        return result, inputs
    costs = _costs(result, inputs)
    try:
        scored = with_cost_score(result, costs)
    except ErrorCostInputError as exc:
        raise PlanInputError([InputProblem(field=exc.field, message=exc.message, hint=exc.hint)]) from None
    if inputs.target_error_cost is not None:
        # "cost at or below X" is "score at or above 1 - X / max cost": the score target's "stays at or above"
        inputs = replace(inputs, target=Target("absolute", cost_score_target(inputs.target_error_cost, costs.max_cost)))
    return scored, inputs


def _est(values: Any) -> dict[str, float]:
    mi = median_interval(np.asarray(values, dtype=float))
    return {"median": mi.median, "low": mi.low, "high": mi.high}


def _rng(e: dict[str, float]) -> str:
    return f"{money(e['median'])} ({money(e['low'])} to {money(e['high'])})"


def plan_value(result: Any, inputs: PlanInputs, strategy: str, stop: Any, tap: Any,
               calendar: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    """The ``value_model``, ``error_cost`` and ``time_value`` blocks of a plan.

    Parameters
    ----------
    result : SimulationResult
        As the plan computed with (in the error-cost score when error costs are given).
    inputs : PlanInputs
    strategy : str
        The strategy the plan costs.
    stop : PlanStop
        The plan's stop: the error costs are read at its median labels.
    tap : TargetAtPool
    calendar : dict or None
        The plan's calendar (working days of both plans).
    """
    mode = inputs.value_mode
    point = float(inputs.point_value)
    vm: dict[str, Any] = {"mode": mode, "value_per_point": point, "model_life_months": inputs.model_life_months,
                          "discount_rate": inputs.discount_rate}
    error_cost = None
    ceilings = result.ceilings
    metric = result.metric
    if mode == "error_costs":
        costs = _costs(result, inputs)
        matrix = costs.aligned(_classes(result))
        vm.update(error_costs=costs.to_dict(), description=costs.describe(),
                  predictions_per_month=inputs.predictions_per_month, predictions_over_life=inputs.volume,
                  max_cost=costs.max_cost, score=COST_SCORE, assumption=MIX_ASSUMPTION,
                  sentence=(f"Errors priced by what each kind costs ({costs.describe()}); "
                            f"{inputs.predictions_per_month:,.0f} predictions a month for {inputs.model_life_months:g} "
                            f"months ({inputs.volume:,.0f} predictions). One point of the error-cost score (1 - "
                            f"expected error cost / {money(costs.max_cost, cents=True)}) is worth {money(point)}. "
                            f"Assumes {MIX_ASSUMPTION}."))
        labels = float(stop.labels.median)
        al, beyond_a = error_cost_at(result, costs, strategy, labels)
        rnd, beyond_r = error_cost_at(result, costs, "random", labels)
        n = min(len(al), len(rnd))
        reduction = (rnd[:n] - al[:n]) * float(inputs.volume) / 1000.0
        no_model = 1000.0 * cost_per_prediction(ceilings, matrix, "baseline_")
        full = 1000.0 * cost_per_prediction(ceilings, matrix)
        curves = error_cost_curves(result, costs)
        e_al, e_rnd, e_red = _est(al), _est(rnd), _est(reduction)
        error_cost = {
            "per_1000_predictions": {"al": e_al, "random": e_rnd},
            "at_labels": labels, "beyond_simulated": bool(beyond_a or beyond_r),
            "value_of_reduction": e_red,
            "no_model_per_1000": _est(no_model), "full_data_per_1000": _est(full),
            "target_per_1000": 1000.0 * (1.0 - float(tap.score)) * costs.max_cost,
            "curves": curves.to_dict("records"),
            "sentence": (f"At the recommended stop ({labels:,.0f} labels) {strategy.replace('_', ' ')}'s model is "
                         f"expected to cost {_rng(e_al)} in errors per 1,000 predictions, random sampling's "
                         f"{_rng(e_rnd)} at the same labels: over the model's life ({inputs.volume:,.0f} predictions) "
                         f"that difference is worth {_rng(e_red)}."
                         + (" The stop lies beyond the labels simulated: the last simulated round's costs are used."
                            if beyond_a or beyond_r else "")),
        }
    else:
        vm["sentence"] = (f"One point of {metric.replace('_', ' ')} is worth {money(point)}"
                          + (" (predictions x cost per error / 100)." if mode == "per_error" else "."))
    tv = None
    if calendar is not None and inputs.model_life_months:
        if mode == "error_costs":
            # a month of the model at the target, against no model (the majority class every time)
            base = float(np.median(cost_per_prediction(ceilings, matrix, "baseline_")))
            at_target = (1.0 - float(tap.score)) * costs.max_cost
            monthly = float(inputs.predictions_per_month) * (base - at_target)
        else:
            base = float(np.median(ceilings[f"baseline_{metric}"].to_numpy(float)))
            monthly = point * 100.0 * (float(tap.score) - base) / float(inputs.model_life_months)
        tv = time_value(monthly_value=monthly, al_days=calendar["al_days"], random_days=calendar["random_days"],
                        discount_rate=inputs.discount_rate)
        tv["sooner"] = _sooner(calendar["random_days"] - calendar["al_days"]).removeprefix("about ")
        rate = f", discounted at {inputs.discount_rate:.0%} a year" if inputs.discount_rate else ""
        tv["sentence"] = (f"On top of the label savings, and separate from them: active learning reaches the target "
                          f"about {tv['sooner']}; at {money(monthly)} a month "
                          f"(the model at the target against no model) that is worth {money(tv['value'])}{rate}. "
                          "Leave it out if shipping sooner earns nothing in your case.")
    return vm, error_cost, tv


def _sooner(days: float) -> str:
    """How much sooner, in the unit a reader can picture: working days under a month, else months."""
    if abs(days) < WORKING_DAYS_PER_MONTH:
        return f"about {days:,.1f} working days sooner"
    return f"about {days / WORKING_DAYS_PER_MONTH:,.1f} months sooner"
