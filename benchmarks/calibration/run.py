"""Calibration suite: do a pilot's projected intervals hold what the full data says?

For every dataset of ``datasets.SPECS`` (real tables and texts that are not in ``data/``):

1. **Truth.** The engine on the full data (``--truth-seeds`` 20 seeds, margin + random, logistic regression, label
   budget ``--truth-budget``), and the plan built from it with the production pool = its own pool
   (``build_plan``): labels to target for margin and random, labels saved, the cost-optimal stop and the ROI, each a
   median over 20 seeds. A dataset larger than ``--max-rows`` is first subsampled (stratified, fixed seed) to that
   many rows; the subsample then *is* the full data.
2. **Pilots** of 500 and 1,000 rows and 20% of the rows (stratified, fixed seed; a pilot larger than half the data is
   skipped), each run as ``labelwise plan`` runs it: ``simulate_for_plan`` with the product's default 7 seeds, then
   ``build_plan`` with the production pool = the truth run's pool, so every figure is projected from the pilot to
   the full pool with the product's own projection (``simulations.curves.pool``).
3. **Coverage.** For each figure, whether the pilot's 95% interval (the plan's) and its 80% interval (the same
   order-statistic rule at 80% over the plan's per-seed figures, ``simulations.stats.median_interval``) hold the
   truth's median; the median absolute error of the projected labels; the ROI interval's width against the pilot
   size (what ``Plan.pilot.more_pilot_labels`` is read from).

Simulations are cached per dataset and per run (``--cache``), keyed by the settings, so an interrupted run resumes and
a change to the plan (not the simulation) is re-measured in minutes (``--evaluate-only`` uses cached runs only).

Run:  nice -n 10 .venv/bin/python benchmarks/calibration/run.py [--datasets a,b] [--n-jobs 2]
      .venv/bin/python -m benchmarks.calibration --smoke --out /tmp/cal    # scikit-learn's bundled sets, tiny
Writes benchmarks/results/calibration.{json,md}; ``simulations.trust.MEASURED`` quotes its coverage
(``tests/test_trust.py`` ties the two).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import sys
import time
import traceback
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for p in (str(ROOT), str(HERE.parent), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from _common import bench_args, is_smoke, md_table, process_tree_cpu_seconds, write_results  # noqa: E402
from crossfit import markdown as crossfit_markdown  # noqa: E402
from datasets import SPECS, Spec  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from tally import (  # noqa: E402, F401
    FIGURES,
    LABEL_FIGURES,
    LEVELS,
    PILOTS,
    misses,
    roi_width_fit,
    split_half,
    summarise,
)

from simulations import Dataset, SimulationConfig, Target, run_simulation  # noqa: E402
from simulations.plan.adaptive import simulate_for_plan  # noqa: E402
from simulations.plan.build import build_plan, label_interval  # noqa: E402
from simulations.plan.conformal import PILOT_WIDENING, widen_linear, widen_log, widen_share  # noqa: E402
from simulations.plan.inputs import PlanInputs  # noqa: E402
from simulations.plan.pilot import widen_difference  # noqa: E402
from simulations.stats import median_interval  # noqa: E402

NAME = "calibration"
STRATEGY = "margin"
#: Money: $1 a label, $100 a point of the score (the cost-optimal stop needs a value of accuracy).
COST_PER_LABEL = 1.0
VALUE_PER_POINT = 100.0
#: A pilot within this share of an earlier pilot's rows is skipped (e.g. 20% of 5,000 rows is the 1,000-row pilot).
NEAR_PILOT = 0.15
def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {"max_rows": args.max_rows, "truth_seeds": args.truth_seeds, "pilot_seeds": args.pilot_seeds,
            "truth_budget": args.truth_budget, "strategy": STRATEGY, "cost_per_label": COST_PER_LABEL,
            "value_per_point": VALUE_PER_POINT, "pilots": list(args.pilots)}


def _key(d: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:10]


def _subsample(frame: pd.DataFrame, label: str, n: int, seed: int) -> pd.DataFrame:
    """A stratified sample of ``n`` rows (classes too rare to stratify keep their share by chance)."""
    if n >= len(frame):
        return frame.reset_index(drop=True)
    y = frame[label].astype(str)
    counts = y.value_counts()
    strat = y.where(~y.isin(counts[counts < 2].index), "__rare__")
    idx, _ = train_test_split(np.arange(len(frame)), train_size=n, stratify=strat, random_state=seed)
    return frame.iloc[np.sort(idx)].reset_index(drop=True)


def _pilot_rows(pilot: str, n_rows: int) -> int:
    return round(float(pilot[:-1]) / 100 * n_rows) if pilot.endswith("%") else int(pilot)


#: Wall and CPU seconds of every simulation read or made in this run (from the cache's timing files).
TIMINGS: list[dict[str, Any]] = []


def _cached(path: Path, make: Any, *, evaluate_only: bool) -> Any:
    """``make()``'s result, pickled at ``path``; its wall and CPU seconds go to ``path.json`` and :data:`TIMINGS`."""
    timing = path.with_suffix(".json")
    if path.exists():
        t = json.loads(timing.read_text()) if timing.exists() else {"wall": None, "cpu": None}
        TIMINGS.append({"run": str(path.relative_to(path.parents[1])), **t, "cached": True})
        with path.open("rb") as f:
            return pickle.load(f)
    if evaluate_only:
        return None
    w0, c0 = time.perf_counter(), process_tree_cpu_seconds()
    obj = make()
    t = {"wall": round(time.perf_counter() - w0, 2), "cpu": round(process_tree_cpu_seconds() - c0, 2),
         "load_average": os.getloadavg()[0]}
    TIMINGS.append({"run": str(path.relative_to(path.parents[1])), **t, "cached": False})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(obj, f)
    os.replace(tmp, path)  # whole files only: an interrupted run resumes from what finished
    timing.write_text(json.dumps(t))
    return obj


