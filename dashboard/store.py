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
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import random
import secrets
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from simulations.errors import LabelwiseError

DEFAULT_DB = Path(".labelwise") / "labelwise.db"
EXPORT_FORMAT = "labelwise-scenario"
EXPORT_VERSION = 1
BUNDLE_FORMAT = "labelwise-scenarios"
BUNDLE_VERSION = 1
MAX_NAME = 120
#: Seconds a store operation waits for other writers before giving up with :class:`StoreBusy`.
BUSY_TIMEOUT = 30.0
#: What :meth:`ScenarioStore.import_all` does with an incoming scenario whose id the store already holds
#: with different content: keep both (the incoming one gets a new id, a new link and a marked name), skip
#: it (the store's copy wins), or replace the store's copy (explicit opt-in; nothing else overwrites).
ON_CONFLICT = ("keep_both", "skip", "replace")
#: Largest uploaded file kept with a scenario, in MB: the dashboard's default upload limit. A larger one is not
#: kept (the scenario is saved without it and asks for the file again when opened).
MAX_FILE_MB = 200.0
OnConflict = Literal["keep_both", "skip", "replace"]
#: Days a deleted scenario stays in the trash, and a replaced version is kept, before they are purged.
TRASH_DAYS = 30
#: Who a change is recorded as when the caller does not say (a script using the store).
DEFAULT_ACTOR = "script"

