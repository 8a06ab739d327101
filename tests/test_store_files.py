"""Uploaded files kept with the scenarios planned on them: saved with the scenario, shared by hash, deleted when
the last scenario (or kept version) using them is purged from the trash, carried by full exports, checked against
their hash on import."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.store import SCHEMA_VERSION, TRASH_DAYS, DataFile, ScenarioStore, StoreError, file_digest

CSV = b"x,label\n" + b"".join(f"{i},{'ab'[i % 2]}\n".encode() for i in range(50))
OTHER = CSV + b"99,a\n"


def inputs_for(data: bytes, name: str = "d.csv") -> dict:
    return {"data": {"source": "upload", "file_name": name, "digest": hashlib.sha256(data).hexdigest(),
                     "label": "label"}, "economics": {"cost_per_label": 1.0}}


def age_everything(path, days: float = TRASH_DAYS + 1) -> None:
    """Make every deletion and kept version ``days`` old, as if that time had passed."""
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE scenarios SET deleted_at = ? WHERE deleted_at IS NOT NULL", (when,))
        conn.execute("UPDATE scenario_versions SET replaced_at = ?", (when,))
        conn.commit()


def source(*files: bytes):
    """A file source holding these files (as the dashboard's session holds its upload)."""
    held = {hashlib.sha256(f).hexdigest(): DataFile.of("d.csv", f) for f in files}
    return held.get


def save(store: ScenarioStore, data: bytes, name: str = "s"):
    return store.save(name, inputs=inputs_for(data), payload={}, dataset_name="d.csv", dataset_fingerprint="f")


def test_a_saved_upload_scenario_keeps_its_file_once_and_loses_it_when_the_last_one_is_purged(tmp_path):
    store = ScenarioStore(tmp_path / "s.db", file_source=source(CSV))
    a = save(store, CSV, "a")
    b = save(store, CSV, "b")  # the same file: stored once
    sha = hashlib.sha256(CSV).hexdigest()
    assert store.file_hashes() == [sha]
    got = ScenarioStore(tmp_path / "s.db").get_file(file_digest(store.get(a.id).inputs))  # another session
    assert got == DataFile(sha256=sha, name="d.csv", data=CSV)
    store.delete(a.id)
    assert store.file_hashes() == [sha]  # b still uses it
    store.delete(b.id)
    assert store.file_hashes() == [sha]  # both are in the trash: restoring one must bring its data back
    age_everything(tmp_path / "s.db")
    assert store.purge() == 2
    assert store.file_hashes() == [] and store.get_file(sha) is None


def test_files_are_not_kept_when_they_do_not_match_or_are_too_large(tmp_path):
    lying = {hashlib.sha256(CSV).hexdigest(): DataFile(hashlib.sha256(CSV).hexdigest(), "d.csv", OTHER)}.get
    store = ScenarioStore(tmp_path / "s.db", file_source=lying)
    save(store, CSV)
    assert store.file_hashes() == []  # bytes are never kept under a hash they do not have
    small = ScenarioStore(tmp_path / "s.db", file_source=source(CSV), max_file_mb=len(CSV) / 2**20 / 2)
    save(small, CSV)
    assert small.file_hashes() == []  # over the cap: the scenario is saved without it
    sample = ScenarioStore(tmp_path / "s.db", file_source=source(CSV))
    sample.save("sample", inputs={"data": {"source": "sample", "sample": "penguins"}}, payload={},
                dataset_name="penguins", dataset_fingerprint="f")
    legacy = dict(inputs_for(CSV))
    legacy["data"] = {**legacy["data"], "digest": legacy["data"]["digest"][:16]}  # saved before files were kept
    assert file_digest(legacy) is None and file_digest({"data": {"source": "sample"}}) is None


def test_update_to_another_file_keeps_the_new_one_and_the_old_one_while_its_version_is_kept(tmp_path):
    store = ScenarioStore(tmp_path / "s.db", file_source=source(CSV, OTHER))
    sc = save(store, CSV)
    store.update(sc.id, inputs=inputs_for(OTHER))
    assert set(store.file_hashes()) == {hashlib.sha256(CSV).hexdigest(), hashlib.sha256(OTHER).hexdigest()}
    age_everything(tmp_path / "s.db")
    store.purge()
    assert store.file_hashes() == [hashlib.sha256(OTHER).hexdigest()]


def test_full_export_carries_the_files_and_import_restores_them(tmp_path):
    src = ScenarioStore(tmp_path / "a.db", file_source=source(CSV))
    sc = save(src, CSV)
    bundle = json.loads(json.dumps(src.export_all()))
    assert [f["sha256"] for f in bundle["files"]] == [hashlib.sha256(CSV).hexdigest()]
    dst = ScenarioStore(tmp_path / "b.db")
    dst.import_all(bundle)
    assert dst.get_file(file_digest(dst.get(sc.id).inputs)).data == CSV
    dst.import_all(bundle, on_conflict="skip")  # again: still one copy
    assert len(dst.file_hashes()) == 1
    # an old bundle without files still imports
    old = {k: v for k, v in bundle.items() if k != "files"}
    assert ScenarioStore(tmp_path / "c.db").import_all(old).added == [sc.id]


def test_a_damaged_file_in_a_bundle_imports_nothing(tmp_path):
    src = ScenarioStore(tmp_path / "a.db", file_source=source(CSV))
    save(src, CSV)
    bundle = src.export_all()
    bundle["files"][0]["data"] = base64.b64encode(OTHER).decode()
    dst = ScenarioStore(tmp_path / "b.db")
    with pytest.raises(StoreError, match="damaged"):
        dst.import_all(bundle)
    assert dst.list() == [] and dst.file_hashes() == []


def test_a_version_2_store_gains_the_files_table_and_keeps_its_scenarios(tmp_path):
    path = tmp_path / "v2.db"
    from dashboard.store import MIGRATIONS

    with closing(sqlite3.connect(path)) as conn:
        for step in MIGRATIONS[:2]:
            for sql in step:
                conn.execute(sql)
        conn.execute("INSERT INTO scenarios VALUES ('i', 's', 'n', 't', 't', 'd', 'f', ?, '{}', '')",
                     (json.dumps(inputs_for(CSV)),))
        conn.execute("PRAGMA user_version = 2")
        conn.commit()
    store = ScenarioStore(path, file_source=source(CSV))
    assert store.schema_version() == SCHEMA_VERSION and store.get("i").name == "n" and store.check() == []
    store.update("i", inputs=inputs_for(CSV))  # an old scenario saved again with its file now keeps it
    assert store.file_hashes() == [hashlib.sha256(CSV).hexdigest()]
