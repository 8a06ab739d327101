"""The sweep's tidy results table and its cross-dataset summary (pure functions on DataFrames).

The table has one row per dataset x model x schedule x strategy x seed x round: the per-round columns of
``SimulationResult.rounds`` (docs/engine-contract.md) plus where the row belongs (``dataset``, ``model``,
``schedule``), the seed's whole-pool reference (``ceiling_<metric>``, ``baseline_<metric>``), the
dataset's default ``metric`` and its ``classes`` (a JSON list, the order of the ``cm_<i>_<j>`` confusion counts),
so a table alone is enough to summarize (no other file is needed), in money too (error costs).

:func:`read_table` and :func:`read_sweep_settings` read what a sweep saved (``results.csv``, ``sweep.json``)
from a path, bytes or a binary file, and check it: a file a user can get wrong (another Labelwise file, an
edited table, an unfinished sweep) is a :class:`~simulations.errors.ResultsFileError` with a message and a
hint, for ``labelwise`` and the dashboard alike.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from simulations.config import METRICS, SimulationConfig
from simulations.economics.value_model import COST_SCORE
from simulations.errors import ConfigError, ResultsFileError
from simulations.results import TIMING_COLUMNS, SimulationResult, decode_frame
from simulations.summary import METRIC_NAMES, Interval, Target, summarize
from simulations.sweep.config import parse_target
from simulations.sweep.error_costs import SweepErrorCosts, cell_in_error_cost, end_error_cost
from simulations.sweep.store import MANIFEST_FORMAT, MANIFEST_NAME, RESULTS_NAME, atomic_write_text
from simulations.sweep.tasks import SweepTask

GROUP = ["dataset", "model", "schedule"]
#: Columns that identify a row of the table.
KEY_COLUMNS = [*GROUP, "strategy", "seed", "round"]
CEILING_COLUMNS = [f"ceiling_{m}" for m in METRICS] + [f"baseline_{m}" for m in METRICS]
#: ``classes``: the dataset's class names as a JSON list (tables saved before it lack it; error costs need it).
CONTEXT_COLUMNS = ["metric", "budget", "n_initial", "n_pool", "classes"]
#: Columns the summary computes with: text or nothing there is an edited table, not a sweep's.
NUMERIC_COLUMNS = ["seed", "round", "labels", *METRICS]
#: Columns a results table must have to be summarized.
REQUIRED_COLUMNS = list(dict.fromkeys(KEY_COLUMNS + NUMERIC_COLUMNS + CEILING_COLUMNS + ["metric"]))
TABLE_HINT = f"Pass the {RESULTS_NAME} that 'labelwise sweep' writes in its output folder."
#: What :func:`read_table` and :func:`read_sweep_settings` read: a path, the file's bytes or a binary file.
Source = str | os.PathLike[str] | bytes | IO[bytes]


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
                **{f"ceiling_{m}": c[m] for m in METRICS}, **{f"baseline_{m}": c[f"baseline_{m}"] for m in METRICS},
                # the test-set confusion counts of the ceiling and the baseline (error costs read them)
                **{f"ceiling_{k}" if k.startswith("cm_") else k: v for k, v in c.items() if _is_cm(k)}}
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
        rounds["classes"] = json.dumps([str(c) for c in m["classes"]]) if "classes" in m else None
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
    ceiling_cm = [c for c in table.columns if c.startswith(("ceiling_cm_", "baseline_cm_"))]
    rest = [c for c in table.columns if c not in KEY_COLUMNS + CEILING_COLUMNS + CONTEXT_COLUMNS + ceiling_cm]
    return table[KEY_COLUMNS + rest + CEILING_COLUMNS + ceiling_cm + CONTEXT_COLUMNS]


def _is_cm(name: str) -> bool:
    """A confusion-count column of a round (``cm_<i>_<j>``) or of a ceiling's baseline (``baseline_cm_<i>_<j>``)."""
    return name.startswith(("cm_", "baseline_cm_"))


