"""``project next``: the next rows to label, the strategy's picks plus a random control arm.

A batch of ``n`` rows holds ``round(n x control_share)`` control rows (at least one when the share is positive and
``n >= 2``), drawn uniformly at random from every unlabeled row, and the strategy's top picks among the rest.
Everything is seeded by the project's seed and the round number, and the model is refitted from the labels in
the state, so the same project state gives the same batch. The batch is recorded as *pending* (atomically) before
the file is written; asking again before ``project add`` returns the same pending batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from simulations.errors import ConfigError
from simulations.project.store import ROW_ID, Project, project_lock
from simulations.strategies import make_strategy
from simulations.strategies.base import PoolView, ScoreStrategy, top_k

__all__ = ["BATCH_COLUMNS", "DEFAULT_CONTROL_SHARE", "batch_frame", "control_count", "next_batch"]

DEFAULT_CONTROL_SHARE = 0.1
#: The columns every batch file starts with (the label column follows, empty, then the data's columns).
BATCH_COLUMNS = (ROW_ID, "why", "score")


def control_count(batch_size: int, control_share: float) -> int:
    """Control rows in a batch: ``round(batch_size x share)``, at least 1 when the share is positive and n >= 2."""
    if control_share <= 0:
        return 0
    return int(min(batch_size - 1 if batch_size >= 2 else 0, max(1, round(batch_size * control_share))))


def _check(batch_size: int, control_share: float) -> None:
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ConfigError(f"The batch size must be a positive whole number (got {batch_size}).",
                          hint="E.g. --batch 50.")
    if not (0 <= control_share < 1):
        raise ConfigError(f"The control share must be at least 0 and below 1 (got {control_share}).",
                          hint="E.g. --control-share 0.1 (a tenth of each batch drawn at random).")


def next_batch(project: Project, batch_size: int, control_share: float = DEFAULT_CONTROL_SHARE) -> pd.DataFrame:
    """The next batch to label (see the module docstring), recorded as pending in the project.

    Returns
    -------
    DataFrame
        :func:`batch_frame` of the pending batch: ``row_id``, ``why`` ("control", or the strategy's name), ``score``
        (the strategy's score; empty for control rows and strategies without one), the label column (empty), then
        the data file's other columns. Rows in row-id order, so their position says nothing about their arm.

    Holds the project's lock (a concurrent ``add`` or ``next`` raises ``ProjectBusyError``, nothing changed) and
    reads the state again under it.
    """
    with project_lock(project.root, "next"):
        project.reload_state()
        return _next_batch(project, batch_size, control_share)


def _next_batch(project: Project, batch_size: int, control_share: float) -> pd.DataFrame:
    state = project.state
    if state.pending is not None:
        return batch_frame(project)
    _check(batch_size, control_share)
    labeled = set(state.labels)
    unlabeled = np.array([i for i, rid in enumerate(project.ids) if rid not in labeled], dtype=int)
    if len(unlabeled) == 0:
        raise ConfigError("Every row of the file is labeled: there is nothing left to send.",
                          hint="See 'labelwise project status' for the final score and savings.")
    round_no = state.next_round
    rng = np.random.default_rng([int(project.config.seed), int(round_no)])
    n = min(int(batch_size), len(unlabeled))
    n_ctrl = control_count(n, control_share)
    control = rng.choice(unlabeled, size=n_ctrl, replace=False) if n_ctrl else np.empty(0, dtype=int)
    candidates = np.setdiff1d(unlabeled, control)
    with threadpool_limits(limits=1):
        picks, scores = _strategy_picks(project, candidates, n - n_ctrl, rng)
    ids = project.ids
    rows = [{"row_id": ids[i], "arm": "control", "score": None} for i in control]
    name = project.config.strategy
    rows += [{"row_id": ids[i], "arm": "al", "score": s} for i, s in zip(picks, scores, strict=True)]
    state.pending = {"round": round_no, "batch_size": n, "control_share": float(control_share), "strategy": name,
                     "rows": rows}
    project.save_state()
    return batch_frame(project)


def _strategy_picks(project: Project, candidates: np.ndarray, k: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, list[float | None]]:
    """The strategy's ``k`` picks among ``candidates`` and each one's score (None when it has none)."""
    if k <= 0 or len(candidates) == 0:
        return np.empty(0, dtype=int), []
    strategy = make_strategy(project.config.strategy)
    labeled = project.labeled_positions()
    y = project.labels_at(labeled)
    make_model = project.make_model()
    unlabeled = np.setdiff1d(np.arange(len(project.ids)), labeled)
    model = strategy.fit_model(make_model, project.X, labeled, y, unlabeled, int(project.config.seed))
    view = PoolView(X=project.X, candidates=candidates, labeled=labeled, y_labeled=y,
                    classes=np.asarray(model.classes_), model=model, make_model=make_model)
    if isinstance(strategy, ScoreStrategy):
        s = np.asarray(strategy.scores(view, rng), dtype=float)
        pos = top_k(s, k, rng)
        return candidates[pos], [float(v) if np.isfinite(v) else None for v in s[pos]]
    picks = np.asarray(strategy.select(view, k, rng), dtype=int)
    return picks, [None] * len(picks)


def batch_frame(project: Project) -> pd.DataFrame:
    """The pending batch as the file the labelers get (see :func:`next_batch`)."""
    pending = project.state.pending
    if pending is None:
        raise ConfigError("No batch is pending.", hint="Ask for one with 'labelwise project next'.")
    pos = project.position
    rows = sorted(pending["rows"], key=lambda r: pos[r["row_id"]])
    label = project.config.label
    data = project.frame.iloc[[pos[r["row_id"]] for r in rows]].reset_index(drop=True)
    out = pd.DataFrame({
        ROW_ID: [r["row_id"] for r in rows],
        "why": ["control" if r["arm"] == "control" else pending["strategy"] for r in rows],
        "score": [r["score"] for r in rows],
        label: "",
    })
    others = data.drop(columns=[c for c in (label, ROW_ID) if c in data.columns])
    return pd.concat([out, others], axis=1)


def write_batch(frame: pd.DataFrame, path: Any) -> None:
    """Write a batch file: CSV, or .xlsx/.parquet/.jsonl by the extension."""
    p = str(path)
    if p.endswith(".xlsx"):
        frame.to_excel(p, index=False)
    elif p.endswith(".parquet"):
        frame.to_parquet(p, index=False)
    elif p.endswith(".jsonl"):
        frame.to_json(p, orient="records", lines=True)
    else:
        frame.to_csv(p, index=False)
