"""When to stop labeling: does the tuned recommendation beat stabilizing predictions alone? (issue 3)

For every shipped dataset this simulates random and margin sampling (logistic regression, 10 seeds, geometric
schedule from 20 labels, class weighting "auto", the run's default metric) up to a budget where the curves have
flattened (or the whole pool), then, at three economic settings, replays the stopping engine
(``simulations.stopping``):

* **in-sample** (what ``labelwise stop`` says on all 10 seeds): the labels to plan for, the recommended
  label-free criterion and threshold (``recommend``: tuned on the same seeds it is scored on), its fired share
  and median regret; stabilizing predictions alone (kappa >= 0.99 over 3 rounds) on the same seeds;
* **held out**: the strategy and the recommendation are chosen on seeds 0-4 and scored on seeds 5-9, and the
  other way round, so that each of the 10 runs is judged by a rule tuned without it; stabilizing predictions
  (which needs no tuning) and the tuned "labels to plan for" held as a fixed count are scored on the same
  held-out runs. In-sample tuning flatters the recommendation; this is the honest comparison.
* every criterion's fired share at its literature default, for both strategies (it does not depend on costs).

Regret of a stop at ``t``: C(t) - C(t_opt) with C(t) = cost_per_label x t - value_per_point x 100 x metric(t) and
t_opt each run's cheapest round in hindsight; in percent of |C(t_opt)|. In the held-out comparison a rule that
never fires on a run is charged the regret of stopping at the last simulated round (a team watching it would
label the whole budget; beyond the budget it would cost more still): those runs are counted and shown.

    .venv/bin/python benchmarks/stopping.py [--seeds 10] [--datasets a,b] [--n-jobs 2]
    .venv/bin/python benchmarks/stopping.py --markdown-only   # rebuild the .md from the saved .json
    .venv/bin/python benchmarks/stopping.py --smoke [--out DIR]   # penguins, 4 seeds, budget 60, n_jobs=1

Writes benchmarks/results/stopping.{json,md}. 26 s on the 2-core machine at load 2, 80 s at load 2-4 (mostly
the simulations; the replay of the rules takes about 8 s).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from _common import bench_args, md_table, rewrite_markdown, write_results

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.datasets import SAMPLES
from simulations.stopping import (
    CRITERIA,
    SeedRange,
    StabilizingPredictions,
    StoppingCriterion,
    choose_strategy,
    cost_curve,
    evaluate_criteria,
    hindsight_optimum,
    recommend,
    regret,
)

NAME = "stopping"
STRATEGIES = ("random", "margin")
# Budgets where the mean curves have flattened (measured with a first run); capped at the pool by the engine,
# so the small samples use their whole pool: penguins 258, breast_cancer 427, seattle_weather 1,096 (still
# rising there), digits 1,348. sms_spam and adult gain under 0.5 points from 1,700 to 3,000 labels; 2,936 is a
# round of the growth-0.2 schedule, so the last round is not a 64-label stub (3,000 would be).
BUDGETS = {"penguins": 500, "seattle_weather": 2000, "sms_spam": 2936, "adult": 2936, "digits": 2000,
           "breast_cancer": 500}
#: Regrets within this many dollars count as a tie (the same stopping round on every run).
TIE = 1e-6


@dataclass(frozen=True)
class Setting:
    """One economic setting: what a label costs and what a percentage point of the metric is worth.

    Only the ratio moves the stopping point: labeling pays while one label adds more than
    ``cost_per_label / (100 x value_per_point)`` of the metric (:attr:`break_even_points_per_label` in points).
    """

    name: str
    cost_per_label: float
    value_per_point: float

    @property
    def break_even_points_per_label(self) -> float:
        return self.cost_per_label / self.value_per_point


SETTINGS = (
    # One point is worth 10,000 labels: labeling keeps paying late (optima near the budget on some data).
    Setting("high value", 1.0, 10_000.0),
    # One point is worth 1,000 labels: e.g. $1 crowd labels for a model whose point is worth $1,000.
    Setting("cheap labels", 1.0, 1_000.0),
    # One point is worth 100 labels: e.g. $10 expert labels, same value.
    Setting("expensive labels", 10.0, 1_000.0),
)


# ------------------------------------------------------------------------------------------------ per run
@dataclass(frozen=True)
class SeedCosts:
    """One simulated run's cost curve C(t) and its cheapest round in hindsight."""

    labels: np.ndarray
    cost: np.ndarray
    opt: int


