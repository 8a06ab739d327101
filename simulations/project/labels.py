"""``project add``: read a labeled batch back, check it against the pending batch, refit, record the round.

The file is read by intake's reader (CSV/TSV, Excel, Parquet, JSON Lines: the same formats and encodings as
``labelwise simulate``). Every check runs before anything is written, and each failure is a typed
:class:`~simulations.project.errors.ProjectError` that names the fix; the state is then written in one atomic
replace (:mod:`simulations.project.store`), so a bad file or a kill during ``add`` leaves the project as it was.

Checks, in order: the row id and label columns exist; no id repeats; the rows were not added in an earlier round;
every id was sent in the pending batch; every row of the batch is back; every row has a label; every label is a
known class (unless ``allow_new_class``); the data columns the file kept match the project's copy of the data.
"""

from __future__ import annotations

import copy
import os
from typing import IO, Any

import numpy as np
import pandas as pd

from simulations.intake.reader import read_table
from simulations.project.errors import (
    AlreadyAddedError,
    ChangedRowError,
    DuplicateIdError,
    EmptyLabelsError,
    MissingRowsError,
    NewClassError,
    NoPendingBatchError,
    NotSentError,
    WrongColumnsError,
)
from simulations.project.store import ROW_ID, Project, ProjectState, label_strings, project_lock, row_id_strings

__all__ = ["add_labels", "read_labels"]

#: Shown at most this many ids in a message.
SHOW_IDS = 8


def _show(ids: list[str]) -> str:
    head = ", ".join(str(i) for i in ids[:SHOW_IDS])
    return head + (f" and {len(ids) - SHOW_IDS} more" if len(ids) > SHOW_IDS else "")


