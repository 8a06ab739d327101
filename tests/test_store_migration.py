"""Issue 5: a store written by an older schema is migrated on open; one from a newer Labelwise is refused intact.

The version-1 file is written by :func:`write_v1_store` with the schema spelled out as version 1 had it (not
taken from ``MIGRATIONS``, so a later edit of the migration list cannot silently change the fixture).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from dashboard.store import SCHEMA_VERSION, ScenarioStore, StoreError

#: Version 1 of the schema, frozen: no description column, no index, rollback journal, user_version 1.
V1_SCHEMA = """CREATE TABLE scenarios (
    id TEXT PRIMARY KEY,
    share_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    dataset_fingerprint TEXT NOT NULL,
    inputs TEXT NOT NULL,
    payload TEXT NOT NULL
)"""

V1_ROWS: list[dict[str, Any]] = [
    {"id": "a" * 32, "share_id": "s1-" + "x" * 29, "name": "Support tickets, vendor B", "created_at":
     "2024-01-02T03:04:05+00:00", "updated_at": "2024-01-03T03:04:05+00:00", "dataset_name": "penguins",
     "dataset_fingerprint": "0f913ad66c197cff", "inputs": {"config": {"seeds": 5}, "economics": {"cost": 2.5}},
     "payload": {"analysis": {"verdict": "margin beats random", "curve": [0.1 * i for i in range(2000)]}}},
    {"id": "b" * 32, "share_id": "s2-" + "y" * 29, "name": "Étiquettes – 名前 ✓", "created_at":
     "2024-02-02T00:00:00+00:00", "updated_at": "2024-02-02T00:00:00+00:00", "dataset_name": "mon fichier.csv",
     "dataset_fingerprint": "ff", "inputs": {}, "payload": {}},
    {"id": "c" * 32, "share_id": "s3-" + "z" * 29, "name": "x'); DROP TABLE scenarios;--", "created_at":
     "2024-03-02T00:00:00+00:00", "updated_at": "2024-03-02T00:00:00+00:00", "dataset_name": "d",
     "dataset_fingerprint": "e", "inputs": {"q": "'"}, "payload": {"n": None}},
]


def write_v1_store(path: Path, rows: list[dict[str, Any]] = V1_ROWS) -> None:
    """A database file exactly as Labelwise with schema version 1 wrote it."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(V1_SCHEMA)
        conn.executemany(
            "INSERT INTO scenarios VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r["id"], r["share_id"], r["name"], r["created_at"], r["updated_at"], r["dataset_name"],
              r["dataset_fingerprint"], json.dumps(r["inputs"]), json.dumps(r["payload"])) for r in rows])
        conn.execute("PRAGMA user_version = 1")
        conn.commit()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _columns(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[1] for r in conn.execute("PRAGMA table_info(scenarios)")]


def test_a_version_1_store_is_migrated_with_its_data(tmp_path):
    path = tmp_path / "v1.db"
    write_v1_store(path)
    assert "description" not in _columns(path)
    store = ScenarioStore(path)
    assert store.schema_version() == SCHEMA_VERSION == 4
    assert store.check() == [] and store.journal_mode() == "wal"
    assert "description" in _columns(path)
    assert store.file_hashes() == []  # version 3: the (empty) table of kept upload files
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'scenarios_updated'"
                            ).fetchone() is not None
    for r in V1_ROWS:
        got = store.get(r["id"])
        assert {k: getattr(got, k) for k in r} == r and got.description == ""
        assert store.get_by_share_id(r["share_id"]).id == r["id"]
    # The migrated store works as a current one, and opening it again changes nothing.
    new = store.save("after migration", inputs={}, payload={"ok": True}, dataset_name="d", dataset_fingerprint="f")
    again = ScenarioStore(path)
    assert again.schema_version() == SCHEMA_VERSION and len(again.list()) == len(V1_ROWS) + 1
    assert again.get(new.id).payload == {"ok": True}


