"""Export and import of scenario files for the Scenarios page (pure functions, no Streamlit).

The page offers one download of every scenario (:meth:`ScenarioStore.export_all`) and one uploader that takes
either that file or the single-scenario JSON; this module turns bytes into store calls and an
:class:`~dashboard.store.ImportReport` into one sentence, so both are testable without a browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dashboard.store import BUNDLE_FORMAT, EXPORT_FORMAT, ImportReport, OnConflict, Scenario, ScenarioStore, StoreError

#: What the page calls each conflict rule (:data:`dashboard.store.ON_CONFLICT`), in the order offered.
CONFLICT_LABELS: dict[str, str] = {"keep_both": "Keep both", "skip": "Skip", "replace": "Replace"}
#: The one-line explanation under the choice.
CONFLICT_HELP = ("When the file holds a scenario that is already here with different content: keep both (the "
                 "imported one is added as '(imported)' with a new link), skip it, or replace the one here (its "
                 "previous version is kept and can be restored for 30 days).")
_NOT_OURS = StoreError("This file is not a Labelwise scenarios file.",
                       "Choose a .json file saved with 'Export all scenarios' or 'Scenario (JSON)' on this page.")


@dataclass
class ImportOutcome:
    """What one upload did: a full export gives ``report``; a single-scenario file gives ``scenario``."""

    report: ImportReport | None = None
    scenario: Scenario | None = None


def export_bytes(store: ScenarioStore) -> bytes:
    """Every scenario as the ``labelwise-scenarios`` JSON file (ASCII, like :meth:`ScenarioStore.export_file`).

    Raises
    ------
    StoreError
        The database cannot be read (:class:`~dashboard.store.StoreBusy` when other sessions hold it).
    """
    return json.dumps(store.export_all(), allow_nan=False).encode("ascii")


def parse(data: bytes) -> dict[str, Any]:
    """An uploaded file's JSON object.

    Raises
    ------
    StoreError
        Not JSON, not text, nested too deeply, or not an object.
    """
    try:
        # json.loads detects UTF-8/16/32 itself; a decoding error is a ValueError.
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:  # RecursionError: a hostile, absurdly nested file
        raise StoreError(f"This file is not readable JSON ({type(exc).__name__}).", _NOT_OURS.hint) from exc
    if not isinstance(obj, dict):
        raise StoreError(_NOT_OURS.message, _NOT_OURS.hint)
    return obj


def import_bytes(store: ScenarioStore, data: bytes, *, on_conflict: OnConflict = "keep_both") -> ImportOutcome:
    """Import an uploaded file: a full export with ``on_conflict``, or one scenario as a new scenario.

    Parameters
    ----------
    store : ScenarioStore
        Where the scenarios go.
    data : bytes
        The uploaded file.
    on_conflict : {"keep_both", "skip", "replace"}
        For a full export only (a single-scenario file has no id, so it is always new).

    Returns
    -------
    ImportOutcome

    Raises
    ------
    StoreError
        The file is not a Labelwise scenario file, is incomplete or from a newer Labelwise (nothing is
        imported), or the database is busy or unusable.
    """
    obj = parse(data)
    fmt = obj.get("format")
    if fmt == BUNDLE_FORMAT:
        return ImportOutcome(report=store.import_all(obj, on_conflict=on_conflict))
    if fmt == EXPORT_FORMAT:
        return ImportOutcome(scenario=store.import_dict(obj))
    raise StoreError(_NOT_OURS.message, _NOT_OURS.hint)


def _n(k: int, what: str = "scenario") -> str:
    return f"{k} {what}{'' if k == 1 else 's'}"


def report_text(report: ImportReport) -> str:
    """One sentence saying what a full import did, every non-empty outcome with its count.

    Examples
    --------
    >>> report_text(ImportReport(added=["a", "b"], skipped=["c"]))
    'The file held 3 scenarios: 2 added, 1 skipped (the copy here was kept).'
    """
    if report.total == 0:
        return "The file holds no scenarios; nothing changed."
    parts = [
        (report.added, f"{len(report.added)} added"),
        (report.kept_both, f"{len(report.kept_both)} already here with different content, added alongside as "
                           "'(imported)' with a new link"),
        (report.skipped, f"{len(report.skipped)} skipped (the copy here was kept)"),
        (report.replaced, f"{len(report.replaced)} replaced"),
        (report.unchanged, f"{len(report.unchanged)} already here, unchanged"),
    ]
    text = f"The file held {_n(report.total)}: " + ", ".join(p for items, p in parts if items) + "."
    if report.relinked:
        # The incoming link belonged to another scenario here (never taken over) or was withdrawn (never revived).
        text += (f" {_n(len(report.relinked))} got a new share link (the old one belonged to another scenario here, "
                 "or was withdrawn).")
    return text