def seed_costs(rounds: pd.DataFrame, strategy: str, metric: str, setting: Setting) -> dict[int, SeedCosts]:
    """Every seed's cost curve for ``strategy`` (rounds in order)."""
    out: dict[int, SeedCosts] = {}
    sub = rounds[rounds["strategy"].astype(str) == strategy].sort_values(["seed", "round"], kind="stable")
    for seed, g in sub.groupby("seed", sort=True):
        x, y = g["labels"].to_numpy(float), g[metric].to_numpy(float)
        opt = hindsight_optimum(x, y, setting.cost_per_label, setting.value_per_point).index
        out[int(seed)] = SeedCosts(x, cost_curve(x, y, setting.cost_per_label, setting.value_per_point), opt)
    return out


def stop_regrets(stops: dict[int, float | None], runs: dict[int, SeedCosts]) -> list[dict[str, Any]]:
    """Per seed: where the rule stopped, whether it fired, and its regret in dollars and percent.

    A rule that never fired (``None``) is charged the last simulated round: what a team watching it would pay
    within this budget.
    """
    rows = []
    for seed, r in runs.items():
        at = stops.get(seed)
        fired = at is not None
        i = int(np.flatnonzero(r.labels == at)[0]) if fired else len(r.labels) - 1
        dollars, percent = regret(r.cost[i], r.cost[r.opt])
        rows.append({"seed": seed, "labels": float(r.labels[i]), "fired": fired, "dollars": dollars,
                     "percent": percent})
    return rows


def first_at_least(runs: dict[int, SeedCosts], labels: float) -> dict[int, float | None]:
    """A fixed label count as a stopping rule: the first round with at least ``labels`` (else the last)."""
    out: dict[int, float | None] = {}
    for seed, r in runs.items():
        k = np.flatnonzero(r.labels >= labels)
        out[seed] = float(r.labels[k[0]] if k.size else r.labels[-1])
    return out


def rng_dict(values: list[float]) -> dict[str, Any] | None:
    r = SeedRange.of(values)
    return None if r is None else r.to_dict()


# --------------------------------------------------------------------------------------------- tuning
def n_classes(meta: dict[str, Any]) -> int | None:
    classes = meta.get("classes")
    return len(classes) if isinstance(classes, (list, tuple)) and classes else None


def criterion_dict(rep: Any) -> dict[str, Any] | None:
    """The parts of a ``CriterionReport`` this benchmark quotes."""
    if rep is None:
        return None
    return {"name": rep.name, "threshold": rep.threshold, "is_default": rep.is_default,
            "applicable": rep.applicable, "fired_share": rep.fired_share,
            "labels": None if rep.labels is None else rep.labels.to_dict(),
            "regret_dollars": None if rep.regret_dollars is None else rep.regret_dollars.to_dict(),
            "regret_percent": None if rep.regret_percent is None else rep.regret_percent.to_dict()}


