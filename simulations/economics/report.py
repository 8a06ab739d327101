"""The business case as a readable report: the table ``labelwise roi`` prints, its one-sentence verdict and the
tornado table.

:mod:`simulations.economics.cli` re-exports :func:`format_business_case` and :func:`verdict` (and ``_fmt``, which the
tests import from there).
"""

from __future__ import annotations

import math
from typing import Any

from simulations.economics.case import NO_SIGNAL_VERDICT, BusinessCase, BusinessCaseRange, Range
from simulations.money import money

__all__ = ["format_business_case", "verdict"]


def _fmt(x: float | None, kind: str) -> str:
    """One number as report text (money, pct, acc, points, hours or a count); never a "-0"."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    if kind == "money":
        return money(x, cents=False)
    if kind in ("pct", "acc"):
        text = f"{100 * x:.1f}%"
    elif kind == "points":
        text = f"{x:+.2f} pts"
    elif kind == "hours":
        text = f"{x:,.1f} h"
    else:
        text = f"{x:,.0f}"
    if text[0] == "-" and not any(ch in "123456789" for ch in text):  # a tiny negative rounded to zero
        text = ("+" if kind == "points" else "") + text[1:]
    return text


_PREFIX = {"lower": ">= ", "upper": "<= ", "unknown": "~ "}


def _val(case: BusinessCase | BusinessCaseRange, name: str, kind: str, floor: float | None = None) -> str:
    """A field as text: median and interval for ranges, a bound prefix; values below ``floor`` shown as it."""
    v = getattr(case, name)
    if v is None:
        return "n/a"

    def at_least(x: float) -> float:
        return x if floor is None or math.isnan(x) else max(x, floor)

    if isinstance(v, Range):
        mid = _PREFIX.get(v.bound, "") + _fmt(at_least(v.median), kind)
        low, high = at_least(v.low), at_least(v.high)
        if low == high:
            return mid
        return f"{mid}  ({_fmt(low, kind)} to {_fmt(high, kind)})"
    bound = case.bounds.get(name, "") if isinstance(case, BusinessCase) else ""
    return _PREFIX.get(bound, "") + _fmt(at_least(v), kind)


def format_business_case(case: BusinessCase | BusinessCaseRange) -> str:
    """A readable report: both baselines, currency formatting, the assumptions listed."""
    is_range = isinstance(case, BusinessCaseRange)
    lines: list[str] = []
    if is_range:
        lines.append(
            f"Business case: {case.strategy} vs random sampling; target {case.target} ({case.metric})."
        )
        lines.append(
            f"Medians over {case.n_seeds} seeds with {case.confidence:.0%} intervals. "
            ">= / <= mark bounds (a plan did not reach the target within the simulated budget)."
        )
    else:
        lines.append("Business case: active learning vs random sampling.")
        if case.bounds:
            lines.append(">= / <= mark bounds (a plan's label count is censored).")
    if getattr(case, "no_signal", False):  # before any number: none of them describes a plan that pays
        lines += ["", "WARNING: " + verdict(case), "  " + case.no_signal_sentence,  # type: ignore[union-attr]
                  "  The figures below are arithmetic on a model that learns nothing; do not budget on them."]
    w = 38

    def row(label: str, name: str, kind: str) -> None:
        lines.append(f"  {label:<{w}}{_val(case, name, kind)}")

    lines += ["", "Against random sampling to the same target"]
    row("labels, random", "labels_random", "count")
    row("labels, AL", "labels_al", "count")
    row("labels saved", "labels_saved", "count")
    row("share of labels saved", "labels_saved_share", "pct")
    row("accuracy, random", "accuracy_random", "acc")
    row("accuracy, AL", "accuracy_al", "acc")
    row("accuracy gain", "accuracy_gain_points", "points")
    row("label cost, random", "random_label_cost", "money")
    row("label cost, AL", "al_label_cost", "money")
    if case.al_overhead_cost is not None and _median(case.al_overhead_cost) != 0:
        row("AL round overhead", "al_overhead_cost", "money")
    lines.append(f"  {'AL setup':<{w}}{_fmt(case.setup_cost, 'money')}")
    row("AL total cost", "al_total_cost", "money")
    row("cost savings (net of setup)", "cost_savings", "money")
    row("value of the accuracy gain", "value_increase", "money")
    row("total benefit", "total_benefit", "money")
    row("ROI (benefit / AL total cost)", "roi", "pct")
    if is_range:
        bound = _PREFIX.get(case.p_roi_positive_bound, "")
        lines.append(f"  {'P(ROI > 0) over seeds':<{w}}{bound}{case.p_roi_positive:.0%}")
    be = _median(case.break_even_labels)
    if be is not None and math.isfinite(be) and be < 0:
        more = f"pays off even if AL needed {_fmt(-be, 'count')} more labels than random"
        r = case.break_even_labels
        if isinstance(r, Range) and r.low != r.high:  # the interval in "more labels", never below 0 more
            more += f"  ({_fmt(max(-r.high, 0.0), 'count')} to {_fmt(max(-r.low, 0.0), 'count')} more)"
        lines.append(f"  {'break-even':<{w}}{more}")
    else:
        # a negative end of the interval means "no saving needed" (AL could even use more labels): shown as 0,
        # like the share, so no interval reads as a negative saving
        lines.append(f"  {'break-even label saving':<{w}}{_val(case, 'break_even_labels', 'count', floor=0.0)}")
        row("break-even share of random's labels", "break_even_share", "pct")
        share = _median(case.break_even_share)
        if share is not None and share > 1:
            lines.append(f"  {'':<{w}}(more than random's whole plan: label savings alone cannot pay off)")
    if _known(case.hours_random):
        row("labeling time, random", "hours_random", "hours")
        row("labeling time, AL", "hours_al", "hours")
        row("labeling time saved", "hours_saved", "hours")

    lines += ["", "Against labeling the whole production pool"]
    row("labels, whole pool", "whole_pool_labels", "count")
    row("label cost, whole pool", "whole_pool_label_cost", "money")
    row("accuracy, whole pool", "whole_pool_accuracy", "acc")
    row("cost savings", "whole_pool_cost_savings", "money")
    row("value of the accuracy difference", "whole_pool_value_increase", "money")
    row("total benefit", "whole_pool_total_benefit", "money")
    row("ROI", "whole_pool_roi", "pct")
    row("break-even pool size (items)", "whole_pool_break_even_pool", "count")
    if _known(case.whole_pool_hours_saved):
        row("labeling time saved", "whole_pool_hours_saved", "hours")

    if is_range and case.equal_budget_labels is not None:
        lines += ["", "Equal budget (both buy the same labels; AL buys accuracy; not added above)"]
        row("labels each", "equal_budget_labels", "count")
        row("accuracy, random", "equal_budget_accuracy_random", "acc")
        row("accuracy, AL", "equal_budget_accuracy_al", "acc")
        row("value of the accuracy gain", "equal_budget_value_increase", "money")
        row("ROI", "equal_budget_roi", "pct")

    lines += ["", "Verdict: " + verdict(case)]
    lines += ["", "Assumptions:"] + [f"  - {a}" for a in case.assumptions]
    return "\n".join(lines)


def verdict(case: BusinessCase | BusinessCaseRange) -> str:
    """One sentence: does AL pay off against random sampling, given the interval and the bounds.

    With ``no_signal`` (the simulation summary's rule: the whole-pool model is no better than always predicting the
    majority class) no plan or ROI is meaningful, and the sentence says so before anything else is judged.
    """
    if getattr(case, "no_signal", False):
        return getattr(case, "no_signal_verdict", "") or NO_SIGNAL_VERDICT  # a pilot's projection: undecided
    tb = case.total_benefit
    if isinstance(tb, Range):
        bound, mid = tb.bound, tb.median
        extra = f" P(ROI > 0) over seeds: {case.p_roi_positive:.0%}."  # type: ignore[union-attr]
        n_seeds, compared = case.n_seeds, case.seeds_compared  # type: ignore[union-attr]
        needed = case.seeds_needed  # type: ignore[union-attr]
        if compared < needed:  # the simulation summary withholds its verdict too (pays_off is null)
            both = (f" ({n_seeds - compared} of the {n_seeds} seeds reached the target in neither plan)"
                    if compared < n_seeds else "")
            return (f"Too few seeds to judge whether AL pays off: the ranges rest on {compared} simulated "
                    f"seed{'s' if compared != 1 else ''} comparing AL with random{both}; a verdict on this "
                    f"strategy needs at least {needed}, or raise the budget.")
        decided = case.pays_off  # type: ignore[union-attr]  # the one rule, the JSON's pays_off
    else:
        mid = tb
        bound = case.bounds.get("total_benefit", "")  # type: ignore[union-attr]
        extra = ""
        # one set of numbers, no interval: the sign decides unless a bound points the other way
        decided = (True if mid > 0 and bound in ("", "lower") else False if mid <= 0 and bound in ("", "upper")
                   else None)
    txt = _PREFIX.get(bound, "") + _fmt(mid, "money")
    if decided is True:
        return f"AL pays off against random sampling (total benefit {txt}).{extra}"
    if decided is False:
        return f"AL does not pay off against random sampling (total benefit {txt}).{extra}"
    why = " (censored: a bound)" if bound else " (the interval spans zero)"
    return f"Uncertain whether AL pays off against random sampling: total benefit {txt}{why}.{extra}"


def _median(v: Any) -> float | None:
    return v.median if isinstance(v, Range) else v


def _known(v: Any) -> bool:
    m = _median(v)
    return m is not None and not (isinstance(m, float) and math.isnan(m))


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.4g}"


def _format_tornado(df: Any) -> str:
    lines = ["Sensitivity: ROI when one input moves 25% down / up (largest swing first)"]
    for r in df.itertuples(index=False):
        lines.append(
            f"  {r.input:<18}{_num(r.low_value):>12} -> ROI {_fmt(r.roi_low, 'pct'):>9}   "
            f"{_num(r.high_value):>12} -> ROI {_fmt(r.roi_high, 'pct'):>9}   swing {_fmt(r.swing, 'pct')}"
        )
    return "\n".join(lines)
