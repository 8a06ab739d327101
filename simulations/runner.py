"""Run strategies x seeds, in parallel, reproducibly.

Every task (one strategy on one seed, or one seed's ceiling) draws its randomness only from its own
seed, and runs with one BLAS thread, so results are bit-identical for any ``n_jobs``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from simulations.config import DEFAULT_BUDGET, SimulationConfig, label_schedule
from simulations.datasets import Dataset
from simulations.errors import SimulationCancelled
from simulations.features import fit_features
from simulations.loop import Split, ceiling_metrics, make_split, run_strategy
from simulations.models import model_factory, model_label, prepare_matrix, validate_model
from simulations.results import SimulationResult
from simulations.strategies import make_strategy
from simulations.summary import choose_metric

CEILING = "__ceiling__"


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


def strategy_seed(name: str) -> int:
    """A stable per-strategy seed (``hash()`` is salted per process, crc32 is not)."""
    return zlib.crc32(name.encode())


def _run_task(split: Split, strategy_name: str, model_spec: Any, schedule: np.ndarray,
              max_candidates: int | None) -> tuple[str, int, Any]:
    make_model = model_factory(model_spec, split.X_pool)
    with threadpool_limits(limits=1):
        if strategy_name == CEILING:
            return strategy_name, split.seed, ceiling_metrics(split, make_model)
        strategy = make_strategy(strategy_name)
        records = run_strategy(split, strategy, make_model, schedule,
                               strategy_seed=strategy_seed(strategy_name), max_candidates=max_candidates)
    return strategy_name, split.seed, records


def run_simulation(
    dataset: Dataset,
    config: SimulationConfig | None = None,
    *,
    model: Any = None,
    n_jobs: int = 1,
    progress: Callable[[Progress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> SimulationResult:
    """Simulate every strategy in ``config`` against random sampling, over seeds.

    Parameters
    ----------
    dataset : Dataset
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

    Returns
    -------
    SimulationResult
    """
    config = config or SimulationConfig()
    model_spec = model if model is not None else config.model
    validate_model(model_spec)
    for name in config.strategies:
        make_strategy(name)  # fail fast on unknown names, before any work

    X, _ = fit_features(dataset)
    X = prepare_matrix(model_spec, X)
    class_names, y = np.unique(dataset.y, return_inverse=True)
    splits = [
        make_split(X, y, seed=s, test_share=config.test_share, max_test_rows=config.max_test_rows,
                   initial_labels=config.initial_labels, stop_set_rows=config.stop_set_rows)
        for s in config.seed_values
    ]
    n_pool = len(splits[0].y_pool)
    n_initial = len(splits[0].initial)
    budget = min(n_pool, config.budget if config.budget is not None else DEFAULT_BUDGET)
    schedule = label_schedule(n_initial, budget, batch_size=config.batch_size, growth=config.growth)

    tasks = [(split, name) for split in splits for name in (CEILING, *config.strategies)]
    total = len(tasks)
    records: list[dict[str, Any]] = []
    ceilings: list[dict[str, Any]] = []
    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_run_task)(split, name, model_spec, schedule, config.max_candidates) for split, name in tasks
    )
    try:
        for done, (name, seed, out) in enumerate(jobs, start=1):
            if name == CEILING:
                ceilings.append({"seed": seed, **out})
                rows = None
            else:
                rows = pd.DataFrame([{"strategy": name, "seed": seed, **r} for r in out])
                records.extend(rows.to_dict("records"))
            if progress is not None:
                progress(Progress(done=done, total=total, strategy=name, seed=seed, rounds=rows))
            if should_cancel is not None and should_cancel() and done < total:
                raise SimulationCancelled(
                    f"Simulation cancelled after {done} of {total} tasks.", hint="Run it again to get results."
                )
    finally:
        close = getattr(jobs, "close", None)
        if close is not None:
            close()

    rounds = pd.DataFrame(records)
    order = {name: i for i, name in enumerate(config.strategies)}
    rounds = rounds.sort_values(["strategy", "seed", "round"], key=lambda s: s.map(order) if s.name == "strategy"
                                else s, kind="stable").reset_index(drop=True)
    ceil = pd.DataFrame(ceilings).sort_values("seed").reset_index(drop=True)

    counts = dataset.class_counts
    metric, reason = choose_metric(counts)
    meta = {
        "dataset_name": dataset.name,
        "fingerprint": dataset.fingerprint(),
        "label": dataset.label,
        "n_rows": len(dataset.frame),
        "n_missing_labels": int(dataset.n_missing_labels),
        "n_features": int(X.shape[1]),
        "sparse_features": bool(hasattr(X, "tocsr")),
        "classes": [str(c) for c in class_names],
        "class_counts": {str(k): int(v) for k, v in counts.items()},
        "n_pool": int(n_pool),
        "n_test": len(splits[0].y_test),
        "n_initial": int(n_initial),
        "n_stop": len(splits[0].stop),
        "budget": int(budget),
        "labels_schedule": [int(v) for v in schedule],
        "model": model_label(model_spec),
        "metric": metric,
        "metric_reason": reason,
        "roles": dict(dataset.roles),
    }
    return SimulationResult(rounds=rounds, ceilings=ceil, config=config, meta=meta)
