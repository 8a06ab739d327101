"""``project status``: labels so far, the score per round, the curve against the plan, the stop advice, the ledger.

* **Against the plan**: the plan's expected curve for the strategy (the median over simulated seeds and its
  10th-90th percentile band, stored at ``init`` from a ``labelwise simulate --out`` file) is read at the project's
  label count: a score above the band is *ahead*, below it *behind*, inside it *on track*. The simulated score is
  on the simulation's test split and the project's on its validation file or control rows, so the comparison is
  as good as those are alike.
* **The stop**: :func:`simulations.stopping.check_live` (the plan's live check: falling score, plateau, the
  fitted curve's marginal rule) on the rounds' scores with the project's cost per label and value per point.
* **The ledger**: :func:`simulations.project.ledger.estimate_ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulations.errors import LabelwiseError
from simulations.project.ledger import Ledger, estimate_ledger, random_prior
from simulations.project.scoring import arm_predictions
from simulations.project.store import Project
from simulations.summary import METRIC_NAMES

__all__ = ["ProjectStatus", "expected_curve_from_results", "plan_position", "project_status"]

#: The plan's band: these percentiles over the simulated seeds.
BAND = (0.1, 0.9)


def expected_curve_from_results(result: Any, strategy: str, source: str = "") -> dict[str, Any]:
    """The plan's expected curve for ``strategy``: labels, median, low, high (10th/90th percentile over seeds)."""
    from simulations.errors import ConfigError

    rounds = result.rounds
    if strategy not in set(rounds["strategy"]):
        raise ConfigError(f"The results file has no run of '{strategy}' (it has "
                          f"{', '.join(sorted(set(rounds['strategy'])))}).",
                          hint="Pass --strategy with one of those, or simulate this strategy too.")
    metric = result.metric
    g = rounds.loc[rounds["strategy"] == strategy].groupby("labels")[metric]
    table = pd.DataFrame({"median": g.median(), "low": g.quantile(BAND[0]), "high": g.quantile(BAND[1])})
    rnd_rows = rounds.loc[rounds["strategy"] == "random"]
    rnd = rnd_rows.groupby("labels")[metric].median()
    # every simulated seed's random curve at the same label counts: the ledger draws one per bootstrap resample
    per_seed = rnd_rows.pivot_table(index="seed", columns="labels", values=metric).reindex(columns=rnd.index)
    per_seed = per_seed.dropna(how="any")
    return {"labels": [int(v) for v in table.index], "median": table["median"].tolist(),
            "low": table["low"].tolist(), "high": table["high"].tolist(), "metric": metric, "strategy": strategy,
            "source": source, "band": "10th-90th percentile over simulated seeds",
            "random_labels": [int(v) for v in rnd.index], "random_median": rnd.tolist(),
            "random_seeds": [[float(v) for v in row] for row in per_seed.to_numpy()]}


def plan_position(curve: dict[str, Any] | None, labels: float, value: float | None) -> dict[str, Any] | None:
    """Where a score stands against the plan's band at ``labels``: on track / behind / ahead (None without a plan)."""
    if curve is None:
        return None
    x = np.asarray(curve["labels"], dtype=float)
    out: dict[str, Any] = {"labels": float(labels), "score": value}
    if value is None or not len(x):
        return {**out, "verdict": "no score yet", "expected": None, "low": None, "high": None}
    beyond = labels > x.max()
    at = min(max(labels, x.min()), x.max())
    med, lo, hi = (float(np.interp(at, x, np.asarray(curve[k], dtype=float))) for k in ("median", "low", "high"))
    verdict = "ahead" if value > hi else "behind" if value < lo else "on track"
    out.update(expected=med, low=lo, high=hi, verdict=verdict, beyond_simulated=bool(beyond))
    return out