def _counts_as_ints(frame: pd.DataFrame) -> pd.DataFrame:
    """One cell's confusion counts as the run wrote them: a class the cell's data lacks (all empty: the table
    holds datasets with more classes) is dropped, the rest are whole numbers again."""
    cm = [c for c in frame.columns if _is_cm(c)]
    empty = [c for c in cm if frame[c].isna().all()]
    frame = frame.drop(columns=empty)
    full = [c for c in cm if c not in empty and frame[c].notna().all()]
    return frame.astype(dict.fromkeys(full, "int64"))


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Save the table as CSV (floats written with full precision, so reading it back is exact)."""
    path = Path(path)
    atomic_write_text(path, table.to_csv(index=False, float_format=None))
    return path


def _open(source: Source, name: str | None, what: str) -> tuple[Path | IO[bytes], str]:
    """What pandas or json can read from ``source``, and the name messages use (``name``, else the path)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source)), name or what
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ResultsFileError(f"No {what} at {path}.",
                                   hint=f"Pass the {what} written by 'labelwise sweep' (in its output folder).")
        return path, name or str(path)
    if hasattr(source, "read"):
        return source, name or str(getattr(source, "name", "") or what)
    raise ResultsFileError(f"Cannot read a {what} from a {type(source).__name__}.",
                           hint="Pass a path, the file's bytes or a binary file object.")


def _other_labelwise_file(name: str, columns: pd.Index) -> ResultsFileError | None:
    """A precise message when the header is that of another file Labelwise writes (else None)."""
    cols = set(columns)
    if {"savings", "verdict", "strategy"} <= cols:
        return ResultsFileError(f"{name} is the sweep's summary, not its results table.",
                                hint=f"Pass {RESULTS_NAME} from the same folder: the summary is recomputed from "
                                     "it for the target you choose.")
    if {"labels", "metric"} <= cols and "dataset" not in cols:
        return ResultsFileError(f"{name} looks like a single learning curve, not a sweep's results.",
                                hint=f"{TABLE_HINT} A curve log is read by 'labelwise stop --curve' and the "
                                     "dashboard's Stopping page.")
    return None


def read_table(source: Source, name: str | None = None) -> pd.DataFrame:
    """Read and check a sweep's ``results.csv``.

    Parameters
    ----------
    source : path, bytes or binary file
        The file (a ``str`` is a path), e.g. the bytes of an upload.
    name : str, optional
        How messages name the file (default: the path, else "results.csv").

    Returns
    -------
    DataFrame
        The table as ``write_table`` saved it (names and metric as text), checked by :func:`validate_table`.

    Raises
    ------
    ResultsFileError
        No such file, an empty or unparsable file, another Labelwise file (the sweep's summary, a curve log),
        missing columns, or any problem :func:`validate_table` finds.
    """
    handle, name = _open(source, name, RESULTS_NAME)
    try:
        table = pd.read_csv(handle, dtype={c: str for c in [*GROUP, "strategy", "metric", "classes"]})
    except pd.errors.EmptyDataError as exc:  # no header at all (pandas: "No columns to parse")
        raise ResultsFileError(f"{name} is empty.", hint=TABLE_HINT) from exc
    except (OSError, ValueError, pd.errors.ParserError) as exc:  # UnicodeDecodeError is a ValueError
        raise ResultsFileError(f"Cannot read {name} ({exc}).", hint=TABLE_HINT) from exc
    other = _other_labelwise_file(name, table.columns)  # a results table matches neither header
    if other is not None:
        raise other
    return validate_table(table, name)


