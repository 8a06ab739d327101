"""A sweep's output folder: one small JSON file per finished task, written atomically.

Layout of ``OUT/``::

    sweep.json          the config and the planned task keys (rewritten at each start)
    tasks/<key>.json    one finished task each; present means finished
    results.csv         the tidy table of every round (written when all tasks are finished)
    summary.csv         savings with intervals per dataset x model x schedule x strategy

A file appears only complete (written to a temporary name, then ``os.replace``), so a worker or driver
lost at any moment leaves finished tasks intact and no half-written file behind; ``--resume`` skips every
key that has a valid file.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from simulations.errors import ResultsFileError
from simulations.sweep.tasks import TASK_FORMAT, TASK_VERSION

MANIFEST_FORMAT = "labelwise-sweep"
#: File names in a sweep's output folder (the readers in ``simulations.sweep.table`` use the same).
MANIFEST_NAME = "sweep.json"
RESULTS_NAME = "results.csv"
SUMMARY_NAME = "summary.csv"
TASKS_DIR = "tasks"


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see either the old file or the whole new one."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class TaskStore:
    """The task files of one output folder."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.tasks_dir = self.out / TASKS_DIR

    def create(self) -> None:
        self.tasks_dir.mkdir(parents=True, exist_ok=True)
        # Temporary files of a run that died mid-write are garbage: their task was not finished.
        for tmp in self.tasks_dir.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        return self.tasks_dir / f"{key}.json"

    def keys_on_disk(self) -> set[str]:
        if not self.tasks_dir.exists():
            return set()
        return {p.stem for p in self.tasks_dir.glob("*.json")}

    def write(self, payload: dict[str, Any]) -> Path:
        path = self.path(payload["key"])
        atomic_write_text(path, json.dumps(payload, allow_nan=False, separators=(",", ":")))
        return path

    def read(self, key: str) -> dict[str, Any]:
        path = self.path(key)
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResultsFileError(f"Cannot read the task file {path} ({exc}).",
                                   hint="Delete it and run the sweep again with --resume.") from exc
        if d.get("format") != TASK_FORMAT or d.get("key") != key or d.get("version", 0) > TASK_VERSION:
            raise ResultsFileError(f"{path} is not a finished task of this sweep.",
                                   hint="Delete it and run the sweep again with --resume.")
        return d

    def is_finished(self, key: str) -> bool:
        """Whether a valid file exists for ``key`` (a damaged one counts as not finished)."""
        if not self.path(key).exists():
            return False
        try:
            self.read(key)
        except ResultsFileError:
            return False
        return True

    def write_manifest(self, config: dict[str, Any], keys: list[str], datasets: dict[str, Any]) -> None:
        text = json.dumps({"format": MANIFEST_FORMAT, "version": 1, "config": config, "datasets": datasets,
                           "tasks": keys}, indent=1)
        atomic_write_text(self.out / MANIFEST_NAME, text)