def _inputs(pool: int, seconds: float) -> PlanInputs:
    return PlanInputs(cost_per_label=COST_PER_LABEL, value_per_point=VALUE_PER_POINT, production_pool=int(pool),
                      target=Target(), strategy=STRATEGY, time_cap_seconds=seconds)


def _figures(plan: Any, result: Any) -> dict[str, dict[str, Any]]:
    """The plan's figures: median, 95% interval (the plan's own) and 80% interval (the same rule at 80%), each as
    shipped and before the conformal widening (keys ending in ``b``: the plan's rule without
    ``simulations.plan.conformal``; the cross-fit in ``crossfit.py`` starts from them).

    Labels to target at 80% are widened as the plan widens them at its level (``label_interval``), then by the
    shipped 80% widening when the plan projects to a larger pool, so both levels are the product's rule.
    """
    out: dict[str, dict[str, Any]] = {}
    per_seed = plan.business.per_seed if plan.business is not None else None
    cal = plan.calibration  # None for the truth (no projection)
    before = (cal or {}).get("before", {})
    meta = getattr(result, "meta", {}) or {}
    first = float(meta.get("n_initial") or result.config.initial_labels)
    pool = plan.production_pool
    proj = (cal or {}).get("projection") or 1.0
    ests = {"labels_al": plan.labels_to_target_al, "labels_random": plan.labels_to_target_random,
            "labels_saved": plan.labels_saved, "roi": plan.money["roi"], "cost_optimum": plan.stop.cost_optimum,
            "net_savings": plan.money["net_savings"]}
    for name, col in FIGURES.items():
        e = ests[name]
        if e is None:
            out[name] = {}
            continue
        b = before.get(name) or {}
        d = {"median": e.median, "low95": e.low, "high95": e.high, "extrapolated": bool(e.extrapolated),
             "low80": None, "high80": None, "low95b": b.get("low", e.low), "high95b": b.get("high", e.high),
             "low80b": None, "high80b": None}
        if col is not None and per_seed is not None and col in per_seed:
            iv = median_interval(per_seed[col].to_numpy(dtype=float), confidence=0.8)
            d["low80b"], d["high80b"] = iv.low, iv.high
            # the interval over seeds alone (what the plan showed before it carried the projection's uncertainty)
            r95 = getattr(plan.business, col)
            if name == "roi" and b:  # a pilot's business case carries the widened ROI: the seeds' own is before it
                r95 = SimpleNamespace(low=b["low"], high=b["high"])
            d["low95s"], d["high95s"], d["low80s"], d["high80s"] = float(r95.low), float(r95.high), iv.low, iv.high
            strategy = {"labels_al": plan.strategy, "labels_random": "random"}.get(name)
            if strategy is not None and plan.fits is not None and (plan.target.projected or e.extrapolated):
                lo, hi = label_interval(result, plan.inputs, plan.target, plan.fits, strategy, level=0.8)
                d["low80b"], d["high80b"] = min(iv.low, lo), max(iv.high, hi)
                # the same with the projected score's range added (the rule the plan does not use: it counts the
                # random curve's doubt twice)
                for lvl, lv, r in (("95", plan.interval_level, r95), ("80", 0.8, iv)):
                    lo, hi = label_interval(result, plan.inputs, plan.target, plan.fits, strategy, level=lv,
                                            score_doubt=True)
                    d[f"low{lvl}f"], d[f"high{lvl}f"] = min(r.low, lo), max(r.high, hi)
            d["low80"], d["high80"] = d["low80b"], d["high80b"]
            if cal is not None and strategy is not None:
                d["low80"], d["high80"] = widen_log(d["low80b"], d["high80b"],
                                                    PILOT_WIDENING.labels(0.8, projection=proj), first=first, pool=pool)
            elif cal is not None and name == "roi":
                d["low80"], d["high80"] = widen_linear(d["low80b"], d["high80b"],
                                                       PILOT_WIDENING.roi(0.8, projection=proj))
        out[name] = d
    a, r, sv = out.get("labels_al") or {}, out.get("labels_random") or {}, out.get("labels_saved") or {}
    if sv.get("low80s") is not None and all(x.get("low80s") is not None for x in (a, r)):
        # the saving at 80% carries the label intervals' projection doubt as the plan's 95% does (widen_difference),
        # then the shipped 80% widening of the saving when the plan projects to a larger pool
        sv["low80b"], sv["high80b"] = widen_difference(
            sv["low80s"], sv["high80s"], random_seeds=(r["low80s"], r["high80s"]), random=(r["low80b"], r["high80b"]),
            al_seeds=(a["low80s"], a["high80s"]), al=(a["low80b"], a["high80b"]), pool=pool)
        sv["low80"], sv["high80"] = sv["low80b"], sv["high80b"]
        if cal is not None:
            sv["low80"], sv["high80"] = widen_share(sv["low80b"], sv["high80b"],
                                                    PILOT_WIDENING.saved(0.8, projection=proj), pool=pool)
    return out


