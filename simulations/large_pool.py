"""Large pools on one machine: the engine changes that make a 1,000,000-row simulation fast and lean.

Each piece gives *bit-identical* results to the current engine (tested in tests/test_sweep.py) unless
marked as an approximation, so the lead can wire them into the engine one by one:

- :func:`top_k_fast`: the batch pick of every score strategy in O(n) (``np.partition``) instead of a full
  O(n log n) ``lexsort`` of the pool; same indices, same order, same random tie-breaks, same RNG stream.
  At 1M rows it was 75% of a margin run's time. -> replace the body of ``strategies.base.top_k``.
- :class:`FastMedianImputer`: ``SimpleImputer(strategy="median")`` with column medians from
  ``np.nanmedian`` instead of ``numpy.ma.median`` (5-15 s at 1M x 20; identical ``statistics_``).
  -> use it in ``features.build_preprocessor`` (numeric and datetime pipelines).
- :func:`run_large_simulation`: ``run_simulation`` that materializes one seed's split per worker at a
  time (the engine builds every seed's pool copy up front) and, with ``n_jobs > 1``, shares the feature
  matrix through one memory-mapped file instead of pickling each split to every task.
- ``float32=True`` (approximation, opt-in): half the memory of dense features; results differ in the
  last bits, so query picks and curves can differ slightly (measured in benchmarks/results/million_rows.md).
- ``max_candidates`` (approximation, already in the engine): score a random subset of the unlabeled pool
  each round; :func:`suggest_max_candidates` is the default this module recommends for huge pools.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from simulations.config import DEFAULT_BUDGET, SimulationConfig, label_schedule
from simulations.datasets import Dataset
from simulations.features import build_preprocessor
from simulations.loop import Split, ceiling_metrics, make_split, run_strategy
from simulations.models import model_factory, model_label, prepare_matrix, validate_model
from simulations.results import SimulationResult
from simulations.runner import CEILING, Progress, strategy_seed
from simulations.strategies import make_strategy
from simulations.strategies.base import PoolView, QueryStrategy, ScoreStrategy
from simulations.summary import choose_metric

#: Pools above this many rows get ``max_candidates`` from :func:`suggest_max_candidates` when asked for.
LARGE_POOL_ROWS = 200_000
#: The candidate sample recommended for huge pools (its effect on savings is measured in the benchmark note).
LARGE_POOL_CANDIDATES = 20_000


def top_k_fast(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Exactly :func:`simulations.strategies.base.top_k` (same positions, same order, same RNG draws), in O(n).

    The ``k`` highest scores, ties broken by a uniform random key, NaN lowest. Only the rows scoring at
    least the k-th best can be in the answer, so only those are sorted: everything else sorts after them
    in the full order, and ``lexsort`` is stable on the (ascending) positions kept.
    """
    scores = np.where(np.isnan(scores), -np.inf, np.asarray(scores, dtype=float))
    n = len(scores)
    k = max(0, min(int(k), n))
    tiebreak = rng.random(n)  # drawn in full, as top_k does, so the generator's stream stays the same
    neg = -scores
    if k == 0:
        return np.empty(0, dtype=np.intp)
    if k < n:
        kth = np.partition(neg, k - 1)[k - 1]
        keep = np.flatnonzero(neg <= kth)
    else:
        keep = np.arange(n)
    order = np.lexsort((tiebreak[keep], neg[keep]))
    return keep[order[:k]]


class FastTopK(QueryStrategy):
    """A score strategy whose batch pick uses :func:`top_k_fast`; identical picks, the strategy otherwise unchanged.

    Strategies that override ``select`` (diversity, core-set, epsilon mixes, random) are used as they are.
    """

    def __init__(self, inner: ScoreStrategy) -> None:
        self.inner = inner
        self.name = inner.name
        self.uses_proba = getattr(inner, "uses_proba", True)

    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        if batch_size <= 0 or len(view.candidates) == 0:
            return np.empty(0, dtype=int)
        s = self.inner.scores(view, rng)
        return view.candidates[top_k_fast(s, batch_size, rng)]

    def fit_model(self, *args: Any, **kwargs: Any) -> Any:
        return self.inner.fit_model(*args, **kwargs)

    def describe(self) -> str:
        return self.inner.describe()


