"""Run strategies x seeds, in parallel, reproducibly.

Every task (one strategy on one seed, or one seed's ceiling) draws its randomness only from its own
seed, and runs with one BLAS thread, so results are bit-identical for any ``n_jobs``.

Memory: the features are built once; each task builds its seed's split (a copy of the pool) where it
runs, from the features and the seed, so memory holds about ``n_jobs`` splits rather than one per seed.
A process keeps its last split (one slot) because a seed's tasks run one after another; this process
drops it when the run ends, a worker when it starts another run's split or when joblib retires idle
workers (after 300 s). With
``n_jobs != 1`` and dense features, the workers share the feature matrix through one memory-mapped file
instead of receiving a pickled copy per task.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from simulations.config import SimulationConfig, check_n_jobs, schedule_for_pool
from simulations.datasets import Dataset
from simulations.errors import SimulationCancelled
from simulations.features import as_float32, fit_features
from simulations.loop import Split, SplitSettings, ceiling_metrics, duplicate_groups, run_strategy
from simulations.models import (
    applied_class_weight,
    many_classes_expected,
    model_factory,
    model_label,
    prepare_matrix,
    resolve_class_weight,
    validate_model,
)
from simulations.results import SimulationResult
from simulations.strategies import make_strategy
from simulations.summary import run_metric

CEILING = "__ceiling__"
#: Prefix of a task that runs a strategy with the noise-free oracle (the reference of a noisy run).
REFERENCE = "__noise_free__:"


@dataclass
class Progress:
    """Reported to the progress callback after each finished task.

    Attributes
    ----------
    done, total : int
        Tasks finished and planned.
    strategy : str
        The finished task's strategy (``"__ceiling__"`` for a whole-pool reference fit).
    seed : int
    rounds : DataFrame or None
        The finished task's rows (so a caller can show partial curves as they arrive).
    """

    done: int
    total: int
    strategy: str
    seed: int
    rounds: pd.DataFrame | None = None
    #: The adaptive plan's stage (1 for a single run) and the labels that stage simulates (``simulate_for_plan``).
    stage: int = 1
    budget: int | None = None


def strategy_seed(name: str) -> int:
    """A stable per-strategy seed (``hash()`` is salted per process, crc32 is not)."""
    return zlib.crc32(name.encode())


def _draws_for(split: Split, noise: Any, make_model: Any, class_names: Any) -> Any:
    """The seed's annotations (``simulations.annotators.draw_annotations``), kept beside this process's split: every
    strategy of the seed that runs in this process reads the same draws (they depend on the seed alone, so other
    processes draw the same)."""
    key = repr(noise)
    with _split_lock:
        held = _draws_slot.get("held")
    if held is not None and held[0] is split and held[1] == key:
        return held[2]
    from simulations.annotators import draw_annotations
    from simulations.strategies.base import predict_proba_aligned
    from simulations.strategies.uncertainty import normalized_entropy

    uncertainty = None
    if noise.ambiguity:
        # the full-data model (trained on the whole clean pool, as the ceiling): where it is unsure, people are
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make_model(split.seed)
            model.fit(split.X_labelable(), split.y_pool)
        uncertainty = normalized_entropy(predict_proba_aligned(model, split.X_labelable(), split.classes))
    draws = draw_annotations(split.y_pool, len(split.classes), noise, seed=split.seed,
                             uncertainty=uncertainty, class_names=class_names)
    with _split_lock:
        _draws_slot["held"] = (split, key, draws)
    return draws


def _run_task(split: Split, strategy_name: str, model_spec: Any, schedule: np.ndarray,
              max_candidates: int | None, class_weight: str | None = None,
              warm_start: bool = False, noise: Any = None, class_names: Any = None) -> tuple[str, int, Any]:
    make_model = model_factory(model_spec, split.X_pool, class_weight)
    # Every fit of the run happens below; many classes with few labels are expected (see many_classes_expected).
    with threadpool_limits(limits=1), many_classes_expected():
        if strategy_name == CEILING:
            return strategy_name, split.seed, ceiling_metrics(split, make_model)
        strategy = make_strategy(strategy_name)
        draws = None if noise is None else _draws_for(split, noise, make_model, class_names)
        records = run_strategy(split, strategy, make_model, schedule,
                               strategy_seed=strategy_seed(strategy_name), max_candidates=max_candidates,
                               warm_start=warm_start, noise=noise, draws=draws)
    return strategy_name, split.seed, records


# This process's last split, keyed by (run token, seed): a seed's tasks usually follow each other on a worker.
# The lock matters when one process runs several simulations in threads (the dashboard, n_jobs=1).
_split_lock = threading.Lock()
_split_slot: dict[tuple[str, int], Split] = {}
# The annotations drawn for the last split (with noise): (split, repr(noise), draws); one slot, as for the split.
_draws_slot: dict[str, tuple[Split, str, Any]] = {}


def _split_for(token: str, X: Any, y: np.ndarray, seed: int, settings: SplitSettings, n_extra: int,
               groups: np.ndarray | None, costs: np.ndarray | None = None) -> Split:
    key = (token, seed)
    with _split_lock:
        split = _split_slot.get(key)
        if split is None:
            _split_slot.clear()  # free the previous split before building the next one
    if split is None:
        split = settings.make(X, y, seed, n_extra, groups, costs)
        with _split_lock:
            _split_slot.clear()
            _split_slot[key] = split
    return split


def _duplicate_rows(groups: np.ndarray | None) -> int:
    """Rows whose features equal another row's."""
    if groups is None:
        return 0
    counts = np.bincount(groups)
    return int(counts[counts > 1].sum())


