"""Saving and reading scenarios: save, update, rename, duplicate, the trash, earlier versions, share links, kept files.

:class:`ScenarioTable` adds these operations to :class:`~dashboard.store_db.StoreDatabase`; every write is one
transaction that also writes its audit row. :class:`dashboard.store.ScenarioStore` adds export and import.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import uuid
from typing import Any, Literal

from dashboard.store_db import StoreDatabase
from dashboard.store_model import (
    TRASH_DAYS,
    AuditEntry,
    DataFile,
    LinkWithdrawn,
    Scenario,
    ScenarioNotFound,
    ScenarioVersion,
    TrashedScenario,
    _clean_name,
    _days_after,
    _days_ago,
    _dumps,
    _now,
    file_digest,
    link_hash,
)


class ScenarioTable(StoreDatabase):
    """The scenario operations of :class:`dashboard.store.ScenarioStore` (its parameters are documented there)."""

    # ---- reading --------------------------------------------------------------------------------------
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
    def _file_for(self, inputs: dict[str, Any]) -> DataFile | None:
        """The uploaded file ``inputs`` name, from :attr:`file_source`, when it matches its hash and fits the cap."""
        digest = file_digest(inputs)
        if digest is None or self.file_source is None:
            return None
        f = self.file_source(digest)
        if f is None or hashlib.sha256(f.data).hexdigest() != digest or not self._fits(len(f.data)):
            return None  # never keep bytes under a hash they do not have
        return f

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