@dataclass
class ProjectStatus:
    """Everything ``project status`` shows (``to_dict`` is the ``--json`` output)."""

    labeled: dict[str, int]
    rounds: list[dict[str, Any]]
    metric: str
    plan: dict[str, Any] | None
    stop: dict[str, Any]
    ledger: Ledger
    pending: dict[str, Any] | None
    cost_per_label: float | None
    expected_curve: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"labeled": self.labeled, "metric": self.metric, "rounds": self.rounds, "plan": self.plan,
                "expected_curve": self.expected_curve, "stop": self.stop, "ledger": self.ledger.to_dict(),
                "pending": self.pending, "notes": self.notes}

    def text(self) -> str:
        lab = self.labeled
        m = METRIC_NAMES.get(self.metric, self.metric)
        lines = [f"Labeled: {lab['total']:,} of {lab['rows']:,} rows ({lab['initial']:,} initial, {lab['al']:,} picked "
                 f"by the strategy, {lab['control']:,} control)."]
        if self.pending:
            lines.append(f"Pending: round {self.pending['round']}, {self.pending['rows']} rows sent, not yet added.")
        lines += ["", f"{'round':<7}{'labels':<9}{m:<20}measured on"]
        for r in self.rounds:
            s = "-" if r.get("score") is None else f"{r['score']:.1%}"
            basis = {"validation": "validation file", "control_cv": f"{r['n_eval']} held-out control rows",
                     "none": "(no control rows yet)"}.get(r["score_basis"], r["score_basis"])
            lines.append(f"{r['round']:<7}{r['labels']:<9,}{s:<20}{basis}")
        lines.append("")
        if self.plan is None:
            lines.append("Plan: none (pass --results FILE to init to compare with the plan's expected curve).")
        elif self.plan.get("expected") is None:
            lines.append(f"Plan: {self.plan['verdict']}.")
        else:
            p = self.plan
            lines.append(f"Plan: {p['verdict']} - {p['score']:.1%} at {p['labels']:,.0f} labels against the plan's "
                         f"{p['expected']:.1%} (band {p['low']:.1%} to {p['high']:.1%})"
                         + (" (beyond the labels simulated: compared with the plan's last point)."
                            if p.get("beyond_simulated") else "."))
        lines.append(f"Stop advice: {self.stop['headline']} {self.stop.get('reason', '')}".rstrip())
        lines.append(self.ledger.sentence(self.cost_per_label))
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def _stop(project: Project, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    from simulations.stopping import check_live

    c, v = project.config.cost_per_label, project.config.value_per_point
    scored = [r for r in rounds if r.get("score") is not None]
    if not (c and v):
        return {"verdict": "no_costs", "headline": "No stop advice:",
                "reason": "the project has no cost per label and value per point (set them at init with "
                          "--cost-per-label and --value-per-point, as in the plan)."}
    if not scored:
        return {"verdict": "too_early", "headline": "Too early to tell.", "reason": "No round has a score yet."}
    curve = pd.DataFrame({"labels": [r["labels"] for r in scored], "metric": [r["score"] for r in scored]})
    try:
        live = check_live(curve, c, v)
    except LabelwiseError as exc:
        return {"verdict": "too_early", "headline": "Too early to tell.", "reason": exc.message}
    return live.to_dict()


def project_status(project: Project, *, n_boot: int | None = None) -> ProjectStatus:
    """The status of a project (see the module docstring)."""
    state = project.state
    arms = list(state.arms.values())
    labeled = {"total": len(arms), "initial": arms.count("initial"), "al": arms.count("al"),
               "control": arms.count("control"), "rows": len(project.ids)}
    preds = arm_predictions(project)
    kw = {} if n_boot is None else {"n_boot": n_boot}
    ledger = estimate_ledger(preds, project.config.metric, pool_rows=len(project.ids),
                             cost_per_label=project.config.cost_per_label, seed=project.config.seed,
                             random_prior=random_prior(project.config.expected_curve), **kw)
    rounds = list(state.rounds)
    last = rounds[-1] if rounds else None
    plan = plan_position(project.config.expected_curve, last["labels"], last.get("score")) if last else None
    pending = None if state.pending is None else {"round": state.pending["round"], "rows": len(state.pending["rows"])}
    notes = []
    if last is not None and last.get("score_basis") == "control_cv":
        notes.append(f"Scores are cross-fitted on the {last['n_eval']} control rows (a uniform random sample of the "
                     "rows still unlabeled): the model's score on the data still to be labeled, noisy with few control "
                     "rows. A validation file (--validation at init) gives a steadier score.")
    return ProjectStatus(labeled=labeled, rounds=rounds, metric=project.config.metric, plan=plan,
                         stop=_stop(project, rounds), ledger=ledger, pending=pending,
                         cost_per_label=project.config.cost_per_label, expected_curve=project.config.expected_curve,
                         notes=notes)
