"""AppTest of Scenarios and Review: save, share link, open in a fresh session, rename, duplicate, delete,
export all and import (with the conflict rule), and store errors shown as messages with hints."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from dashboard import fmt, scenario_io, session
from dashboard.store import ImportReport, ScenarioStore, StoreBusy, StoreError, scenario_to_dict
from dashboard.testing import small_run

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages"


@pytest.fixture(autouse=True)
def db(monkeypatch, tmp_path):
    path = tmp_path / "scenarios.db"
    monkeypatch.setenv("LABELWISE_DB", str(path))
    return path


def _scenarios_page(with_run: bool = True) -> AppTest:
    at = AppTest.from_file(str(PAGES / "scenarios.py"), default_timeout=60)
    if with_run:
        result, analysis, inputs = small_run()
        at.session_state[session.RESULT] = result
        at.session_state[session.ANALYSIS] = analysis
        at.session_state[session.INPUTS] = inputs
    return at.run()


def _save(at: AppTest, name: str) -> None:
    at.text_input(key="save_name").set_value(name)
    at.button(key="FormSubmitter:save_form-Save scenario").click().run()


def test_save_then_review_in_a_fresh_session(db):
    at = _scenarios_page()
    assert not at.exception, at.exception
    _save(at, "Penguins <b>pilot</b>")
    assert not at.exception, at.exception
    assert any("Saved" in s.value for s in at.success)
    (sc,) = ScenarioStore(db).list()
    assert sc.name == "Penguins <b>pilot</b>"
    assert any(c.value.endswith(f"/review?id={sc.share_id}") for c in at.code)

    review = AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)
    review.query_params["id"] = sc.share_id
    review.run()
    assert not review.exception, review.exception
    assert review.title[0].value == "Penguins <b>pilot</b>"
    a = ScenarioStore(db).get(sc.id).payload["analysis"]
    tiles = {m.label: m.value for m in review.metric}
    assert tiles["ROI vs random"] == fmt.pct(a["business"]["roi"]["median"])
    assert any(a["verdict"] in b.value for b in (*review.success, *review.info, *review.error))
    labels = [b.label for b in review.get("download_button")]
    assert {"Report (HTML)", "Report (PDF)", "Scenario (JSON)"} <= set(labels)


def test_pages_build_no_download_until_it_is_clicked(db, monkeypatch):
    """Scenario JSON and the CSVs are built on click: a large scenario must not slow every rerun."""
    from dashboard import tables, views

    built: list[str] = []
    real_json, real_csv = views.json_bytes, tables.safe_csv
    monkeypatch.setattr(views, "json_bytes", lambda d: built.append("json") or real_json(d))
    monkeypatch.setattr(tables, "safe_csv", lambda df: built.append("csv") or real_csv(df))
    at = _scenarios_page()
    _save(at, "Lazy downloads")
    assert not at.exception, at.exception
    labels = {b.label for b in at.get("download_button")}
    assert "Scenario (JSON, re-importable)" in labels
    (sc,) = ScenarioStore(db).list()
    review = AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)
    review.query_params["id"] = sc.share_id
    review.run()
    assert not review.exception, review.exception
    labels = {b.label for b in review.get("download_button")}
    assert {"Scenario (JSON)", "Curves (CSV)", "Leaderboard (CSV)"} <= labels
    assert built == []


def test_unknown_or_missing_share_id_is_friendly():
    review = AppTest.from_file(str(PAGES / "review.py"), default_timeout=30)
    review.query_params["id"] = "not-a-real-id"
    review.run()
    assert not review.exception
    assert review.title[0].value == "Scenario not found"
    blank = AppTest.from_file(str(PAGES / "review.py"), default_timeout=30).run()
    assert not blank.exception and blank.title[0].value == "Review a scenario"


def test_rename_duplicate_delete_and_compare(db):
    at = _scenarios_page()
    _save(at, "First")
    _save(at, "Second")
    store = ScenarioStore(db)
    assert {s.name for s in store.list()} == {"First", "Second"}
    # compare two side by side: a table with both names
    cmp = at.table[-1].value
    assert set(cmp.columns) == {"First", "Second"} and "ROI vs random" in cmp.index
    # rename the selected one
    selected = at.selectbox(key="scenario_pick").value
    at.text_input(key=f"rename_text_{selected}").set_value("Renamed")
    at.button(key="FormSubmitter:rename_form-Rename").click().run()
    assert "Renamed" in {s.name for s in store.list()}
    at.button(key=f"dup_btn_{selected}").click().run()
    assert len(store.list()) == 3 and any(s.name.startswith("Copy of") for s in store.list())
    before = len(store.list())
    victim = at.selectbox(key="scenario_pick").value
    assert at.button(key=f"del_btn_{victim}").disabled  # needs the confirmation first
    at.checkbox(key=f"confirm_delete_{victim}").check().run()
    at.button(key=f"del_btn_{victim}").click().run()
    assert not at.exception
    assert victim not in {s.id for s in store.list()} and len(store.list()) == before - 1
    assert any("Moved" in s.value and "trash" in s.value for s in at.success)
    nxt = at.selectbox(key="scenario_pick").value
    assert at.button(key=f"del_btn_{nxt}").disabled  # the next scenario needs its own confirmation


def test_delete_then_restore_from_the_trash_with_its_link(db):
    at = _scenarios_page()
    _save(at, "Keep me")
    store = ScenarioStore(db)
    (sc,) = store.list()
    at.checkbox(key=f"confirm_delete_{sc.id}").check().run()
    at.button(key=f"del_btn_{sc.id}").click().run()
    assert not at.exception, at.exception
    assert store.list() == [] and at.selectbox(key="trash_pick").value == sc.id
    review = AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)
    review.query_params["id"] = sc.share_id
    assert review.run().title[0].value == "Scenario not found"  # the link is off while it is in the trash
    at.button(key=f"restore_btn_{sc.id}").click().run()
    assert not at.exception, at.exception
    assert [s.id for s in store.list()] == [sc.id] and store.trash() == []
    assert any("Restored" in s.value for s in at.success)
    assert review.run().title[0].value == "Keep me"  # the same link works again
    actions = [e.action for e in store.audit_log()]
    assert actions == ["restore", "delete", "save"]
    log = [e for e in at.dataframe if "Who" in e.value.columns]
    assert log and list(log[0].value["What"]) == actions


def test_withdraw_a_link_then_the_old_one_says_so_and_the_new_one_works(db):
    at = _scenarios_page()
    _save(at, "Shared once")
    store = ScenarioStore(db)
    (sc,) = store.list()
    assert at.button(key=f"revoke_btn_{sc.id}").disabled  # needs its confirmation
    at.checkbox(key=f"confirm_revoke_{sc.id}").check().run()
    at.button(key=f"revoke_btn_{sc.id}").click().run()
    assert not at.exception, at.exception
    new = store.get(sc.id).share_id
    assert new != sc.share_id and any(c.value.endswith(f"/review?id={new}") for c in at.code)
    assert not any(sc.share_id in c.value for c in at.code)
    old = AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)
    old.query_params["id"] = sc.share_id
    old.run()
    assert not old.exception and old.title[0].value == "This link was withdrawn"
    shown = " ".join(str(e.value) for e in (*old.markdown, *old.warning, *old.title, *old.caption))
    assert sc.share_id not in shown  # never echoed
    assert not old.get("download_button")
    fresh = AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)
    fresh.query_params["id"] = new
    assert fresh.run().title[0].value == "Shared once"


def test_rename_keeps_the_previous_version_and_it_can_be_restored(db):
    at = _scenarios_page()
    _save(at, "Original")
    store = ScenarioStore(db)
    (sc,) = store.list()
    at.text_input(key=f"rename_text_{sc.id}").set_value("Changed")
    at.button(key="FormSubmitter:rename_form-Rename").click().run()
    assert store.get(sc.id).name == "Changed"
    at.button(key=f"version_btn_{sc.id}").click().run()
    assert not at.exception, at.exception
    assert store.get(sc.id).name == "Original" and store.get(sc.id).share_id == sc.share_id


def test_compare_reads_each_scenario_once_per_run(db, monkeypatch):
    """The picked scenario is also the compare's left one: its payload is read and decoded once, not twice."""
    at = _scenarios_page()
    _save(at, "First")
    _save(at, "Second")
    reads: list[str] = []
    get = ScenarioStore.get
    monkeypatch.setattr(ScenarioStore, "get", lambda self, i: reads.append(i) or get(self, i))
    at.run()
    assert not at.exception, at.exception
    assert set(at.table[-1].value.columns) == {"First", "Second"}
    assert sorted(reads) == sorted({s.id for s in ScenarioStore(db).list()})


