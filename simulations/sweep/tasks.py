"""Sweep tasks: one (dataset, model, schedule, seed, strategy), or one (dataset, model, seed) ceiling fit.

A task is a small frozen value with a stable key. :func:`execute_task` runs it anywhere (this process, a
joblib worker, a Dask worker) with exactly the engine's building blocks, in the order ``run_simulation``
uses them, so a task's rows are bit-identical to the matching rows of ``run_simulation``. Workers keep the
last datasets' features and splits in memory, so the tasks of one dataset do not rebuild them.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulations.config import schedule_for_pool
from simulations.costs import ItemCosts
from simulations.datasets import Dataset
from simulations.errors import DataError
from simulations.features import as_float32, fit_features
from simulations.intake.errors import Fix, IntakeError
from simulations.intake.source import load_data
from simulations.loop import Split, SplitSettings
from simulations.models import applied_class_weight, prepare_matrix, resolve_class_weight
from simulations.results import encode_frame
from simulations.runner import CEILING, _run_task, fast_sparse_fits
from simulations.summary import choose_metric, run_metric
from simulations.sweep.config import DatasetSpec, ScheduleSpec, SweepConfig, about_dataset

TASK_FORMAT = "labelwise-sweep-task"
TASK_VERSION = 1
#: Datasets (features) and splits a worker keeps between tasks.
CACHE_SIZE = 2


@dataclass(frozen=True)
class SweepTask:
    """One unit of work. ``strategy == "__ceiling__"`` is the whole-pool reference fit (no schedule)."""

    key: str
    dataset: DatasetSpec
    fingerprint: str
    model: str
    seed: int
    strategy: str
    schedule: ScheduleSpec | None
    split: SplitSettings
    max_candidates: int | None = None
    class_weight: str | None = None
    costs: ItemCosts | None = None
    #: Noisy annotators (``simulations.annotators.NoiseConfig``); None: a perfect oracle. Ceilings never have it.
    noise: Any = None

    @property
    def is_ceiling(self) -> bool:
        return self.strategy == CEILING

    def describe(self) -> str:
        where = f"{self.dataset.name} / {self.model}"
        if self.is_ceiling:
            return f"{where} / seed {self.seed} / whole-pool reference"
        return f"{where} / {self.schedule.name} / seed {self.seed} / {self.strategy}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.to_dict(), "fingerprint": self.fingerprint, "model": self.model,
            "seed": self.seed, "strategy": self.strategy,
            "schedule": None if self.schedule is None else self.schedule.to_dict(),
            "split": vars(self.split).copy(), "max_candidates": self.max_candidates,
            "class_weight": self.class_weight,
            **({} if self.costs is None else {"costs": self.costs.to_dict()}),
            **({"noise": self.noise.to_dict()} if self.noise is not None else {}),
        }


def _identity(task_fields: dict[str, Any]) -> str:
    """A short hash of everything that decides a task's result (not where its file lives)."""
    text = json.dumps({"v": TASK_VERSION, **task_fields}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def task_key(dataset: DatasetSpec, fingerprint: str, model: str, seed: int, strategy: str,
             schedule: ScheduleSpec | None, split: SplitSettings, max_candidates: int | None,
             class_weight: str | None = None, costs: ItemCosts | None = None, noise: Any = None) -> str:
    """A stable, file-name-safe key: readable parts plus a hash of every setting that changes the result.

    The data enter by content (fingerprint), label and roles, not by path: moving a file keeps its
    finished tasks; editing it, or any setting, makes new keys (old results are never reused wrongly).
    """
    ident = {"dataset": {"name": dataset.name, "label": dataset.label, "roles": list(map(list, dataset.roles)),
                         "fingerprint": fingerprint},
             "model": model, "seed": seed, "strategy": strategy, "split": vars(split)}
    if class_weight is not None:  # only when set, so unweighted tasks keep the keys they always had
        ident["class_weight"] = class_weight
    if costs is not None:  # the same: tasks without item costs keep their keys
        ident["costs"] = costs.to_dict()
    if strategy == CEILING:
        return f"{dataset.name}.{model}.s{seed}.ceiling.{_identity(ident)}"
    ident["schedule"] = {k: v for k, v in schedule.to_dict().items() if k != "name"}
    ident["max_candidates"] = max_candidates
    if noise is not None:  # only when set, so noise-free tasks keep the keys they always had
        ident["noise"] = noise.to_dict()
    return f"{dataset.name}.{model}.{schedule.name}.s{seed}.{strategy}.{_identity(ident)}"


# ----------------------------------------------------------------------------------------------- data

def _sweep_fix(exc: IntakeError) -> str | None:
    """How to apply an intake error's structured fix (``IntakeError.fix``) in a sweep file, as the CLI names its flag.

    The key is the :class:`~simulations.intake.source.IntakeOptions` field itself (``label`` for the label column);
    only values that work are offered. A fix's ``alternative`` follows it, with its ``only_if`` case.
    """
    steps = exc.fix.steps(_sweep_key) if exc.fix else []
    keys = [f"only if {case}: {key}" if case else key for case, key in steps]
    return f"In the sweep file: {'; '.join(keys)} in this dataset's entry." if keys else None


def _sweep_key(fix: Fix) -> str | None:
    """One fix as a sweep-file key, e.g. ``rare_classes = "merge" (or "drop")``; None when a sweep has no such key."""
    if fix.option == "delimiter":
        return 'delimiter = ";" (or comma, tab, pipe, space)'
    if fix.option == "max_mb":
        return None  # a sweep reads files without a size limit
    if not fix.values:
        return f'{fix.option} = "..."'
    first, *others = fix.values
    alt = f" (or {', '.join(repr(v).replace(chr(39), chr(34)) for v in others)})" if others else ""
    return f'{fix.option} = "{first}"{alt}'


def load_dataset(spec: DatasetSpec) -> Dataset:
    """The dataset of a spec: a shipped sample, or a file read and checked by intake, as ``labelwise simulate`` does.

    The file is read with the spec's intake options (:meth:`DatasetSpec.intake_options`).

    Raises
    ------
    DataError
        The file is missing on this machine, or intake's typed error for a file it cannot use (its type, code
        and hint kept, the hint extended with the sweep-file key that applies the fix); the message names the
        dataset and its file.
    """
    roles = dict(spec.roles) or None
    with about_dataset(spec):
        if spec.path is None:  # a sample by name, even if a file of that name happens to be in the working folder
            return Dataset.from_sample(spec.name, roles=roles)
        if not Path(spec.path).exists():
            raise DataError(f"The data file is missing on {socket.gethostname()}.",
                            hint="Every worker reads the file itself: put it on a path all machines share.")
        try:
            dataset, _ = load_data(spec.path, spec.label, roles=roles, name=spec.name,
                                   options=spec.intake_options())
        except IntakeError as exc:
            fix = _sweep_fix(exc)
            if fix and fix not in exc.hint:
                exc.hint = f"{exc.hint} {fix}".strip()
            raise
    return dataset


def plan_tasks(config: SweepConfig, datasets: dict[str, Dataset]) -> list[SweepTask]:
    """Every task of the grid, dataset-major and seed-major (so workers reuse a dataset's features and splits).

    ``datasets`` maps each dataset name to its loaded :class:`Dataset` (for the fingerprints).
    """
    split = SplitSettings.of(config)
    tasks = []
    for spec in config.datasets:
        with about_dataset(spec):
            tasks += _dataset_tasks(config, spec, datasets[spec.name], split)
    return tasks


def _dataset_tasks(config: SweepConfig, spec: DatasetSpec, dataset: Dataset, split: SplitSettings) -> list[SweepTask]:
    fp = dataset.fingerprint()
    if config.noise is not None:
        config.noise.check_classes(dataset.class_counts.index)  # a confusion matrix of other classes: before work
    if config.error_costs is not None:  # costs of other classes, or binary costs on more: refused before work
        config.error_costs.for_classes(dataset.class_counts.index)
    # The sweep's metric, when set, decides class_weight "auto" as a simulation's --metric does.
    metric, _ = run_metric(dataset.class_counts, config.metric)
    tasks = []
    for model in config.models:
        weight, _ = resolve_class_weight(config.class_weight, metric, model)
        for seed in config.seeds:
            cells = [(CEILING, None)] + [(s, sch) for sch in config.schedules for s in config.strategies]
            for strategy, schedule in cells:
                mc = None if schedule is None else config.max_candidates
                noise = None if schedule is None else config.noise
                key = task_key(spec, fp, model, seed, strategy, schedule, split, mc, weight, config.costs, noise)
                tasks.append(SweepTask(key=key, dataset=spec, fingerprint=fp, model=model, seed=seed,
                                       strategy=strategy, schedule=schedule, split=split, max_candidates=mc,
                                       class_weight=weight, costs=config.costs, noise=noise))
    return tasks


# ------------------------------------------------------------------------------------- worker caches

_lock = threading.Lock()
_features: OrderedDict = OrderedDict()
_splits: OrderedDict = OrderedDict()


def _cached(cache: OrderedDict, key: Any, build: Callable[[], Any]) -> Any:
    with _lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        value = build()
        cache[key] = value
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
        return value


def _dataset_features(spec: DatasetSpec, fingerprint: str, costs: ItemCosts | None = None) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        ds = load_dataset(spec)
        if ds.fingerprint() != fingerprint:
            raise DataError(
                f"The data on {socket.gethostname()} differ from the data the sweep was planned "
                "with (fingerprint mismatch).",
                hint="Every worker must read the same file; copy it to a shared path and run again.",
            )
        row_costs = None
        if costs is not None:  # as in run_simulation: the costs read, then the cost column dropped before features
            row_costs = costs.row_costs(ds)
            ds = costs.strip(ds)
        X, _ = fit_features(ds)
        # As in run_simulation: integer class codes, names kept for the report.
        class_names, y = np.unique(ds.y, return_inverse=True)
        metric, reason = choose_metric(ds.class_counts)
        info = {"n_rows": len(ds.frame), "n_missing_labels": int(ds.n_missing_labels),
                "classes": [str(c) for c in class_names],
                "class_counts": {str(k): int(v) for k, v in ds.class_counts.items()},
                "metric": metric, "metric_reason": reason}
        return {"X": X, "y": y, "n_extra": ds.n_extra_pool, "info": info, "prepared": {}, "costs": row_costs}

    return _cached(_features, (spec, fingerprint, costs), build)


def _prepared(feats: dict[str, Any], model: str) -> Any:
    with _lock:
        if model not in feats["prepared"]:
            X = prepare_matrix(model, feats["X"])
            # as run_simulation's default: sparse (text) features as float32, so a cell equals the run bit for bit
            feats["prepared"][model] = as_float32(X) if fast_sparse_fits(X) else X
        return feats["prepared"][model]


def _split_for(task: SweepTask) -> tuple[Split, dict[str, Any], Any]:
    feats = _dataset_features(task.dataset, task.fingerprint, task.costs)
    X = _prepared(feats, task.model)
    split = _cached(_splits, (task.dataset, task.fingerprint, task.model, task.seed, task.split, task.costs),
                    lambda: task.split.make(X, feats["y"], task.seed, feats["n_extra"], costs=feats["costs"]))
    return split, feats["info"], X


def clear_caches() -> None:
    """Drop the features and splits this process keeps between tasks."""
    with _lock:
        _features.clear()
        _splits.clear()


# ---------------------------------------------------------------------------------------- execution

def _versions() -> dict[str, str]:
    import sklearn

    return {"numpy": np.__version__, "scikit-learn": sklearn.__version__, "pandas": pd.__version__}


def execute_task(task: SweepTask) -> dict[str, Any]:
    """Run one task and return its result as a JSON-ready dict (what goes into the task's file).

    Pure in its inputs: the same task gives the same result in any process, on any worker.

    Raises
    ------
    LabelwiseError
        Whatever the data or the cell cannot do (e.g. a model that needs dense features on a large text
        dataset), with the message naming the dataset and its file.
    """
    with about_dataset(task.dataset):
        return _execute(task)


def _execute(task: SweepTask) -> dict[str, Any]:
    t0 = time.perf_counter()
    split, info, X = _split_for(task)
    n_pool, n_initial = len(split.y_pool), len(split.initial)
    meta = {**info, "n_pool": int(n_pool), "n_test": len(split.y_test), "n_initial": int(n_initial),
            "n_stop": len(split.stop), "n_features": int(X.shape[1]), "sparse_features": bool(hasattr(X, "tocsr")),
            "float32_features": bool(X.dtype == np.float32),
            # what the model really applied (Gaussian naive Bayes has no class weights), as run_simulation records
            "class_weight": applied_class_weight(task.model, X, task.class_weight, "")[0]}
    if task.is_ceiling:
        schedule = np.array([n_initial])
    else:
        sch = task.schedule
        budget, schedule = schedule_for_pool(n_initial, n_pool, budget=sch.budget, batch_size=sch.batch_size,
                                             growth=sch.growth)
        meta.update(budget=budget, labels_schedule=[int(v) for v in schedule])
    if task.noise is not None:
        meta["noise"] = {**task.noise.to_dict(), "description": task.noise.describe()}
    _, _, out = _run_task(split, task.strategy, task.model, schedule, task.max_candidates, task.class_weight,
                          noise=task.noise, class_names=info["classes"])
    payload: dict[str, Any] = {"format": TASK_FORMAT, "version": TASK_VERSION, "key": task.key, "task": task.to_dict(),
                               "meta": meta}
    if task.is_ceiling:
        payload["ceiling"] = {k: float(v) for k, v in out.items()}
    else:
        rows = pd.DataFrame([{"strategy": task.strategy, "seed": task.seed, **r} for r in out])
        payload["rounds"] = encode_frame(rows)
    payload["run"] = {"seconds": time.perf_counter() - t0, "host": socket.gethostname(), "versions": _versions()}
    return payload


def safe_execute(task: SweepTask) -> tuple[str, Any]:
    """``("ok", payload)`` or ``("error", text)``: one failing task must not stop the others."""
    try:
        return "ok", execute_task(task)
    except Exception as exc:  # reported per task by the driver, which finishes the rest
        hint = getattr(exc, "hint", "")
        return "error", f"{type(exc).__name__}: {exc}" + (f" (hint: {hint})" if hint and hint not in str(exc) else "")