def _pilot_fields(plan: Any) -> dict[str, Any]:
    p = getattr(plan, "pilot", None)
    return p.to_dict() if p is not None and hasattr(p, "to_dict") else {}


def _one(spec: Spec, args: argparse.Namespace, cache: Path, log: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    frame, label = spec.load()
    # rows without a label are left out (as the product does) before any sample is drawn
    frame = frame[frame[label].notna() & (frame[label].astype(str).str.strip() != "")].reset_index(drop=True)
    n_raw = len(frame)
    frame = _subsample(frame, label, args.max_rows, seed=0)
    ds = Dataset.from_frame(frame, label, name=spec.name, roles=spec.roles or None)
    n = len(ds.frame)
    settings = _settings(args)
    key = _key({**settings, "dataset": spec.name, "n": n})
    cfg = SimulationConfig(strategies=("random", STRATEGY), seeds=args.truth_seeds, budget=args.truth_budget)
    truth_res = _cached(cache / spec.name / f"truth-{key}.pkl",
                        lambda: run_simulation(ds, cfg, n_jobs=args.n_jobs), evaluate_only=args.evaluate_only)
    if truth_res is None:
        return {"dataset": spec.name, "skipped": "no cached truth run (--evaluate-only)"}
    pool = int(truth_res.meta["n_pool"])
    metric = truth_res.metric
    truth_plan = build_plan(truth_res, _inputs(pool, 1e6))
    truth = _figures(truth_plan, truth_res)
    t_truth = time.perf_counter() - t0
    log(f"  {spec.name}: truth {n:,} rows, pool {pool:,}, {metric}, margin {truth['labels_al']['median']:,.0f} / "
        f"random {truth['labels_random']['median']:,.0f} labels ({t_truth:.0f} s)")
    row: dict[str, Any] = {
        "dataset": spec.name, "kind": spec.kind, "classes": int(frame[label].astype(str).nunique()),
        "rows_raw": n_raw, "rows": n, "pool": pool, "metric": metric, "subsampled": n_raw > n,
        "truth": truth, "truth_ceiling": float(truth_plan.target.ceiling),
        "truth_target": float(truth_plan.target.score), "truth_verdict": truth_plan.verdict,
        "truth_pays_off": truth_plan.pays_off, "truth_no_signal": bool(truth_plan.no_signal), "pilots": [],
    }
    sizes: list[int] = []
    for pilot in args.pilots:
        m = _pilot_rows(pilot, n)
        if m > math.ceil(n / 2) or m < args.min_pilot:
            row["pilots"].append({"pilot": pilot, "skipped": f"{m:,} rows is more than half the data or under "
                                                              f"{args.min_pilot}"})
            continue
        near = [s for s in sizes if abs(m - s) <= NEAR_PILOT * s]
        if near:  # nearly the same rows as a pilot already run (same sampling seed): it would count that pilot twice
            row["pilots"].append({"pilot": pilot, "skipped": f"{m:,} rows is within {NEAR_PILOT:.0%} of the "
                                                              f"{near[0]:,}-row pilot"})
            continue
        sizes.append(m)
        pframe = _subsample(frame, label, m, seed=1)
        pds = Dataset.from_frame(pframe, label, name=f"{spec.name} pilot {pilot}", roles=spec.roles or None)
        pcfg = SimulationConfig(strategies=("random", STRATEGY), seeds=args.pilot_seeds, metric=metric)
        inputs = _inputs(pool, 1e6)  # no time cap: the stages must not depend on the machine's load
        t1 = time.perf_counter()
        try:
            res = _cached(cache / spec.name / f"pilot{pilot.replace('%', 'pc')}-{key}.pkl",
                          lambda pds=pds, pcfg=pcfg, inputs=inputs: _adaptive(pds, pcfg, inputs, args.n_jobs),
                          evaluate_only=args.evaluate_only)
        except Exception as exc:  # the engine failed on this pilot: reported, the other pilots still count
            row["pilots"].append({"pilot": pilot, "rows": m, "error": f"{type(exc).__name__}: {exc}"})
            log(f"    pilot {pilot:>4} ({m:,} rows): ERROR {type(exc).__name__}: {exc}")
            continue
        if res is None:
            row["pilots"].append({"pilot": pilot, "skipped": "no cached pilot run (--evaluate-only)"})
            continue
        result, determination = res
        plan = build_plan(result, inputs, determination=determination)
        figs = _figures(plan, result)
        rec: dict[str, Any] = {"pilot": pilot, "rows": m, "simulated_pool": int(result.meta["n_pool"]),
                               "simulated_labels": plan.simulated_labels, "figures": figs,
                               "first": float(result.meta.get("n_initial") or result.config.initial_labels),
                               "calibration": plan.calibration and {k: v for k, v in plan.calibration.items()
                                                                    if k != "sentence"},
                               "ceiling": {"median": plan.target.ceiling, "low": plan.target.ceiling_low,
                                           "high": plan.target.ceiling_high},
                               "verdict": plan.verdict, "pays_off": plan.pays_off, "no_signal": bool(plan.no_signal),
                               "stop_reason": determination.get("stop_reason"), "pilot_answer": _pilot_fields(plan),
                               "seconds": round(time.perf_counter() - t1, 1)}
        rec["coverage"] = {f: _covers(figs.get(f, {}), truth.get(f, {})) for f in FIGURES}
        rec["ceiling_covered"] = bool(plan.target.ceiling_low <= row["truth_ceiling"] <= plan.target.ceiling_high)
        row["pilots"].append(rec)
        c = rec["coverage"]
        log(f"    pilot {pilot:>4} ({m:,} rows): margin {figs['labels_al']['median']:,.0f} "
            f"[{figs['labels_al']['low95']:,.0f}, {figs['labels_al']['high95']:,.0f}] "
            f"{'in' if c['labels_al']['in95'] else 'OUT'}; random {figs['labels_random']['median']:,.0f} "
            f"[{figs['labels_random']['low95']:,.0f}, {figs['labels_random']['high95']:,.0f}] "
            f"{'in' if c['labels_random']['in95'] else 'OUT'} ({rec['seconds']:.0f} s)")
    row["seconds"] = round(time.perf_counter() - t0, 1)
    return row


def _adaptive(ds: Dataset, cfg: SimulationConfig, inputs: PlanInputs, n_jobs: int) -> tuple[Any, dict[str, Any]]:
    run = simulate_for_plan(ds, cfg, inputs, n_jobs=n_jobs)
    return run.result, run.to_dict()


def _covers(p: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
    """Does the pilot's interval hold the truth's median (95% and 80%)? None where either side has no figure."""
    tm = t.get("median")
    out: dict[str, Any] = {"truth": tm, "truth_extrapolated": bool(t.get("extrapolated")), "pilot": p.get("median"),
                           **{f"in{lvl}": None for lvl in LEVELS}, "abs_error": None, "rel_error": None}
    if tm is None or p.get("median") is None or not all(map(math.isfinite, (tm, p["median"]))):
        return out
    for lvl in LEVELS:
        lo, hi = p.get(f"low{lvl}"), p.get(f"high{lvl}")
        if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
            out[f"in{lvl}"] = bool(lo - 1e-9 <= tm <= hi + 1e-9)
    out["abs_error"] = abs(p["median"] - tm)
    out["rel_error"] = abs(p["median"] - tm) / abs(tm) if tm else None
    out["pilot_low_side"] = p["median"] < tm
    return out


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def markdown(data: dict[str, Any]) -> str:
    s = data["summary"]
    lt = s["labels_to_target"]
    lines = [
        "# Calibration: a pilot's projection against the full data",
        "",
        f"{s['n_datasets']} datasets (`benchmarks/calibration/README.md` lists them with sources and licences), "
        f"{s['n_pilots']} pilots projected to the full pool with `build_plan` (production pool = the full data's "
        f"pool). Truth: the engine on the full data ({data['settings']['truth_seeds']} seeds, margin + random, "
        f"label budget {data['settings']['truth_budget']:,}, data above {data['settings']['max_rows']:,} rows "
        f"subsampled to that). Pilots: {data['settings']['pilot_seeds']} seeds (the product default), run as "
        "`labelwise plan` runs them (`simulate_for_plan`). Target 95% of the full-data score; $1 a label, "
        "$100 a point.",
        "",
        "## Coverage of the pilot's intervals (does the interval hold the full data's median?)",
        "",
        "Targets: the 80% interval covers 75-85%, the 95% interval at least 92%.",
        "",
    ]
    tab = []
    for f, d in s["coverage"].items():
        a, t = d["all"], d["truth_simulated"]
        tab.append({"figure": f, "95% covers": f"{_pct(a['coverage95'])} of {a['n95']}",
                    "95% before widening": _pct(a.get("coverage95b")),
                    "95%, seeds only": f"{_pct(a.get('coverage95s'))}" if a.get("n95s") else "n/a",
                    "80% covers": f"{_pct(a['coverage80'])} of {a['n80']}" if a["n80"] else "n/a (no per-seed)",
                    "80% before widening": _pct(a.get("coverage80b")) if a["n80"] else "n/a",
                    "95%, truth not extrapolated": f"{_pct(t['coverage95'])} of {t['n95']}"})
    lines += [md_table(tab), ""]
    lines += [f"These are the shipped intervals, widened by widenings fitted on these same datasets (in-sample: the "
              f"held-out figures are in the next section). Labels to target (margin and random together): 95% "
              f"interval covers **{_pct(lt['coverage95'])}** ({lt['n95']}), 80% interval "
              f"**{_pct(lt['coverage80'])}** ({lt['n80']}); before the conformal widening "
              f"{_pct(lt.get('before_coverage95'))} and {_pct(lt.get('before_coverage80'))}. The interval over seeds "
              f"alone (what the plan showed before it carried the projection's uncertainty) covered "
              f"{_pct(lt.get('seeds_only_coverage95'))} (95%) and {_pct(lt.get('seeds_only_coverage80'))} (80%); "
              f"with the projected score's range added as well (counting random's curve twice): "
              f"{_pct(lt.get('with_score_range_coverage95'))} (95%) and "
              f"{_pct(lt.get('with_score_range_coverage80'))} (80%), but "
              f"{_pct(lt.get('with_score_range_open_share'))} of those 95% intervals ran to the whole pool. "
              f"Median absolute error of the "
              f"projected labels **{lt['median_abs_error']:,.0f}** labels ("
              f"{_pct(lt['median_rel_error'])} of the truth); the pilot's median is below the truth in "
              f"{_pct(lt['share_pilot_low'])}. The projected full-data score's 95% range held the truth's in "
              f"{_pct(s['ceiling_coverage95'])}." if lt["median_abs_error"] is not None else "No comparisons.", ""]
    if s.get("conformal"):
        lines += crossfit_markdown(s["conformal"])
    sh = s.get("split_half")
    if sh:
        lines += ["## The shipped intervals on each half of the suite's list", "",
                  "The shipped widenings were fitted on all datasets, so neither half is held out here (the section "
                  "above has the held-out figures). 'Open' = the label interval's upper end is the whole pool (it "
                  "covers by saying nothing); saved width = the labels-saved interval's median width as a share of "
                  "the pool.",
                  "",
                  "| half | pilots | labels 95% | labels 80% | open 95% | open 80% | saved 95% | saved 80% "
                  "| saved width 95% | roi 95% | roi 80% | cost optimum 95% |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, d in sh.items():
            lines.append(f"| {name.replace('_', ' ')} | {d['n_pilots']} | {_pct(d['labels_coverage95'])} | "
                         f"{_pct(d['labels_coverage80'])} | {_pct(d['labels_open_share95'])} | "
                         f"{_pct(d['labels_open_share80'])} | {_pct(d['labels_saved_coverage95'])} | "
                         f"{_pct(d['labels_saved_coverage80'])} | {_pct(d['saved_width_share95'])} | "
                         f"{_pct(d['roi_coverage95'])} | {_pct(d['roi_coverage80'])} | "
                         f"{_pct(d['cost_optimum_coverage95'])} |")
        lines += ["", "Odd positions: " + ", ".join(sh["held_out_odd"]["datasets"]) + ".", ""]
    ms = s.get("misses")
    if ms:
        lines += ["## Where the intervals miss", "",
                  "Per figure and level: misses, the side of the truth, how many of the missed truths were themselves "
                  "read off the full data's fitted curve (not reached within the truth's label budget), how many had "
                  "the pilot's projected full-data score missing the truth's, and misses per pilot size.", "",
                  md_table([{"figure": k, "missed": v["n_missed"], "truth above": v["truth_above"],
                             "truth below": v["truth_below"], "truth extrapolated": v["truth_extrapolated"],
                             "pilot score missed": v["pilot_score_missed"],
                             **{f"pilot {p}": n for p, n in v["by_pilot"].items()}} for k, v in ms.items()]), ""]
    lines += ["## By pilot size", "", md_table([{"pilot": k, **v} for k, v in s["by_pilot"].items()]), ""]
    cp = s["can_project"]
    if cp["true"]["n"] or cp["false"]["n"]:
        lines += ["## When the plan says it can project", "",
                  md_table([{"plan says can_project": k, **v} for k, v in cp.items() if k in ("true", "false")]),
                  ""]
    rw, rb, mc = s["roi_width"], s.get("roi_width_before") or {}, s.get("more_pilot_check") or {}
    if rb.get("exponent") is not None:
        lines += ["## ROI interval width against pilot size", "",
                  f"The plan's own 95% ROI interval (before the calibration's widening) went as "
                  f"**rows^{-rb['exponent']:.2f}** (median within-dataset slope over {rb['n_datasets']} datasets, "
                  f"pilots of {min(p['rows'] for p in rb['points']):,} to {max(p['rows'] for p in rb['points']):,} "
                  "rows); `simulations.trust.MEASURED.roi_width_exponent` quotes it. The shipped interval adds the "
                  "calibration's widening at the pilot's projection"
                  + (f"; as shipped, its width went as rows^{-rw['exponent']:.2f}." if rw.get("exponent") is not None
                     else "."),
                  "",
                  "`Plan.pilot.more_pilot_labels` reads both: a pilot k times as large has the plan's own part "
                  "narrowed by k^-b and the widening of its shorter projection. **Backtest**: from each dataset's "
                  "smallest widened pilot, the predicted width of the plan's own 95% ROI interval (the part the "
                  "estimate guesses; the widening's part is a formula of the projection) at its larger pilots "
                  f"was a median **{_ratio(mc.get('median_ratio'))}** of the width they had (quartiles "
                  + ("-".join(_ratio(x) for x in mc["ratio_quartiles"]) if mc.get("ratio_quartiles") else "n/a")
                  + f"; {_pct(mc.get('share_within_2x'))} within a factor of 2; {mc.get('n', 0)} comparisons); with "
                  f"the widening added, the shipped width was predicted a median "
                  f"{_ratio(mc.get('median_ratio_shipped'))} of the width found. "
                  f"Of the {mc.get('n_undecided', 0)} smallest pilots whose ROI interval spanned zero, "
                  f"{mc.get('n_estimated', 0)} got an estimate; {mc.get('n_checked', 0)} of those named a size the "
                  f"suite has, and there {mc.get('n_checked_decided', 0)} were decided "
                  f"({mc.get('n_checked_right', 0)} rightly, by the full data's ROI).", ""]
    ns = s.get("no_signal_check") or {}
    if ns.get("n_pilots"):
        lines += ["## A pilot whose model learns nothing", "",
                  f"{ns['n_pilots']} pilots ({ns['n_datasets']} datasets: {', '.join(ns['pilots'])}) had a model no "
                  f"better than the majority class on their whole pool ('no signal'); the full data's model learned "
                  f"from {ns['n_full_data_signal']} of them (the full data's ROI, meaningless where it has no "
                  f"signal either, was positive for {ns['n_full_data_roi_positive']}). So a pilot's 'no signal' "
                  "leaves 'pays off' undecided (a plan on the production pool itself still says it does not pay).",
                  ""]
    lines += ["## Per dataset and pilot", ""]
    per = []
    for r in data["rows"]:
        if "pilots" not in r:
            per.append({"dataset": r["dataset"], "pilot": "-", "note": r.get("error") or r.get("skipped", "")})
            continue
        t = r["truth"]
        for p in r["pilots"]:
            if "figures" not in p:
                if "error" in p:
                    per.append({"dataset": r["dataset"], "rows": r["rows"], "pilot": p["pilot"],
                                "margin: pilot [95%]": f"engine error: {p['error']}"})
                continue
            f = p["figures"]
            per.append({
                "dataset": r["dataset"], "rows": r["rows"], "pilot": p["pilot"],
                "margin: pilot [95%]": _iv(f["labels_al"]), "truth": _n(t["labels_al"].get("median")),
                "random: pilot [95%]": _iv(f["labels_random"]), "truth ": _n(t["labels_random"].get("median")),
                "can project": p.get("pilot_answer", {}).get("can_project", ""),
            })
    lines += [md_table(per), ""]
    skipped = [f"{r['dataset']} {p['pilot']}: {p.get('error') or p.get('skipped')}" for r in data["rows"]
               for p in r.get("pilots", []) if "figures" not in p]
    if skipped:
        lines += ["Pilots not compared: " + "; ".join(skipped) + ".", ""]
    st = data.get("simulation_time") or {}
    lines += [f"Time: {data['seconds'] / 60:.1f} min wall for this run ({data.get('cached_share', 0):.0%} of the "
              f"simulations read from the cache). The simulations took {st.get('wall_seconds', 0) / 60:.1f} min wall "
              f"and {st.get('cpu_seconds', 0) / 60:.1f} min CPU when they ran ({st.get('runs_timed', 0)} runs timed, "
              f"{st.get('runs_untimed', 0)} untimed), at the load averages recorded in the JSON."]
    return "\n".join(lines)


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def _n(x: Any) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:,.0f}"


def _iv(d: dict[str, Any]) -> str:
    if not d:
        return "n/a"
    return f"{_n(d['median'])} [{_n(d['low95'])}, {_n(d['high95'])}]" + (" x" if d.get("extrapolated") else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", help="comma-separated names (default: all but the smoke sets)")
    ap.add_argument("--truth-seeds", type=int, default=20)
    ap.add_argument("--pilot-seeds", type=int, default=7)
    ap.add_argument("--truth-budget", type=int, default=2000)
    ap.add_argument("--max-rows", type=int, default=8000)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder of cached simulations (default: benchmarks/calibration/cache; smoke: under --out)")
    ap.add_argument("--evaluate-only", action="store_true",
                    help="build plans from cached simulations only (after a change to the plan, not the engine)")
    args = bench_args(ap, argv)
    args.pilots, args.min_pilot = PILOTS, 100
    if is_smoke():
        args.truth_seeds, args.pilot_seeds, args.truth_budget, args.max_rows = 2, 2, 60, 400
        args.pilots, args.min_pilot = ("50", "40%"), 30
        names = [s.name for s in SPECS if s.smoke]
        cache = args.cache or args.out / "cache"
    else:
        names = [s.name for s in SPECS if not s.smoke]
        cache = args.cache or HERE / "cache"
    if args.datasets:
        names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    specs = {s.name: s for s in SPECS}
    unknown = [n for n in names if n not in specs]
    if unknown:
        sys.exit(f"error: unknown dataset(s) {', '.join(unknown)}; known: {', '.join(specs)}")
    before = len(list(cache.rglob("*.pkl"))) if cache.exists() else 0
    t0 = time.perf_counter()
    rows = []
    for name in names:
        print(f"[{time.strftime('%H:%M:%S')}] {name}", flush=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows.append(_one(specs[name], args, cache, lambda s: print(s, flush=True)))
        except Exception as exc:  # one dataset's failure is reported, not the end of the suite
            traceback.print_exc()
            rows.append({"dataset": name, "error": f"{type(exc).__name__}: {exc}"})
    after = len(list(cache.rglob("*.pkl")))
    total = max(after, 1)
    timed = [t for t in TIMINGS if t["wall"] is not None]
    data = {"settings": _settings(args), "rows": rows, "summary": summarise(rows, tuple(args.pilots)),
            "seconds": time.perf_counter() - t0, "cached_share": min(1.0, before / total),
            "simulation_time": {"wall_seconds": sum(t["wall"] for t in timed),
                                "cpu_seconds": sum(t["cpu"] for t in timed), "runs_timed": len(timed),
                                "runs_untimed": len(TIMINGS) - len(timed), "runs": TIMINGS},
            "datasets": [{"name": specs[n].name, "source": specs[n].source, "licence": specs[n].licence,
                          "kind": specs[n].kind, "label": specs[n].label} for n in names]}
    write_results(NAME, data, markdown(data))
    print(markdown(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
