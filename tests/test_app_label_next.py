"""The Label next page (AppTest): pick a project, make a batch, see the score, the stop advice and the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulations.project import Project, add_labels, next_batch
from simulations.project.demo import demo_files, play_labelers

PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "label_next.py"


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A projects folder with one project two rounds in (breast_cancer, 160 rows) and the env pointing at it."""
    files = demo_files("breast_cancer", tmp_path / "files", n_initial=20, max_rows=160, seed=3)
    root = tmp_path / "projects"
    project = Project.create(root / "cancer", files.data, files.label, cost_per_label=2.0, value_per_point=300.0)
    for r in (1, 2):
        batch = next_batch(project, 20, 0.3)
        path = tmp_path / f"l{r}.csv"
        play_labelers(batch, files.truth, files.label).to_csv(path, index=False)
        add_labels(project, path)
    monkeypatch.setenv("LABELWISE_PROJECTS", str(root))
    return root


def _page() -> AppTest:
    return AppTest.from_file(str(PAGE), default_timeout=60).run()


def test_page_shows_the_project_and_makes_a_batch(root):
    at = _page()
    assert not at.exception
    assert at.selectbox(key="project_pick").options == ["cancer", "Start a new project"]
    shown = " ".join(m.value for m in at.markdown)
    assert "Savings ledger" in shown and "Stop advice" in shown
    labels = {m.label: m.value for m in at.metric}
    assert labels["Labeled"] == "60 of 160"
    assert at.button(key="make_batch")
    at.number_input(key="batch_size").set_value(10)
    at.button(key="make_batch").click().run()
    assert not at.exception
    pending = Project.open(root / "cancer").state.pending
    assert pending is not None and len(pending["rows"]) == 10 and pending["round"] == 3
    assert "Round 3: 10 rows (9 picked by margin, 1 drawn at random" in " ".join(m.value for m in at.markdown)
    assert at.button(key="add_labels").disabled  # nothing uploaded yet


def test_new_project_form_refuses_a_bad_name(root):
    at = _page()
    at.selectbox(key="project_pick").set_value("Start a new project").run()
    at.text_input(key="new_name").set_value("../escape")
    at.button[0].click().run()
    assert not at.exception
    assert "Give the project a name" in at.error[0].value
    assert not (root.parent / "escape").exists()


def test_page_without_projects(tmp_path, monkeypatch):
    monkeypatch.setenv("LABELWISE_PROJECTS", str(tmp_path / "none"))
    at = _page()
    assert not at.exception
    assert at.selectbox(key="project_pick").value == "Start a new project"


class _Upload:
    def __init__(self, path: Path) -> None:
        self.name, self._data = path.name, path.read_bytes()

    def getvalue(self) -> bytes:
        return self._data


def test_new_project_form_starts_a_project_with_a_plan(tmp_path, monkeypatch):
    """The form's uploads (AppTest cannot upload: st.file_uploader is stood in for) start a project with its plan."""
    import streamlit as st

    from dashboard.testing import small_run
    from simulations.results import save_results

    files = demo_files("penguins", tmp_path / "files", n_initial=15, test_rows=60, seed=0)
    files.test.to_csv(tmp_path / "val.csv", index=False)
    plan = save_results(small_run("penguins")[0], tmp_path / "plan.json")
    uploads = {"new_data": files.data, "new_validation": tmp_path / "val.csv", "new_plan": plan}
    monkeypatch.setattr(st, "file_uploader", lambda label, key=None, **kw: _Upload(uploads[key]) if key in uploads
                        else None)
    root = tmp_path / "projects"
    monkeypatch.setenv("LABELWISE_PROJECTS", str(root))
    at = _page()
    at.text_input(key="new_name").set_value("penguins-2026")
    at.text_input(key="new_label").set_value(files.label)
    at.button[0].click().run()
    assert not at.exception, at.exception
    project = Project.open(root / "penguins-2026")
    assert project.config.expected_curve["strategy"] == "margin" and project.config.validation_file
    assert project.state.rounds[0]["score_basis"] == "validation"
    assert at.selectbox(key="project_pick").value == "penguins-2026"
