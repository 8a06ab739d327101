"""AppTest of Scenarios and Review: save, share link, open in a fresh session, rename, duplicate, delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt, session
from dashboard.store import ScenarioStore
from dashboard.testing import small_run

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


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
    cmp = at.dataframe[-1].value
    assert set(cmp.columns) == {"First", "Second"} and "ROI vs random" in cmp.index
    # rename the selected one
    selected = at.selectbox(key="scenario_pick").value
    at.text_input(key=f"rename_text_{selected}").set_value("Renamed")
    at.button(key="FormSubmitter:rename_form-Rename").click().run()
    assert "Renamed" in {s.name for s in store.list()}
    at.button(key="dup_btn").click().run()
    assert len(store.list()) == 3 and any(s.name.startswith("Copy of") for s in store.list())
    before = len(store.list())
    assert at.button(key="del_btn").disabled  # needs the confirmation first
    at.checkbox(key=f"confirm_delete_{at.selectbox(key='scenario_pick').value}").check().run()
    at.button(key="del_btn").click().run()
    assert not at.exception
    assert len(store.list()) == before - 1
    assert at.button(key="del_btn").disabled  # the next scenario needs its own confirmation


def test_open_scenario_loads_it_into_the_session(db):
    at = _scenarios_page()
    _save(at, "To open")
    fresh = _scenarios_page(with_run=False)
    assert any("Run a simulation" in i.value for i in fresh.info)
    fresh.button(key="open_btn").click().run()
    assert not fresh.exception
    assert fresh.session_state[session.ANALYSIS]["dataset"]["name"] == "penguins"
