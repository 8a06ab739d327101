"""The scenario store: CRUD, share ids, migrations, import/export, parameters only."""

from __future__ import annotations

import sqlite3

import pytest

from dashboard.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ScenarioNotFound,
    ScenarioStore,
    StoreError,
    StoreUnavailable,
    db_path,
    scenario_to_dict,
)


@pytest.fixture
def store(tmp_path):
    return ScenarioStore(tmp_path / "sub" / "lw.db")


def _save(store, name="Tickets", **kw):
    return store.save(name, inputs={"a": 1, **kw}, payload={"analysis": {"verdict": "v"}}, dataset_name="penguins",
                      dataset_fingerprint="abc123")


def test_save_get_list_roundtrip(store):
    sc = _save(store)
    got = store.get(sc.id)
    assert got.name == "Tickets" and got.inputs == {"a": 1} and got.payload["analysis"]["verdict"] == "v"
    assert got.dataset_name == "penguins" and got.dataset_fingerprint == "abc123"
    assert store.get_by_share_id(sc.share_id).id == sc.id
    listed = store.list()
    assert [s.id for s in listed] == [sc.id] and listed[0].payload == {}


def test_share_ids_are_long_random_and_unique(store):
    ids = {_save(store, name=f"s{i}").share_id for i in range(20)}
    assert len(ids) == 20
    for sid in ids:
        assert len(sid) >= 22  # token_urlsafe(24): 192 bits in 32 characters
        assert all(c.isalnum() or c in "-_" for c in sid)


def test_rename_duplicate_delete(store):
    sc = _save(store)
    store.rename(sc.id, "  New   name ")
    assert store.get(sc.id).name == "New name"
    dup = store.duplicate(sc.id)
    assert dup.id != sc.id and dup.share_id != sc.share_id and dup.name == "Copy of New name"
    assert dup.payload == store.get(sc.id).payload
    store.delete(sc.id)
    with pytest.raises(ScenarioNotFound):
        store.get(sc.id)
    with pytest.raises(ScenarioNotFound):
        store.get_by_share_id(sc.share_id)
    with pytest.raises(ScenarioNotFound):
        store.delete(sc.id)
    with pytest.raises(ScenarioNotFound):
        store.rename("nope", "x")
    with pytest.raises(StoreError):
        store.rename(dup.id, "   ")


def test_hostile_strings_are_data_not_sql(store):
    evil = "x'); DROP TABLE scenarios; --"
    sc = _save(store, name=evil)
    assert store.get(sc.id).name == evil
    with pytest.raises(ScenarioNotFound):
        store.get_by_share_id("' OR '1'='1")
    assert len(store.list()) == 1


def test_export_import_roundtrip(store, tmp_path):
    sc = _save(store)
    d = store.export_dict(sc.id)
    assert d == scenario_to_dict(store.get(sc.id)) and "id" not in d and "share_id" not in d
    other = ScenarioStore(tmp_path / "other.db")
    imported = other.import_dict(d)
    assert imported.name == sc.name and imported.payload == sc.payload and imported.inputs == sc.inputs
    with pytest.raises(StoreError):
        other.import_dict({"format": "something else"})
    with pytest.raises(StoreError):
        other.import_dict({"format": "labelwise-scenario", "version": 99})
    with pytest.raises(StoreError):
        other.import_dict({"format": "labelwise-scenario", "version": 1})


def test_migrates_a_version_1_database(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for sql in MIGRATIONS[0]:
        conn.execute(sql)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO scenarios VALUES ('i1', 's1', 'old', 't', 't', 'd', 'f', '{}', '{}')")
    conn.commit()
    conn.close()
    store = ScenarioStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    old = store.get("i1")
    assert old.name == "old" and old.description == ""


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        ScenarioStore(path)


def test_damaged_file_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable) as info:
        ScenarioStore(path)
    # the fix for a damaged file is a backup, not permissions
    assert info.value.problem == "not_a_database" and info.value.path == path
    assert "backup" in info.value.hint and "writable" not in info.value.hint


def test_db_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "env.db"))
    assert db_path() == tmp_path / "env.db"
    monkeypatch.delenv("LABELWISE_DB")
    assert str(db_path()).endswith(".labelwise/labelwise.db")


def test_threads_each_use_their_own_connection(store):
    import threading

    errors = []

    def work(i):
        try:
            sc = _save(store, name=f"t{i}")
            store.rename(sc.id, f"t{i}-renamed")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(store.list()) == 8


def test_update_changes_in_place_and_keeps_the_link(store):
    sc = _save(store)
    with pytest.raises(StoreError):
        store.update(sc.id, name="  ")
    new = store.update(sc.id, payload={"analysis": {"verdict": "w"}}, description="second run")
    assert (new.id, new.share_id, new.name, new.inputs, new.created_at) == (sc.id, sc.share_id, sc.name, sc.inputs,
                                                                            sc.created_at)
    assert new.payload == {"analysis": {"verdict": "w"}} and new.description == "second run"
    assert store.get_by_share_id(sc.share_id) == new and len(store.list()) == 1


def test_store_errors_are_labelwise_errors_with_hints(store):
    from simulations.errors import LabelwiseError

    with pytest.raises(StoreError) as info:
        _save(store, name=" \n ")
    assert isinstance(info.value, LabelwiseError) and info.value.message and info.value.hint
    with pytest.raises(StoreError, match="cannot be saved") as info:
        store.save("nan", inputs={}, payload={"x": float("nan")}, dataset_name="d", dataset_fingerprint="f")
    assert store.list() == []