def tune(rounds: pd.DataFrame, seeds: list[int], metric: str, classes: int | None,
         setting: Setting) -> dict[str, Any]:
    """What ``labelwise stop`` recommends from these seeds alone: strategy, labels to plan for, rule, in-sample regret.

    The strategy is chosen the way ``advise`` does (lowest median cost at the hindsight optimum).
    """
    sub = rounds[rounds["seed"].isin(seeds)]
    c, v = setting.cost_per_label, setting.value_per_point
    strategy = choose_strategy(sub, metric, c, v)
    ev = evaluate_criteria(sub, strategy=strategy, cost_per_label=c, value_per_point=v, metric=metric,
                           n_classes=classes)
    rec = recommend(ev)
    fs = ev.fitted_stop
    return {"seeds": list(seeds), "strategy": strategy, "plan_labels": rec.labels.to_dict(),
            "at_budget_share": ev.at_budget_share,
            "marginal_stop": None if fs is None else {"labels": fs.labels, "extrapolated": fs.extrapolated},
            "criterion": criterion_dict(rec.criterion), "stabilizing": criterion_dict(rec.baseline),
            "candidates": rec.candidates, "sentence": rec.sentence, "note": rec.note,
            "stop_at_plan": rec.stop_at_plan,
            "criteria_default": [criterion_dict(r) for r in ev.criteria]}


def rebuild(crit: dict[str, Any] | None) -> StoppingCriterion | None:
    """The tuned criterion as an object (default window, tuned threshold)."""
    return None if crit is None else CRITERIA[crit["name"]]().with_threshold(crit["threshold"])


def held_out(rounds: pd.DataFrame, tuned: dict[str, Any], seeds: list[int], metric: str, classes: int | None,
             setting: Setting) -> dict[str, Any]:
    """Score the rule tuned on other seeds, stabilizing predictions and the fixed plan on ``seeds``."""
    sub = rounds[rounds["seed"].isin(seeds)]
    strategy = tuned["strategy"]
    rule = rebuild(tuned["criterion"])
    crits: list[StoppingCriterion] = [StabilizingPredictions()] + ([rule] if rule is not None else [])
    ev = evaluate_criteria(sub, strategy=strategy, cost_per_label=setting.cost_per_label,
                           value_per_point=setting.value_per_point, metric=metric, criteria=crits,
                           n_classes=classes, project=False)
    runs = seed_costs(sub, strategy, metric, setting)
    out = {"seeds": list(seeds), "strategy": strategy,
           "stabilizing": stop_regrets(ev.criteria[0].per_seed_labels, runs),
           "fixed_plan": stop_regrets(first_at_least(runs, tuned["plan_labels"]["median"]), runs)}
    # No label-free rule fired on the tuning seeds, or none beat the planned count there: the advice is
    # "stop at the planned count" (the rule is then only a check).
    rule_regrets = None if rule is None else stop_regrets(ev.criteria[1].per_seed_labels, runs)
    at_plan = rule is None or tuned.get("stop_at_plan", False)
    out["rule"] = rule_regrets  # the tuned rule's own held-out regrets, also when the advice is the plan
    out["recommended"] = out["fixed_plan"] if at_plan else rule_regrets
    # Cross-check with the engine's own regret over the runs where each rule fired.
    for k, rep in enumerate(ev.criteria):
        mine = [r["dollars"] for r in (out["stabilizing"] if k == 0 else rule_regrets) if r["fired"]]
        if rep.regret_dollars is not None and not np.isclose(np.median(mine), rep.regret_dollars.median):
            raise AssertionError(f"{rep.name}: regret {np.median(mine)} here vs {rep.regret_dollars.median} "
                                 "in evaluate_criteria")
    return out


def split_halves(seeds: list[int]) -> tuple[list[int], list[int]]:
    half = len(seeds) // 2
    return seeds[:half], seeds[half:]


def per_rule_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"fired_share": float(np.mean([r["fired"] for r in rows])),
            "never_fired_seeds": [r["seed"] for r in rows if not r["fired"]],
            "labels": rng_dict([r["labels"] for r in rows]),
            "regret_dollars": rng_dict([r["dollars"] for r in rows]),
            "regret_percent": rng_dict([r["percent"] for r in rows])}


