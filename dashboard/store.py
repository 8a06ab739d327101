"""The scenario store: saved plans with their results, in SQLite (stdlib ``sqlite3``).

A scenario holds its inputs, the dataset's name and fingerprint, and a payload with everything the
Review page shows (simulation results, summary, business case, stopping table), so a shared link opens
without rerunning anything.

- The database file is ``$LABELWISE_DB`` (default ``./.labelwise/labelwise.db``).
- One short-lived connection per operation, so Streamlit's threads never share a connection.
- Schema version in ``PRAGMA user_version``; :data:`MIGRATIONS` bring any older file up to date.
- Share ids are ``secrets.token_urlsafe(24)`` (192 bits); they are the only thing a link reveals.
- SQL uses parameters only.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_DB = Path(".labelwise") / "labelwise.db"
EXPORT_FORMAT = "labelwise-scenario"
EXPORT_VERSION = 1
MAX_NAME = 120

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
)
SCHEMA_VERSION = len(MIGRATIONS)


class ScenarioNotFound(LookupError):
    """No scenario with that id or share id."""


class StoreError(RuntimeError):
    """The store cannot be used (damaged file, newer schema, bad import)."""


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


def db_path() -> Path:
    """The database file: ``$LABELWISE_DB`` or ``./.labelwise/labelwise.db``."""
    env = os.environ.get("LABELWISE_DB")
    return Path(env) if env else DEFAULT_DB


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())[:MAX_NAME]
    if not name:
        raise StoreError("A scenario needs a name.")
    return name


class ScenarioStore:
    """Saved scenarios in one SQLite file.

    Parameters
    ----------
    path : str or Path, optional
        The database file; defaults to :func:`db_path`. Created (with its folder) on first use.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.migrate()

    @contextmanager
    def _connect(self):
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.row_factory = sqlite3.Row
            try:
                yield conn
                conn.commit()
            except BaseException:
                conn.rollback()
                raise

    def schema_version(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Bring the file to :data:`SCHEMA_VERSION` (each step in its own transaction)."""
        try:
            with self._connect() as conn:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"The scenario database {self.path} has schema version {version}, newer than this "
                        f"Labelwise ({SCHEMA_VERSION}). Upgrade Labelwise or set LABELWISE_DB to another file."
                    )
                for step in range(version, SCHEMA_VERSION):
                    for sql in MIGRATIONS[step]:
                        conn.execute(sql)
                    # PRAGMA takes no parameters; the value is our own integer.
                    conn.execute(f"PRAGMA user_version = {int(step + 1)}")
                    conn.commit()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Cannot open the scenario database {self.path} ({exc}).") from exc

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
        """All scenarios, newest first, without their payloads (cheap)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, share_id, name, created_at, updated_at, dataset_name, dataset_fingerprint, "
                "description FROM scenarios ORDER BY updated_at DESC, rowid DESC"
            ).fetchall()
        return [self._row(r, full=False) for r in rows]

    def get(self, scenario_id: str) -> Scenario:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM scenarios WHERE id = ?", (str(scenario_id),)).fetchone()
        if row is None:
            raise ScenarioNotFound(scenario_id)
        return self._row(row)

    def get_by_share_id(self, share_id: str) -> Scenario:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM scenarios WHERE share_id = ?", (str(share_id),)).fetchone()
        if row is None:
            raise ScenarioNotFound(share_id)
        return self._row(row)

    # ---- writing --------------------------------------------------------------------------------------
    def save(self, name: str, *, inputs: dict[str, Any], payload: dict[str, Any], dataset_name: str,
             dataset_fingerprint: str, description: str = "") -> Scenario:
        """Save a new scenario; returns it with its id and share id."""
        now = _now()
        sc = Scenario(id=uuid.uuid4().hex, share_id=secrets.token_urlsafe(24), name=_clean_name(name),
                      created_at=now, updated_at=now, dataset_name=str(dataset_name),
                      dataset_fingerprint=str(dataset_fingerprint), inputs=inputs, payload=payload,
                      description=str(description))
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO scenarios (id, share_id, name, created_at, updated_at, dataset_name, "
                "dataset_fingerprint, inputs, payload, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sc.id, sc.share_id, sc.name, sc.created_at, sc.updated_at, sc.dataset_name,
                 sc.dataset_fingerprint, json.dumps(inputs, allow_nan=False),
                 json.dumps(payload, allow_nan=False), sc.description),
            )
        return sc

    def rename(self, scenario_id: str, name: str) -> None:
        with self._connect() as conn:
            cur = conn.execute("UPDATE scenarios SET name = ?, updated_at = ? WHERE id = ?",
                               (_clean_name(name), _now(), str(scenario_id)))
            if cur.rowcount == 0:
                raise ScenarioNotFound(scenario_id)

    def duplicate(self, scenario_id: str, name: str | None = None) -> Scenario:
        """A copy with a new id and a new share id."""
        src = self.get(scenario_id)
        return self.save(name or f"Copy of {src.name}", inputs=src.inputs, payload=src.payload,
                         dataset_name=src.dataset_name, dataset_fingerprint=src.dataset_fingerprint,
                         description=src.description)

    def delete(self, scenario_id: str) -> None:
        with self._connect() as conn:
            cur = conn.execute("DELETE FROM scenarios WHERE id = ?", (str(scenario_id),))
            if cur.rowcount == 0:
                raise ScenarioNotFound(scenario_id)

    # ---- export / import ------------------------------------------------------------------------------
    def export_dict(self, scenario_id: str) -> dict[str, Any]:
        """The scenario as a JSON-able dict that :meth:`import_dict` reads back (ids are not exported)."""
        return scenario_to_dict(self.get(scenario_id))

    def import_dict(self, d: dict[str, Any]) -> Scenario:
        """Save an exported scenario as a new one (new id, new share id)."""
        if not isinstance(d, dict) or d.get("format") != EXPORT_FORMAT:
            raise StoreError("This file is not a Labelwise scenario export.")
        if int(d.get("version", 0)) > EXPORT_VERSION:
            raise StoreError("This scenario was exported by a newer Labelwise; upgrade to import it.")
        try:
            return self.save(d["name"], inputs=dict(d["inputs"]), payload=dict(d["payload"]),
                             dataset_name=d.get("dataset_name", ""),
                             dataset_fingerprint=d.get("dataset_fingerprint", ""),
                             description=d.get("description", ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"The scenario file is incomplete ({exc}).") from exc


def scenario_to_dict(sc: Scenario) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT, "version": EXPORT_VERSION, "name": sc.name, "description": sc.description,
        "created_at": sc.created_at, "dataset_name": sc.dataset_name,
        "dataset_fingerprint": sc.dataset_fingerprint, "inputs": sc.inputs, "payload": sc.payload,
    }
