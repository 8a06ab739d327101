"""Wiring of the Stopping page to ``simulations.stopping``: the engine's advice, packed for the pages.

``analysis["stopping"]`` holds: ``sentence`` (the plan's stop), ``comparison`` and ``note``, ``strategy`` (the
plan's: the one the business case costs and ``labelwise stop --results`` advises on), ``strategy_chosen_by`` (why),
``stop_at`` (the plan's stop, median over seeds), ``recommended_range`` ([low, high]),
``fitted_stop`` (the marginal rule on the fitted curve, capped at the production pool) and
``fitted_stop_sentence`` (the engine's words for it), ``curve`` (records: labels, mean, low, high),
``marginal`` (records: labels, value) and ``criteria`` (records: one row per criterion).

The engine words its cost errors for the command line (``--cost-per-label``); :func:`costs_error` and
:func:`dashboard_error` say the same for the Plan page's inputs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import fmt
from simulations.errors import ConfigError
from simulations.money import money
from simulations.stopping.optimum import CostInputError, marginal_value_curve

#: What the Stopping page says when the Plan's cost per label or value of a point cannot be used.
COSTS_MESSAGE = "Stopping advice needs a cost per label above $0 and a value per accuracy point above $0."
COSTS_HINT = "Set them on the Plan page: the cost of one label, and what one point of accuracy is worth to you."
_FIELD_WORDS = {"cost_per_label": "cost per label", "value_per_point": "value per accuracy point"}


def costs_error(exc: CostInputError) -> ConfigError:
    """The engine's cost error (worded for the command line) worded for the dashboard's Plan inputs."""
    what = _FIELD_WORDS.get(exc.field, exc.field)
    try:
        shown = money(float(exc.value))
    except (TypeError, ValueError):
        shown = "not a number"
    return ConfigError(f"{COSTS_MESSAGE[:-1]}; the {what} is {shown}.", hint=COSTS_HINT)


def dashboard_error(err: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored stopping error in the dashboard's words.

    Analyses saved before the cost errors were reworded hold the command-line text ("Pass dollars, e.g.
    --cost-per-label 2.50"); they are recognised by that content and reworded.
    """
    if err and any(flag in str(err.get("hint") or "") for flag in ("--cost-per-label", "--value-per-point")):
        return {"message": COSTS_MESSAGE, "hint": COSTS_HINT}
    return err


def _range_text(r: dict[str, Any] | None, kind: str) -> str:
    if not r:
        return "never"
    f = fmt.FORMATS[kind]
    lo, med, hi = r.get("low"), r.get("median"), r.get("high")
    return f(med) if f(lo) == f(hi) else f"{f(med)} ({f(lo)} to {f(hi)})"


def criteria_table(evaluation_dict: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for c in evaluation_dict.get("criteria", []):
        applicable = c.get("applicable", True)
        share = c.get("fired_share")
        rows.append({
            "Rule": c.get("title", c.get("name")),
            "Stops at (labels)": _range_text(c.get("labels"), "count") if applicable else "not applicable",
            "Fires in": fmt.pct(share) + " of runs" if share is not None else "n/a",
            "Regret ($)": _range_text((c.get("regret") or {}).get("dollars"), "money") if applicable else "",
            "Needs labels": "yes" if c.get("needs_labels") else "no",
            "Stops when": c.get("rule", ""),
            "Note": c.get("reason") or "",
        })
    return rows


def analyse(plan: Any, analysis: dict[str, Any]) -> dict[str, Any] | None:
    """The plan's stopping advice (``simulations.plan.Plan.advice``: the plan's strategy, pool and costs), packed.

    Raises
    ------
    ConfigError
        Without a cost per label and a value of accuracy above $0 there is no cost-optimal stop.
    """
    adv = plan.advice
    inputs = plan.inputs
    c, v = float(inputs.cost_per_label), float(inputs.point_value)
    if adv is None:
        raise costs_error(CostInputError("", "", field="value_per_point" if c > 0 else "cost_per_label",
                                         value=v if c > 0 else c))
    ev, rec = adv.evaluation, adv.recommendation
    d = ev.to_dict()
    curves = pd.DataFrame(analysis.get("curves") or [])
    curve = curves[curves["strategy"] == ev.strategy][["labels", "mean", "low", "high"]] if len(curves) else curves
    marginal: list[dict[str, Any]] = []
    fs = ev.fitted_stop
    if ev.fitted is not None:
        # the chart runs past the budget far enough to show where the marginal rule stops, never past the pool
        hi = max(ev.budget, (fs.labels or 0) * 1.3 if fs is not None else 0)
        if ev.pool is not None:
            hi = min(hi, ev.pool)
        # from the fitted curve's first label count, where the marginal rule starts its search
        marginal = marginal_value_curve(ev.fitted, v, float(ev.fitted.labels[0]), hi)
    labels = rec.labels
    stop = plan.stop
    return {
        "strategy": ev.strategy, "strategy_chosen_by": adv.strategy_chosen_by,
        # the simulation summary's no-signal sentence (simulations.stopping.advise): the page leads with it
        "no_signal_warning": adv.no_signal_warning,
        # the plan's stop (never capped by the labels simulated), the same figure the CLI and the report give
        "sentence": stop.sentence, "comparison": rec.comparison, "note": rec.note or "",
        "stop_at": stop.labels.median, "recommended_range": [stop.labels.low, stop.labels.high],
        "plan": {**labels.to_dict(), "median": stop.labels.median, "low": stop.labels.low, "high": stop.labels.high},
        "optimum_metric": ev.optimum_metric.to_dict(),
        "at_budget_share": ev.at_budget_share,
        "fitted_stop": None if fs is None else fs.to_dict(),
        "fitted_stop_sentence": ev.fitted_stop_sentence(), "pool": ev.pool,
        "curve": curve.to_dict("records"), "marginal": marginal,
        "criteria": criteria_table(d), "range_method": d.get("range_method", ""),
        "cost_per_label": c, "value_per_point": v,
        "plan_stop": stop.to_dict(), "how_many_sentence": plan.how_many_sentence,
    }