#: Version 3 of the schema, frozen as it was (scenarios with description, the index, kept upload files).
V3_SCHEMA = (V1_SCHEMA, "ALTER TABLE scenarios ADD COLUMN description TEXT NOT NULL DEFAULT ''",
             "CREATE INDEX scenarios_updated ON scenarios (updated_at)",
             """CREATE TABLE data_files (sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL,
                data BLOB NOT NULL, created_at TEXT NOT NULL)""")


def test_a_version_3_store_gains_trash_versions_revoked_links_and_audit(tmp_path):
    path = tmp_path / "v3.db"
    data = b"x,label\n1,a\n"
    sha = hashlib.sha256(data).hexdigest()
    with closing(sqlite3.connect(path)) as conn:
        for sql in V3_SCHEMA:
            conn.execute(sql)
        conn.executemany(
            "INSERT INTO scenarios VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r["id"], r["share_id"], r["name"], r["created_at"], r["updated_at"], r["dataset_name"],
              r["dataset_fingerprint"], json.dumps(r["inputs"] if r["id"] != "a" * 32 else
                                                   {"data": {"source": "upload", "digest": sha}}),
              json.dumps(r["payload"]), "") for r in V1_ROWS])
        conn.execute("INSERT INTO data_files VALUES (?, 'd.csv', ?, ?, 't')", (sha, len(data), data))
        conn.execute("PRAGMA user_version = 3")
        conn.commit()
    store = ScenarioStore(path, actor="editor:test")
    assert store.schema_version() == SCHEMA_VERSION == 4 and store.check() == []
    assert {"deleted_at", "deleted_by"} <= set(_columns(path))
    assert [s.id for s in store.list()] == [r["id"] for r in sorted(V1_ROWS, key=lambda r: r["updated_at"],
                                                                   reverse=True)]
    assert store.trash() == [] and store.audit_log() == [] and store.file_hashes() == [sha]
    # A file that held scenarios before the marker existed gets one on open: losing it later is reported.
    assert store.marker.exists()
    # The new tables work on the migrated file.
    first = V1_ROWS[0]
    store.delete(first["id"])
    assert store.file_hashes() == [sha]  # kept while the scenario is in the trash
    assert store.restore(first["id"]).share_id == first["share_id"]
    new = store.revoke_link(first["id"])
    assert new.share_id != first["share_id"]
    assert [e.action for e in store.audit_log()] == ["revoke_link", "restore", "delete"]


def test_an_empty_file_becomes_a_current_store(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()  # version 0: an empty SQLite file
    store = ScenarioStore(path)
    assert store.schema_version() == SCHEMA_VERSION and store.list() == []


def test_a_migration_that_fails_half_way_leaves_the_old_version_intact(tmp_path):
    """Version 1 -> 2 adds a column then an index; if the index cannot be made, the column is not left behind."""
    path = tmp_path / "clash.db"
    write_v1_store(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE scenarios_updated (x)")  # takes the index's name: step 2 fails after ALTER
        conn.commit()
    for _ in range(2):  # and a second attempt fails the same clean way (no "duplicate column")
        with pytest.raises(StoreError, match="scenarios_updated") as info:
            ScenarioStore(path)
        assert info.value.hint
        assert "description" not in _columns(path)
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
            assert conn.execute("SELECT count(*) FROM scenarios").fetchone()[0] == len(V1_ROWS)


@pytest.mark.parametrize("with_data", [False, True])
def test_a_store_from_a_newer_labelwise_is_refused_and_left_untouched(tmp_path, with_data):
    path = tmp_path / "future.db"
    with closing(sqlite3.connect(path)) as conn:
        if with_data:
            conn.execute("CREATE TABLE scenarios (id TEXT PRIMARY KEY, shiny_new_column BLOB)")
            conn.execute("INSERT INTO scenarios VALUES ('i', x'00ff')")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
    before = _sha(path)
    for _ in range(2):
        with pytest.raises(StoreError, match="newer") as info:
            ScenarioStore(path)
        assert "Upgrade Labelwise" in info.value.hint
    assert _sha(path) == before  # not migrated, not switched to WAL, not touched at all
    assert not Path(f"{path}-wal").exists()
