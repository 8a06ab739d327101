"""The plan's sentences: why another strategy's verdict differs, does it pay, and how many labels (one sentence each).

Split from ``simulations.plan.build`` (which imports them): words only, from the figures the plan computed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulations.economics import BusinessCaseRange
from simulations.money import money
from simulations.summary import Summary

if TYPE_CHECKING:
    from simulations.plan.model import Estimate, PlanStop, TargetAtPool

def _other_verdicts(summary: Summary, chosen: str,
                    chosen_by: str = "the largest median label saving against random sampling") -> str:
    """Why a strategy with a different verdict from the costed one is not the one costed."""
    mine = summary.strategies.get(chosen)
    if mine is None:
        return ""
    out = []
    for name, s in summary.strategies.items():
        if name in ("random", chosen) or s.verdict == mine.verdict:
            continue
        out.append(f"{name.replace('_', ' ')}: {s.verdict}")
    if not out:
        return ""
    return (f"Other strategies' verdicts differ ({'; '.join(out)}). The plan costs "
            f"{chosen.replace('_', ' ')}, {_why_chosen(chosen_by)}; the verdict of any "
            "strategy singled out after seeing all of them is optimistic, so read a lone 'beats random' among "
            "several strategies with care.")


def _why_chosen(chosen_by: str) -> str:
    """'the strategy with the largest median label saving' (or money saving, or 'the strategy you chose')."""
    if chosen_by == "chosen by you":
        return "the strategy you chose"
    saving = "money" if "money" in chosen_by else "label"
    return f"the strategy with the largest median {saving} saving"


def _pays_sentence(case: BusinessCaseRange, pays: bool | None, net: Estimate, *,
                   undecided_roi: Estimate | None = None) -> str:
    """Whether active learning pays, in one sentence; ``undecided_roi`` is the calibrated ROI of a pilot's
    projection when it left undecided what the seeds' net savings decided (``build_plan``)."""
    if case.no_signal:
        return case.no_signal_verdict
    rng = f"{money(net.median)} ({money(net.low)} to {money(net.high)})"
    if undecided_roi is not None:
        roi = f"{undecided_roi.median:.0%} ({undecided_roi.low:.0%} to {undecided_roi.high:.0%})"
        # name only the calibrated intervals that do span zero (the rule needs both on the decision's side)
        spans = [what for what, e in ((f"net savings, {rng}", net), (f"the ROI, {roi}", undecided_roi))
                 if not (e.low > 0 or e.high <= 0)]
        which = (f"the calibrated interval of {spans[0]}, spans zero" if len(spans) == 1 else
                 f"the calibrated intervals of {spans[0]}, and of {spans[1]}, span zero" if spans else
                 f"the calibrated intervals of net savings, {rng}, and of the ROI, {roi}, point different ways")
        return (f"Undecided whether active learning pays off: projected from a pilot, {which} (the pilot's seeds "
                "alone would have decided it).")
    if case.seeds_compared < case.seeds_needed:
        return (f"Too few seeds to judge whether active learning pays: net savings {rng} rest on "
                f"{case.seeds_compared} seed(s) comparing it with random; a verdict on this strategy needs at least "
                f"{case.seeds_needed}.")
    if pays is True:
        return f"Active learning pays off against random sampling: net savings {rng}."
    if pays is False:
        return f"Active learning does not pay off against random sampling: net savings {rng}."
    return f"Undecided whether active learning pays off: net savings {rng}, an interval that spans zero."


def _how_many(strategy: str, la: Estimate, stop: PlanStop, tap: TargetAtPool, unit: str) -> str:
    """Labels to target, the recommended stop and the cost optimum in one sentence."""
    ex = " (extrapolated)"
    if tap.score > tap.ceiling_high:
        # above what even the whole pool is expected to reach: no label count is an answer, say so
        return (f"No plan reaches the target ({tap.score:.1%} {unit}): it lies above what a model trained on the "
                f"whole production pool is expected to score ({tap.ceiling:.1%}, at most {tap.ceiling_high:.1%}), so "
                "the label counts shown are the whole pool, not a point where the target is met. Lower the target "
                "(for example a share of the full-data score).")
    reach = (f"{strategy.replace('_', ' ')} reaches the target ({tap.score:.1%} {unit}) at about "
             f"{la.median:,.0f} labels{ex if la.extrapolated else ''}")
    opt = stop.cost_optimum
    if opt is None:
        return reach + "; with no value given for accuracy, stop there."
    s = stop.labels.median
    o = f"{opt.median:,.0f}{ex if opt.extrapolated else ''}"
    if s <= la.median * 1.05 and opt.median <= la.median * 1.05:
        return (f"{reach}; labels stop paying for themselves at about {o}, before or at the target, so stop at the "
                "target.")
    return (f"{reach}; beyond it each label still buys more than it costs until about {o} labels (the cost "
            f"optimum), so plan for about {s:,.0f}{ex if stop.labels.extrapolated else ''} and watch {stop.rule} as a "
            "check.")
