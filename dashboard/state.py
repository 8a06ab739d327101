"""Glue between the pages and the engine: inputs, data loading, cached runs, and the analysis.

Nothing here simulates or computes money: it calls ``simulations`` and packs what the engine returns into
one JSON-able *analysis* dict. Every page (and the read-only Review page, from a saved scenario) draws
from that dict, so a saved scenario shows exactly what its author saw without rerunning anything.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import simulations
from dashboard.uploads import (  # noqa: F401  (the pages and tests read them through state)
    INTAKE_CHOICES,
    INTAKE_DEFAULTS,
    UPLOAD_MAX_ROWS,
    UPLOAD_TYPES,
    UploadTable,
    _previewable,
    guess_label,
    intake_choices,
    read_table,
    read_upload,
    role_overrides,
    upload_dataset,
)
from simulations import Dataset, SimulationConfig, SimulationResult, Target, learning_curves, summarize
from simulations.config import DEFAULT_SCENARIO
from simulations.errors import ConfigError, DataError, LabelwiseError
from simulations.results import results_from_dict, results_to_dict
from simulations.summary import SCORE_NAMES

CURRENCY = "$"
TARGET_KINDS = {
    "share_of_ceiling": "Share of the full-data score",
    "absolute": "A fixed score",
    "share_of_gap": "Share of the gap from the majority-class baseline to the full-data score",
}


def n_jobs() -> int:
    """Worker processes for a run (``LABELWISE_N_JOBS``, default 2)."""
    try:
        return max(1, int(os.environ.get("LABELWISE_N_JOBS", "2")))
    except ValueError:
        return 2


# ---- inputs ---------------------------------------------------------------------------------------------
def default_max_labels() -> int | None:
    """The Plan form's default cap on labels simulated: none (``LABELWISE_DEFAULT_MAX_LABELS`` sets one; the test
    suite does, so its many page runs stay single-stage and fast)."""
    try:
        cap = int(os.environ.get("LABELWISE_DEFAULT_MAX_LABELS", "0"))
    except ValueError:
        return None
    return cap if cap > 0 else None


def default_economics() -> dict[str, Any]:
    return {
        "cost_per_label": 1.0, "setup_cost": 250.0, "value_mode": "per_point", "value_per_point": 500.0,
        "predictions": 1_000_000.0, "cost_per_error": 0.05, "production_pool": 50_000, "budget_cap": None,
        "labels_per_hour": 100.0, "annotators": 1, "retrain_minutes": 0.0, "max_labels": default_max_labels(),
    }


def default_inputs() -> dict[str, Any]:
    """What the Plan page opens with: the engine's default scenario and modest costs."""
    return {
        "data": {"source": "sample", "sample": DEFAULT_SCENARIO.dataset},
        "economics": default_economics(),
        "target": {"kind": "share_of_ceiling", "value": 0.95},
        "config": DEFAULT_SCENARIO.config.to_dict(),
    }


def economic_inputs(econ: dict[str, Any]) -> Any:
    """``simulations.economics.EconomicInputs`` from the Plan page's money inputs (raises ConfigError)."""
    from simulations.economics import EconomicInputs
    from simulations.plan.inputs import error_cost_point_value

    mode = econ.get("value_mode", "per_point")
    per_point = mode == "per_point"
    costs = mode == "error_costs"
    cap = econ.get("budget_cap")
    lph = econ.get("labels_per_hour")
    # error costs: the point value of the error-cost score (what the plan computes with)
    vpp = error_cost_point_value(econ) if costs else float(econ["value_per_point"]) if per_point else None
    return EconomicInputs(
        cost_per_label=float(econ["cost_per_label"]), production_pool=int(econ["production_pool"]),
        setup_cost=float(econ.get("setup_cost") or 0.0),
        value_per_point=vpp,
        predictions=None if per_point or costs else float(econ["predictions"]),
        cost_per_error=None if per_point or costs else float(econ["cost_per_error"]),
        budget_cap=float(cap) if cap else None, labels_per_hour=float(lph) if lph else None,
        annotators=int(econ.get("annotators") or 1),
    )


#: The Plan page's widget for each engine input whose name differs (the rest are named alike).
_WIDGET_FOR = {"max_labels": "budget"}


