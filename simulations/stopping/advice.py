"""Stopping advice for a simulation: evaluate the criteria, recommend a plan (:func:`advise`, :class:`StopAdvice`).

:func:`advise` picks the strategy (:func:`choose_strategy`: the lowest median cost at its optimal stop), fits its
mean curve with the whole-pool score, replays the criteria (:func:`~simulations.stopping.evaluation.evaluate_criteria`)
and recommends (:func:`~simulations.stopping.recommendation.recommend`).

The rest of the former ``advice`` module now lives beside it, and is re-exported here so imports from
``simulations.stopping.advice`` keep working:

* :mod:`simulations.stopping.evaluation`: :func:`evaluate_criteria`, :class:`StopEvaluation`, :class:`CriterionReport`;
* :mod:`simulations.stopping.recommendation`: :func:`recommend`, :class:`Recommendation`;
* :mod:`simulations.stopping.curve_log`: :func:`load_curve_csv`, :func:`validate_curve`, :data:`CURVE_COLUMN_NAMES`;
* :mod:`simulations.stopping.live`: :func:`check_live`, :class:`LiveCheck`, :func:`detect_decline`;
* :mod:`simulations.stopping.formatting`: the shared JSON and money wording.

Ranges over seeds are medians with the 2.5th-97.5th percentiles of the seeds (:data:`RANGE_METHOD`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulations.curves.fit import CurveFit
from simulations.errors import ConfigError, DataError
from simulations.money import money
from simulations.stopping.base import RANGE_METHOD, range_dict
from simulations.stopping.curve_log import CURVE_COLUMN_NAMES, METRIC_ALIASES, load_curve_csv, validate_curve
from simulations.stopping.evaluation import (
    AT_BUDGET_SHARE,
    SIGNAL_COLUMNS,
    CriterionReport,
    StopEvaluation,
    _seed_histories,
    evaluate_criteria,
)
from simulations.stopping.formatting import _clean, _usd
from simulations.stopping.live import (
    FALL_MIN_DROP,
    FALL_NOISE_Z,
    LIVE_ALT_ABS,
    LIVE_ALT_FACTOR,
    MIN_LIVE_POINTS,
    STOP_NOW_MARGIN,
    Decline,
    LiveCheck,
    check_live,
    detect_decline,
)
from simulations.stopping.optimum import check_costs, hindsight_optimum
from simulations.stopping.recommendation import Recommendation, recommend
from simulations.stopping.recommendation import _saves as _saves  # re-exported: tests import it from here
from simulations.summary import no_signal_warning

if TYPE_CHECKING:
    from simulations.results import SimulationResult

__all__ = [
    "AT_BUDGET_SHARE",
    "CURVE_COLUMN_NAMES",
    "FALL_MIN_DROP",
    "FALL_NOISE_Z",
    "LIVE_ALT_ABS",
    "LIVE_ALT_FACTOR",
    "METRIC_ALIASES",
    "MIN_LIVE_POINTS",
    "RANGE_METHOD",
    "SIGNAL_COLUMNS",
    "STOP_NOW_MARGIN",
    "CriterionReport",
    "Decline",
    "LiveCheck",
    "Recommendation",
    "StopAdvice",
    "StopEvaluation",
    "advise",
    "check_live",
    "choose_strategy",
    "detect_decline",
    "evaluate_criteria",
    "load_curve_csv",
    "recommend",
    "validate_curve",
]


def _n_classes(meta: dict[str, Any]) -> int | None:
    classes = meta.get("classes")
    return len(classes) if isinstance(classes, (list, tuple)) and classes else None


def choose_strategy(rounds: pd.DataFrame, metric: str, cost_per_label: float, value_per_point: float) -> str:
    """The strategy with the lowest median cost at its hindsight optimum (ties: not ``random``, then by name)."""
    if "strategy" not in rounds.columns:
        raise DataError("The results table lacks the 'strategy' column.", hint="Pass SimulationResult.rounds.")
    best: tuple[float, int, str] | None = None
    for name in sorted(set(rounds["strategy"].astype(str))):
        hist = _seed_histories(rounds, name, metric)
        if not hist:
            continue
        costs = [hindsight_optimum(h["labels"], h["metric"], cost_per_label, value_per_point).cost
                 for h in hist.values()]
        key = (float(np.median(costs)), 1 if name == "random" else 0, name)
        if best is None or key < best:
            best = key
    if best is None:
        raise DataError("The results contain no rounds.", hint="Run the simulation again.")
    return best[2]


@dataclass
class StopAdvice:
    """Evaluation plus recommendation for one strategy of a simulation.

    ``no_signal_warning`` is ``simulations.summary.no_signal_warning`` of the run: "" when the model learns
    something from the features; otherwise the sentence that leads :meth:`text` (no stopping point buys anything).
    """

    evaluation: StopEvaluation
    recommendation: Recommendation
    strategy_chosen_by: str
    no_signal_warning: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = self.evaluation.to_dict()
        d["strategy_chosen_by"] = self.strategy_chosen_by
        d["recommended_labels"] = range_dict(self.recommendation.labels)
        d["recommendation"] = self.recommendation.to_dict()
        d["no_signal"] = bool(self.no_signal_warning)
        d["no_signal_warning"] = self.no_signal_warning or None
        return _clean(d)

    def text(self) -> str:
        ev, rec = self.evaluation, self.recommendation
        lines = [f"WARNING: {self.no_signal_warning} No stopping point pays on these data: more labels from them buy "
                 "nothing until the data is fixed (check the label column and the features, or try another model).",
                 ""
                 ] if self.no_signal_warning else []
        lines += [f"Stopping advice for '{ev.strategy}' ({self.strategy_chosen_by}), {ev.metric}, "
                 f"{money(ev.cost_per_label)} per label, {_usd(ev.value_per_point)} per point, {len(ev.seeds)} runs.",
                 "", rec.sentence, rec.comparison]
        if rec.note:
            lines.append(rec.note)
        if ev.fitted_stop_sentence():
            lines.append(ev.fitted_stop_sentence())
        lines += ["", "Criteria (where each stops; regret vs the cost-optimal point; ranges: 2.5-97.5th "
                      "percentile over seeds):"]
        lines += [f"  - {c.summary()}" for c in ev.criteria]
        return "\n".join(lines)


def advise(
    result: SimulationResult,
    cost_per_label: float,
    value_per_point: float,
    *,
    strategy: str | None = None,
    metric: str | None = None,
    pool: int | None = None,
) -> StopAdvice:
    """Stopping advice for one strategy of a simulation (default: the one with the lowest optimal cost).

    The mean curve is fitted with the whole-pool score appended at the simulated pool size (a measured point of
    every strategy's curve; :func:`simulations.curves.ceiling.fit_ceiling_curve`) when the results record it, so the
    marginal rule beyond the budget rests on evidence rather than on the early trend alone. ``pool`` is the
    labelable pool (default: the simulated pool); no stopping point lies beyond it.
    """
    c, v = check_costs(cost_per_label, value_per_point)
    meta = dict(getattr(result, "meta", {}) or {})
    rounds = result.rounds
    metric = metric or meta.get("metric") or "accuracy"
    if metric not in rounds.columns:
        raise ConfigError(f"The results have no '{metric}' column.",
                          hint="Use accuracy, balanced_accuracy or macro_f1.")
    if strategy is None:
        strategy = choose_strategy(rounds, metric, c, v)
        how = "the strategy with the lowest cost at its optimal stopping point"
    else:
        how = "chosen by you"
    from simulations.curves.pool import fit_ceiling_curve, simulated_pool_size

    try:
        n_sim: int | None = simulated_pool_size(result)
        # The far end is measured, so a model vetoed from the earlier origin gives way to the next-ranked one
        # that passes (scored against the whole-pool point) rather than to a flat line held from the budget.
        fitted: CurveFit | None = fit_ceiling_curve(result, metric, strategy, fallback="next")
    except (DataError, KeyError, AttributeError):  # results without the pool size or the whole-pool scores
        n_sim, fitted = None, None
    if pool is not None and (isinstance(pool, bool) or not float(pool) > 0):
        raise ConfigError(f"The labelable pool must be a positive number of items (got {pool}).",
                          hint="Pass the number of items your project can label, e.g. 100000.")
    if pool is not None and n_sim is not None and float(pool) < n_sim:
        # As the business case refuses it: curves of a larger pool do not carry over to a smaller one.
        raise ConfigError(
            f"The labelable pool ({float(pool):,.0f} items) is smaller than the pool the simulation drew from "
            f"({n_sim:,} items): the simulated runs chose among more items than the project has, so their stopping "
            "points do not apply to it.",
            hint=f"Give the number of items your project can label (at least {n_sim:,}), or simulate on a sample "
                 "of about that many rows.")
    cap = float(pool) if pool is not None else (float(n_sim) if n_sim is not None else None)
    ev = evaluate_criteria(rounds, strategy=strategy, cost_per_label=c, value_per_point=v, metric=metric,
                           n_classes=_n_classes(meta), fitted=fitted, pool=cap)
    try:
        warning = no_signal_warning(result, metric)
    except ConfigError:  # a metric the summary does not know has no whole-pool baseline to judge by
        warning = ""
    return StopAdvice(ev, recommend(ev), how, warning)