#: Schema migrations: entry i brings a database from version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE scenarios (
            id TEXT PRIMARY KEY,
            share_id TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            dataset_name TEXT NOT NULL,
            dataset_fingerprint TEXT NOT NULL,
            inputs TEXT NOT NULL,
            payload TEXT NOT NULL
        )""",
    ),
    (
        "ALTER TABLE scenarios ADD COLUMN description TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX IF NOT EXISTS scenarios_updated ON scenarios (updated_at)",
    ),
    (
        # An uploaded file's bytes, keyed by their SHA-256 (hex), the hash a scenario's inputs name as
        # data.digest: shared by every scenario planned on the same file.
        """CREATE TABLE data_files (
            sha256 TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            size INTEGER NOT NULL,
            data BLOB NOT NULL,
            created_at TEXT NOT NULL
        )""",
    ),
    (
        # The trash: a deleted scenario keeps its row (and its files) with the time and who deleted it.
        "ALTER TABLE scenarios ADD COLUMN deleted_at TEXT",
        "ALTER TABLE scenarios ADD COLUMN deleted_by TEXT",
        # The version a rename, update, restore or import "replace" overwrote: the whole row as JSON.
        """CREATE TABLE scenario_versions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            scenario_id TEXT NOT NULL,
            replaced_at TEXT NOT NULL,
            replaced_by TEXT NOT NULL,
            reason TEXT NOT NULL,
            name TEXT NOT NULL,
            data TEXT NOT NULL
        )""",
        "CREATE INDEX scenario_versions_id ON scenario_versions (scenario_id)",
        # Withdrawn links, as the SHA-256 of the share id: enough to say "withdrawn", useless as a link.
        """CREATE TABLE revoked_links (
            link_sha256 TEXT PRIMARY KEY,
            scenario_id TEXT NOT NULL,
            revoked_at TEXT NOT NULL,
            revoked_by TEXT NOT NULL
        )""",
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            scenario_id TEXT,
            detail TEXT NOT NULL DEFAULT ''
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
_COLUMNS = ("id", "share_id", "name", "created_at", "updated_at", "dataset_name", "dataset_fingerprint", "inputs",
            "payload", "description")

T = TypeVar("T")


class StoreError(LabelwiseError, RuntimeError):
    """The store cannot be used (damaged file, newer schema, bad import, bad name), with a hint."""


class ScenarioNotFound(StoreError, LookupError):
    """No scenario with that id or share id.

    Parameters
    ----------
    key : str
        The id or share id that was asked for (kept in :attr:`key`, not shown: a link is a secret).
    """

    def __init__(self, key: str) -> None:
        super().__init__("No saved scenario has this id or link.",
                         "It may have been deleted, or the link was copied incompletely; ask for a new link.")
        self.key = str(key)


class StoreBusy(StoreError):
    """Other sessions held the database for longer than the busy timeout."""


#: What keeps a store from being used (:attr:`StoreUnavailable.problem`), each with its own fix.
StoreProblem = Literal["folder_blocked", "folder_denied", "folder_unusable", "missing", "emptied", "not_a_database",
                       "damaged", "cannot_open", "read_only", "disk_full", "io_error", "newer_schema", "other"]


class StoreUnavailable(StoreError):
    """The database file cannot be created, opened or read.

    Parameters
    ----------
    path : Path
        The database file (``$LABELWISE_DB``).
    problem : str
        Which of :data:`StoreProblem`: pages and tests branch on it, never on the text.
    message, hint : str
        What is wrong and the fix for that problem.
    """

    def __init__(self, path: Path, problem: StoreProblem, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.path = Path(path)
        self.problem = problem


class LinkWithdrawn(StoreError, LookupError):
    """A share link an editor withdrew (:meth:`ScenarioStore.revoke_link`).

    Parameters
    ----------
    key : str
        The link's share id (kept in :attr:`key`, never shown).
    """

    def __init__(self, key: str) -> None:
        super().__init__("This link was withdrawn.", "Ask whoever shared the scenario for its current link.")
        self.key = str(key)


@dataclass
class Scenario:
    """One saved scenario."""

    id: str
    share_id: str
    name: str
    created_at: str
    updated_at: str
    dataset_name: str
    dataset_fingerprint: str
    inputs: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class DataFile:
    """An uploaded file kept with the scenarios planned on it.

    Attributes
    ----------
    sha256 : str
        Hex SHA-256 of ``data`` (what a scenario's ``inputs["data"]["digest"]`` holds).
    name : str
        The file name it was uploaded under.
    data : bytes
    """

    sha256: str
    name: str
    data: bytes = field(repr=False)

    @classmethod
    def of(cls, name: str, data: bytes) -> DataFile:
        return cls(sha256=hashlib.sha256(data).hexdigest(), name=str(name), data=bytes(data))


@dataclass(frozen=True)
class TrashedScenario:
    """A deleted scenario in the trash, until :attr:`purge_at`."""

    scenario: Scenario
    deleted_at: str
    deleted_by: str
    purge_at: str


@dataclass(frozen=True)
class ScenarioVersion:
    """A version of a scenario that a change replaced (see :meth:`ScenarioStore.versions`)."""

    seq: int
    scenario_id: str
    name: str
    replaced_at: str
    replaced_by: str
    reason: str


@dataclass(frozen=True)
class AuditEntry:
    """One change: who (an editor session), what, to which scenario, when (UTC)."""

    seq: int
    at: str
    actor: str
    action: str
    scenario_id: str | None
    detail: str


def link_hash(share_id: str) -> str:
    """How a withdrawn link is kept: its SHA-256 (hex)."""
    return hashlib.sha256(str(share_id).encode("utf-8")).hexdigest()


def file_digest(inputs: dict[str, Any]) -> str | None:
    """The SHA-256 of the uploaded file a scenario's inputs were planned on (None for a sample or old inputs)."""
    data = inputs.get("data") if isinstance(inputs, dict) else None
    if not isinstance(data, dict) or data.get("source") != "upload":
        return None
    digest = data.get("digest")
    # Scenarios saved before files were kept carry a 16-character prefix: no file can be looked up by it.
    return digest if isinstance(digest, str) and len(digest) == 64 else None


#: Looks up the bytes of an uploaded file by its SHA-256 (the dashboard: the current session's upload).
FileSource = Callable[[str], DataFile | None]


@dataclass
class ImportReport:
    """What :meth:`ScenarioStore.import_all` did, scenario ids per outcome.

    ``added``: new to the store (id, share id and timestamps kept). ``unchanged``: the store already held an
    identical copy. ``kept_both``: the store held different content under that id; the incoming scenario was
    added as a copy (new id, new share id, name marked "(imported)"), maps incoming id to the new id.
    ``skipped`` / ``replaced``: the same conflict under ``on_conflict="skip"`` / ``"replace"``. ``relinked``:
    added, but its share id belonged to another scenario here, so it got a new one (a link is never taken over).
    """

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_both: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    relinked: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (len(self.added) + len(self.unchanged) + len(self.kept_both) + len(self.skipped)
                + len(self.replaced))


def db_path() -> Path:
    """The database file: ``$LABELWISE_DB`` or ``./.labelwise/labelwise.db``."""
    env = os.environ.get("LABELWISE_DB")
    return Path(env) if env else DEFAULT_DB


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def _days_after(iso: str, days: float) -> str:
    try:
        return (datetime.fromisoformat(iso) + timedelta(days=days)).isoformat(timespec="seconds")
    except ValueError:
        return ""


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())[:MAX_NAME]
    if not name:
        raise StoreError("A scenario needs a name.", "Type a name your stakeholders will recognise.")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates cannot be stored as text
        raise StoreError("The scenario name contains characters that cannot be saved.",
                         "Retype the name without unusual symbols.") from exc
    return name