def test_compare_fits_half_a_page(db):
    """Nothing in the comparison is cut off: the verdict is whole in a wrapping table, the charts are narrow."""
    at = _scenarios_page()
    _save(at, "First " + "with a very long scenario name " * 2)
    _save(at, "Second")
    assert not at.exception, at.exception
    verdict = at.session_state[session.ANALYSIS]["verdict"]
    table = at.table[-1].value  # a static table wraps long cells; a dataframe cuts them at the column width
    assert (table.loc["Verdict"] == verdict).all()
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) == 2
    for spec in specs:
        assert max(len(line) for line in spec["title"]["subtitle"]) <= 44
        legend = next(lyr["encoding"]["color"]["legend"] for lyr in spec["layer"] if "color" in lyr["encoding"])
        assert legend["columns"] == 2 and legend["labelLimit"] == 0
    assert any(isinstance(s["title"]["text"], list) and len(s["title"]["text"]) > 1 for s in specs)  # long name wraps


def test_open_scenario_loads_it_into_the_session(db):
    at = _scenarios_page()
    _save(at, "To open")
    fresh = _scenarios_page(with_run=False)
    assert any("Run a simulation" in i.value for i in fresh.info)
    fresh.button(key="open_btn").click().run()
    assert not fresh.exception
    assert fresh.session_state[session.ANALYSIS]["dataset"]["name"] == "penguins"


