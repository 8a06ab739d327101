"""The sweep's tidy results table and its cross-dataset summary (pure functions on DataFrames).

The table has one row per dataset x model x schedule x strategy x seed x round: the per-round columns of
``SimulationResult.rounds`` (docs/engine-contract.md) plus where the row belongs (``dataset``, ``model``,
``schedule``), the seed's whole-pool reference (``ceiling_<metric>``, ``baseline_<metric>``) and the
dataset's default ``metric``, so a table alone is enough to summarize (no other file is needed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulations.config import SimulationConfig
from simulations.errors import ResultsFileError
from simulations.loop import METRICS
from simulations.results import TIMING_COLUMNS, SimulationResult, decode_frame
from simulations.summary import Interval, Target, summarize
from simulations.sweep.tasks import SweepTask

GROUP = ["dataset", "model", "schedule"]
#: Columns that identify a row of the table.
KEY_COLUMNS = [*GROUP, "strategy", "seed", "round"]
CEILING_COLUMNS = [f"ceiling_{m}" for m in METRICS] + [f"baseline_{m}" for m in METRICS]
CONTEXT_COLUMNS = ["metric", "budget", "n_initial", "n_pool"]


def build_table(tasks: list[SweepTask], payloads: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Assemble the tidy table from finished task payloads (keyed by task key), in the sweep's grid order.

    Rows come out in a fixed order (dataset, model, schedule and strategy in config order, then seed,
    round) whatever order the tasks finished in, so equal results give equal tables.
    """
    ceilings = {}
    frames = []
    for t in tasks:
        p = payloads[t.key]
        if t.is_ceiling:
            c = p["ceiling"]
            ceilings[(t.dataset.name, t.model, t.seed)] = {
                **{f"ceiling_{m}": c[m] for m in METRICS}, **{f"baseline_{m}": c[f"baseline_{m}"] for m in METRICS}}
            continue
        rounds = decode_frame(p["rounds"])
        rounds.insert(0, "schedule", t.schedule.name)
        rounds.insert(0, "model", t.model)
        rounds.insert(0, "dataset", t.dataset.name)
        m = p["meta"]
        rounds["metric"] = m["metric"]
        rounds["budget"] = int(m["budget"])
        rounds["n_initial"] = int(m["n_initial"])
        rounds["n_pool"] = int(m["n_pool"])
        frames.append(rounds)
    if not frames:
        raise ResultsFileError("The sweep has no finished strategy tasks.", hint="Run it (again) with --resume.")
    table = pd.concat(frames, ignore_index=True)
    ceil = pd.DataFrame([{"dataset": d, "model": mo, "seed": s, **v} for (d, mo, s), v in ceilings.items()])
    table = table.merge(ceil, on=["dataset", "model", "seed"], how="left", validate="many_to_one")
    order: dict[str, dict[Any, int]] = {c: {} for c in ("dataset", "model", "schedule", "strategy")}
    for t in tasks:
        for col, value in (("dataset", t.dataset.name), ("model", t.model),
                           ("schedule", None if t.schedule is None else t.schedule.name), ("strategy", t.strategy)):
            if value is not None:
                order[col].setdefault(value, len(order[col]))
    keys = pd.DataFrame({c: table[c].map(order[c]) for c in order})
    keys["seed"], keys["round"] = table["seed"], table["round"]
    idx = keys.sort_values(list(keys.columns), kind="stable").index
    table = table.loc[idx].reset_index(drop=True)
    rest = [c for c in table.columns if c not in KEY_COLUMNS + CEILING_COLUMNS + CONTEXT_COLUMNS]
    return table[KEY_COLUMNS + rest + CEILING_COLUMNS + CONTEXT_COLUMNS]


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Save the table as CSV (floats written with full precision, so reading it back is exact)."""
    from simulations.sweep.store import atomic_write_text

    path = Path(path)
    atomic_write_text(path, table.to_csv(index=False, float_format=None))
    return path


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a sweep's ``results.csv`` (what the dashboard loads)."""
    path = Path(path)
    if not path.exists():
        raise ResultsFileError(f"No sweep results table at {path}.",
                               hint="Pass the results.csv written by 'labelwise sweep'.")
    hint = "Pass the results.csv written by 'labelwise sweep'."
    try:
        table = pd.read_csv(path, dtype={c: str for c in [*GROUP, "strategy", "metric"]})
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ResultsFileError(f"Cannot read {path} ({exc}).", hint=hint) from exc
    missing = [c for c in KEY_COLUMNS + CEILING_COLUMNS + ["labels", "metric"] if c not in table.columns]
    if missing:
        raise ResultsFileError(f"{path} is not a sweep results table (missing {', '.join(missing)}).",
                               hint="Pass the results.csv written by 'labelwise sweep'.")
    return table