def analyse(res: Any, setting: Setting) -> dict[str, Any]:
    """In-sample advice on all seeds, and the two-fold held-out comparison, for one dataset and setting."""
    rounds, meta = res.rounds, res.meta
    metric, classes = meta["metric"], n_classes(meta)
    seeds = sorted(int(s) for s in rounds["seed"].unique())
    full = tune(rounds, seeds, metric, classes, setting)
    a, b = split_halves(seeds)
    folds = []
    for tune_on, score_on in ((a, b), (b, a)):
        t = tune(rounds, tune_on, metric, classes, setting)
        folds.append({"tuned": {k: t[k] for k in ("seeds", "strategy", "plan_labels", "criterion", "stabilizing",
                                                  "stop_at_plan")},
                      "held_out": held_out(rounds, t, score_on, metric, classes, setting)})
    pooled = {k: [r for f in folds for r in f["held_out"][k]] for k in ("recommended", "stabilizing", "fixed_plan")}
    ho = {k: per_rule_summary(v) for k, v in pooled.items()}
    rec_d = [r["dollars"] for r in pooled["recommended"]]
    sp_d = [r["dollars"] for r in pooled["stabilizing"]]
    # Same seeds and strategy for both rules in each fold: a paired comparison per run.
    ho["per_seed"] = _counts(np.asarray(rec_d), np.asarray(sp_d))
    return {"setting": setting.name, "in_sample": full, "folds": folds, "held_out": ho}


def fired_shares(res: Any) -> dict[str, dict[str, Any]]:
    """Every criterion's fired share at its literature default, per strategy (costs do not move it)."""
    meta = res.meta
    out: dict[str, dict[str, Any]] = {}
    for strategy in STRATEGIES:
        ev = evaluate_criteria(res.rounds, strategy=strategy, cost_per_label=1.0, value_per_point=1000.0,
                               metric=meta["metric"], n_classes=n_classes(meta), project=False)
        out[strategy] = {r.name: {"fired_share": r.fired_share, "applicable": r.applicable,
                                  "reason": r.reason or None, "threshold": r.threshold,
                                  "labels": None if r.labels is None else r.labels.to_dict()}
                         for r in ev.criteria}
    return out


# ------------------------------------------------------------------------------------------------ summary
def _counts(a: np.ndarray, b: np.ndarray) -> dict[str, int]:
    """How often ``a`` is lower than, tied with, or higher than ``b`` (paired, dollars)."""
    return {"lower": int(np.sum(a < b - TIE)), "tie": int(np.sum(np.abs(a - b) <= TIE)),
            "higher": int(np.sum(a > b + TIE))}


def _median(values: list[float]) -> float | None:
    return float(np.median(values)) if values else None


def summarise(datasets: dict[str, Any]) -> dict[str, Any]:
    """Across datasets: how often the held-out recommendation beats stabilizing predictions, and median regrets.

    One cell is a dataset at one setting; its figure is the median regret over its 10 held-out runs.
    """
    out: dict[str, Any] = {}
    for setting in [s.name for s in SETTINGS] + ["all"]:
        cells = [d["settings"][s] for d in datasets.values() for s in d["settings"]
                 if setting == "all" or s == setting]

        def med(rule: str, unit: str = "dollars", cs: list[dict[str, Any]] = cells) -> np.ndarray:
            return np.array([c["held_out"][rule][f"regret_{unit}"]["median"] for c in cs])

        rec, sp, fixed = med("recommended"), med("stabilizing"), med("fixed_plan")
        # Cells where both rules fired on every held-out run: no regret there is a budget stand-in.
        both = [c for c in cells if c["held_out"]["recommended"]["fired_share"] == 1
                and c["held_out"]["stabilizing"]["fired_share"] == 1]
        ins = [c["in_sample"] for c in cells]
        ins_ok = [i for i in ins if i["criterion"] and i["criterion"]["fired_share"] == 1 and i["stabilizing"]
                  and i["stabilizing"]["fired_share"] == 1]
        out[setting] = {
            "cells": len(cells),
            "recommended_vs_stabilizing": _counts(rec, sp),
            "recommended_vs_stabilizing_both_always_fired": {
                "cells": len(both), **_counts(med("recommended", cs=both), med("stabilizing", cs=both))},
            "fixed_plan_vs_recommended": _counts(fixed, rec),
            "in_sample_recommended_vs_stabilizing_both_always_fired": {
                "cells": len(ins_ok),
                **_counts(np.array([i["criterion"]["regret_dollars"]["median"] for i in ins_ok]),
                          np.array([i["stabilizing"]["regret_dollars"]["median"] for i in ins_ok]))},
            "sp_missed_a_run_cells": int(sum(c["held_out"]["stabilizing"]["fired_share"] < 1 for c in cells)),
            "rec_missed_a_run_cells": int(sum(c["held_out"]["recommended"]["fired_share"] < 1 for c in cells)),
            "median_regret_dollars": {
                "recommended": float(np.median(rec)), "stabilizing": float(np.median(sp)),
                "fixed_plan": float(np.median(fixed)),
                "recommended_in_sample": _median([i["criterion"]["regret_dollars"]["median"]
                                                  for i in ins if i["criterion"]])},
            "median_regret_percent": {
                "recommended": float(np.median(med("recommended", "percent"))),
                "stabilizing": float(np.median(med("stabilizing", "percent"))),
                "fixed_plan": float(np.median(med("fixed_plan", "percent"))),
                "recommended_in_sample": _median([i["criterion"]["regret_percent"]["median"]
                                                  for i in ins if i["criterion"]])},
            "runs_recommended_vs_stabilizing": {k: int(sum(c["held_out"]["per_seed"][k] for c in cells))
                                                for k in ("lower", "tie", "higher")},
        }
    return out