def with_fast_top_k(strategy: QueryStrategy) -> QueryStrategy:
    """``strategy`` with :func:`top_k_fast` when it is a plain score strategy (``select`` not overridden)."""
    if isinstance(strategy, ScoreStrategy) and type(strategy).select is ScoreStrategy.select:
        return FastTopK(strategy)
    return strategy


class FastMedianImputer(SimpleImputer):
    """``SimpleImputer`` whose dense median fit uses ``np.nanmedian`` (identical statistics, many times faster).

    Anything but a dense float median fit with NaN as the missing marker goes to ``SimpleImputer`` as is.
    """

    def _dense_fit(self, X, strategy, missing_values, fill_value, *args, **kwargs):  # sklearn hook
        if strategy != "median" or not (isinstance(missing_values, float) and np.isnan(missing_values)) \
                or X.dtype.kind != "f":
            return super()._dense_fit(X, strategy, missing_values, fill_value, *args, **kwargs)
        missing_mask = np.isnan(X)
        self._fit_indicator(missing_mask)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: handled below
            median = np.nanmedian(X, axis=0)
        median = np.asarray(median, dtype=float)
        median[missing_mask.all(axis=0)] = 0 if self.keep_empty_features else np.nan
        return median


def _fast_imputers(pre: Any) -> Any:
    """Swap every median ``SimpleImputer`` in the preprocessor's pipelines for :class:`FastMedianImputer`."""
    for _, trans, _ in pre.transformers:
        if isinstance(trans, Pipeline):
            for i, (name, step) in enumerate(trans.steps):
                if type(step) is SimpleImputer and step.strategy == "median":
                    trans.steps[i] = (name, FastMedianImputer(**step.get_params()))
    return pre


def fit_features_fast(dataset: Dataset) -> tuple[Any, Any]:
    """:func:`simulations.features.fit_features` with :class:`FastMedianImputer`: the same matrix, faster."""
    pre = _fast_imputers(build_preprocessor(dataset))
    X = pre.fit_transform(dataset.frame[dataset.feature_columns])
    if hasattr(X, "tocsr"):
        X = X.tocsr()
    else:
        X = np.ascontiguousarray(X, dtype=float)
    return X, pre


def as_float32(X: Any) -> Any:
    """Dense or sparse features as float32 (an approximation: halves memory, changes results in the last bits)."""
    if sp.issparse(X):
        return X.astype(np.float32)
    return np.ascontiguousarray(X, dtype=np.float32)


def suggest_max_candidates(n_pool: int) -> int | None:
    """The candidate sample this module recommends: None (score everything) up to :data:`LARGE_POOL_ROWS`
    unlabeled rows, :data:`LARGE_POOL_CANDIDATES` above (an approximation; see the benchmark note)."""
    return LARGE_POOL_CANDIDATES if n_pool > LARGE_POOL_ROWS else None


def _seed_job(X: Any, y: np.ndarray, seed: int, names: tuple[str, ...], spec: Any, schedule: np.ndarray,
              split_args: dict[str, Any], max_candidates: int | None, fast: bool) -> list[tuple[str, int, Any]]:
    """Every task of one seed, on one split built here (so a worker holds one seed's pool copy at a time)."""
    split: Split = make_split(X, y, seed=seed, **split_args)
    make_model = model_factory(spec, split.X_pool)
    out = []
    with threadpool_limits(limits=1):
        for name in names:
            if name == CEILING:
                out.append((name, seed, ceiling_metrics(split, make_model)))
                continue
            strategy = make_strategy(name)
            if fast:
                strategy = with_fast_top_k(strategy)
            records = run_strategy(split, strategy, make_model, schedule, strategy_seed=strategy_seed(name),
                                   max_candidates=max_candidates)
            out.append((name, seed, records))
    return out


