"""The Sweeps page reads only below its root (default: the folder the dashboard was started in): '..', other
folders and symbolic links out of it are refused with a message naming the root; links inside it are fine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import sweep_data
from dashboard.sweep_data import SweepPathRefused
from simulations.sweep import run_sweep, sweep_config_from_dict

SWEEPS = str(Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "sweeps.py")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> tuple[Path, Path]:
    """(root, outside): a finished sweep in each; the root also holds links out of it and one inside it."""
    base = tmp_path_factory.mktemp("roots")
    root, outside = base / "root", base / "outside"
    cfg = sweep_config_from_dict({
        "datasets": ["penguins"], "models": ["logreg"], "strategies": ["margin"],
        "schedules": [{"name": "b10", "batch_size": 10, "budget": 40}], "seeds": 2, "initial_labels": 10,
        "max_test_rows": 100, "stop_set_rows": 80})
    run_sweep(cfg, root / "mine")
    run_sweep(cfg, outside / "theirs")
    (root / "link_out").symlink_to(outside / "theirs", target_is_directory=True)
    (root / "link_in").symlink_to(root / "mine", target_is_directory=True)
    (root / "csv_out").mkdir()
    (root / "csv_out" / "results.csv").symlink_to(outside / "theirs" / "results.csv")
    (root / "json_out").mkdir()
    (root / "json_out" / "results.csv").write_bytes((root / "mine" / "results.csv").read_bytes())
    (root / "json_out" / "sweep.json").symlink_to(outside / "theirs" / "sweep.json")
    return root, outside


@pytest.mark.parametrize(("typed", "reason"), [
    ("../outside/theirs", "parent"),
    ("mine/../../outside/theirs", "parent"),
    ("mine/..", "parent"),  # even a '..' that would stay inside
    ("link_out", "symlink"),
    ("link_out/results.csv", "symlink"),
    ("csv_out", "symlink"),
    ("json_out", "symlink"),
])
def test_paths_that_leave_the_root_are_refused(tree, typed, reason):
    root, _ = tree
    with pytest.raises(SweepPathRefused) as info:
        sweep_data.load_folder(typed, root=str(root))
    assert info.value.reason == reason and info.value.root == root.resolve()
    assert str(root.resolve()) in info.value.hint and typed in info.value.message


def test_an_absolute_path_elsewhere_is_refused_and_one_inside_is_read(tree):
    root, outside = tree
    with pytest.raises(SweepPathRefused) as info:
        sweep_data.load_folder(str(outside / "theirs"), root=str(root))
    assert info.value.reason == "outside"
    for typed in (str(root / "mine"), "mine", "link_in", str(root / "mine" / "results.csv")):
        assert sweep_data.load_folder(typed, root=str(root)).table is not None


def test_the_default_root_is_the_folder_the_dashboard_started_in(tree, monkeypatch):
    root, outside = tree
    monkeypatch.delenv(sweep_data.ROOT_ENV, raising=False)
    monkeypatch.setattr(sweep_data, "START_DIR", root)
    assert sweep_data.sweeps_root() == root.resolve()
    assert sweep_data.load_folder("mine").table is not None
    with pytest.raises(SweepPathRefused):
        sweep_data.load_folder(str(outside / "theirs"))
    with pytest.raises(SweepPathRefused):
        sweep_data.load_folder("/etc")
    monkeypatch.setenv(sweep_data.ROOT_ENV, str(outside))  # the server's setting wins over the start folder
    assert sweep_data.load_folder("theirs").table is not None


def test_the_page_shows_the_refusal_and_the_root(tree, monkeypatch):
    root, _ = tree
    monkeypatch.setenv(sweep_data.ROOT_ENV, str(root))
    at = AppTest.from_file(SWEEPS, default_timeout=60).run()
    at.radio(key="sw_source").set_value("folder").run()
    assert any(str(root.resolve()) in c.value for c in at.caption)
    at.text_input(key="sw_folder").set_value("link_out")
    at.button(key="FormSubmitter:sw_folder_form-Load sweep").click().run()
    assert not at.exception, at.exception
    assert any("symbolic link" in e.value and str(root.resolve()) in e.value for e in at.error)
    assert not any("Which strategy wins where" == h.value for h in at.header)
    at.text_input(key="sw_folder").set_value(os.path.join("..", "outside", "theirs"))
    at.button(key="FormSubmitter:sw_folder_form-Load sweep").click().run()
    assert any("'..'" in e.value for e in at.error)
