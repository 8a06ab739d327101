"""AppTest of item costs: the Plan page's "Annotators and costs" inputs, refusals beside the field, and the money
to target on Results, Business case and the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt, report, session, state
from dashboard.testing import page_with_outcome, set_small_run, small_inputs
from simulations import Dataset, SimulationConfig, run_simulation
from simulations.costs import ItemCosts

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "dashboard" / "app_pages"
PLAN = str(PAGES / "plan.py")
CLASS_COSTS = "Adelie=1, Chinstrap=4, Gentoo=0.5"


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    state.clear_cache()


def _plan_page() -> AppTest:
    at = AppTest.from_file(PLAN, default_timeout=120).run()
    at.selectbox(key="sample_name").set_value("penguins").run()
    return at


def test_item_cost_inputs_sit_in_annotators_and_costs_and_explain_themselves():
    at = _plan_page()
    assert not at.exception
    sections = [e for e in at.expander if e.label == "Annotators and costs"]
    assert len(sections) == 1  # one section holds both the annotators' and the items' inputs
    keys = {w.key for w in [*sections[0].text_input, *sections[0].selectbox]}
    assert {"annotator_error", "relabel", "cost_source"} <= keys
    assert at.selectbox(key="cost_source").value == "none"  # one price per label unless asked
    for key in ("cost_source", "cost_column"):
        assert at.selectbox(key=key).help
    for key in ("cost_per_word", "cost_per_character", "cost_base"):
        assert at.number_input(key=key).help
    assert at.text_input(key="cost_by_class").help
    # the data's columns are offered as the cost column
    assert "bill_length_mm" in at.selectbox(key="cost_column").options


@pytest.mark.parametrize(("source", "setting", "words"), [
    ("class", ("text", "cost_by_class", "Adelie=1, Zebra=2"), "does not have: Zebra"),
    ("class", ("text", "cost_by_class", "Adelie=-1, Chinstrap=1, Gentoo=1"), "must be zero or more"),
    ("length", ("number", "cost_per_word", -0.01), "must be zero or more"),
    ("length", ("number", "cost_per_word", 0.01), "needs text"),  # penguins has no text to count words of
    ("column", ("select", "cost_column", ""), "Choose the column"),
    ("column", ("select", "cost_column", "species"), None),  # the label: not offered (checked below)
])
def test_refused_item_costs_say_why_beside_the_field_and_nothing_runs(source, setting, words):
    at = _plan_page()
    at.selectbox(key="cost_source").set_value(source)
    kind, key, value = setting
    if kind == "select":
        if value not in at.selectbox(key=key).options:
            assert value == "species"  # the label column is no cost column
            return
        at.selectbox(key=key).set_value(value)
    elif kind == "text":
        at.text_input(key=key).set_value(value)
    else:
        at.number_input(key=key).set_value(value)
    at.button[0].click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(words in e for e in errors), errors
    assert any(e.startswith("Nothing was run: 1 input above needs a fix") and "Annotators and costs" in e
               for e in errors), errors
    assert not any("--" in e for e in errors)  # dashboard words, not flags
    assert session.ANALYSIS not in at.session_state


def test_a_run_with_class_costs_reaches_the_engine_and_shows_money():
    at = _plan_page()
    set_small_run(at)
    at.selectbox(key="cost_source").set_value("class")
    at.text_input(key="cost_by_class").set_value(CLASS_COSTS)
    at.button[0].click().run()
    assert not at.exception, at.exception
    a = at.session_state[session.ANALYSIS]
    assert a["config"]["costs"]["by_class"] == [["Adelie", 1.0], ["Chinstrap", 4.0], ["Gentoo", 0.5]]
    costs = a["plan"]["costs"]
    assert costs["source"].startswith("by class") and costs["per_label"]["max"] == 4.0
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Money to target, margin"] == fmt.metric_parts(costs["money_to_target"]["al"], "money")[0]
    # the choice is kept: back on the page, the costs are still by class
    at.run()
    assert at.selectbox(key="cost_source").value == "class"


@pytest.fixture(scope="module")
def costed_analysis():
    inputs = small_inputs()
    cfg = {**inputs["config"], "costs": ItemCosts(by_class=(("Adelie", 1.0), ("Chinstrap", 4.0),
                                                            ("Gentoo", 0.5))).to_dict()}
    inputs["config"] = cfg
    result = run_simulation(Dataset.from_sample("penguins"), SimulationConfig.from_dict(cfg), n_jobs=1)
    return result, state.analyse(result, inputs), inputs


@pytest.mark.parametrize("page", ["results", "business"])
def test_results_and_business_show_money_to_target_from_the_plan(costed_analysis, page):
    result, analysis, inputs = costed_analysis
    at = page_with_outcome(str(PAGES / f"{page}.py"), result, analysis, inputs)
    assert not at.exception, at.exception
    costs = analysis["plan"]["costs"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Money to target, random"] == fmt.metric_parts(costs["money_to_target"]["random"], "money")[0]
    assert tiles["Money saved on labels"] == fmt.metric_parts(costs["money_saved"], "money")[0]
    assert any(costs["sentence"] in c.value for c in at.caption)


def test_pages_without_item_costs_show_no_money_to_target():
    from dashboard.testing import small_run

    result, analysis, inputs = small_run()
    assert analysis["plan"]["costs"] is None
    at = page_with_outcome(str(PAGES / "business.py"), result, analysis, inputs)
    assert not any(m.label.startswith("Money to target") for m in at.metric)


def test_the_report_gives_money_to_target(costed_analysis):
    _, analysis, _ = costed_analysis
    rows = {r[0]: r for r in report.headline_rows(analysis)}
    costs = analysis["plan"]["costs"]
    assert rows["Money saved on labels"][1] == fmt.value_range(costs["money_saved"], "money")[0]
    assert any(s.startswith("Item costs:") for s in report.plan_sentences(analysis))
    assert costs["sentence"] in report.build_html(analysis)