def run_large_simulation(
    dataset: Dataset,
    config: SimulationConfig | None = None,
    *,
    model: Any = None,
    n_jobs: int = 1,
    float32: bool = False,
    fast: bool = True,
    progress: Callable[[Progress], None] | None = None,
    tmp_dir: str | Path | None = None,
) -> SimulationResult:
    """``run_simulation`` for very large pools: same result (bit for bit unless ``float32``), less time and memory.

    Parameters
    ----------
    dataset, config, model, progress
        As for :func:`simulations.runner.run_simulation`.
    n_jobs : int
        Parallel processes, one seed each at a time; every worker holds one seed's split.
    float32 : bool
        Store features as float32 (approximation; see :func:`as_float32`).
    fast : bool
        Use :func:`top_k_fast` and :class:`FastMedianImputer` (identical results; False = engine as is).
    tmp_dir : path, optional
        Where the shared memory-mapped feature file goes when ``n_jobs != 1`` (default: the system temp dir).
    """
    from simulations.features import fit_features

    config = config or SimulationConfig()
    spec = model if model is not None else config.model
    validate_model(spec)
    for name in config.strategies:
        make_strategy(name)
    X, _ = fit_features_fast(dataset) if fast else fit_features(dataset)
    X = prepare_matrix(spec, X)
    if float32:
        X = as_float32(X)
    class_names, y = np.unique(dataset.y, return_inverse=True)
    split_args = {"test_share": config.test_share, "max_test_rows": config.max_test_rows,
                  "initial_labels": config.initial_labels, "stop_set_rows": config.stop_set_rows}
    # Sizes from the indices alone (a zero-column matrix: no feature copy).
    probe = make_split(np.empty((len(y), 0)), y, seed=config.seed_values[0], **split_args)
    n_pool, n_initial = len(probe.y_pool), len(probe.initial)
    budget = min(n_pool, config.budget if config.budget is not None else DEFAULT_BUDGET)
    schedule = label_schedule(n_initial, budget, batch_size=config.batch_size, growth=config.growth)
    n_features, sparse_features = int(X.shape[1]), bool(hasattr(X, "tocsr"))
    names = (CEILING, *config.strategies)
    total = len(names) * len(config.seed_values)

    workdir = None
    try:
        if n_jobs != 1 and isinstance(X, np.ndarray):
            # One file every worker maps; joblib then sends a file name, not 8 bytes per cell per task.
            workdir = Path(tempfile.mkdtemp(prefix="labelwise-pool-", dir=tmp_dir))
            path = workdir / f"{uuid.uuid4().hex}.npy"
            np.save(path, X)
            X = np.load(path, mmap_mode="r")
        jobs = Parallel(n_jobs=n_jobs, return_as="generator_unordered" if n_jobs != 1 else "generator")(
            delayed(_seed_job)(X, y, seed, names, spec, schedule, split_args, config.max_candidates, fast)
            for seed in config.seed_values
        )
        records: list[dict[str, Any]] = []
        ceilings: list[dict[str, Any]] = []
        done = 0
        for results in jobs:
            for name, seed, out in results:
                done += 1
                rows = None
                if name == CEILING:
                    ceilings.append({"seed": seed, **out})
                else:
                    rows = pd.DataFrame([{"strategy": name, "seed": seed, **r} for r in out])
                    records.extend(rows.to_dict("records"))
                if progress is not None:
                    progress(Progress(done=done, total=total, strategy=name, seed=seed, rounds=rows))
    finally:
        del X
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    rounds = pd.DataFrame(records)
    order = {name: i for i, name in enumerate(config.strategies)}
    rounds = rounds.sort_values(["strategy", "seed", "round"], key=lambda s: s.map(order) if s.name == "strategy"
                                else s, kind="stable").reset_index(drop=True)
    ceil = pd.DataFrame(ceilings).sort_values("seed").reset_index(drop=True)
    counts = dataset.class_counts
    metric, reason = choose_metric(counts)
    meta = {
        "dataset_name": dataset.name, "fingerprint": dataset.fingerprint(), "label": dataset.label,
        "n_rows": len(dataset.frame), "n_missing_labels": int(dataset.n_missing_labels),
        "n_features": n_features, "sparse_features": sparse_features,
        "classes": [str(c) for c in class_names], "class_counts": {str(k): int(v) for k, v in counts.items()},
        "n_pool": int(n_pool), "n_test": len(probe.y_test), "n_initial": int(n_initial), "n_stop": len(probe.stop),
        "budget": int(budget), "labels_schedule": [int(v) for v in schedule], "model": model_label(spec),
        "metric": metric, "metric_reason": reason, "roles": dict(dataset.roles),
    }
    if float32:
        meta["float32_features"] = True
    return SimulationResult(rounds=rounds, ceilings=ceil, config=config, meta=meta)