def plan_problems(inputs: dict[str, Any], classes: Any = None) -> dict[str, str]:
    """What is wrong with the Plan form's inputs: widget key -> message, from the engine's one set of rules.

    ``simulations.plan.check_plan_inputs`` returns every problem tagged by its input, in words that name no
    control; the page shows each next to its field before any run. A production pool below the simulated pool can
    only be checked after the run (the pool is drawn then): the engine refuses it there.

    Parameters
    ----------
    inputs : dict
        ``{"economics", "target", "config"}`` as the Plan page builds them (percentages already divided by 100).

    Returns
    -------
    dict
        Empty when every input is usable.
    """
    from simulations.plan import check_plan_inputs
    from simulations.plan.inputs import check_error_costs

    out: dict[str, str] = {}
    problems = check_plan_inputs(inputs["economics"], inputs["target"], inputs["config"])
    if classes is not None and not any(p.field == "cost_matrix" for p in problems):
        # error costs for other classes than the data's: refused before the run, beside the field
        problems += check_error_costs(inputs["economics"], [str(c) for c in classes])
    from simulations.plan.value_cli import ERROR_COST_FLAGS

    for p in problems:
        # the error costs' messages say what is wrong, their hints how to fix it: both beside the field
        text = f"{p.message} {p.hint}".strip() if p.field in ERROR_COST_FLAGS else p.message
        out.setdefault(_WIDGET_FOR.get(p.field, p.field), text)
    return out


def plan_inputs(inputs: dict[str, Any]) -> Any:
    """The engine's :class:`~simulations.plan.PlanInputs` for the Plan page's inputs (raises PlanInputError)."""
    from simulations.plan import PlanInputs

    return PlanInputs.from_mappings(inputs["economics"], inputs["target"],
                                    time_cap_seconds=plan_time_cap())


def plan_time_cap() -> float:
    """Seconds a dashboard run may simulate (``LABELWISE_TIME_CAP``, default the engine's)."""
    from simulations.plan import DEFAULT_TIME_CAP_SECONDS

    try:
        return max(1.0, float(os.environ.get("LABELWISE_TIME_CAP", DEFAULT_TIME_CAP_SECONDS)))
    except ValueError:
        return DEFAULT_TIME_CAP_SECONDS


def target_from(d: dict[str, Any]) -> Target:
    return Target(d.get("kind", "share_of_ceiling"), float(d.get("value", 0.95)))


def config_from(d: dict[str, Any]) -> SimulationConfig:
    return SimulationConfig.from_dict(d)


# ---- data -----------------------------------------------------------------------------------------------
def production_pool_default(current: int, file_rows: int, previous_file_rows: int | None = None) -> int:
    """The production pool the Plan form should show once a file is read.

    The file's rows (labeled and unlabeled: intake's ``production_pool_rows``) replace the value only while
    the user has not typed their own: the value is still the page's default, or the row count filled in
    from the previously uploaded file.

    Parameters
    ----------
    current : int
        The value the form holds now.
    file_rows : int
        Every data row of the uploaded file.
    previous_file_rows : int, optional
        The row count filled in from the file uploaded before (None if none was).
    """
    untouched = {int(default_economics()["production_pool"])}
    if previous_file_rows:
        untouched.add(int(previous_file_rows))
    return int(file_rows) if int(current) in untouched else int(current)



def choose_metric_for(dataset: Dataset) -> str:
    """The metric the engine will report for this data (for live partial curves)."""
    from simulations.summary import choose_metric

    return choose_metric(dataset.class_counts)[0]