def validate_table(table: pd.DataFrame, name: str = "the table") -> pd.DataFrame:
    """Check what the summary needs of a results table, so a broken one is a message instead of a traceback.

    Parameters
    ----------
    table : DataFrame
        A results table, e.g. ``SweepResult.table`` or one built by hand.
    name : str
        How messages name the table.

    Returns
    -------
    DataFrame
        ``table`` itself, unchanged.

    Raises
    ------
    ResultsFileError
        Missing columns; no rows; text or nothing where seeds, rounds, labels or scores belong; an unknown metric; a
        dataset x model x schedule cell without random-sampling runs (every saving is measured against random).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise ResultsFileError(f"{name} is not a sweep results table (missing {', '.join(missing)}).",
                               hint=TABLE_HINT)
    if table.empty:
        raise ResultsFileError(f"{name} has the sweep's columns but no rows.",
                               hint="The sweep wrote no results: run it again (with --resume to keep finished "
                                    f"tasks), then load the new {RESULTS_NAME}.")
    for col in NUMERIC_COLUMNS:
        if not pd.api.types.is_numeric_dtype(table[col]) or table[col].isna().all():
            raise ResultsFileError(f"The column '{col}' of {name} holds text or nothing where numbers belong.",
                                   hint=f"{TABLE_HINT} An edited or re-saved table can change the numbers.")
    for col in ("budget", "n_initial"):  # optional context; a cell reads them as whole numbers
        if col in table.columns and (not pd.api.types.is_numeric_dtype(table[col]) or table[col].isna().any()):
            raise ResultsFileError(f"The column '{col}' of {name} holds text or gaps where whole numbers belong.",
                                   hint=f"{TABLE_HINT} An edited or re-saved table can change the numbers.")
    if table[["seed", "round", "labels"]].isna().any().any():
        raise ResultsFileError(f"Some rows of {name} have no seed, round or label count.", hint=TABLE_HINT)
    bad = sorted(set(table["metric"].dropna()) - set(METRICS))
    if bad or table["metric"].isna().any():
        raise ResultsFileError(f"{name} names an unknown metric ({', '.join(map(str, bad)) or 'empty'}).",
                               hint=f"The metric column holds one of: {', '.join(METRICS)}.")
    for key, g in table.groupby(GROUP, sort=False):
        if "random" not in set(g["strategy"]):
            raise ResultsFileError(f"The cell {' / '.join(map(str, key))} of {name} has no random-sampling runs, "
                                   "and every saving is measured against random.",
                                   hint=f"Load the whole {RESULTS_NAME} of the sweep (random is always part of it).")
    return table


@dataclass(frozen=True)
class SweepSettings:
    """The summary settings a sweep was run with, from its ``sweep.json``.

    Attributes
    ----------
    target : Target
        The summary's target (``labelwise sweep --target-*`` or the sweep file's ``target``).
    metric : str or None
        The summary's metric; ``None``: each dataset's own.
    error_costs : SweepErrorCosts or None
        What an error costs (the summary is then in the error-cost score); None for a sweep without (or saved
        before sweeps priced errors).
    """

    target: Target
    metric: str | None = None
    error_costs: SweepErrorCosts | None = None


def read_sweep_settings(source: Source, name: str | None = None) -> SweepSettings:
    """Read the summary target and metric from a sweep's ``sweep.json``.

    Parameters
    ----------
    source : path, bytes or binary file
        The file (a ``str`` is a path).
    name : str, optional
        How messages name the file (default: the path, else "sweep.json").

    Returns
    -------
    SweepSettings

    Raises
    ------
    ResultsFileError
        No such file, not JSON, not a sweep's ``sweep.json``, an unreadable target, an unknown metric or
        unreadable error costs.
    """
    handle, name = _open(source, name, MANIFEST_NAME)
    hint = (f"Pass the {MANIFEST_NAME} from the sweep's output folder, or leave it out (the target is then 95% "
            "of the full-data score).")
    try:
        d = json.loads(handle.read_bytes() if isinstance(handle, Path) else handle.read())
    except OSError as exc:
        raise ResultsFileError(f"Cannot read {name} ({exc.strerror or exc}).", hint=hint) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError(f"{name} is not valid JSON ({exc}).", hint=hint) from exc
    if not isinstance(d, dict) or d.get("format") != MANIFEST_FORMAT:
        raise ResultsFileError(f"{name} is not a sweep's {MANIFEST_NAME}.", hint=hint)
    config = d.get("config")
    if not isinstance(config, dict):
        raise ResultsFileError(f"{name} holds no sweep config.", hint=hint)
    raw = config.get("target")
    try:
        target = parse_target(raw)
    except (TypeError, ValueError, ConfigError) as exc:
        raise ResultsFileError(f"{name} has an unreadable target ({raw!r}).", hint=hint) from exc
    metric = config.get("metric")
    if metric is not None and (not isinstance(metric, str) or metric not in METRIC_NAMES):
        raise ResultsFileError(f"{name} names an unknown metric '{metric}'.", hint=hint)
    costs = config.get("error_costs")
    try:
        error_costs = None if costs is None else SweepErrorCosts.from_dict(costs)
    except (AttributeError, KeyError, TypeError, ValueError, ConfigError) as exc:
        raise ResultsFileError(f"{name} has unreadable error costs ({exc}).", hint=hint) from exc
    return SweepSettings(target=target, metric=metric, error_costs=error_costs)


def group_result(group: pd.DataFrame) -> SimulationResult:
    """One dataset x model x schedule cell of the table as a ``SimulationResult`` (for ``summarize`` and the
    dashboard's single-run views)."""
    strategies = tuple(dict.fromkeys(group["strategy"]))
    ceiling_cm = [c for c in group.columns if c.startswith(("ceiling_cm_", "baseline_cm_"))]
    round_cols = [c for c in group.columns if c not in GROUP + CEILING_COLUMNS + CONTEXT_COLUMNS + ceiling_cm]
    classes = first_classes(group)
    rounds = _counts_as_ints(group[round_cols].reset_index(drop=True))
    ceilings = _counts_as_ints(
        group.drop_duplicates("seed")[["seed", *CEILING_COLUMNS, *ceiling_cm]]
        .rename(columns={**{f"ceiling_{m}": m for m in METRICS},
                         **{c: c.removeprefix("ceiling_") for c in ceiling_cm if c.startswith("ceiling_")}})
        .sort_values("seed").reset_index(drop=True))
    first = group.iloc[0]
    meta = {"dataset_name": str(first["dataset"]), "model": str(first["model"]), "schedule": str(first["schedule"]),
            "metric": str(first["metric"]),
            "budget": int(first["budget"]) if "budget" in group else int(group["labels"].max()),
            "n_initial": int(first["n_initial"]) if "n_initial" in group else None,
            "metric_reason": ""}
    if classes is not None:
        meta["classes"] = classes
    config = SimulationConfig(strategies=strategies, model=str(first["model"]), seeds=int(group["seed"].nunique()))
    return SimulationResult(rounds=rounds, ceilings=ceilings, config=config, meta=meta)


def first_classes(group: pd.DataFrame) -> list[str] | None:
    """The class names a cell's rows carry (None for a table saved before they were recorded).

    Raises
    ------
    ResultsFileError
        The column holds something other than a JSON list of names (an edited table).
    """
    if "classes" not in group.columns or group["classes"].isna().all():
        return None
    raw = group["classes"].dropna().iloc[0]
    try:
        names = json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        names = None
    if not isinstance(names, list) or len(names) < 2:
        raise ResultsFileError(f"The classes column holds {raw!r}, not a list of class names.",
                               hint=f"{TABLE_HINT} An edited or re-saved table can change the columns.")
    return [str(c) for c in names]


def cell_result(table: pd.DataFrame, dataset: str, model: str, schedule: str,
                error_costs: SweepErrorCosts | None = None) -> SimulationResult:
    """The runs of one dataset x model x schedule cell of a checked table, as :func:`group_result` gives them;
    with ``error_costs``, in the error-cost score (as :func:`sweep_summary` judges the cell).

    Raises
    ------
    ResultsFileError
        The table has no runs for that cell (or, with error costs, no class names or confusion counts).
    PlanInputError
        The error costs do not fit the cell's classes.
    """
    g = table[(table["dataset"] == dataset) & (table["model"] == model) & (table["schedule"] == schedule)]
    if g.empty:
        raise ResultsFileError(f"The sweep has no runs for {dataset} / {model} / {schedule}.",
                               hint="Pick a dataset, model and schedule the sweep ran.")
    result = group_result(g)
    return result if error_costs is None else cell_in_error_cost(result, error_costs)


def _per_1000(prefix: str, e: dict[str, float]) -> dict[str, float]:
    return {prefix: e["median"], f"{prefix}_low": e["low"], f"{prefix}_high": e["high"]}


def _iv(prefix: str, iv: Interval | None) -> dict[str, Any]:
    if iv is None:
        return {prefix: np.nan, f"{prefix}_low": np.nan, f"{prefix}_high": np.nan}
    return {prefix: iv.median, f"{prefix}_low": iv.low, f"{prefix}_high": iv.high}


def sweep_summary(table: pd.DataFrame, target: Target | None = None, metric: str | None = None,
                  error_costs: SweepErrorCosts | None = None) -> pd.DataFrame:
    """Which strategy wins where: ``summarize`` per dataset x model x schedule, one row per strategy.

    Parameters
    ----------
    table : DataFrame
        A sweep's results table (:func:`read_table` / ``SweepResult.table``).
    target : Target, optional
        Default: 95% of the full-data score.
    metric : str, optional
        Default: each dataset's own metric (balanced accuracy on imbalanced data, else accuracy).
    error_costs : SweepErrorCosts, optional
        Judge every cell in money: its results in the error-cost score (``with_cost_score``, the metric is then
        ``error_cost_score`` and ``target`` is in that score), and each strategy's expected error cost per 1,000
        predictions at the end of the budget in ``error_cost_per_1000[_low, _high]`` (median over seeds, 95%
        interval). ``metric`` must then be None (or ``error_cost_score``).

    Returns
    -------
    DataFrame, one row per dataset x model x schedule x strategy, in table order, with columns
    ``dataset, model, schedule, strategy, metric, n_seeds, budget, ceiling``,
    ``labels_to_target[_low, _high]``, ``labels_censored``, ``savings[_low, _high]`` (fraction of
    random's labels saved, median over seeds with 95% bootstrap interval; NaN for random and when
    undefined), ``savings_bound`` ("lower"/"upper" when the median is only a bound), ``auc_gain[_low, _high]``,
    ``final``, ``verdict`` ("beats random", "no evidence", "worse than random"; "reference" for random),
    ``p_worse_than_random``, ``best`` (the cell's strongest strategy), ``wins`` (best and beats random) and
    ``no_signal`` (the cell's whole-pool model is no better than the majority-class baseline, the summary's
    :func:`~simulations.summary.is_no_signal`: the features do not predict the label, no strategy can help).

    Raises
    ------
    ConfigError
        Error costs with another metric.
    ResultsFileError, PlanInputError
        With error costs: a table without class names or confusion counts, costs that do not fit a cell's classes.
    """
    target = target or Target()
    if error_costs is not None:
        if metric not in (None, COST_SCORE):
            raise ConfigError(f"Error costs judge the cells in the error-cost score, not in {metric}.",
                              hint="Leave the metric out to judge in money, or the error costs out to judge in "
                                   f"{metric}.")
        metric = COST_SCORE
    rows = []
    for (d, m, s), g in table.groupby(GROUP, sort=False):
        result = group_result(g)
        if error_costs is not None:
            result = cell_in_error_cost(result, error_costs)
        summary = summarize(result, target, metric)
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
                "no_signal": summary.no_signal,
                **({} if error_costs is None else _per_1000(
                    "error_cost_per_1000", end_error_cost(result, error_costs, name, summary.budget))),
            })
    out = pd.DataFrame(rows)
    out["p_worse_than_random"] = out["p_worse_than_random"].astype(float)
    return out


