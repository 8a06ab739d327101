"""AppTest of noisy annotators on the dashboard: the Plan page's "Annotators and costs" inputs (refusals beside the
field, nothing run) and the noise panel on Results, Business case and Stopping, and in the report."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import report, session, state
from dashboard.annotator_inputs import check_annotator_inputs
from dashboard.testing import page_with_outcome, small_inputs
from simulations import Dataset, run_simulation
from simulations.annotators import NoiseConfig

ROOT = Path(__file__).resolve().parents[1]
PLAN = str(ROOT / "dashboard" / "app_pages" / "plan.py")
PAGES = ROOT / "dashboard" / "app_pages"


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    state.clear_cache()


def _raw(error="0%", relabel="none", confusion=None):
    return {"error": error, "confusion": confusion, "confusion_name": None, "relabel": relabel, "ambiguity": False}


@pytest.mark.parametrize(("text", "ok"), [("49.99%", True), ("50%", False), ("0.4999", True), ("0.5", False),
                                          ("-1%", False), ("five", False), ("5%, 10%, 20%", True)])
def test_rates_just_below_one_half_pass_and_one_half_is_refused(text, ok):
    noise, problems = check_annotator_inputs(_raw(text), annotators=3 if "," in text else 1)
    assert (problems == {}) is ok
    assert (noise is not None) is ok
    assert ok or "annotator_error" in problems


def test_a_perfect_oracle_is_no_noise_and_several_rates_need_as_many_annotators():
    assert check_annotator_inputs(_raw("0%"), annotators=1) == (None, {})
    noise, problems = check_annotator_inputs(_raw("5%, 10%"), annotators=1)
    assert noise is None and "Set Annotators to 2" in problems["annotator_error"]
    noise, _ = check_annotator_inputs(_raw("0%", relabel="majority3"), annotators=1)
    assert noise["relabel"] == "majority3"  # re-labeling a perfect oracle still costs its labels


def test_a_confusion_matrix_upload_is_checked_against_the_data():
    good = b"true,Adelie,Chinstrap,Gentoo\nAdelie,0.9,0.1,0\nChinstrap,0,1,0\nGentoo,0,0,1\n"
    classes = ["Adelie", "Chinstrap", "Gentoo"]
    noise, problems = check_annotator_inputs(_raw(confusion=good), annotators=1, class_names=classes)
    assert problems == {} and noise["confusion_classes"] == classes
    bad_sum = good.replace(b"0.9,0.1,0", b"0.9,0.2,0")
    _, problems = check_annotator_inputs(_raw(confusion=bad_sum), annotators=1, class_names=classes)
    assert "sums to 1.1" in problems["annotator_confusion"]
    _, problems = check_annotator_inputs(_raw(confusion=good), annotators=1, class_names=["spam", "ham"])
    assert "not the data's" in problems["annotator_confusion"]


@pytest.mark.parametrize(("text", "words"), [("50%", "outside [0, 0.5)"), ("5%, 10%", "Set Annotators to 2")])
def test_a_refused_rate_shows_beside_the_field_and_nothing_runs(text, words):
    at = AppTest.from_file(PLAN, default_timeout=60).run()
    at.selectbox(key="sample_name").set_value("penguins")
    at.text_input(key="annotator_error").set_value(text)
    at.button[0].click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(words in e for e in errors), errors
    assert any(e.startswith("Nothing was run") and "Annotators and costs" in e for e in errors)
    assert session.ANALYSIS not in at.session_state


@lru_cache(maxsize=1)
def _noisy():
    inputs = small_inputs("penguins")
    cfg = replace(state.config_from(inputs["config"]), noise=NoiseConfig(error_rates=(0.2,), relabel="majority3"))
    inputs["config"] = cfg.to_dict()
    result = run_simulation(Dataset.from_sample("penguins"), cfg, n_jobs=1)
    return result, state.analyse(result, inputs), inputs


@pytest.mark.parametrize("page", ["results", "business", "stopping"])
def test_the_noise_panel_shows_the_plans_sentence_and_figures(page):
    result, analysis, inputs = _noisy()
    at = page_with_outcome(str(PAGES / f"{page}.py"), result, analysis, inputs)
    assert not at.exception, at.exception
    noise = analysis["plan"]["noise"]
    assert any(noise["sentence"] in m.value for m in at.markdown)
    tiles = {m.label: m.value for m in at.metric}
    assert "Saving under noise (share of random's paid labels)" in tiles
    assert "Change (percentage points)" in tiles
    assert any("re-labels included" in c.value for c in at.caption)
    # the ranges' level is the intervals' own (few seeds give less than 95%), not a fixed "95%"
    level = noise["change"]["share_points"]["confidence"]
    assert any(f"with {level:.0%} ranges" in c.value for c in at.caption)


def test_no_panel_without_noise():
    from dashboard.testing import small_run

    result, analysis, inputs = small_run()
    at = page_with_outcome(str(PAGES / "results.py"), result, analysis, inputs)
    assert not any(m.label.startswith("Saving under noise") for m in at.metric)


def test_the_report_says_how_noise_changes_the_saving():
    _, analysis, _ = _noisy()
    sentences = report.plan_sentences(analysis)
    assert any(s == f"Noisy annotators: {analysis['plan']['noise']['sentence']}" for s in sentences)
    assert "Noisy annotators:" in report.build_html(analysis)


def test_noise_set_on_the_plan_page_reaches_the_run_and_the_plan():
    from dashboard.testing import set_small_run

    at = AppTest.from_file(PLAN, default_timeout=180).run()
    at.selectbox(key="sample_name").set_value("penguins")
    set_small_run(at)
    at.text_input(key="annotator_error").set_value("20%")
    at.selectbox(key="relabel").set_value("majority3")
    at.button[0].click().run()
    assert not at.exception, at.exception
    a = at.session_state[session.ANALYSIS]
    assert a["config"]["noise"]["error_rates"] == [0.2] and a["config"]["noise"]["relabel"] == "majority3"
    assert a["plan"]["noise"]["labels_unit"] == "paid"
    # the widgets keep the run's settings on the next visit
    at2 = AppTest.from_file(PLAN, default_timeout=60)
    at2.session_state[session.INPUTS] = at.session_state[session.INPUTS]
    at2.run()
    assert at2.text_input(key="annotator_error").value == "20%"


def test_the_curves_count_paid_labels_as_the_plan_does():
    result, analysis, _ = _noisy()
    xs = sorted({c["labels"] for c in analysis["curves"]})
    assert xs[-1] == 3 * int(result.rounds["labels"].max()) == analysis["plan"]["simulated_labels"]