# ---- runs (cached per process) --------------------------------------------------------------------------
_CACHE: OrderedDict[str, dict[str, Any]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
#: The plan the adaptive run built on its last stage, kept with its result (a few, per process) so the analysis of
#: that very result reuses it instead of computing the same plan again.
_PLANS: OrderedDict[int, tuple[SimulationResult, Any, Any]] = OrderedDict()
CACHE_SIZE = 24


def run_key(fingerprint: str, config: SimulationConfig) -> str:
    return fingerprint + ":" + json.dumps(config.to_dict(), sort_keys=True, default=str)


def cached_result(key: str) -> SimulationResult | None:
    with _CACHE_LOCK:
        d = _CACHE.get(key)
        if d is not None:
            _CACHE.move_to_end(key)
    return results_from_dict(d) if d is not None else None


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _warm_task() -> int:
    """Import the engine and fit a tiny model in a worker, so the first real task starts at once."""
    import numpy as _np
    from sklearn.linear_model import LogisticRegression

    import simulations.runner  # noqa: F401

    LogisticRegression().fit(_np.array([[0.0], [1.0], [0.1], [0.9]]), [0, 1, 0, 1])
    return os.getpid()


_WARM: dict[str, threading.Thread] = {}


def warm_up() -> None:
    """Start the worker processes in the background (once per server) while the user fills in the form."""
    if _WARM or n_jobs() < 2:
        return

    def work() -> None:
        from joblib import Parallel, delayed

        try:
            Parallel(n_jobs=n_jobs())(delayed(_warm_task)() for _ in range(2 * n_jobs()))
        except Exception:  # warming is an optimisation only
            pass

    t = threading.Thread(target=work, name="labelwise-warm-up", daemon=True)
    _WARM["thread"] = t
    t.start()


def run(dataset: Dataset, config: SimulationConfig, *, inputs: dict[str, Any] | None = None,
        progress: Callable[[simulations.Progress], None] | None = None,
        should_cancel: Callable[[], bool] | None = None) -> tuple[SimulationResult, bool]:
    """Simulate until the plan is determined (or fetch the same run from the cache). Returns (result, from_cache).

    With ``inputs`` (the Plan page's), the engine's adaptive run (``simulations.plan.simulate_for_plan``) decides
    how many labels to simulate from the target, pool and costs; the result's ``meta["determination"]`` says how.
    Without, one run at ``config.budget``.
    """
    plan_in = plan_inputs(inputs) if inputs is not None else None
    key = run_key(dataset.fingerprint(), config)
    if plan_in is not None:
        key += ":" + json.dumps({**plan_in.economics(), "target": [plan_in.target.kind, plan_in.target.value],
                                 "time_cap": plan_in.time_cap_seconds}, sort_keys=True, default=str)
    hit = cached_result(key)
    if hit is not None:
        return hit, True
    warm = _WARM.get("thread")
    if warm is not None:
        warm.join(timeout=30)  # never two pools at once
    if plan_in is None:
        result = simulations.run_simulation(dataset, config, n_jobs=n_jobs(), progress=progress,
                                            should_cancel=should_cancel)
    else:
        from simulations.plan import simulate_for_plan

        adaptive = simulate_for_plan(dataset, config, plan_in, n_jobs=n_jobs(), progress=progress,
                                     should_cancel=should_cancel)
        result = adaptive.result
        result.meta["determination"] = adaptive.to_dict()
        with _CACHE_LOCK:
            # held with the inputs it was asked for (the plan's own inputs may differ: the items' average price,
            # a money target as a score), so the analysis of the same result and inputs reuses it
            _PLANS[id(result)] = (result, adaptive.plan, plan_in)  # the result is held: its id is not reused
            while len(_PLANS) > 4:
                _PLANS.popitem(last=False)
    with _CACHE_LOCK:
        _CACHE[key] = results_to_dict(result)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result, False


# ---- analysis: everything the pages show, JSON-able -----------------------------------------------------
def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records"))


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy -> Python."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def metric_label(metric: str) -> str:
    return SCORE_NAMES.get(metric, metric)


def analyse(result: SimulationResult, inputs: dict[str, Any], *, dataset_description: str = "") -> dict[str, Any]:
    """The analysis dict: the engine's plan, and the curves, summary, business case, sensitivity, projection and
    stopping it rests on.

    Every figure comes from one ``simulations.plan.Plan`` (``analysis["plan"]``): the business case, the tornado,
    the ROI grid and the stopping advice are the plan's own objects, so no page can show another answer. Engine
    errors in the money part (e.g. an invalid cost) are kept as ``business_error`` so the simulation evidence is
    still shown.
    """
    from simulations.plan import build_plan

    target = target_from(inputs["target"])
    metric = result.metric
    meta = result.meta
    plan = None
    plan_error = None
    stopping_error = None
    try:
        plan = _built_plan(result, plan_inputs(inputs)) or build_plan(
            result, plan_inputs(inputs), determination=meta.get("determination"))
    except LabelwiseError as exc:
        plan_error = {"message": exc.message, "hint": exc.hint}
        stopping_error = _stopping_refusal(exc)
    # the results as the plan read them (paid labels with re-labeling, the error-cost score when errors are priced):
    # curves, projection and stopping show what the plan computed, in its units
    view = plan.scored if plan is not None and plan.scored is not None else result
    metric = view.metric
    summary = plan.summary if plan is not None and plan.summary is not None else summarize(view, target, metric)
    curves = learning_curves(view, metric)
    out: dict[str, Any] = {
        "version": 2,
        "metric": metric, "metric_label": metric_label(metric), "metric_reason": summary.metric_reason,
        "class_weight_reason": meta.get("class_weight_reason", ""),
        "dataset": {"name": meta.get("dataset_name", ""), "fingerprint": meta.get("fingerprint", ""),
                    "description": dataset_description, "n_rows": meta.get("n_rows"),
                    "n_pool": meta.get("n_pool"), "n_test": meta.get("n_test"), "classes": meta.get("classes"),
                    "class_counts": meta.get("class_counts"), "n_missing_labels": meta.get("n_missing_labels"),
                    "budget": meta.get("budget"), "model": meta.get("model")},
        "config": result.config.to_dict(),
        "target": {"kind": target.kind, "value": target.value,
                   "description": plan.target.description if plan is not None else summary.target_description,
                   "value_median": plan.target.score if plan is not None else summary.target_value.median},
        "curves": _records(curves),
        "summary": summary.to_dict(),
        "verdict": plan.verdict_sentence if plan is not None else summary.verdict_sentence(),
        "best": plan.strategy if plan is not None else (summary.best().name if summary.best() else None),
        "economics": dict(inputs.get("economics", {})),
        "plan": None if plan is None else plan.to_dict(),
        "business": None, "business_error": plan_error, "tornado": [], "roi_grid": [], "projection": None,
        "stopping": None, "stopping_error": stopping_error,
    }
    fits = plan.fits if plan is not None else None  # the plan's curve fits, reused by the projection chart
    if plan is not None and plan.business is not None:
        out["business"] = plan.business.to_dict()
        out["tornado"] = _records(plan.tornado) if plan.tornado is not None else []
        out["roi_grid"] = _records(plan.roi_grid) if plan.roi_grid is not None else []
        out["assumptions"] = [*plan.notes, *plan.business.assumptions]
    # the pool in the plan's units too (paid labels with re-labeling: the plan's fits are at that pool)
    pool = int(plan.fits.production_pool) if fits is not None else int(inputs["economics"].get("production_pool") or 0)
    try:
        out["projection"] = _projection(view, pool, target, out, fits)
    except LabelwiseError as exc:
        out["projection"] = {"error": exc.message}
    if plan is not None:
        try:
            out.update(stopping_analysis(view, inputs, out, plan))
        except LabelwiseError as exc:
            out["stopping_error"] = {"message": exc.message, "hint": exc.hint}
    return _clean(out)


def _built_plan(result: SimulationResult, inputs: Any) -> Any:
    """The plan the adaptive run already built for this very result and these inputs, else None."""
    with _CACHE_LOCK:
        held = _PLANS.get(id(result))
    if held is None or held[0] is not result or held[2] != inputs:
        return None
    return held[1]


def _stopping_refusal(exc: LabelwiseError) -> dict[str, str] | None:
    """The Stopping page's words for a plan refused over its costs (None for any other refusal)."""
    from dashboard import stopping_glue
    from simulations.stopping.optimum import CostInputError

    field = getattr(exc, "field", None)
    if field not in ("cost_per_label", "value_per_point"):
        return None
    err = stopping_glue.costs_error(CostInputError("", "", field=field, value=0.0))
    return {"message": err.message, "hint": err.hint}


def _projection(result: SimulationResult, pool: int, target: Target,
                out: dict[str, Any], fits: Any = None) -> dict[str, Any]:
    """Fitted curves of random and the business case's strategy, carried forward to the production pool."""
    from simulations.curves import projection_curves

    best = (out.get("business") or {}).get("strategy") or out.get("best")
    names = ["random"] + ([best] if best and best != "random" else [])
    # The Target itself, so the table re-expresses it against the projected ceiling exactly as the caveat does.
    return projection_curves(result, names, pool, target, fits=fits)


def stopping_analysis(result: SimulationResult, inputs: dict[str, Any], out: dict[str, Any],
                      plan: Any) -> dict[str, Any]:
    """The plan's stopping advice, packed for the pages."""
    from dashboard import stopping_glue

    return {"stopping": stopping_glue.analyse(plan, out)}


# ---- payload for the store ------------------------------------------------------------------------------
def payload(result: SimulationResult, analysis: dict[str, Any]) -> dict[str, Any]:
    return {"analysis": analysis, "results": results_to_dict(result)}


def result_from_payload(p: dict[str, Any]) -> SimulationResult | None:
    try:
        return results_from_dict(p["results"]) if p.get("results") else None
    except (LabelwiseError, KeyError, TypeError):
        return None


__all__ = [
    "CURRENCY", "ConfigError", "DataError", "LabelwiseError", "UploadTable", "analyse", "config_from", "default_inputs",
    "economic_inputs", "intake_choices", "plan_problems", "production_pool_default", "read_table", "read_upload",
    "run", "target_from", "upload_dataset",
]