#: The summary's columns of the expected error cost per 1,000 predictions at the end of the budget (with costs).
COST_COLUMNS = ["error_cost_per_1000", "error_cost_per_1000_low", "error_cost_per_1000_high"]
#: The overview's verdict for a cell whose model learns nothing (``no_signal``): no strategy verdict applies there.
NO_SIGNAL_VERDICT = "no signal: features do not predict the label"


def sweep_overview(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset x model x schedule: the best strategy, its savings (or, when labels cannot tell, its
    gain in area under the learning curve) and verdict, how many strategies beat random, and ``no_signal``.

    A no-signal cell (its model is no better than always predicting the majority class) gets the verdict
    :data:`NO_SIGNAL_VERDICT` instead of its best strategy's "no evidence": there is nothing for labels to buy.
    A summary without a ``no_signal`` column (saved before it existed) counts as having signal. A summary with
    error costs (``error_cost_per_1000``) gives the best strategy's expected error cost per 1,000 predictions at the
    end of the budget (``error_cost_per_1000[_low, _high]``) and random sampling's (``random_error_cost_per_1000``).
    """
    costs = "error_cost_per_1000" in summary.columns
    rows = []
    for (d, m, s), g in summary.groupby(GROUP, sort=False):
        best = g[g["best"]]
        b = best.iloc[0] if len(best) else None
        no_signal = bool(g["no_signal"].any()) if "no_signal" in g.columns else False
        rows.append({
            "dataset": d, "model": m, "schedule": s, "metric": g["metric"].iloc[0],
            "best_strategy": None if b is None else b["strategy"],
            "verdict": NO_SIGNAL_VERDICT if no_signal else (None if b is None else b["verdict"]),
            "savings": np.nan if b is None else b["savings"],
            "savings_low": np.nan if b is None else b["savings_low"],
            "savings_high": np.nan if b is None else b["savings_high"],
            "savings_bound": "" if b is None else b["savings_bound"],
            "auc_gain": np.nan if b is None else b["auc_gain"],
            "n_beating_random": int((g["verdict"] == "beats random").sum()),
            "n_strategies": int((g["strategy"] != "random").sum()),
            "no_signal": no_signal,
        })
        if costs:
            rnd = g[g["strategy"] == "random"]
            rows[-1].update({c: np.nan if b is None else b[c] for c in COST_COLUMNS})
            rows[-1]["random_error_cost_per_1000"] = rnd["error_cost_per_1000"].iloc[0] if len(rnd) else np.nan
    return pd.DataFrame(rows)


def drop_timing(table: pd.DataFrame) -> pd.DataFrame:
    """The table without wall-time columns (what reproducibility checks compare)."""
    return table.drop(columns=[c for c in TIMING_COLUMNS if c in table.columns])