def _forget_splits(token: str) -> None:
    """Drop this process's cached split if it belongs to run ``token`` (other runs' splits are left alone)."""
    with _split_lock:
        for key in [k for k in _split_slot if k[0] == token]:
            del _split_slot[key]
        held = _draws_slot.get("held")
        if held is not None and not any(held[0] is split for split in _split_slot.values()):
            del _draws_slot["held"]  # noise draws of a split no run holds any more (this run's last noisy seed)


def _seed_task(token: str, X: Any, y: np.ndarray, seed: int, settings: SplitSettings, n_extra: int,
               groups: np.ndarray | None, strategy_name: str, model_spec: Any, schedule: np.ndarray,
               max_candidates: int | None, class_weight: str | None,
               warm_start: bool = False, costs: np.ndarray | None = None, noise: Any = None,
               class_names: Any = None) -> tuple[str, int, Any]:
    """One task where it runs: its seed's split (built here, or this process's last one), then the task."""
    return _run_task(_split_for(token, X, y, seed, settings, n_extra, groups, costs), strategy_name, model_spec,
                     schedule, max_candidates, class_weight, warm_start, noise, class_names)


def fast_sparse_fits(X: Any) -> bool:
    """Whether ``run_simulation`` stores the features as float32 by default: sparse ``X``.

    Why sparse features (text) and only them: a linear model on them has one coefficient per class and word
    (20 classes x 20,000 words = 400,000), so the fits dominate the run, and float32 halves the memory traffic
    of their sparse products (big_text: 0.84 -> about 0.7 of a plain scikit-learn loop's CPU; the preset's lean
    solver, ``simulations.fast_logreg``, took it further: benchmarks/results/big_text.md). Features are sparse
    only when the data has text (simulations.features): TF-IDF values lie in [0, 1] and any other columns are
    standardized or one-hot, so float32's 7 significant digits lose nothing a fit to a 1e-4 tolerance can see
    (10-seed agreement with float64 in benchmarks/results/big_text.md). Dense (tabular) features have tens of
    columns: the gain is small and those runs stay exact, bit-identical to earlier releases.

    Warm starts are not part of the default: they cut the solver's iterations by about 40% with the same medians,
    but on 10-20 seeds they gave margin a heavier tail of bad seeds on both text and tabular data (its verdict
    went from "beats random" to "no evidence"; benchmarks/results/big_text_warm_default.md), so they stay opt-in.

    Parameters
    ----------
    X : ndarray or sparse matrix, shape (n_rows, n_features)
        The features as the model will see them (after ``prepare_matrix``).
    """
    return bool(sp.issparse(X))


