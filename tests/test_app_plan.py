"""AppTest of the Plan page: inputs -> a run -> the numbers shown; errors next to the input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import session, state
from dashboard.testing import set_small_run, small_run
from simulations.datasets import load_sample_frame

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
PLAN = str(ROOT / "dashboard" / "app_pages" / "plan.py")


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    state.clear_cache()


def _small_settings(at: AppTest) -> None:
    at.selectbox(key="sample_name").set_value("penguins")
    set_small_run(at)


def test_app_opens_on_plan_with_defaults():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Plan a labeling budget"
    assert at.selectbox(key="sample_name").value == "sms_spam"
    assert at.number_input(key="cost_per_label").value == pytest.approx(1.0)
    assert at.number_input(key="seeds").value == 7  # DEFAULT_SEEDS: the fewest that allow a verdict on 3 strategies
    assert {m.label: m.value for m in at.metric}["Labeled rows"] == "5,574"
    # every input explains itself
    for w in [*at.number_input, *at.selectbox, *at.radio, *at.multiselect]:
        assert w.help, f"{w.label} has no help text"


def test_run_shows_verdict_and_money_then_serves_from_cache():
    at = AppTest.from_file(PLAN, default_timeout=120).run()
    _small_settings(at)
    at.number_input(key="cost_per_label").set_value(2.0)
    at.button[0].click().run()
    assert not at.exception, at.exception
    a = at.session_state[session.ANALYSIS]
    assert a["dataset"]["name"] == "penguins" and a["economics"]["cost_per_label"] == 2.0
    shown = [b.value for b in (*at.success, *at.info, *at.error) if "random" in b.value]
    assert any(a["verdict"] in s for s in shown)
    tiles = {m.label: m.value for m in at.metric}
    from dashboard import fmt

    assert tiles["Net savings"] == fmt.money(a["business"]["total_benefit"]["median"])
    assert tiles["ROI vs random"] == fmt.pct(a["business"]["roi"]["median"])
    assert any("Simulated in" in c.value for c in at.caption)
    # the same inputs again: the cache answers
    at.button[0].click().run()
    assert any("Served from cache" in c.value for c in at.caption)


def test_class_weight_choice_reaches_the_run_and_is_explained():
    at = AppTest.from_file(PLAN, default_timeout=120).run()
    _small_settings(at)  # penguins: smallest class 19.8% of 3 -> balanced enough, so "auto" does not weight
    assert at.selectbox(key="class_weight").value == "auto"
    at.button[0].click().run()
    assert not at.exception, at.exception
    a = at.session_state[session.ANALYSIS]
    assert a["config"]["class_weight"] == "auto"
    assert a["class_weight_reason"] == "Classes are not weighted: they are reasonably balanced."
    at.selectbox(key="class_weight").set_value("balanced")
    at.button[0].click().run()
    a = at.session_state[session.ANALYSIS]
    assert a["config"]["class_weight"] == "balanced" and "weighted inversely" in a["class_weight_reason"]
    from dashboard import tables

    assert any(line.startswith("model: Classes are weighted") for line in tables.assumptions(a))  # in the report
    at.selectbox(key="class_weight").set_value("none")
    at.button[0].click().run()
    a = at.session_state[session.ANALYSIS]
    assert a["config"]["class_weight"] == "none" and a["class_weight_reason"].startswith("Classes are not weighted")


def test_invalid_settings_are_a_message_not_a_traceback():
    at = AppTest.from_file(PLAN, default_timeout=60).run()
    at.selectbox(key="sample_name").set_value("penguins")
    at.number_input(key="initial_labels").set_value(50)
    at.number_input(key="budget").set_value(40)
    at.button[0].click().run()
    assert not at.exception
    assert any("above the initial labels (50)" in e.value for e in at.error)
    assert session.ANALYSIS not in at.session_state


@pytest.mark.parametrize(("field", "value", "words"), [
    ("cost_per_label", 0.0, "cost per label must be more than $0"),
    ("cost_per_label", -2.0, "(got -$2.00)"),
    ("value_per_point", -1.0, "value per point cannot be negative"),
    ("annotators", 0, "Annotators must be a whole number, at least 1"),
    ("seeds", 80, "from 1 to 50"),
])
def test_refused_inputs_say_why_next_to_the_field_and_nothing_runs(field, value, words):
    at = AppTest.from_file(PLAN, default_timeout=60).run()
    at.selectbox(key="sample_name").set_value("penguins")
    at.number_input(key=field).set_value(value)
    at.button[0].click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(words in e for e in errors), errors
    assert any(e.startswith("Nothing was run: 1 input above needs a fix") for e in errors)
    assert not any("--" in e or "=" in e for e in errors)  # dashboard words, not flags or keywords
    assert session.ANALYSIS not in at.session_state and session.RESULT not in at.session_state


def test_a_refused_cost_is_quoted_in_the_engines_money_format():
    """The message quotes the cost as simulations.money prints it: sign before the $, no negative zero."""
    for cost, quoted in ((-1234.5, "(got -$1,234.50)"), (-0.001, "(got $0.00)")):
        d = state.default_inputs()
        d["economics"]["cost_per_label"] = cost
        assert quoted in state.plan_problems(d)["cost_per_label"]


def test_plan_refuses_what_the_engine_refuses():
    """Every money input Plan accepts builds EconomicInputs and passes the stopping module's cost check, except a
    value of accuracy of 0 ("label costs only"): the business case takes it, the Stopping page explains why it
    gives no cost-optimal stop (tests/test_stopping_app.py)."""
    from simulations.stopping.optimum import check_costs

    inputs = state.default_inputs()
    assert state.plan_problems(inputs) == {}
    econ = state.economic_inputs(inputs["economics"])
    check_costs(econ.cost_per_label, econ.value_per_point)
    labels_only = state.default_inputs()
    labels_only["economics"]["value_per_point"] = 0.0
    assert state.plan_problems(labels_only) == {}
    assert state.economic_inputs(labels_only["economics"]).value_per_point == 0.0
    for bad in ({"cost_per_label": 0.0}, {"value_per_point": -1.0}, {"setup_cost": -1.0}, {"production_pool": 0},
                {"value_mode": "per_error", "cost_per_error": 0.0}):
        d = state.default_inputs()
        d["economics"].update(bad)
        assert state.plan_problems(d), bad
        refused = False
        try:
            e = state.economic_inputs(d["economics"])
            value = e.value_per_point if e.value_per_point is not None else e.predictions * e.cost_per_error / 100
            check_costs(e.cost_per_label, value)
        except state.ConfigError:
            refused = True
        assert refused, bad  # Plan refuses nothing the engine would take


def test_uploaded_csv_with_label_picker_and_preview():
    frame = load_sample_frame("penguins")
    data = frame.to_csv(index=False).encode()
    upload = {"digest": "d1", "file_name": "my_penguins.csv", "frame": state.read_table("my_penguins.csv", data),
              "raw": data}
    at = AppTest.from_file(PLAN, default_timeout=120)
    at.session_state[session.UPLOAD] = upload
    at.run()
    at.radio(key="data_source").set_value("upload").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="label_column").value == "species"  # guessed
    assert len(at.dataframe) >= 1  # the preview
    assert {m.label: m.value for m in at.metric}["Labeled rows"] == "344"
    at.multiselect(key="strategies").set_value(["margin"])
    at.number_input(key="seeds").set_value(2)
    at.number_input(key="initial_labels").set_value(10)
    at.number_input(key="budget").set_value(60)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state[session.ANALYSIS]["dataset"]["name"] == "my_penguins.csv"


def test_bad_label_column_shows_the_engine_message():
    frame = load_sample_frame("penguins")
    frame["one_class"] = "x"
    data = frame.to_csv(index=False).encode()
    at = AppTest.from_file(PLAN, default_timeout=60)
    at.session_state[session.UPLOAD] = {"digest": "d2", "file_name": "p.csv", "raw": data,
                                        "frame": state.read_table("p.csv", data)}
    at.run()
    at.radio(key="data_source").set_value("upload").run()
    at.selectbox(key="label_column").set_value("one_class").run()
    assert not at.exception
    assert any("class" in e.value for e in at.error)
    assert at.button[0].disabled  # nothing to run on


def test_unreadable_upload_is_a_data_error():
    with pytest.raises(state.DataError):
        state.read_table("x.csv", b"")
    with pytest.raises(state.DataError):
        state.read_table("x.csv", b"only_one_column\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n")
    with pytest.raises(state.DataError):
        state.read_table("x.csv", b"a,b\n1,2\n" * 5, max_mb=0.00001)
    tsv = io.BytesIO()
    load_sample_frame("penguins").to_csv(tsv, sep="\t", index=False)
    assert state.read_table("p.tsv", tsv.getvalue()).shape[0] == 344


def test_small_run_fixture_is_consistent():
    _, a, _ = small_run()
    assert set(a["summary"]["strategies"]) == {"random", "margin"}
    assert a["business"]["strategy"] == "margin"


def test_value_of_accuracy_shows_only_the_chosen_form_labelled_with_the_runs_score():
    """The value input names the score money is counted in (balanced accuracy on the imbalanced default), and the
    predictions x cost-per-error fields appear only when that form is chosen (and the per-point field goes)."""
    at = AppTest.from_file(PLAN, default_timeout=60).run()
    assert not at.exception
    keys = {n.key for n in at.number_input}
    assert "value_per_point" in keys and not {"predictions", "cost_per_error"} & keys
    assert at.number_input(key="value_per_point").label == "Value per balanced accuracy point ($)"
    at.radio(key="value_mode").set_value("per_error").run()
    keys = {n.key for n in at.number_input}
    assert {"predictions", "cost_per_error"} <= keys and "value_per_point" not in keys
    at.selectbox(key="sample_name").set_value("penguins").run()  # balanced classes: plain accuracy
    at.radio(key="value_mode").set_value("per_point").run()
    assert at.number_input(key="value_per_point").label == "Value per accuracy point ($)"
