"""From a user's file to a :class:`~simulations.datasets.Dataset`: read -> check -> sample -> Dataset."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import pandas as pd

from simulations.datasets import Dataset
from simulations.errors import ConfigError
from simulations.intake.archives import MAX_DECOMPRESSED_MB
from simulations.intake.checks import (
    MIN_CLASS_ROWS,
    MIN_LABELED_ROWS,
    CheckReport,
    check_table,
    text_without_words,
)
from simulations.intake.columns import MAX_COLUMNS
from simulations.intake.reader import read_table
from simulations.intake.report import INFO, Note, Notes, ReadReport
from simulations.intake.upload import MAX_UPLOAD_MB

#: Labeled rows above this are sampled (stratified, seeded) for the quick simulation.
MAX_SIMULATION_ROWS = 200_000


def sample_pool(frame: pd.DataFrame, label: str, max_rows: int = MAX_SIMULATION_ROWS, random_state: int = 0, *,
                min_class_rows: int = MIN_CLASS_ROWS) -> pd.DataFrame:
    """At most ``max_rows`` rows, stratified by ``label`` and seeded; the frame itself when it is small enough.

    Class shares are kept (largest remainders), and every class keeps at least ``min(its rows, min_class_rows)``
    rows so that a rare class does not vanish from the sample. Rows keep their original order.

    Parameters
    ----------
    frame : DataFrame
        Labeled rows (a missing label is sampled as its own group).
    max_rows : int
    random_state : int
    """
    if max_rows < 1:
        raise ConfigError(f"max_rows must be positive (got {max_rows}).", hint="Use e.g. 200000.")
    n = len(frame)
    if n <= max_rows:
        return frame
    inverse, classes = pd.factorize(frame[label], use_na_sentinel=False)
    counts = np.bincount(inverse, minlength=len(classes))
    floor = np.minimum(counts, min_class_rows)
    if floor.sum() > max_rows:
        raise ConfigError(f"max_rows={max_rows:,} cannot hold {min_class_rows} rows of each of {len(classes):,} "
                          "classes.", hint="Raise max_rows.")
    exact = counts * max_rows / n
    quota = np.maximum(floor, np.floor(exact).astype(int))
    remainder = exact - quota
    while quota.sum() < max_rows:
        c = int(np.argmax(np.where(quota < counts, remainder, -np.inf)))
        quota[c] += 1
        remainder[c] -= 1
    while quota.sum() > max_rows:
        c = int(np.argmin(np.where(quota > floor, remainder, np.inf)))
        quota[c] -= 1
        remainder[c] += 1
    rng = np.random.default_rng(random_state)
    picked = [rng.choice(np.flatnonzero(inverse == i), size=int(q), replace=False) for i, q in enumerate(quota)]
    return frame.iloc[np.sort(np.concatenate(picked))].reset_index(drop=True)


@dataclass
class LoadReport:
    """Everything intake did, for the dashboard and the CLI.

    Attributes
    ----------
    read : ReadReport
        Format, encoding, delimiter, rows and columns as read.
    check : CheckReport
        Labeled/unlabeled counts, classes, roles, dropped columns (its ``frame`` holds all labeled rows).
    n_labeled_full : int
        Labeled rows before sampling.
    n_simulation_rows : int
        Rows the simulation runs on (a sample when ``sampled``).
    sampled : bool
    production_pool_rows : int
        All data rows in the file (labeled and unlabeled, before sampling): the pool size the business
        case should use by default.
    notes : list of Note
        All notes in order: reading, checks, sampling.
    """

    read: ReadReport
    check: CheckReport
    n_labeled_full: int
    n_simulation_rows: int
    sampled: bool
    production_pool_rows: int
    notes: Notes = field(default_factory=Notes)

    @property
    def extra_pool(self) -> pd.DataFrame | None:
        """Unlabeled rows kept with ``unlabeled="pool"`` (None otherwise)."""
        return self.check.extra_pool

    def warnings(self) -> list[Note]:
        return self.notes.warnings()

    def lines(self) -> list[str]:
        """Readable lines: what was read, then every note (warnings marked)."""
        out = [self.read.describe()]
        out += [("warning: " if n.level != INFO else "") + n.message for n in self.notes]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read.to_dict(), "check": self.check.to_dict(), "n_labeled_full": self.n_labeled_full,
            "n_simulation_rows": self.n_simulation_rows, "sampled": self.sampled,
            "production_pool_rows": self.production_pool_rows,
            "notes": [{"code": n.code, "message": n.message, "level": n.level} for n in self.notes],
        }


def load_user_dataset(
    source: str | os.PathLike | bytes | IO[bytes],
    label: str,
    *,
    filename: str | None = None,
    name: str | None = None,
    roles: dict[str, str] | None = None,
    unlabeled: str = "exclude",
    rare_classes: str = "error",
    leakage: str = "error",
    label_type: str = "auto",
    min_labeled_rows: int = MIN_LABELED_ROWS,
    min_class_rows: int = MIN_CLASS_ROWS,
    max_rows: int = MAX_SIMULATION_ROWS,
    random_state: int = 0,
    max_mb: float | None = MAX_UPLOAD_MB,
    max_decompressed_mb: float | None = MAX_DECOMPRESSED_MB,
    max_columns: int | None = MAX_COLUMNS,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    sheet: str | int | None = None,
    columns: list[str] | None = None,
) -> tuple[Dataset, LoadReport]:
    """Read, check and sample a user's file into a :class:`Dataset` ready for :func:`run_simulation`.

    The keyword arguments are those of :func:`read_table`, :func:`check_table` and :func:`sample_pool`.
    ``columns`` (read only these) always includes ``label``. ``Dataset.n_missing_labels`` is set to the
    number of unlabeled rows.

    Returns
    -------
    dataset : Dataset
        Labeled rows (a stratified sample of ``max_rows`` when there are more); with ``unlabeled="pool"``
        the unlabeled rows (at most ``max_rows``, a random sample) as ``dataset.extra_pool``.
    report : LoadReport
    """
    if columns is not None and label not in columns:
        columns = [*columns, label]
    result = read_table(source, filename=filename, max_mb=max_mb, max_decompressed_mb=max_decompressed_mb,
                        max_columns=max_columns, encoding=encoding, delimiter=delimiter, header=header, sheet=sheet,
                        columns=columns, label=label)
    check = check_table(result.frame, label, unlabeled=unlabeled, min_labeled_rows=min_labeled_rows,
                        min_class_rows=min_class_rows, rare_classes=rare_classes, leakage=leakage,
                        label_type=label_type, roles=roles, max_columns=max_columns)
    notes = Notes([*result.report.notes, *check.notes])
    frame = sample_pool(check.frame, label, max_rows, random_state, min_class_rows=min_class_rows)
    sampled = len(frame) < len(check.frame)
    production = result.report.n_rows
    if sampled:
        notes.add("sampled", f"The simulation runs on a stratified random sample of {len(frame):,} of the "
                             f"{check.n_labeled:,} labeled rows (seed {random_state}) to stay quick; the business "
                             f"case uses the full pool of {production:,} rows.")
    if check.extra_pool is not None and len(check.extra_pool) > max_rows:
        check.extra_pool = check.extra_pool.sample(n=max_rows, random_state=random_state).sort_index()
        notes.add("extra_pool_sampled", f"Kept a random {max_rows:,} of the {check.n_unlabeled:,} unlabeled rows "
                                        "as extra pool.")
    # The roles judged on all labeled rows hold for the sample too (a sample can make a column look constant or
    # unique by chance); only text is checked again, since the sample may have too few rows sharing a word.
    chosen = dict(check.roles)
    if sampled:
        text_without_words(frame, chosen, notes)
    # With unlabeled="pool" the unlabeled rows ride along as the dataset's extra pool (never queried).
    dataset = Dataset.from_frame(frame, label, name=name or result.report.source, roles=chosen,
                                 extra_pool=check.extra_pool)
    dataset.n_missing_labels = check.n_unlabeled
    report = LoadReport(read=result.report, check=check, n_labeled_full=check.n_labeled,
                        n_simulation_rows=len(frame), sampled=sampled, production_pool_rows=production, notes=notes)
    return dataset, report