# ---- export all / import ---------------------------------------------------------------------------------------
def _fill(path: Path, names: list[str]) -> ScenarioStore:
    """A store holding one scenario per name, with the tiny run's analysis as results (no simulation per test)."""
    _, analysis, inputs = small_run()
    store = ScenarioStore(path)
    for i, name in enumerate(names):
        store.save(name, inputs={**inputs, "n": i}, payload={"analysis": analysis}, dataset_name="penguins",
                   dataset_fingerprint=f"fp{i}", description=f"about {name}")
    return store


def _import(at: AppTest, data: bytes, rule: str | None = None, file_name: str = "scenarios.json") -> AppTest:
    if rule is not None:
        at.radio(key="import_conflict").set_value(rule)
    at.file_uploader[0].set_value((file_name, data, "application/json")).run()
    return at.button(key="import_btn").click().run()


def _snapshot(store: ScenarioStore) -> dict[str, dict]:
    return {s.id: asdict(store.get(s.id)) for s in store.list()}


def test_export_all_then_import_into_a_fresh_store_gives_the_same_scenarios(monkeypatch, tmp_path):
    src = _fill(tmp_path / "src.db", ["Tickets – vendor B ✓", "Penguins <b>pilot</b>"])
    monkeypatch.setenv("LABELWISE_DB", str(src.path))
    deferred: dict[str, object] = {}
    real_add = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        deferred[file_name] = data_callable  # the page's "Export all" data, built only when clicked
        return real_add(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    at = _scenarios_page(with_run=False)
    assert not at.exception, at.exception
    button = next(b for b in at.get("download_button") if b.label == "Export all scenarios (JSON)")
    assert not button.proto.disabled
    (exported,) = [f for name, f in deferred.items() if name.startswith("labelwise-scenarios-")]
    data = exported()

    dst_path = tmp_path / "dst.db"
    monkeypatch.setenv("LABELWISE_DB", str(dst_path))
    fresh = _scenarios_page(with_run=False)
    assert next(b for b in fresh.get("download_button") if b.label == "Export all scenarios (JSON)").proto.disabled
    _import(fresh, data)
    assert not fresh.exception, fresh.exception
    assert any("2 scenarios: 2 added" in s.value for s in fresh.success), [s.value for s in fresh.success]
    dst = ScenarioStore(dst_path)
    assert _snapshot(dst) == _snapshot(src)  # ids, share links, timestamps, results: all the same
    assert len(fresh.dataframe[0].value) == 2  # the list shows them at once
    assert fresh.file_uploader[0].value is None  # a fresh uploader: a second click cannot import twice


@pytest.mark.parametrize("rule", ["keep_both", "skip", "replace"])
def test_import_applies_the_chosen_rule_to_scenarios_already_here(db, rule, tmp_path):
    src = _fill(tmp_path / "src.db", ["Alpha", "Beta"])
    bundle = src.export_all()
    here = ScenarioStore(db)
    here.import_all(bundle)
    alpha = next(s for s in src.list() if s.name == "Alpha")
    here.rename(alpha.id, "Alpha, changed here")
    before = _snapshot(here)
    at = _import(_scenarios_page(with_run=False), json.dumps(bundle).encode(), rule)
    assert not at.exception, at.exception
    after = _snapshot(here)
    text = " ".join(s.value for s in at.success)
    assert "1 already here, unchanged" in text  # Beta is identical on both sides whatever the rule
    if rule == "keep_both":
        assert len(after) == 3 and after[alpha.id] == before[alpha.id]
        (copy,) = [s for i, s in after.items() if i not in before]
        assert copy["name"] == "Alpha (imported)" and copy["share_id"] != alpha.share_id
        assert copy["payload"] == asdict(src.get(alpha.id))["payload"]
        assert "1 already here with different content, added alongside as '(imported)'" in text
    elif rule == "skip":
        assert after == before and "1 skipped" in text
    else:
        assert set(after) == set(before) and after[alpha.id] == asdict(src.get(alpha.id))
        assert "1 replaced" in text


def test_single_scenario_file_is_still_imported_as_a_new_scenario(db, tmp_path):
    src = _fill(tmp_path / "src.db", ["Only one"])
    data = json.dumps(scenario_to_dict(src.get(src.list()[0].id))).encode()
    at = _import(_scenarios_page(with_run=False), data, "replace")  # the rule cannot overwrite: no id in the file
    assert not at.exception, at.exception
    (sc,) = ScenarioStore(db).list()
    assert sc.name == "Only one" and sc.id != src.list()[0].id
    assert at.selectbox(key="scenario_pick").value == sc.id
    assert any("Imported **Only one** as a new scenario" in s.value for s in at.success)


def test_bad_files_show_the_message_and_hint_next_to_the_uploader(db, tmp_path):
    good = _fill(tmp_path / "src.db", ["Good"]).export_all()
    incomplete = {**good, "scenarios": [*good["scenarios"], {"id": "x", "name": "no payload"}]}
    bad = {
        "not JSON": b"{not json",
        "not text": b"\xff\xfe\x00\xd8garbage",
        "a list": b"[1, 2]",
        "another format": json.dumps({"format": "something-else"}).encode(),
        "incomplete": json.dumps(incomplete).encode(),
        "newer": json.dumps({**good, "version": 99}).encode(),
        "absurdly nested": b"[" * 100_000 + b"]" * 100_000,
    }
    at = _scenarios_page(with_run=False)
    for what, data in bad.items():
        _import(at, data)
        assert not at.exception, (what, at.exception)
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and "**How to fix it:**" in errors[0], (what, errors)
        assert ScenarioStore(db).list() == [], what  # all or nothing: the good scenario was not imported either
    assert "Scenario 2 of the file is incomplete" in _import(at, bad["incomplete"]).error[0].value


# ---- scenarios removed by another session, and store errors --------------------------------------------------------
def test_delete_of_a_scenario_already_removed_elsewhere_is_friendly(db):
    store = _fill(db, ["Keep me", "Gone soon"])
    at = _scenarios_page(with_run=False)
    gone = next(s.id for s in store.list() if s.name == "Gone soon")
    at.selectbox(key="scenario_pick").set_value(gone).run()
    at.checkbox(key=f"confirm_delete_{gone}").check().run()
    store.delete(gone)  # another session
    at.button(key=f"del_btn_{gone}").click().run()
    assert not at.exception, at.exception
    assert any("deleted in another session" in w.value for w in at.warning)
    assert [s.name for s in store.list()] == ["Keep me"]  # the click did not fall through to the other one


@pytest.mark.parametrize("action", ["delete", "duplicate"])
def test_scenario_deleted_between_reading_and_acting_is_friendly(db, monkeypatch, action):
    store = _fill(db, ["Keep me", "Racy"])
    at = _scenarios_page(with_run=False)
    racy = next(s.id for s in store.list() if s.name == "Racy")
    at.selectbox(key="scenario_pick").set_value(racy).run()
    real, real_delete = getattr(ScenarioStore, action), ScenarioStore.delete

    def deleted_just_before(self, scenario_id, *args, **kw):
        real_delete(ScenarioStore(db), scenario_id)  # another session wins the race
        return real(self, scenario_id, *args, **kw)

    monkeypatch.setattr(ScenarioStore, action, deleted_just_before)
    if action == "delete":
        at.checkbox(key=f"confirm_delete_{racy}").check().run()
        at.button(key=f"del_btn_{racy}").click().run()
    else:
        at.button(key=f"dup_btn_{racy}").click().run()
    assert not at.exception, at.exception
    assert any("deleted in another session" in w.value for w in at.warning)
    assert not at.error and [s.name for s in store.list()] == ["Keep me"]
    assert at.selectbox(key="scenario_pick").value == store.list()[0].id


def test_busy_store_shows_its_message_and_hint(db, monkeypatch):
    store = _fill(db, ["Busy one"])
    at = _scenarios_page(with_run=False)
    sid = store.list()[0].id

    def busy(self, *args, **kw):
        raise StoreBusy("The scenario database stayed busy for 30 s.", "Try again in a moment.")

    monkeypatch.setattr(ScenarioStore, "duplicate", busy)
    at.button(key=f"dup_btn_{sid}").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["The scenario database stayed busy for 30 s.  \n"
                                           "**How to fix it:** Try again in a moment."]
    monkeypatch.setattr(ScenarioStore, "list", busy)
    at.run()
    assert not at.exception and "stayed busy" in at.error[0].value
    assert not any("No saved scenarios" in i.value for i in at.info)  # an error is not an empty store


@pytest.mark.parametrize("error, shown", [
    (StoreBusy("The scenario database /srv/lw/labelwise.db stayed busy for 30 s.", "Try again soon."), "busy"),
    (StoreError("Cannot open the scenario database /srv/lw/labelwise.db (disk I/O error).", "Check it."),
     "cannot be read right now"),
])
def test_review_says_not_found_only_when_the_scenario_is_missing(monkeypatch, error, shown):
    def fail(self, share_id):
        raise error

    monkeypatch.setattr(ScenarioStore, "get_by_share_id", fail)
    review = AppTest.from_file(str(PAGES / "review.py"), default_timeout=30)
    review.query_params["id"] = "some-link"
    review.run()
    assert not review.exception, review.exception
    assert review.title[0].value == "Scenario unavailable"
    text = " ".join(e.value for e in [*review.error, *review.warning])
    assert shown in text
    # a stakeholder sees neither the link (a secret) nor the server's file paths
    assert "some-link" not in text and "/srv/lw" not in text


def test_report_text_names_every_outcome():
    r = ImportReport(added=["a", "b"], unchanged=["c"], kept_both={"d": "d2"}, skipped=["e"], replaced=["f"],
                     relinked=["b"])
    text = scenario_io.report_text(r)
    assert text.startswith("The file held 6 scenarios: 2 added, 1 already here with different content")
    assert "1 skipped" in text and "1 replaced" in text and "1 already here, unchanged" in text
    assert "1 scenario got a new share link" in text
    assert scenario_io.report_text(ImportReport()) == "The file holds no scenarios; nothing changed."
    assert scenario_io.report_text(ImportReport(added=["a"])) == "The file held 1 scenario: 1 added."


def test_a_store_that_lost_its_scenarios_is_said_not_shown_empty(db):
    at = _scenarios_page()
    _save(at, "Will be lost")
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.write_bytes(b"")  # truncated to 0 bytes behind the app's back
    at.run()
    assert not at.exception, at.exception
    assert any("0 bytes" in e.value and "backup" in e.value for e in at.error)
    assert not any("No saved scenarios yet" in i.value for i in at.info)
    review = AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)
    review.query_params["id"] = "x" * 32
    review.run()
    assert not review.exception and review.title[0].value == "Scenario unavailable"
    assert not any(str(db) in e.value for e in review.error)  # stakeholders do not see server paths
