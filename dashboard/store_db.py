"""The scenario store's SQLite file: creating and opening it, connections with retries, the schema and its migrations.

:class:`StoreDatabase` owns the file (its folder, the marker of a file that held scenarios, one short-lived
connection per operation and one ``BEGIN IMMEDIATE`` transaction per write, the typed
:class:`~dashboard.store_model.StoreUnavailable` for each SQLite failure, :data:`MIGRATIONS`) and the row-level
steps every write shares, run inside the caller's transaction (a row as a :class:`~dashboard.store_model.Scenario`,
inserting one, the audit row, keeping the version a change replaces, storing and pruning kept files).
:class:`dashboard.store.ScenarioStore` builds on it; :mod:`dashboard.store` states the guarantees.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TypeVar

from dashboard.store_model import (
    BUSY_TIMEOUT,
    DEFAULT_ACTOR,
    MAX_FILE_MB,
    DataFile,
    FileSource,
    Scenario,
    StoreBusy,
    StoreUnavailable,
    _now,
    db_path,
)

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


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class StoreDatabase:
    """The file, its connections and its schema: the base of :class:`dashboard.store.ScenarioStore`.

    The parameters are :class:`~dashboard.store.ScenarioStore`'s (documented there).
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

    # ---- rows, inside the caller's transaction -----------------------------------------------------------
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

    def _audit(self, conn: sqlite3.Connection, action: str, scenario_id: str | None, detail: str = "") -> None:
        conn.execute("INSERT INTO audit (at, actor, action, scenario_id, detail) VALUES (?, ?, ?, ?, ?)",
                     (_now(), self.actor, action, scenario_id, detail))

    def _keep_version(self, conn: sqlite3.Connection, row: sqlite3.Row, reason: str) -> None:
        """Keep ``row`` (a whole scenarios row) as the version ``reason`` is about to replace."""
        data = json.dumps({k: row[k] for k in _COLUMNS})
        conn.execute("INSERT INTO scenario_versions (scenario_id, replaced_at, replaced_by, reason, name, data) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (row["id"], _now(), self.actor, reason, row["name"], data))

    @staticmethod
    def _insert(conn: sqlite3.Connection, sc: Scenario, inputs: str, payload: str) -> None:
        conn.execute(
            f"INSERT INTO scenarios ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            (sc.id, sc.share_id, sc.name, sc.created_at, sc.updated_at, sc.dataset_name, sc.dataset_fingerprint,
             inputs, payload, sc.description),
        )

    def _fits(self, size: int) -> bool:
        return self.max_file_mb is None or size <= self.max_file_mb * 2**20

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