def group_result(group: pd.DataFrame) -> SimulationResult:
    """One dataset x model x schedule cell of the table as a ``SimulationResult`` (for ``summarize`` and the
    dashboard's single-run views)."""
    strategies = tuple(dict.fromkeys(group["strategy"]))
    round_cols = [c for c in group.columns if c not in GROUP + CEILING_COLUMNS + CONTEXT_COLUMNS]
    rounds = group[round_cols].reset_index(drop=True)
    ceilings = (group.drop_duplicates("seed")[["seed", *CEILING_COLUMNS]]
                .rename(columns={f"ceiling_{m}": m for m in METRICS}).sort_values("seed").reset_index(drop=True))
    first = group.iloc[0]
    meta = {"dataset_name": str(first["dataset"]), "model": str(first["model"]), "schedule": str(first["schedule"]),
            "metric": str(first["metric"]), "budget": int(first["budget"]) if "budget" in group else None,
            "n_initial": int(first["n_initial"]) if "n_initial" in group else None,
            "metric_reason": ""}
    if meta["budget"] is None:
        meta["budget"] = int(group["labels"].max())
    config = SimulationConfig(strategies=strategies, model=str(first["model"]), seeds=int(group["seed"].nunique()))
    return SimulationResult(rounds=rounds, ceilings=ceilings, config=config, meta=meta)


def _iv(prefix: str, iv: Interval | None) -> dict[str, Any]:
    if iv is None:
        return {prefix: np.nan, f"{prefix}_low": np.nan, f"{prefix}_high": np.nan}
    return {prefix: iv.median, f"{prefix}_low": iv.low, f"{prefix}_high": iv.high}


def sweep_summary(table: pd.DataFrame, target: Target | None = None, metric: str | None = None) -> pd.DataFrame:
    """Which strategy wins where: ``summarize`` per dataset x model x schedule, one row per strategy.

    Parameters
    ----------
    table : DataFrame
        A sweep's results table (:func:`read_table` / ``SweepResult.table``).
    target : Target, optional
        Default: 95% of the full-data score.
    metric : str, optional
        Default: each dataset's own metric (balanced accuracy on imbalanced data, else accuracy).

    Returns
    -------
    DataFrame, one row per dataset x model x schedule x strategy, in table order, with columns
    ``dataset, model, schedule, strategy, metric, n_seeds, budget, ceiling``,
    ``labels_to_target[_low, _high]``, ``labels_censored``, ``savings[_low, _high]`` (fraction of
    random's labels saved, median over seeds with 95% bootstrap interval; NaN for random and when
    undefined), ``savings_bound`` ("lower"/"upper" when the median is only a bound), ``auc_gain[_low, _high]``,
    ``final``, ``verdict`` ("beats random", "no evidence", "worse than random"; "reference" for random),
    ``p_worse_than_random``, ``best`` (the cell's strongest strategy) and ``wins`` (best and beats random).
    """
    target = target or Target()
    rows = []
    for (d, m, s), g in table.groupby(GROUP, sort=False):
        summary = summarize(group_result(g), target, metric)
        best = summary.best()
        for name, st in summary.strategies.items():
            sv = st.savings_vs_random
            rows.append({
                "dataset": d, "model": m, "schedule": s, "strategy": name, "metric": summary.metric,
                "n_seeds": st.n_seeds, "budget": summary.budget, "ceiling": summary.ceiling.median,
                **_iv("labels_to_target", st.labels_to_target), "labels_censored": st.labels_to_target.censored,
                **_iv("savings", sv), "savings_bound": (sv.bound if sv is not None else None) or "",
                **_iv("auc_gain", st.auc_gain_vs_random), "final": st.final.median,
                "verdict": st.verdict, "p_worse_than_random": st.p_worse_than_random,
                "best": best is not None and name == best.name,
                "wins": best is not None and name == best.name and st.verdict == "beats random",
            })
    out = pd.DataFrame(rows)
    out["p_worse_than_random"] = out["p_worse_than_random"].astype(float)
    return out


def sweep_overview(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset x model x schedule: the best strategy, its savings (or, when labels cannot tell, its
    gain in area under the learning curve) and verdict, and how many strategies beat random."""
    rows = []
    for (d, m, s), g in summary.groupby(GROUP, sort=False):
        best = g[g["best"]]
        b = best.iloc[0] if len(best) else None
        rows.append({
            "dataset": d, "model": m, "schedule": s, "metric": g["metric"].iloc[0],
            "best_strategy": None if b is None else b["strategy"],
            "verdict": None if b is None else b["verdict"],
            "savings": np.nan if b is None else b["savings"],
            "savings_low": np.nan if b is None else b["savings_low"],
            "savings_high": np.nan if b is None else b["savings_high"],
            "savings_bound": "" if b is None else b["savings_bound"],
            "auc_gain": np.nan if b is None else b["auc_gain"],
            "n_beating_random": int((g["verdict"] == "beats random").sum()),
            "n_strategies": int((g["strategy"] != "random").sum()),
        })
    return pd.DataFrame(rows)


def drop_timing(table: pd.DataFrame) -> pd.DataFrame:
    """The table without wall-time columns (what reproducibility checks compare)."""
    return table.drop(columns=[c for c in TIMING_COLUMNS if c in table.columns])