# ------------------------------------------------------------------------------------------------ report
def _money(r: dict[str, Any] | None, pct: dict[str, Any] | None = None) -> str:
    if r is None:
        return "never fired"
    s = f"${r['median']:,.0f}"
    return s if pct is None else f"{s} ({pct['median']:.2g}%)"


def _pm(dollars: float | None, percent: float | None) -> str:
    return "—" if dollars is None else f"${dollars:,.0f} ({percent:.2g}%)"


def _lth(c: dict[str, int]) -> str:
    """lower / tie / higher counts."""
    return f"{c['lower']} / {c['tie']} / {c['higher']}"


def _span(r: dict[str, Any] | None) -> str:
    return "—" if r is None else f"{r['median']:,.0f} ({r['low']:,.0f}-{r['high']:,.0f})"


def _rule(c: dict[str, Any] | None) -> str:
    return "none fired" if c is None else f"{c['name']} {c['threshold']:g}"


def _share(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def markdown(data: dict[str, Any]) -> str:
    ds, summ = data["datasets"], data["summary"]
    settings = data["settings"]
    md = [
        "# Stopping: the tuned recommendation vs stabilizing predictions alone",
        "",
        f"`{data['command']}`: {len(ds)} shipped datasets, strategies {', '.join(data['strategies'])}, logistic "
        f"regression, {data['seeds']} seeds, 20 initial labels, growth 0.2, class weighting auto, each run's "
        f"default metric. Wall time {data['seconds']:.0f} s (simulations {data['simulate_seconds']:.0f} s), load "
        f"average at start {data['load_average_at_start']}.",
        "",
        "Settings: " + "; ".join(f"**{s['name']}** ${s['cost_per_label']:g}/label, ${s['value_per_point']:,.0f}/point "
                                 f"(labeling pays while a label adds more than {s['break_even']:g} points)"
                                 for s in settings) + ".",
        "",
        "Regret: C(stop) - C(cheapest round in hindsight) per run, C(t) = cost x t - value x 100 x metric(t); % of "
        "|C(optimum)|. Ranges: median (2.5th-97.5th percentile of the runs). **Held out**: strategy and rule tuned "
        "on seeds 0-4, scored on 5-9, and the other way round (10 held-out runs); a rule that never fires on a run "
        "is charged stopping at the last simulated round. Stabilizing predictions = kappa >= 0.99 over 3 rounds.",
        "",
        "## Summary (held out)",
        "",
    ]
    rows = []
    for name, x in summ.items():
        m, p = x["median_regret_dollars"], x["median_regret_percent"]
        both = x["recommended_vs_stabilizing_both_always_fired"]
        ins = x["in_sample_recommended_vs_stabilizing_both_always_fired"]
        rows.append({
            "setting": name, "cells": x["cells"],
            "rec. vs stabilizing, held out": _lth(x["recommended_vs_stabilizing"]),
            "same, both always fired": f"{_lth(both)} of {both['cells']}",
            "in-sample, both always fired": f"{_lth(ins)} of {ins['cells']}",
            "median regret rec. held out": _pm(m["recommended"], p["recommended"]),
            "rec. in-sample": _pm(m["recommended_in_sample"], p["recommended_in_sample"]),
            "stabilizing": _pm(m["stabilizing"], p["stabilizing"]),
            "fixed plan": _pm(m["fixed_plan"], p["fixed_plan"]),
            "fixed plan vs rec.": _lth(x["fixed_plan_vs_recommended"]),
            "runs: rec. vs stabilizing": _lth(x["runs_recommended_vs_stabilizing"]),
            "cells where stabilizing / rec. missed a run": f"{x['sp_missed_a_run_cells']} / "
                                                            f"{x['rec_missed_a_run_cells']}",
        })
    md += [md_table(rows), "",
           "Counts are lower / tie / higher for the first rule named. A cell is a dataset at one setting; its figure "
           "is the median regret over its 10 held-out runs, and the regrets above are medians over the cells "
           "($ and % of |C(optimum)|). *Both always fired*: only the cells where neither rule missed a run (no "
           "budget stand-in). *In-sample*: tuned and scored on all 10 seeds, what `labelwise stop` reports. "
           "*Fixed plan*: the tuned \"labels to plan for\" held as a fixed stopping count. *Runs*: the 10 held-out "
           "runs of every cell, paired.", ""]
    for s in settings:
        name = s["name"]
        md += [f"## {name}: ${s['cost_per_label']:g} per label, ${s['value_per_point']:,.0f} per point", "",
               "In-sample (all 10 seeds, as `labelwise stop` reports):", ""]
        rows = []
        for d, v in ds.items():
            c = v["settings"][name]
            ins = c["in_sample"]
            cr, sp = ins["criterion"], ins["stabilizing"]
            rows.append({
                "dataset": d, "strategy": ins["strategy"], "plan labels": _span(ins["plan_labels"]),
                "optimum at budget": _share(ins["at_budget_share"]), "recommended rule": _rule(cr),
                "fired": _share(cr["fired_share"]) if cr else "—",
                "regret": _money(cr["regret_dollars"], cr["regret_percent"]) if cr else "—",
                "stabilizing fired": _share(sp["fired_share"]) if sp else "n/a",
                "stabilizing labels": _span(sp["labels"]) if sp else "—",
                "stabilizing regret": _money(sp["regret_dollars"], sp["regret_percent"]) if sp else "—",
            })
        md += [md_table(rows), "", "Held out (each run scored by the rule tuned on the other 5 seeds):", ""]
        rows = []
        for d, v in ds.items():
            c = v["settings"][name]
            ho, folds = c["held_out"], c["folds"]
            rec, sp, fx = ho["recommended"], ho["stabilizing"], ho["fixed_plan"]
            rows.append({
                "dataset": d,
                "rules tuned (0-4 / 5-9)": " / ".join(f"{f['tuned']['strategy']}: {_rule(f['tuned']['criterion'])}"
                                                      for f in folds),
                "rec. fired": _share(rec["fired_share"]), "rec. regret": _money(rec["regret_dollars"],
                                                                                rec["regret_percent"]),
                "stabilizing fired": _share(sp["fired_share"]),
                "stabilizing regret": _money(sp["regret_dollars"], sp["regret_percent"]),
                "fixed plan regret": _money(fx["regret_dollars"], fx["regret_percent"]),
                "runs rec. lower / tie / higher": _lth(ho["per_seed"]),
            })
        md += [md_table(rows), ""]
    md += ["## Every criterion's fired share (literature defaults, all 10 seeds; costs do not move it)", ""]
    rows = []
    for d, v in ds.items():
        for strategy, crits in v["fired_shares"].items():
            row: dict[str, Any] = {"dataset": d, "strategy": strategy}
            for cname, c in crits.items():
                if not c["applicable"]:
                    row[cname] = "n/a"
                elif not c["fired_share"]:
                    row[cname] = "never"
                else:
                    row[cname] = f"{_share(c['fired_share'])} at {c['labels']['median']:,.0f}"
            rows.append(row)
    md += [md_table(rows), "",
           "Cells: share of runs where the rule fired, and the median label count where it did; n/a: not applicable "
           "(predicted change of F is two-class only). validation_plateau needs labels and budget is the plan: "
           "neither is a candidate for the recommendation.", "",
           "## Set-up per dataset", ""]
    md += [md_table([{"dataset": d, "metric": v["metric"], "classes": v["n_classes"], "pool": v["n_pool"],
                      "budget": v["budget"], "rounds": v["rounds"], "simulate s": v["simulate_seconds"]}
                     for d, v in ds.items()])]
    return "\n".join(md)


# --------------------------------------------------------------------------------------------------- main
def run_dataset(name: str, seeds: int, n_jobs: int) -> dict[str, Any]:
    ds = Dataset.from_sample(name)
    cfg = SimulationConfig(strategies=STRATEGIES, seeds=seeds, budget=BUDGETS.get(name, 2000))
    t0 = time.perf_counter()
    res = run_simulation(ds, cfg, n_jobs=n_jobs)
    sim_s = time.perf_counter() - t0
    labels = sorted(res.rounds["labels"].unique())
    out: dict[str, Any] = {"metric": res.meta["metric"], "n_classes": n_classes(res.meta),
                           "n_pool": int(res.meta["n_pool"]), "budget": int(res.meta["budget"]),
                           "rounds": len(labels), "simulate_seconds": round(sim_s, 1),
                           "settings": {s.name: analyse(res, s) for s in SETTINGS},
                           "fired_shares": fired_shares(res)}
    out["analyse_seconds"] = round(time.perf_counter() - t0 - sim_s, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--datasets", default=",".join(SAMPLES))
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--markdown-only", action="store_true", help="rebuild the .md from the saved .json")
    args = bench_args(ap, argv)
    if args.smoke:
        # Same code path, tiny: one small dataset, 4 seeds (2 tune, 2 held out), budget 60 labels, in this process.
        BUDGETS["penguins"] = 60
        args.datasets, args.seeds, args.n_jobs = "penguins", 4, 1
    if args.markdown_only:
        print(rewrite_markdown(NAME, markdown).read_text())
        return 0
    names = [d for d in args.datasets.split(",") if d]
    unknown = [d for d in names if d not in SAMPLES]
    if unknown:
        print(f"error: unknown dataset(s) {', '.join(unknown)}; use any of {', '.join(SAMPLES)}", file=sys.stderr)
        return 2
    if args.seeds < 2:
        print("error: --seeds must be at least 2 (half tunes, half is held out)", file=sys.stderr)
        return 2
    load_start = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    datasets = {}
    for name in names:
        datasets[name] = run_dataset(name, args.seeds, args.n_jobs)
        d = datasets[name]
        print(f"{name}: simulate {d['simulate_seconds']} s, analyse {d['analyse_seconds']} s", flush=True)
    extra = " ".join(argv if argv is not None else sys.argv[1:])
    data = {"command": f".venv/bin/python benchmarks/stopping.py {extra}".rstrip(), "seeds": args.seeds,
            "strategies": list(STRATEGIES),
            "settings": [{**asdict(s), "break_even": s.break_even_points_per_label} for s in SETTINGS],
            "seconds": round(time.perf_counter() - started, 1),
            "simulate_seconds": round(sum(d["simulate_seconds"] for d in datasets.values()), 1),
            "load_average_at_start": load_start, "datasets": datasets, "summary": summarise(datasets)}
    md = markdown(data)
    paths = write_results(NAME, data, md)
    print(md)
    print(f"wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
