"""The scenario store: saved plans with their results, in SQLite (stdlib ``sqlite3``).

A scenario holds its inputs, the dataset's name and fingerprint, and a payload with everything the
Review page shows (simulation results, summary, business case, stopping table), so a shared link opens
without rerunning anything.

- The database file is ``$LABELWISE_DB`` (default ``./.labelwise/labelwise.db``).
- One short-lived connection per operation, so Streamlit's threads never share a connection.
- Every write is one ``BEGIN IMMEDIATE`` transaction in WAL mode with ``synchronous=FULL``: a save is either
  wholly in the file or not at all, even when the process is killed mid-save, and committed saves survive a
  power cut. WAL rather than a rollback journal because readers (share links) never wait for a writer and a
  writer never waits for readers; SQLite rolls back an interrupted write from the ``-wal`` file on the next
  open and removes ``-wal``/``-shm`` when the last connection closes. WAL needs a local disk (not NFS/SMB).
- Concurrent writers (threads or processes) wait for each other: SQLite's busy handler plus a retry loop up
  to ``busy_timeout`` seconds; only then :class:`StoreBusy` (a typed error with a hint), never a bare
  "database is locked".
- Schema version in ``PRAGMA user_version``; :data:`MIGRATIONS` bring any older file up to date in one
  transaction taken under the write lock, so two processes opening an old file never migrate it twice.
  A file from a newer Labelwise is refused (:class:`StoreError`) and left untouched.
- Share ids are ``secrets.token_urlsafe(24)`` (192 bits); they are the only thing a link reveals. A link can be
  withdrawn (:meth:`ScenarioStore.revoke_link`): the scenario gets a new one, and the old one (kept only as its
  SHA-256) answers :class:`LinkWithdrawn`, also after an import of an old backup.
- Nothing is overwritten for good: :meth:`ScenarioStore.delete` moves a scenario to the trash (restorable for
  :data:`TRASH_DAYS` days, then purged), and rename, update, restoring a version and "replace" on import keep the
  previous version (:meth:`ScenarioStore.versions`, :meth:`ScenarioStore.restore_version`), for as long.
- Every change writes one row of the ``audit`` table (who: the store's ``actor``, what, when) in the same
  transaction as the change; :meth:`ScenarioStore.export_all` includes it.
- Every failure to create, open or read the file is a :class:`StoreUnavailable` naming the problem and its fix. A
  file that is missing or 0 bytes where scenarios were saved before (a marker file beside it says so) is refused,
  not opened as an empty store.
- SQL uses parameters only.
- :meth:`ScenarioStore.export_all` / :meth:`ScenarioStore.import_all` copy every scenario losslessly (ids, share
  ids and timestamps included); what happens to an id both sides hold is the caller's choice
  (:data:`ON_CONFLICT`), by default both are kept.
- A scenario planned on an uploaded file keeps the file's bytes (table ``data_files``, one row per content hash
  however many scenarios use it, up to :data:`MAX_FILE_MB`), saved in the same transaction as the scenario, so
  opening it later, in another browser, can rerun it. A file no scenario uses any more is deleted with the last
  one. Full exports carry the files their scenarios use.

Where the code is (import everything from here): :mod:`dashboard.store_model` (settings, typed errors, record
types), :mod:`dashboard.store_db` (the file, connections, schema and migrations, the row-level steps of a write),
:mod:`dashboard.store_scenarios` (save, read, update, the trash, versions, links, kept files) and this module
(:class:`ScenarioStore` with export and import).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dashboard.store_db import MIGRATIONS, SCHEMA_VERSION
from dashboard.store_model import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    BUSY_TIMEOUT,
    DEFAULT_ACTOR,
    DEFAULT_DB,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MAX_FILE_MB,
    MAX_NAME,
    ON_CONFLICT,
    TRASH_DAYS,
    AuditEntry,
    DataFile,
    FileSource,
    ImportReport,
    LinkWithdrawn,
    OnConflict,
    Scenario,
    ScenarioNotFound,
    ScenarioVersion,
    StoreBusy,
    StoreError,
    StoreProblem,
    StoreUnavailable,
    TrashedScenario,
    _clean_name,
    _dumps,
    _now,
    db_path,
    file_digest,
    link_hash,
)
from dashboard.store_scenarios import ScenarioTable

# The store's public names, wherever they are defined (callers import them from here).
__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "BUSY_TIMEOUT",
    "DEFAULT_ACTOR",
    "DEFAULT_DB",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "MAX_FILE_MB",
    "MAX_NAME",
    "MIGRATIONS",
    "ON_CONFLICT",
    "SCHEMA_VERSION",
    "TRASH_DAYS",
    "AuditEntry",
    "DataFile",
    "FileSource",
    "ImportReport",
    "LinkWithdrawn",
    "OnConflict",
    "Scenario",
    "ScenarioNotFound",
    "ScenarioStore",
    "ScenarioVersion",
    "StoreBusy",
    "StoreError",
    "StoreProblem",
    "StoreUnavailable",
    "TrashedScenario",
    "db_path",
    "file_digest",
    "link_hash",
    "scenario_to_dict",
]


class ScenarioStore(ScenarioTable):
    """Saved scenarios in one SQLite file.

    Parameters
    ----------
    path : str or Path, optional
        The database file; defaults to :func:`db_path`. Created (with its folder) on first use.
    busy_timeout : float, optional
        Seconds an operation waits for other sessions' writes before raising :class:`StoreBusy`.
    file_source : callable, optional
        ``sha256 -> DataFile | None``: where :meth:`save` and :meth:`update` find the bytes of the uploaded file
        a scenario's inputs name (``inputs["data"]["digest"]``), to keep them with it. None: files are not added
        (those already kept stay).
    max_file_mb : float or None
        Files larger than this are not kept (None: no limit).
    actor : str
        Who the changes made through this object are recorded as in the audit table (an editor session).

    Raises
    ------
    StoreUnavailable
        The folder cannot be created, the file is not a database, is damaged, cannot be opened, comes from a
        newer Labelwise, or is missing or empty where scenarios were saved before.
    """

    # ---- export / import of one scenario --------------------------------------------------------------
    def export_dict(self, scenario_id: str) -> dict[str, Any]:
        """The scenario as a JSON-able dict that :meth:`import_dict` reads back (ids are not exported)."""
        return scenario_to_dict(self.get(scenario_id))

    def import_dict(self, d: dict[str, Any]) -> Scenario:
        """Save an exported scenario as a new one (new id, new share id)."""
        if isinstance(d, dict) and d.get("format") == BUNDLE_FORMAT:
            raise StoreError("This file holds several scenarios (a full export).",
                             "Import it with ScenarioStore.import_all / import_file.")
        if not isinstance(d, dict) or d.get("format") != EXPORT_FORMAT:
            raise StoreError("This file is not a Labelwise scenario export.",
                             "Choose a .json file saved with 'Scenario (JSON)'.")
        try:
            if int(d.get("version", 0)) > EXPORT_VERSION:
                raise StoreError("This scenario was exported by a newer Labelwise.", "Upgrade Labelwise to import it.")
            return self.save(d["name"], inputs=dict(d["inputs"]), payload=dict(d["payload"]),
                             dataset_name=d.get("dataset_name", ""),
                             dataset_fingerprint=d.get("dataset_fingerprint", ""),
                             description=d.get("description", ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"The scenario file is incomplete ({exc}).",
                             "Export the scenario again from the Labelwise it came from.") from exc

    # ---- export / import of every scenario ------------------------------------------------------------
    def export_all(self) -> dict[str, Any]:
        """Every scenario (not the trash), every field (ids, share ids, timestamps), and the audit table.

        Read in one transaction, so the export is a consistent snapshot even while others save.
        """
        def read(conn: sqlite3.Connection) -> tuple[list[sqlite3.Row], list[sqlite3.Row], list[sqlite3.Row]]:
            conn.execute("BEGIN")  # one read transaction: the files and the audit match the scenarios
            try:
                return (conn.execute("SELECT * FROM scenarios WHERE deleted_at IS NULL "
                                     "ORDER BY created_at, rowid").fetchall(),
                        conn.execute("SELECT sha256, name, data FROM data_files ORDER BY sha256").fetchall(),
                        conn.execute("SELECT * FROM audit ORDER BY seq").fetchall())
            finally:
                conn.execute("COMMIT")

        rows, files, audit = self._run(read, write=False)
        scenarios = [asdict(self._row(r)) for r in rows]
        used = {file_digest(sc["inputs"]) for sc in scenarios}
        # Files as base64 under "files" (ignored by a Labelwise that predates them, so the version stays 1).
        return {"format": BUNDLE_FORMAT, "version": BUNDLE_VERSION, "exported_at": _now(), "scenarios": scenarios,
                "files": [{"sha256": f["sha256"], "name": f["name"],
                           "data": base64.b64encode(bytes(f["data"])).decode("ascii")}
                          for f in files if f["sha256"] in used],
                # What happened here, for the record; an import does not read it (the importing store keeps its own).
                "audit": [{k: a[k] for k in ("seq", "at", "actor", "action", "scenario_id", "detail")}
                          for a in audit]}

    def export_file(self, path: str | Path) -> int:
        """Write :meth:`export_all` to ``path`` atomically (a temporary file renamed over it); returns the count."""
        bundle = self.export_all()
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                # ASCII escapes: lossless for every str, and the file is valid whatever the reader's encoding.
                json.dump(bundle, fh, allow_nan=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return len(bundle["scenarios"])

    def import_file(self, path: str | Path, *, on_conflict: OnConflict = "keep_both") -> ImportReport:
        """Read a file written by :meth:`export_file` and :meth:`import_all` it."""
        try:
            bundle = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise StoreError(f"Cannot read the scenarios file {path} ({exc}).",
                             "Choose a .json file written by a Labelwise export.") from exc
        return self.import_all(bundle, on_conflict=on_conflict)

    def import_all(self, bundle: dict[str, Any], *, on_conflict: OnConflict = "keep_both") -> ImportReport:
        """Add every scenario of an :meth:`export_all` bundle, in one transaction (all or nothing).

        A scenario whose id is new keeps its id, share id and timestamps, so restored links work again. One
        whose id is here with identical content is left alone. One whose id is here with different content
        is handled by ``on_conflict`` (see :data:`ON_CONFLICT`); by default nothing is lost or overwritten.

        Raises
        ------
        StoreError
            Not a bundle, from a newer Labelwise, an incomplete entry (then nothing is imported), or an
            unknown ``on_conflict``.
        """
        if on_conflict not in ON_CONFLICT:
            raise StoreError(f"Unknown conflict rule {on_conflict!r}.", f"Use one of {', '.join(ON_CONFLICT)}.")
        incoming = _bundle_scenarios(bundle)
        files = [f for f in _bundle_files(bundle) if self._fits(len(f.data))]

        def op(conn: sqlite3.Connection) -> ImportReport:
            report = ImportReport()
            for f in files:
                self._put_file(conn, f)
            for sc, inputs_json, payload_json in incoming:
                row = conn.execute("SELECT * FROM scenarios WHERE id = ?", (sc.id,)).fetchone()
                if row is not None:
                    here = self._row(row)
                    # One in the trash is a conflict even when identical: "unchanged" would leave it deleted.
                    if here == sc and row["deleted_at"] is None:
                        report.unchanged.append(sc.id)
                        continue
                    if on_conflict == "skip":
                        report.skipped.append(sc.id)
                        continue
                    if on_conflict == "replace":
                        self._keep_version(conn, row, "import replace")  # the replaced one can be restored
                        conn.execute("DELETE FROM scenarios WHERE id = ?", (sc.id,))
                        sc = self._free_link(conn, sc)
                        self._insert(conn, sc, inputs_json, payload_json)
                        self._audit(conn, "import_replace", sc.id, sc.name)
                        report.replaced.append(sc.id)
                        continue
                    copy = Scenario(**{**asdict(sc), "id": uuid.uuid4().hex, "share_id": secrets.token_urlsafe(24),
                                       "name": self._free_name(conn, sc.name)})
                    self._insert(conn, copy, inputs_json, payload_json)
                    self._audit(conn, "import_copy", copy.id, f"{copy.name} (file id {sc.id})")
                    report.kept_both[sc.id] = copy.id
                    continue
                linked = self._free_link(conn, sc)
                if linked.share_id != sc.share_id:
                    report.relinked.append(sc.id)
                self._insert(conn, linked, inputs_json, payload_json)
                self._audit(conn, "import_add", sc.id, sc.name)
                report.added.append(sc.id)
            self._prune_files(conn)  # files of skipped or replaced scenarios that nothing uses
            return report

        report = self._run(op, write=True)
        if report.added or report.replaced or report.kept_both:
            self._mark()
        return report

    @staticmethod
    def _free_link(conn: sqlite3.Connection, sc: Scenario) -> Scenario:
        """``sc``, with a new share id if another scenario here already answers its link or the link was withdrawn.

        An old backup must not bring a withdrawn link back to life.
        """
        taken = conn.execute("SELECT 1 FROM scenarios WHERE share_id = ? AND id != ?", (sc.share_id, sc.id))
        revoked = conn.execute("SELECT 1 FROM revoked_links WHERE link_sha256 = ?", (link_hash(sc.share_id),))
        if taken.fetchone() is None and revoked.fetchone() is None:
            return sc
        return Scenario(**{**asdict(sc), "share_id": secrets.token_urlsafe(24)})

    @staticmethod
    def _free_name(conn: sqlite3.Connection, name: str) -> str:
        """``name (imported)``, or ``name (imported 2)``... the first not used here."""
        n = 1
        while True:
            suffix = " (imported)" if n == 1 else f" (imported {n})"
            candidate = name[: MAX_NAME - len(suffix)] + suffix
            if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (candidate,)).fetchone() is None:
                return candidate
            n += 1


def _bundle_scenarios(bundle: Any) -> list[tuple[Scenario, str, str]]:
    """Validate a bundle before anything is written: (scenario, inputs JSON, payload JSON) per entry."""
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise StoreError("This file is not a Labelwise export of all scenarios.",
                         "Choose a .json file written by a Labelwise export of all scenarios.")
    try:
        version = int(bundle.get("version", 0))
    except (TypeError, ValueError):
        version = -1
    if version > BUNDLE_VERSION:
        raise StoreError("These scenarios were exported by a newer Labelwise.", "Upgrade Labelwise to import them.")
    if version < 1 or not isinstance(bundle.get("scenarios"), list):
        raise StoreError("The scenarios file is incomplete (no version or no scenario list).",
                         "Export the scenarios again from the Labelwise they came from.")
    out: list[tuple[Scenario, str, str]] = []
    seen: set[str] = set()
    for i, d in enumerate(bundle["scenarios"]):
        try:
            if not isinstance(d, dict) or not isinstance(d["inputs"], dict) or not isinstance(d["payload"], dict):
                raise TypeError("inputs and payload must be objects")
            text = {k: d[k] for k in ("id", "share_id", "name", "created_at", "updated_at", "dataset_name",
                                      "dataset_fingerprint")}
            if not all(isinstance(v, str) and v for v in (text["id"], text["share_id"])):
                raise ValueError("empty id or share id")
            sc = Scenario(**{k: str(v) for k, v in text.items()}, inputs=d["inputs"], payload=d["payload"],
                          description=str(d.get("description", "")))
            sc.name = _clean_name(sc.name)
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"Scenario {i + 1} of the file is incomplete ({exc!s}); nothing was imported.",
                             "Export the scenarios again from the Labelwise they came from.") from exc
        if sc.id in seen:
            raise StoreError(f"Scenario {i + 1} of the file repeats an id; nothing was imported.",
                             "Export the scenarios again from the Labelwise they came from.")
        seen.add(sc.id)
        out.append((sc, _dumps(sc.inputs, "inputs"), _dumps(sc.payload, "results")))
    return out


def _bundle_files(bundle: dict[str, Any]) -> list[DataFile]:
    """The uploaded files of a bundle (optional), checked against their hashes before anything is written."""
    out: list[DataFile] = []
    files = bundle.get("files") or []
    if not isinstance(files, list):
        raise StoreError("The scenarios file's data files are not a list; nothing was imported.",
                         "Export the scenarios again from the Labelwise they came from.")
    for i, d in enumerate(files):
        try:
            f = DataFile(sha256=str(d["sha256"]), name=str(d["name"]),
                         data=base64.b64decode(str(d["data"]), validate=True))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise StoreError(f"Data file {i + 1} of the scenarios file is incomplete ({exc!s}); nothing was imported.",
                             "Export the scenarios again from the Labelwise they came from.") from exc
        if hashlib.sha256(f.data).hexdigest() != f.sha256:
            raise StoreError(f"Data file {i + 1} ('{f.name}') of the scenarios file is damaged (its content does not "
                             "match its hash); nothing was imported.",
                             "Export the scenarios again from the Labelwise they came from.")
        out.append(f)
    return out


def scenario_to_dict(sc: Scenario) -> dict[str, Any]:
    """One scenario in the single-scenario export format (no id, no share id: an import gets new ones)."""
    return {
        "format": EXPORT_FORMAT, "version": EXPORT_VERSION, "name": sc.name, "description": sc.description,
        "created_at": sc.created_at, "dataset_name": sc.dataset_name,
        "dataset_fingerprint": sc.dataset_fingerprint, "inputs": sc.inputs, "payload": sc.payload,
    }