def read_labels(project: Project, source: str | os.PathLike | bytes | IO[bytes], *, filename: str | None = None,
                allow_new_class: bool = False) -> dict[str, str]:
    """Read and check a labeled batch; the labels by row id. Raises a ProjectError (or an IntakeError) when bad."""
    state = project.state
    label = project.config.label
    frame = read_table(source, filename=filename, max_mb=None).frame
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in (ROW_ID, label) if c not in frame.columns]
    if missing:
        raise WrongColumnsError(
            f"The labeled file lacks the column(s) {', '.join(repr(c) for c in missing)}; it has: "
            f"{', '.join(list(frame.columns)[:15])}.",
            hint=f"Return the batch file from 'labelwise project next' with its '{ROW_ID}' column unchanged and the "
                 f"labels in its '{label}' column.", details={"missing": missing, "columns": list(frame.columns)})
    ids = row_id_strings(frame[ROW_ID])
    dup = sorted(ids[ids.duplicated(keep=False)].unique().tolist())
    if dup:
        raise DuplicateIdError(f"Row id(s) {_show(dup)} appear more than once in the labeled file.",
                               hint="Keep one row per id (one label each) and add the file again.",
                               details={"ids": dup})
    sent = {} if state.pending is None else {r["row_id"]: r for r in state.pending["rows"]}
    earlier = [i for i in ids if i in state.labels]
    if earlier and not (set(ids) & set(sent)):
        rounds = sorted({state.round_of[i] for i in earlier})
        raise AlreadyAddedError(f"These rows were already added (round {', '.join(map(str, rounds))}): this batch was "
                                "added before.",
                                hint="Nothing to do: the labels are in the project. Ask for the next batch with "
                                     "'labelwise project next'.", details={"ids": earlier[:50], "rounds": rounds})
    if state.pending is None:
        raise NoPendingBatchError("No batch is waiting for labels.",
                                  hint="Ask for one with 'labelwise project next --out batch.csv', label it, then add "
                                       "it.")
    not_sent = [i for i in ids if i not in sent]
    if not_sent:
        raise NotSentError(f"{len(not_sent)} row id(s) were not in the batch sent (round {state.pending['round']}): "
                           f"{_show(not_sent)}.",
                           hint="Add only the rows of the latest batch from 'labelwise project next'; remove the "
                                "others (or fix their row_id).", details={"ids": not_sent})
    absent = [i for i in sent if i not in set(ids)]
    if absent:
        raise MissingRowsError(f"{len(absent)} row(s) of the batch sent are not in the labeled file: {_show(absent)}.",
                               hint="Return the whole batch, every row labeled (the control rows drawn at random "
                                    "must all come back, or the savings estimate would be biased).",
                               details={"ids": absent})
    y = label_strings(frame[label])
    empty = ids[(y == "").to_numpy()].tolist()
    if empty:
        raise EmptyLabelsError(f"{len(empty)} row(s) have no label: {_show(empty)}.",
                               hint=f"Fill in the '{label}' column on every row of the batch and add the file again.",
                               details={"ids": empty})
    known = set(state.labels.values())
    new = sorted(set(y) - known)
    if new and not allow_new_class:
        raise NewClassError(f"Label(s) {', '.join(repr(c) for c in new)} are not among the project's classes "
                            f"({', '.join(sorted(known))}).",
                            hint="Fix the typo; or, if it is a real new class, add the file with --allow-new-class "
                                 "(the dashboard: tick 'Allow a new class').",
                            details={"new": new, "classes": sorted(known)})
    _check_unchanged(project, frame, ids)
    return dict(zip(ids.tolist(), y.tolist(), strict=True))


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Elementwise: the same value (numbers compared as numbers, text stripped, empty equals empty)."""
    ea = a.isna() | (a.astype(str).str.strip() == "")
    eb = b.isna() | (b.astype(str).str.strip() == "")
    na, nb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    num = na.notna().to_numpy() & nb.notna().to_numpy()
    close = np.isclose(na.fillna(0).to_numpy(float), nb.fillna(0).to_numpy(float), rtol=1e-9, atol=1e-12)
    text = a.astype(str).str.strip().to_numpy() == b.astype(str).str.strip().to_numpy()
    return (ea.to_numpy() & eb.to_numpy()) | (num & close) | (~num & text & ~ea.to_numpy() & ~eb.to_numpy())


def _check_unchanged(project: Project, frame: pd.DataFrame, ids: pd.Series) -> None:
    """The data columns the file kept hold the project's values for each id (labelers may drop columns)."""
    pos = project.position
    cols = [c for c in project.feature_columns if c in frame.columns]
    if not cols:
        return
    original = project.frame.iloc[[pos[i] for i in ids]].reset_index(drop=True)
    got = frame.reset_index(drop=True)
    for c in cols:
        same = _same(original[c], got[c])
        if not same.all():
            bad = ids[~same].tolist()
            raise ChangedRowError(f"Column '{c}' of row id(s) {_show(bad)} differs from the project's data (e.g. "
                                  f"{str(got[c][~same].iloc[0])[:60]!r} instead of "
                                  f"{str(original[c][~same].iloc[0])[:60]!r}).",
                                  hint=f"Label the rows as sent: undo the edit of '{c}' (or delete the column from "
                                       "the file; only row_id and the label are needed), then add it again.",
                                  details={"column": c, "ids": bad})


def add_labels(project: Project, source: str | os.PathLike | bytes | IO[bytes], *, filename: str | None = None,
               allow_new_class: bool = False) -> dict[str, Any]:
    """Check a labeled batch, refit and score, and record the round (atomically). Returns the round's record.

    Holds the project's lock throughout (:func:`~simulations.project.store.project_lock`: a concurrent ``add`` or
    ``next`` raises ``ProjectBusyError``, nothing changed) and reads the state again under it.
    """
    with project_lock(project.root, "add"):
        project.reload_state()
        return _add_labels(project, source, filename=filename, allow_new_class=allow_new_class)


def _add_labels(project: Project, source: str | os.PathLike | bytes | IO[bytes], *, filename: str | None,
                allow_new_class: bool) -> dict[str, Any]:
    from simulations.project.scoring import round_record

    labels = read_labels(project, source, filename=filename, allow_new_class=allow_new_class)
    state: ProjectState = copy.deepcopy(project.state)
    pending = state.pending
    round_no = int(pending["round"])
    for row in pending["rows"]:
        rid = row["row_id"]
        state.labels[rid] = labels[rid]
        state.arms[rid] = row["arm"]
        state.round_of[rid] = round_no
        if row["arm"] == "control":
            state.control_order.append(rid)
    state.pending = None
    record = round_record(project, round_no, state)
    log = dict(record, rows=[dict(r, label=labels[r["row_id"]]) for r in pending["rows"]])
    project.write_round_log(log)
    state.rounds.append(record)
    old = project.state
    project.state = state
    try:
        project.save_state()
    except BaseException:
        project.state = old
        raise
    return record
