"""The store's undo and withdrawal: trash with restore for 30 days, kept versions on rename/update/import replace,
withdrawn links, the audit table, and every failure to create, open or read the file as a typed error with its fix."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.store import (
    BUNDLE_FORMAT,
    TRASH_DAYS,
    LinkWithdrawn,
    ScenarioNotFound,
    ScenarioStore,
    StoreUnavailable,
)


def _save(store: ScenarioStore, name: str = "Plan A", **payload) -> object:
    return store.save(name, inputs={"economics": {"cost": 1.0}}, payload={"analysis": {"verdict": "v", **payload}},
                      dataset_name="penguins", dataset_fingerprint="f")


def _age(path: Path, days: float) -> None:
    """Make every deletion and kept version ``days`` old."""
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE scenarios SET deleted_at = ? WHERE deleted_at IS NOT NULL", (when,))
        conn.execute("UPDATE scenario_versions SET replaced_at = ?", (when,))
        conn.commit()


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "s.db"


def test_delete_moves_to_the_trash_and_restore_brings_it_back_with_its_link(path):
    store = ScenarioStore(path, actor="editor:aa")
    sc = _save(store)
    keep = _save(store, "Plan B")
    store.delete(sc.id)
    assert [s.id for s in store.list()] == [keep.id]
    with pytest.raises(ScenarioNotFound):  # gone for reviewers and for the editors' pages
        store.get_by_share_id(sc.share_id)
    with pytest.raises(ScenarioNotFound):
        store.get(sc.id)
    with pytest.raises(ScenarioNotFound):  # a second delete of the same one is not silently accepted
        store.delete(sc.id)
    (t,) = store.trash()
    assert t.scenario.id == sc.id and t.deleted_by == "editor:aa" and t.purge_at > t.deleted_at
    back = store.restore(sc.id)
    assert back.payload == sc.payload and store.get_by_share_id(sc.share_id).id == sc.id
    assert store.trash() == []
    with pytest.raises(ScenarioNotFound):  # not in the trash any more
        store.restore(sc.id)


def test_the_trash_keeps_30_days_then_purges(path):
    store = ScenarioStore(path)
    old, recent = _save(store, "old"), _save(store, "recent")
    store.delete(old.id)
    _age(path, TRASH_DAYS + 1)
    store.delete(recent.id)  # a delete purges what is over 30 days old, in the same transaction
    assert [t.scenario.id for t in store.trash()] == [recent.id]
    with pytest.raises(ScenarioNotFound):
        store.restore(old.id)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM scenarios WHERE id = ?", (old.id,)).fetchone()[0] == 0
    _age(path, TRASH_DAYS - 1)  # 29 days: still restorable
    assert store.restore(recent.id).id == recent.id


def test_rename_update_and_import_replace_keep_the_previous_version(path):
    store = ScenarioStore(path, actor="editor:bb")
    sc = _save(store, "First name", roi=1.0)
    store.rename(sc.id, "Second name")
    store.update(sc.id, payload={"analysis": {"verdict": "new", "roi": 2.0}})
    bundle = store.export_all()
    bundle["scenarios"][0]["name"] = "From the file"
    bundle["scenarios"][0]["payload"] = {"analysis": {"verdict": "imported"}}
    assert store.import_all(bundle, on_conflict="replace").replaced == [sc.id]
    assert store.get(sc.id).name == "From the file"
    versions = store.versions(sc.id)
    assert [(v.reason, v.name) for v in versions] == [("import replace", "Second name"), ("update", "Second name"),
                                                      ("rename", "First name")]
    assert all(v.replaced_by == "editor:bb" for v in versions)
    back = store.restore_version(versions[-1].seq)  # the very first version
    assert back.name == "First name" and back.payload["analysis"]["roi"] == 1.0
    assert back.share_id == sc.share_id
    assert store.versions(sc.id)[0].reason == "restore"  # the replaced current one can be restored in turn
    store.rename(sc.id, "First name")  # no change: no version, no audit row
    assert len(store.versions(sc.id)) == 4


def test_a_revoked_link_is_withdrawn_and_a_new_one_works(path):
    store = ScenarioStore(path)
    sc = _save(store)
    new = store.revoke_link(sc.id)
    assert new.share_id != sc.share_id and len(new.share_id) == len(sc.share_id)
    with pytest.raises(LinkWithdrawn) as info:
        store.get_by_share_id(sc.share_id)
    assert sc.share_id not in info.value.message and sc.share_id not in info.value.hint  # never echoed
    assert store.get_by_share_id(new.share_id).id == sc.id
    with pytest.raises(ScenarioNotFound) as missing:  # a never-issued link is "not found", not "withdrawn"
        store.get_by_share_id("x" * 32)
    assert not isinstance(missing.value, LinkWithdrawn)
    with closing(sqlite3.connect(path)) as conn:  # the withdrawn link is not stored in a usable form
        dump = "\n".join(conn.iterdump())
    assert sc.share_id not in dump


def test_an_old_backup_does_not_bring_a_withdrawn_link_back(path, tmp_path):
    store = ScenarioStore(path)
    sc = _save(store)
    backup = store.export_all()
    store.revoke_link(sc.id)
    store.delete(sc.id)
    _age(path, TRASH_DAYS + 1)
    store.purge()
    report = store.import_all(backup)
    assert report.added == [sc.id] and report.relinked == [sc.id]
    assert store.get(sc.id).share_id != sc.share_id
    with pytest.raises(LinkWithdrawn):
        store.get_by_share_id(sc.share_id)


def test_an_import_of_a_scenario_in_the_trash_is_a_conflict_not_unchanged(path):
    store = ScenarioStore(path)
    sc = _save(store)
    bundle = store.export_all()
    store.delete(sc.id)
    report = store.import_all(bundle)  # keep both: a live copy, the trashed one stays restorable
    assert list(report.kept_both) == [sc.id] and [t.scenario.id for t in store.trash()] == [sc.id]


def test_the_audit_table_records_who_what_when_and_export_all_includes_it(path):
    store = ScenarioStore(path, actor="editor:cc")
    sc = _save(store)
    ScenarioStore(path, actor="editor:dd").rename(sc.id, "Renamed")
    store.revoke_link(sc.id)
    store.delete(sc.id)
    store.restore(sc.id)
    log = store.audit_log()
    assert [(e.action, e.actor) for e in log] == [("restore", "editor:cc"), ("delete", "editor:cc"),
                                                  ("revoke_link", "editor:cc"), ("rename", "editor:dd"),
                                                  ("save", "editor:cc")]
    assert all(e.scenario_id == sc.id for e in log)
    assert all(datetime.fromisoformat(e.at) > datetime.now(UTC) - timedelta(minutes=5) for e in log)
    bundle = store.export_all()
    assert bundle["format"] == BUNDLE_FORMAT and [a["action"] for a in bundle["audit"]] == [
        "save", "rename", "revoke_link", "delete", "restore"]
    # The live scenario is exported, not the versions or the trash.
    assert [s["name"] for s in bundle["scenarios"]] == ["Renamed"]


# ---- the file: every failure a StoreUnavailable with the right fix -----------------------------------------------
def test_a_store_folder_whose_parent_is_a_file(tmp_path):
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(StoreUnavailable) as info:
        ScenarioStore(tmp_path / "blocker" / "sub" / "s.db")
    assert info.value.problem == "folder_blocked"
    assert str(tmp_path / "blocker") in info.value.message and "LABELWISE_DB" in info.value.hint


def test_a_store_folder_that_cannot_be_created(tmp_path, monkeypatch):
    def denied(self, *a, **k):  # tests run as root here, where chmod cannot refuse anything
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", denied)
    with pytest.raises(StoreUnavailable) as info:
        ScenarioStore(tmp_path / "new" / "s.db")
    assert info.value.problem == "folder_denied" and "permission denied" in info.value.message


def test_a_folder_where_the_file_should_be(tmp_path):
    (tmp_path / "s.db").mkdir()
    with pytest.raises(StoreUnavailable) as info:
        ScenarioStore(tmp_path / "s.db")
    assert info.value.problem == "cannot_open" and "not a folder" in info.value.hint


@pytest.mark.parametrize("how", ["truncate", "remove"])
def test_a_store_that_lost_its_scenarios_says_so_instead_of_opening_empty(path, how):
    store = ScenarioStore(path)
    _save(store)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    if how == "truncate":
        path.write_bytes(b"")
    else:
        path.unlink()
    for _ in range(2):  # and it does not "repair" itself into an empty store on the next open
        with pytest.raises(StoreUnavailable) as info:
            ScenarioStore(path)
        assert info.value.problem == ("emptied" if how == "truncate" else "missing")
        assert "backup" in info.value.hint and str(store.marker) in info.value.hint
    assert not path.exists() or path.stat().st_size == 0
    store.marker.unlink()  # the documented way to start over on purpose
    assert ScenarioStore(path).list() == []


def test_a_new_or_empty_file_that_never_held_scenarios_opens_as_a_new_store(path):
    path.write_bytes(b"")
    assert ScenarioStore(path).list() == []
    ScenarioStore(path).save("x", inputs={}, payload={}, dataset_name="d", dataset_fingerprint="f")
    assert ScenarioStore(path).marker.exists()


def test_a_damaged_file_names_the_fix_for_damage(path):
    store = ScenarioStore(path)
    _save(store)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    raw = bytearray(path.read_bytes())
    raw[:16] = b"garbage garbage!"
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreUnavailable) as info:
        ScenarioStore(path)
    assert info.value.problem == "not_a_database" and "backup" in info.value.hint
    assert "writable" not in info.value.hint