def _dumps(obj: dict[str, Any], what: str) -> str:
    try:
        return json.dumps(obj, allow_nan=False)
    except (TypeError, ValueError) as exc:  # NaN/inf or a non-JSON object: refuse rather than store a lie
        raise StoreError(f"The scenario's {what} cannot be saved ({exc}).",
                         "This is a Labelwise bug; please report it with the data set you used.") from exc


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class ScenarioStore:
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

    def __init__(self, path: str | Path | None = None, *, busy_timeout: float = BUSY_TIMEOUT,
                 file_source: FileSource | None = None, max_file_mb: float | None = MAX_FILE_MB,
                 actor: str = DEFAULT_ACTOR) -> None:
        self.path = Path(path) if path is not None else db_path()
        self.busy_timeout = float(busy_timeout)
        self.file_source = file_source
        self.max_file_mb = max_file_mb
        self.actor = str(actor)
        self._make_folder()
        self._refuse_lost()
        self.migrate()

    # ---- the file ----------------------------------------------------------------------------------------
    @property
    def marker(self) -> Path:
        """Beside the file once it has held a scenario: a later missing or empty file is then a loss, not a start."""
        return self.path.with_name(self.path.name + ".had-scenarios")

    def _make_folder(self) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
            raise StoreUnavailable(
                self.path, "folder_blocked",
                f"Cannot create the folder {folder} for the scenario database: {blocker} is a file, not a folder.",
                f"Move {blocker} away, or set LABELWISE_DB to a file in another folder.") from exc
        except PermissionError as exc:
            raise StoreUnavailable(
                self.path, "folder_denied",
                f"Cannot create the folder {folder} for the scenario database: permission denied.",
                "Create the folder for the server's user (or let it write the parent folder), or set LABELWISE_DB "
                "to a file in a folder it may write.") from exc
        except OSError as exc:
            raise StoreUnavailable(
                self.path, "folder_unusable",
                f"Cannot create the folder {folder} for the scenario database ({exc.strerror or exc}).",
                "Set LABELWISE_DB to a file on a local disk the server's user may write.") from exc

    def _refuse_lost(self) -> None:
        """A missing or 0-byte file where scenarios were saved is a loss to report, not an empty store to open."""
        if not self.marker.exists():
            return
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            size = None
        except OSError:
            return  # cannot tell; opening the file reports what is wrong
        if size is None:
            raise StoreUnavailable(
                self.path, "missing",
                f"The scenario database {self.path} is missing, but scenarios were saved in it before.",
                f"Put the file back from a backup (or import an 'Export all scenarios' file), then reload. To start "
                f"with an empty store on purpose, delete {self.marker}.")
        if size == 0:
            raise StoreUnavailable(
                self.path, "emptied",
                f"The scenario database {self.path} is empty (0 bytes), but scenarios were saved in it before: "
                "they are not in this file any more.",
                f"Restore the file from a backup (or import an 'Export all scenarios' file into a new store). To "
                f"start with an empty store on purpose, delete {self.marker} and the empty file.")

    def _mark(self) -> None:
        """Remember that this file holds scenarios (see :meth:`_refuse_lost`)."""
        if self.marker.exists():
            return
        try:
            self.marker.write_text("This Labelwise scenario database has held scenarios. Delete this file only to "
                                   "start over with an empty database.\n", encoding="utf-8")
        except OSError:  # a read-only folder: the store still works, without this one check
            pass

    # ---- connections -----------------------------------------------------------------------------------
    def _run(self, op: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        """Run ``op`` on a fresh connection (in one IMMEDIATE transaction when ``write``), retrying while busy.

        SQLite's busy handler already waits for locks; the loop covers the cases it returns SQLITE_BUSY at
        once (WAL recovery by another connection, a lock taken while opening). ``op`` must be safe to rerun:
        a failed attempt rolled back everything it wrote.
        """
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.005
        while True:
            remaining = deadline - time.monotonic()
            try:
                conn = sqlite3.connect(self.path, timeout=max(remaining, 0.05), isolation_level=None)
                with closing(conn):
                    conn.row_factory = sqlite3.Row
                    # FULL: a commit is on disk (WAL fsynced) before save() returns; per connection.
                    conn.execute("PRAGMA synchronous = FULL")
                    if not write:
                        return op(conn)
                    # IMMEDIATE takes the write lock up front, so a transaction never has to upgrade a read
                    # lock (which fails at once in WAL mode instead of waiting).
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        out = op(conn)
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                    return out
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise self._error(exc) from exc
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"The scenario database {self.path} stayed busy for {self.busy_timeout:.0f} s.",
                        "Other sessions are saving large scenarios; try again in a moment.") from exc
                time.sleep(pause * (1 + random.random()))  # jitter: waiting processes do not retry in step
                pause = min(pause * 2, 0.2)
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from exc

    def _error(self, exc: sqlite3.DatabaseError) -> StoreUnavailable:
        """The fix for what SQLite reports, by its result code (never by its text)."""
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        where, other = f"the scenario database {self.path}", "or set LABELWISE_DB to another file"
        restore = (f"Keep a copy of the file, then restore it from a backup (or import an 'Export all scenarios' file "
                   f"into a new store); `sqlite3 {self.path} .recover` may save what is left. Or set LABELWISE_DB to "
                   "another file.")
        if code == sqlite3.SQLITE_NOTADB:
            return StoreUnavailable(self.path, "not_a_database", f"The file {self.path} is not a scenario database "
                                    "(it does not start like an SQLite file): it is damaged or another file.", restore)
        if code == sqlite3.SQLITE_CORRUPT:
            return StoreUnavailable(self.path, "damaged", f"The scenario database {self.path} is damaged ({exc}).",
                                    restore)
        if code == sqlite3.SQLITE_CANTOPEN:
            return StoreUnavailable(self.path, "cannot_open", f"Cannot open {where}.",
                                    f"Check that {self.path} is a file, not a folder, and that the server's user may "
                                    f"read and write it and its folder, {other}.")
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
            return StoreUnavailable(self.path, "read_only", f"Cannot write {where}: it is read-only for this server.",
                                    "Let the server's user write the file and its folder (SQLite writes -wal and -shm "
                                    f"files beside it), {other}.")
        if code == sqlite3.SQLITE_FULL:
            return StoreUnavailable(self.path, "disk_full", f"The disk holding {where} is full.",
                                    f"Free space on that disk, {other}.")
        if code == sqlite3.SQLITE_IOERR:
            return StoreUnavailable(self.path, "io_error", f"The disk failed to read or write {where} ({exc}).",
                                    "Check the disk (a local disk: WAL does not work on NFS or SMB shares), "
                                    f"{other}.")
        return StoreUnavailable(self.path, "other", f"Cannot use {where} ({exc}).",
                                f"Check the file and the disk it is on, {other}.")

    def schema_version(self) -> int:
        """The file's schema version (``PRAGMA user_version``)."""
        return self._run(lambda c: int(c.execute("PRAGMA user_version").fetchone()[0]), write=False)

    def journal_mode(self) -> str:
        """The file's journal mode (``wal`` once opened by this code)."""
        return self._run(lambda c: str(c.execute("PRAGMA journal_mode").fetchone()[0]), write=False)

    def check(self) -> list[str]:
        """Problems ``PRAGMA integrity_check`` finds; an empty list means the file is sound."""
        rows = self._run(lambda c: c.execute("PRAGMA integrity_check").fetchall(), write=False)
        problems = [str(r[0]) for r in rows]
        return [] if problems == ["ok"] else problems

    def migrate(self) -> None:
        """Bring the file to :data:`SCHEMA_VERSION` in one transaction (all steps or none).

        Raises
        ------
        StoreError
            The file is from a newer Labelwise (left untouched), or is not a usable database.
        """
        version = self.schema_version()
        self._refuse_newer(version)  # before anything writes to the file
        if version >= 1 and not self.marker.exists() and self._run(
                lambda c: c.execute("SELECT EXISTS (SELECT 1 FROM scenarios)").fetchone()[0], write=False):
            self._mark()  # a file from before the marker existed

        def to_wal(conn: sqlite3.Connection) -> None:
            # Persistent in the file; cannot change inside a transaction, so it comes before the migration.
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")

        self._run(to_wal, write=False)
        if version == SCHEMA_VERSION:
            # Up to date (the usual case: every page run opens a store): no write lock, so opening a share
            # link never waits for, or fails behind, another session's save.
            return

        def steps(conn: sqlite3.Connection) -> None:
            # Read again under the write lock: another process may have migrated since.
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            self._refuse_newer(version)
            for step in range(version, SCHEMA_VERSION):
                for sql in MIGRATIONS[step]:
                    conn.execute(sql)
            if version != SCHEMA_VERSION:
                # PRAGMA takes no parameters; the value is our own integer. Transactional, like the DDL above.
                conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")

        self._run(steps, write=True)

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                self.path, "newer_schema",
                f"The scenario database {self.path} has schema version {version}, newer than this "
                f"Labelwise ({SCHEMA_VERSION}).", "Upgrade Labelwise or set LABELWISE_DB to another file.")

    # ---- reading --------------------------------------------------------------------------------------
    @staticmethod
    def _row(row: sqlite3.Row, *, full: bool = True) -> Scenario:
        return Scenario(
            id=row["id"], share_id=row["share_id"], name=row["name"], created_at=row["created_at"],
            updated_at=row["updated_at"], dataset_name=row["dataset_name"],
            dataset_fingerprint=row["dataset_fingerprint"],
            inputs=json.loads(row["inputs"]) if full else {},
            payload=json.loads(row["payload"]) if full else {},
            description=row["description"],
        )

    def list(self) -> list[Scenario]:
        """All scenarios (not those in the trash), newest first, without their payloads (cheap)."""
        rows = self._run(lambda c: c.execute(
            "SELECT id, share_id, name, created_at, updated_at, dataset_name, dataset_fingerprint, "
            "description FROM scenarios WHERE deleted_at IS NULL ORDER BY updated_at DESC, rowid DESC").fetchall(),
            write=False)
        return [self._row(r, full=False) for r in rows]

    def _get_where(self, column: Literal["id", "share_id"], key: str) -> Scenario:
        # column is one of two literals of ours, never user text; the key is a parameter.
        row = self._run(lambda c: c.execute(f"SELECT * FROM scenarios WHERE {column} = ? AND deleted_at IS NULL",
                                            (str(key),)).fetchone(), write=False)
        if row is None:
            raise ScenarioNotFound(key)
        return self._row(row)

    def get(self, scenario_id: str) -> Scenario:
        """The scenario with this id; :class:`ScenarioNotFound` when there is none (or it is in the trash)."""
        return self._get_where("id", scenario_id)

    def get_by_share_id(self, share_id: str) -> Scenario:
        """The scenario a share link points to.

        Raises
        ------
        LinkWithdrawn
            An editor withdrew this link.
        ScenarioNotFound
            No scenario has this link, or it is in the trash (restoring it brings the link back).
        """
        try:
            return self._get_where("share_id", share_id)
        except ScenarioNotFound:
            revoked = self._run(lambda c: c.execute("SELECT 1 FROM revoked_links WHERE link_sha256 = ?",
                                                    (link_hash(share_id),)).fetchone(), write=False)
            if revoked is not None:
                raise LinkWithdrawn(share_id) from None
            raise

    # ---- the audit table and earlier versions -----------------------------------------------------------
    def _audit(self, conn: sqlite3.Connection, action: str, scenario_id: str | None, detail: str = "") -> None:
        conn.execute("INSERT INTO audit (at, actor, action, scenario_id, detail) VALUES (?, ?, ?, ?, ?)",
                     (_now(), self.actor, action, scenario_id, detail))

    def _keep_version(self, conn: sqlite3.Connection, row: sqlite3.Row, reason: str) -> None:
        """Keep ``row`` (a whole scenarios row) as the version ``reason`` is about to replace."""
        data = json.dumps({k: row[k] for k in _COLUMNS})
        conn.execute("INSERT INTO scenario_versions (scenario_id, replaced_at, replaced_by, reason, name, data) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (row["id"], _now(), self.actor, reason, row["name"], data))

    def audit_log(self, *, limit: int | None = None) -> list[AuditEntry]:
        """Every recorded change, newest first (``limit``: only the newest ones)."""
        rows = self._run(lambda c: c.execute("SELECT * FROM audit ORDER BY seq DESC LIMIT ?",
                                             (-1 if limit is None else int(limit),)).fetchall(), write=False)
        return [AuditEntry(seq=r["seq"], at=r["at"], actor=r["actor"], action=r["action"],
                           scenario_id=r["scenario_id"], detail=r["detail"]) for r in rows]

    def versions(self, scenario_id: str) -> list[ScenarioVersion]:
        """The kept earlier versions of a scenario, newest first (kept :data:`TRASH_DAYS` days)."""
        rows = self._run(lambda c: c.execute(
            "SELECT seq, scenario_id, name, replaced_at, replaced_by, reason FROM scenario_versions "
            "WHERE scenario_id = ? AND replaced_at >= ? ORDER BY seq DESC",
            (str(scenario_id), _days_ago(TRASH_DAYS))).fetchall(), write=False)
        return [ScenarioVersion(seq=r["seq"], scenario_id=r["scenario_id"], name=r["name"],
                                replaced_at=r["replaced_at"], replaced_by=r["replaced_by"], reason=r["reason"])
                for r in rows]

    def restore_version(self, seq: int) -> Scenario:
        """Bring back a kept version (its name, inputs, results, description); the current one is kept in turn.

        The scenario keeps its current share link: a withdrawn link stays withdrawn.

        Raises
        ------
        ScenarioNotFound
            No such version (or it was purged), or its scenario is in the trash or gone.
        """
        def op(conn: sqlite3.Connection) -> sqlite3.Row | None:
            v = conn.execute("SELECT scenario_id, data FROM scenario_versions WHERE seq = ? AND replaced_at >= ?",
                             (int(seq), _days_ago(TRASH_DAYS))).fetchone()
            if v is None:
                return None
            row = conn.execute("SELECT * FROM scenarios WHERE id = ? AND deleted_at IS NULL",
                               (v["scenario_id"],)).fetchone()
            if row is None:
                return None
            old = json.loads(v["data"])
            self._keep_version(conn, row, "restore")
            conn.execute("UPDATE scenarios SET name = ?, inputs = ?, payload = ?, description = ?, dataset_name = ?, "
                         "dataset_fingerprint = ?, updated_at = ? WHERE id = ?",
                         (old["name"], old["inputs"], old["payload"], old["description"], old["dataset_name"],
                          old["dataset_fingerprint"], _now(), row["id"]))
            self._audit(conn, "restore_version", row["id"], f"version {int(seq)}: {old['name']}")
            return conn.execute("SELECT * FROM scenarios WHERE id = ?", (row["id"],)).fetchone()

        row = self._run(op, write=True)
        if row is None:
            raise ScenarioNotFound(str(seq))
        return self._row(row)

    # ---- writing --------------------------------------------------------------------------------------
    @staticmethod
    def _insert(conn: sqlite3.Connection, sc: Scenario, inputs: str, payload: str) -> None:
        conn.execute(
            f"INSERT INTO scenarios ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            (sc.id, sc.share_id, sc.name, sc.created_at, sc.updated_at, sc.dataset_name, sc.dataset_fingerprint,
             inputs, payload, sc.description),
        )

    def save(self, name: str, *, inputs: dict[str, Any], payload: dict[str, Any], dataset_name: str,
             dataset_fingerprint: str, description: str = "") -> Scenario:
        """Save a new scenario in one transaction; returns it with its id and share id."""
        now = _now()
        sc = Scenario(id=uuid.uuid4().hex, share_id=secrets.token_urlsafe(24), name=_clean_name(name),
                      created_at=now, updated_at=now, dataset_name=str(dataset_name),
                      dataset_fingerprint=str(dataset_fingerprint), inputs=inputs, payload=payload,
                      description=str(description))
        inputs_json, payload_json = _dumps(inputs, "inputs"), _dumps(payload, "results")
        data_file = self._file_for(inputs)

        def op(conn: sqlite3.Connection) -> None:
            self._insert(conn, sc, inputs_json, payload_json)
            if data_file is not None:
                self._put_file(conn, data_file)
            self._audit(conn, "save", sc.id, sc.name)

        self._run(op, write=True)
        self._mark()
        return sc

    # ---- uploaded files ---------------------------------------------------------------------------------
    def _fits(self, size: int) -> bool:
        return self.max_file_mb is None or size <= self.max_file_mb * 2**20

    def _file_for(self, inputs: dict[str, Any]) -> DataFile | None:
        """The uploaded file ``inputs`` name, from :attr:`file_source`, when it matches its hash and fits the cap."""
        digest = file_digest(inputs)
        if digest is None or self.file_source is None:
            return None
        f = self.file_source(digest)
        if f is None or hashlib.sha256(f.data).hexdigest() != digest or not self._fits(len(f.data)):
            return None  # never keep bytes under a hash they do not have
        return f

    @staticmethod
    def _put_file(conn: sqlite3.Connection, f: DataFile) -> None:
        # The hash is the key: the same bytes are stored once, whoever saves them.
        conn.execute("INSERT OR IGNORE INTO data_files (sha256, name, size, data, created_at) VALUES (?, ?, ?, ?, ?)",
                     (f.sha256, f.name, len(f.data), sqlite3.Binary(f.data), _now()))

    @staticmethod
    def _prune_files(conn: sqlite3.Connection) -> None:
        """Delete kept files no scenario (trash included) or kept version names any more (caller's transaction)."""
        for (sha,) in conn.execute("SELECT sha256 FROM data_files").fetchall():
            # A 64-hex-digit hash inside the inputs JSON: instr() finds it; a parameter, never SQL text.
            if (conn.execute("SELECT 1 FROM scenarios WHERE instr(inputs, ?) > 0 LIMIT 1", (sha,)).fetchone() is None
                    and conn.execute("SELECT 1 FROM scenario_versions WHERE instr(data, ?) > 0 LIMIT 1",
                                     (sha,)).fetchone() is None):
                conn.execute("DELETE FROM data_files WHERE sha256 = ?", (sha,))

    def get_file(self, sha256: str) -> DataFile | None:
        """The kept uploaded file with this SHA-256, or None."""
        row = self._run(lambda c: c.execute("SELECT sha256, name, data FROM data_files WHERE sha256 = ?",
                                            (str(sha256),)).fetchone(), write=False)
        return None if row is None else DataFile(sha256=row["sha256"], name=row["name"], data=bytes(row["data"]))

    def file_hashes(self) -> list[str]:
        """The SHA-256 of every kept file (for checks and tests)."""
        rows = self._run(lambda c: c.execute("SELECT sha256 FROM data_files ORDER BY sha256").fetchall(), write=False)
        return [r[0] for r in rows]

    def update(self, scenario_id: str, *, name: str | None = None, inputs: dict[str, Any] | None = None,
               payload: dict[str, Any] | None = None, description: str | None = None) -> Scenario:
        """Change a saved scenario in place (same id, same link), in one transaction; returns the new version.

        Fields left as ``None`` keep their stored value; the previous version is kept (:meth:`versions`).
        Concurrent updates never mix: the stored scenario is always exactly one caller's version.
        """
        sets: dict[str, str] = {"updated_at": _now()}
        if name is not None:
            sets["name"] = _clean_name(name)
        if inputs is not None:
            sets["inputs"] = _dumps(inputs, "inputs")
        if payload is not None:
            sets["payload"] = _dumps(payload, "results")
        if description is not None:
            sets["description"] = str(description)
        # Column names come from the fixed keys above; every value is a parameter.
        sql = f"UPDATE scenarios SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?"

        data_file = self._file_for(inputs) if inputs is not None else None

        def op(conn: sqlite3.Connection) -> sqlite3.Row | None:
            old = conn.execute("SELECT * FROM scenarios WHERE id = ? AND deleted_at IS NULL",
                               (str(scenario_id),)).fetchone()
            if old is None:
                return None
            self._keep_version(conn, old, "update")
            conn.execute(sql, (*sets.values(), str(scenario_id)))
            if data_file is not None:
                self._put_file(conn, data_file)
            self._audit(conn, "update", str(scenario_id), ", ".join(k for k in sets if k != "updated_at"))
            return conn.execute("SELECT * FROM scenarios WHERE id = ?", (str(scenario_id),)).fetchone()

        row = self._run(op, write=True)
        if row is None:
            raise ScenarioNotFound(scenario_id)
        return self._row(row)

    def rename(self, scenario_id: str, name: str) -> None:
        """Give a scenario a new name (its link stays the same; the previous version is kept)."""
        clean = _clean_name(name)

        def op(conn: sqlite3.Connection) -> bool:
            old = conn.execute("SELECT * FROM scenarios WHERE id = ? AND deleted_at IS NULL",
                               (str(scenario_id),)).fetchone()
            if old is None:
                return False
            if old["name"] == clean:
                return True  # nothing changes: no version, no audit row
            self._keep_version(conn, old, "rename")
            conn.execute("UPDATE scenarios SET name = ?, updated_at = ? WHERE id = ?",
                         (clean, _now(), str(scenario_id)))
            self._audit(conn, "rename", str(scenario_id), f"{old['name']} -> {clean}")
            return True

        if not self._run(op, write=True):
            raise ScenarioNotFound(scenario_id)

    def duplicate(self, scenario_id: str, name: str | None = None) -> Scenario:
        """A copy with a new id and a new share id."""
        src = self.get(scenario_id)
        return self.save(name or f"Copy of {src.name}", inputs=src.inputs, payload=src.payload,
                         dataset_name=src.dataset_name, dataset_fingerprint=src.dataset_fingerprint,
                         description=src.description)

    def delete(self, scenario_id: str) -> None:
        """Move a scenario to the trash; its share link stops working until it is restored (:meth:`restore`).

        Scenarios and versions older than :data:`TRASH_DAYS` days are purged in the same transaction.
        """
        def op(conn: sqlite3.Connection) -> int:
            n = conn.execute("UPDATE scenarios SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL",
                             (_now(), self.actor, str(scenario_id))).rowcount
            if n:
                self._audit(conn, "delete", str(scenario_id), "moved to the trash")
            self._purge(conn)
            return n

        if self._run(op, write=True) == 0:
            raise ScenarioNotFound(scenario_id)

    def trash(self) -> list[TrashedScenario]:
        """Scenarios in the trash that can still be restored, most recently deleted first (without payloads)."""
        rows = self._run(lambda c: c.execute(
            "SELECT id, share_id, name, created_at, updated_at, dataset_name, dataset_fingerprint, description, "
            "deleted_at, deleted_by FROM scenarios WHERE deleted_at IS NOT NULL AND deleted_at >= ? "
            "ORDER BY deleted_at DESC, rowid DESC", (_days_ago(TRASH_DAYS),)).fetchall(), write=False)
        return [TrashedScenario(scenario=self._row(r, full=False), deleted_at=r["deleted_at"],
                                deleted_by=r["deleted_by"] or "", purge_at=_days_after(r["deleted_at"], TRASH_DAYS))
                for r in rows]

    def restore(self, scenario_id: str) -> Scenario:
        """Take a scenario out of the trash, with its link (unless that was withdrawn) and its files.

        Raises
        ------
        ScenarioNotFound
            It is not in the trash (never deleted, restored already, or purged after :data:`TRASH_DAYS` days).
        """
        def op(conn: sqlite3.Connection) -> sqlite3.Row | None:
            n = conn.execute("UPDATE scenarios SET deleted_at = NULL, deleted_by = NULL WHERE id = ? "
                             "AND deleted_at IS NOT NULL AND deleted_at >= ?",
                             (str(scenario_id), _days_ago(TRASH_DAYS))).rowcount
            if not n:
                return None
            self._audit(conn, "restore", str(scenario_id), "restored from the trash")
            return conn.execute("SELECT * FROM scenarios WHERE id = ?", (str(scenario_id),)).fetchone()

        row = self._run(op, write=True)
        if row is None:
            raise ScenarioNotFound(scenario_id)
        return self._row(row)

    def purge(self) -> int:
        """Delete for good what stayed in the trash (and kept versions) over :data:`TRASH_DAYS` days."""
        return self._run(self._purge, write=True)

    def _purge(self, conn: sqlite3.Connection) -> int:
        cutoff = _days_ago(TRASH_DAYS)
        ids = [r[0] for r in conn.execute("SELECT id FROM scenarios WHERE deleted_at IS NOT NULL AND deleted_at < ?",
                                          (cutoff,)).fetchall()]
        for sid in ids:
            conn.execute("DELETE FROM scenarios WHERE id = ?", (sid,))
            self._audit(conn, "purge", sid, f"in the trash over {TRASH_DAYS} days")
        old_versions = conn.execute("DELETE FROM scenario_versions WHERE replaced_at < ?", (cutoff,)).rowcount
        if ids or old_versions:
            self._prune_files(conn)
        return len(ids)

    def revoke_link(self, scenario_id: str) -> Scenario:
        """Withdraw a scenario's share link and give it a new one; returns the scenario with its new link.

        The old link then answers :class:`LinkWithdrawn` (it is kept only as its SHA-256).
        """
        def op(conn: sqlite3.Connection) -> sqlite3.Row | None:
            row = conn.execute("SELECT share_id FROM scenarios WHERE id = ? AND deleted_at IS NULL",
                               (str(scenario_id),)).fetchone()
            if row is None:
                return None
            conn.execute("INSERT OR IGNORE INTO revoked_links (link_sha256, scenario_id, revoked_at, revoked_by) "
                         "VALUES (?, ?, ?, ?)", (link_hash(row["share_id"]), str(scenario_id), _now(), self.actor))
            conn.execute("UPDATE scenarios SET share_id = ? WHERE id = ?",
                         (secrets.token_urlsafe(24), str(scenario_id)))
            self._audit(conn, "revoke_link", str(scenario_id), "link withdrawn, new link issued")
            return conn.execute("SELECT * FROM scenarios WHERE id = ?", (str(scenario_id),)).fetchone()

        row = self._run(op, write=True)
        if row is None:
            raise ScenarioNotFound(scenario_id)
        return self._row(row)

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