def run_simulation(
    dataset: Dataset,
    config: SimulationConfig | None = None,
    *,
    model: Any = None,
    n_jobs: int = 1,
    progress: Callable[[Progress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    float32: bool | None = None,
    tmp_dir: str | Path | None = None,
    warm_start: bool = False,
) -> SimulationResult:
    """Simulate every strategy in ``config`` against random sampling, over seeds.

    Parameters
    ----------
    dataset : Dataset
        Its extra pool (``dataset.extra_pool``), if any, joins every seed's pool as rows that are never
        queried nor counted as labels (see docs/engine-contract.md).
    config : SimulationConfig, optional
        Defaults to ``SimulationConfig()``.
    model : scikit-learn classifier, optional
        Overrides ``config.model`` with any unfitted classifier that has ``predict_proba``.
    n_jobs : int
        Parallel worker processes (joblib); -1 uses all cores. Results do not depend on it.
    progress : callable, optional
        Called with a :class:`Progress` after each finished task.
    should_cancel : callable, optional
        Polled between tasks; when it returns True the run stops and raises ``SimulationCancelled``.
    float32 : bool, optional
        Store the features as float32: half the memory and faster sparse products, an approximation (results
        differ in the last bits, so picks and curves can differ slightly within seed noise); recorded in
        ``meta["float32_features"]``. Default (None): on for sparse (text) features, off for dense ones (see
        :func:`fast_sparse_fits`).
    tmp_dir : path, optional
        Where the memory-mapped feature file goes when ``n_jobs != 1`` and the features are dense (default:
        the system's temporary folder); it is removed when the run ends.
    warm_start : bool, default False
        Start each round's fit at the previous round's model (the ``logreg`` preset; see
        :func:`simulations.loop.run_strategy`): about 40% fewer solver iterations, the same optimum within the
        solver's tolerance and the same medians, but not the same picks, and a heavier tail of bad seeds for
        margin (see :func:`fast_sparse_fits`); recorded in ``meta["warm_start"]``. Results stay bit-identical
        for any ``n_jobs``.

    Returns
    -------
    SimulationResult
    """
    config = config or SimulationConfig()
    n_jobs = check_n_jobs(n_jobs)
    model_spec = model if model is not None else config.model
    validate_model(model_spec)
    for name in config.strategies:
        make_strategy(name)  # fail fast on unknown names, before any work
    noise = config.noise
    if noise is not None:
        noise.check_classes(dataset.class_counts.index)  # a confusion matrix names the data's classes, before work
    counts = dataset.class_counts
    metric, reason = run_metric(counts, config.metric)  # the user's score decides the class weighting too
    class_weight, class_weight_reason = resolve_class_weight(config.class_weight, metric, model_spec,
                                                             requested=config.metric is not None)

    row_costs = None
    source = dataset
    if config.costs is not None:
        # every cost checked before any work; the cost column leaves the data before any feature is built
        row_costs = config.costs.row_costs(dataset)
        dataset = config.costs.strip(dataset)
    X, _ = fit_features(dataset)
    X = prepare_matrix(model_spec, X)
    class_weight, class_weight_reason = applied_class_weight(model_spec, X, class_weight, class_weight_reason)
    float32 = fast_sparse_fits(X) if float32 is None else bool(float32)
    if float32:
        X = as_float32(X)
    class_names, y = np.unique(dataset.y, return_inverse=True)
    n_extra = dataset.n_extra_pool
    settings = SplitSettings.of(config)
    # Sizes from the indices alone: a zero-column matrix makes the same draws without copying features.
    # Identical rows never straddle pool and test: found once here, on the features the model sees.
    groups = duplicate_groups(X, len(y))
    probe = settings.make(np.empty((X.shape[0], 0)), y, config.seed_values[0], n_extra, groups)
    n_initial = len(probe.initial)
    # One schedule for every seed, within every seed's pool: keeping identical rows together moves a few rows
    # between pool and test, so pools differ by seed, and a schedule sized on one seed's could outrun another's.
    n_pool = min([probe.n_pool] + [settings.make(np.empty((X.shape[0], 0)), y, s, n_extra, groups).n_pool
                                   for s in config.seed_values[1:]])
    budget, schedule = schedule_for_pool(n_initial, n_pool, budget=config.budget, batch_size=config.batch_size,
                                         growth=config.growth)
    n_features, sparse_features = int(X.shape[1]), bool(hasattr(X, "tocsr"))

    # with noisy annotators, the noise-free oracle on the same seeds too (REFERENCE tasks): the plan's comparison
    tasks = [(seed, name) for seed in config.seed_values for name in (CEILING, *config.strategies)]
    if noise is not None and noise.reference:
        tasks += [(seed, REFERENCE + name) for seed in config.seed_values for name in config.strategies]
    names_str = [str(c) for c in class_names]
    total = len(tasks)
    records: list[dict[str, Any]] = []
    ceilings: list[dict[str, Any]] = []
    reference: list[dict[str, Any]] = []
    token = uuid.uuid4().hex
    workdir = None
    jobs = None
    try:
        if n_jobs != 1 and isinstance(X, np.ndarray):
            # One file every worker maps: joblib then sends a file name, not the matrix, with each task.
            workdir = Path(tempfile.mkdtemp(prefix="labelwise-pool-", dir=tmp_dir))
            path = workdir / "features.npy"
            np.save(path, X)
            X = np.load(path, mmap_mode="r")
        jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_seed_task)(token, X, y, seed, settings, n_extra, groups, name.removeprefix(REFERENCE), model_spec,
                                schedule, config.max_candidates, class_weight, warm_start, row_costs,
                                None if name.startswith(REFERENCE) else noise, names_str)
            for seed, name in tasks
        )
        for done, ((_, seed, out), (_, name)) in enumerate(zip(jobs, tasks, strict=True), start=1):
            if name == CEILING:
                ceilings.append({"seed": seed, **out})
                rows = None
            elif name.startswith(REFERENCE):
                reference.extend({"strategy": name.removeprefix(REFERENCE), "seed": seed, **r} for r in out)
                rows = None
            else:
                rows = pd.DataFrame([{"strategy": name, "seed": seed, **r} for r in out])
                records.extend(rows.to_dict("records"))
            if progress is not None:
                shown = f"{name.removeprefix(REFERENCE)} (perfect labels)" if name.startswith(REFERENCE) else name
                progress(Progress(done=done, total=total, strategy=shown, seed=seed, rounds=rows))
            if should_cancel is not None and should_cancel() and done < total:
                raise SimulationCancelled(
                    f"Simulation cancelled after {done} of {total} tasks.", hint="Run it again to get results."
                )
    finally:
        close = getattr(jobs, "close", None)
        if close is not None:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "tasks which were still being processed", UserWarning)
                close()  # on cancel: joblib drops the queued tasks (and says so; expected here)
        _forget_splits(token)  # with n_jobs=1 the split lives in this process
        del X
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    rounds = pd.DataFrame(records)
    order = {name: i for i, name in enumerate(config.strategies)}
    rounds = rounds.sort_values(["strategy", "seed", "round"], key=lambda s: s.map(order) if s.name == "strategy"
                                else s, kind="stable").reset_index(drop=True)
    ceil = pd.DataFrame(ceilings).sort_values("seed").reset_index(drop=True)

    meta = {
        "dataset_name": dataset.name,
        "fingerprint": source.fingerprint(),
        "label": dataset.label,
        "n_rows": len(dataset.frame),
        "n_missing_labels": int(dataset.n_missing_labels),
        "n_extra_pool": int(n_extra),
        "n_features": n_features,
        "sparse_features": sparse_features,
        "classes": [str(c) for c in class_names],
        "class_counts": {str(k): int(v) for k, v in counts.items()},
        "n_pool": int(n_pool),
        "n_test": len(probe.y_test),
        # rows that share their features with another row; whether pool and test keep them apart (None: no such
        # rows; False: too widespread to keep apart without emptying the test set, see loop.make_split)
        "duplicate_rows": _duplicate_rows(groups),
        "duplicates_apart": probe.duplicates_apart,
        "n_initial": int(n_initial),
        "n_stop": len(probe.stop),
        "budget": int(budget),
        "labels_schedule": [int(v) for v in schedule],
        "model": model_label(model_spec),
        "class_weight": class_weight,
        "class_weight_reason": class_weight_reason,
        "metric": metric,
        "metric_reason": reason,
        "roles": dict(dataset.roles),
    }
    if row_costs is not None:
        from simulations.costs import cost_summary

        # money per label over every labeled row (each seed's pool is a random share of them)
        meta["item_costs"] = {"source": config.costs.source, **cost_summary(row_costs)}
    if float32:
        meta["float32_features"] = True
    if warm_start:
        meta["warm_start"] = True
    if noise is not None:
        from simulations.results import encode_frame

        meta["noise"] = {**noise.to_dict(), "description": noise.describe()}
        if reference:
            # the noise-free runs on the same seeds (same splits, same schedule), for the plan's comparison
            ref = pd.DataFrame(reference).sort_values(
                ["strategy", "seed", "round"], key=lambda s: s.map(order) if s.name == "strategy" else s, kind="stable")
            keep = [c for c in ref.columns  # the scores and the confusion counts (error costs read them)
                    if c in ("strategy", "seed", "round", "labels", "accuracy", "balanced_accuracy", "macro_f1")
                    or c.startswith("cm_")]
            meta["noise_reference_rounds"] = encode_frame(ref[keep].reset_index(drop=True))
    return SimulationResult(rounds=rounds, ceilings=ceil, config=config, meta=meta)
