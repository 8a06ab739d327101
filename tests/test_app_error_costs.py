"""AppTest of the Plan page's "What an error costs" inputs, and their results on the Business case and Stopping
pages (read from the plan)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import session, state
from dashboard.testing import set_small_run

ROOT = Path(__file__).resolve().parents[1]
PLAN = str(ROOT / "dashboard" / "app_pages" / "plan.py")
BUSINESS = str(ROOT / "dashboard" / "app_pages" / "business.py")
STOPPING = str(ROOT / "dashboard" / "app_pages" / "stopping.py")


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    state.clear_cache()


def plan_page(sample: str) -> AppTest:
    at = AppTest.from_file(PLAN, default_timeout=120).run()
    at.selectbox(key="sample_name").set_value(sample).run()
    set_small_run(at)
    at.radio(key="value_mode").set_value("error_costs").run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_binary_costs_reach_the_plan_and_show_on_business_and_stopping():
    at = plan_page("breast_cancer")
    # binary data: the two costs and the positive class, no matrix unless asked for
    assert at.number_input(key="cost_missed_positive") and at.selectbox(key="positive_class")
    assert not any(t.key == "cost_matrix" for t in at.text_area)
    at.number_input(key="cost_missed_positive").set_value(40.0)
    at.number_input(key="cost_false_alarm").set_value(2.0)
    at.selectbox(key="positive_class").set_value("malignant")
    at.number_input(key="predictions_per_month").set_value(1000.0)
    at.number_input(key="model_life_months").set_value(12.0)
    at.button[0].click().run()
    assert not at.exception, at.exception
    a = at.session_state[session.ANALYSIS]
    plan = a["plan"]
    assert plan["value_model"]["mode"] == "error_costs"
    assert plan["value_model"]["value_per_point"] == pytest.approx(1000 * 12 * 40 / 100)
    per = plan["error_cost"]["per_1000_predictions"]
    assert per["al"]["low"] <= per["al"]["median"] <= per["al"]["high"]
    assert a["economics"]["positive_class"] == "malignant"
    # one answer: the curves and the target the pages draw are in the plan's error-cost score too
    assert a["metric"] == plan["metric"] == "error_cost_score"
    assert a["target"]["value_median"] == plan["target"]["score"]
    res = AppTest.from_file(str(ROOT / "dashboard" / "app_pages" / "results.py"), default_timeout=120)
    res.session_state[session.ANALYSIS] = a
    res.session_state[session.INPUTS] = at.session_state[session.INPUTS]
    res.run()
    assert not res.exception, res.exception

    for page in (BUSINESS, STOPPING):
        pg = AppTest.from_file(page, default_timeout=120)
        pg.session_state[session.ANALYSIS] = a
        pg.session_state[session.INPUTS] = at.session_state[session.INPUTS]
        pg.run()
        assert not pg.exception, pg.exception
        assert any(s.value == "What errors cost" for s in pg.subheader)
        tiles = {m.label: m.value for m in pg.metric}
        from dashboard import fmt

        assert tiles["Errors per 1,000, random"] == fmt.money(per["random"]["median"])


def test_a_zero_model_life_is_shown_beside_the_field_and_nothing_runs():
    at = plan_page("breast_cancer")
    at.number_input(key="model_life_months").set_value(0.0)
    at.button[0].click().run()
    assert not at.exception
    assert "model's life must be more than 0 months" in errors(at)
    assert "Nothing was run" in errors(at)
    assert not (at.session_state.get(session.ANALYSIS))


def test_multiclass_data_gets_a_matrix_and_a_bad_one_is_refused_beside_it():
    at = plan_page("penguins")
    box = next(t for t in at.text_area if t.key == "cost_matrix")
    # the template is plain accuracy's money: $1 off the diagonal, one row and column per class
    assert box.value.splitlines()[1].split(",")[1:] == ["0", "1", "1"]
    box.set_value("truth,Adelie,Gentoo\nAdelie,0,1\nGentoo,1,0\n")
    at.button[0].click().run()
    assert not at.exception
    assert "does not match the data's classes" in errors(at) and "Chinstrap" in errors(at)
    box = next(t for t in at.text_area if t.key == "cost_matrix")
    box.set_value("truth,Adelie,Chinstrap,Gentoo\nAdelie,0,1,-5\nChinstrap,1,0,1\nGentoo,1,1,0\n")
    at.button[0].click().run()
    assert "zero or more" in errors(at)


def test_discount_rate_of_100_percent_is_refused():
    at = plan_page("breast_cancer")
    at.number_input(key="discount_rate").set_value(100.0)
    at.button[0].click().run()
    assert "discount rate" in errors(at)
    at.number_input(key="discount_rate").set_value(99.0)
    at.number_input(key="model_life_months").set_value(0.0)  # keep it from running: only the rate is checked here
    at.button[0].click().run()
    assert "discount rate" not in errors(at)


def test_report_carries_the_error_cost_and_a_separate_time_value():
    from dashboard import report
    from dashboard.testing import small_inputs
    from simulations import Dataset, run_simulation

    inputs = small_inputs("breast_cancer", value_mode="error_costs", cost_missed_positive=40.0, cost_false_alarm=2.0,
                          positive_class="malignant", predictions_per_month=1000.0, model_life_months=12.0,
                          discount_rate=0.05, labels_per_hour=30.0)
    result = run_simulation(Dataset.from_sample("breast_cancer"), state.config_from(inputs["config"]), n_jobs=1)
    a = state.analyse(result, inputs)
    assert a["plan"]["error_cost"] is not None and a["plan"]["time_value"] is not None
    html = report.build_html(a)
    import html as h

    assert h.escape(a["plan"]["error_cost"]["sentence"]) in html
    assert "Time value (separate from the label savings above" in html
    assert "sum over (true i, predicted j)" in html  # the class-mix assumption is said


def _simple_plan_page(mode: str) -> AppTest:
    at = AppTest.from_file(PLAN, default_timeout=120).run()
    at.selectbox(key="sample_name").set_value("penguins").run()
    set_small_run(at)
    if mode != "per_point":
        at.radio(key="value_mode").set_value(mode).run()
    assert not any(t.key == "predictions_per_month" for t in at.number_input)  # no error-cost fields
    at.number_input(key="labels_per_hour").set_value(60.0)
    return at


def _time_value_rows(at: AppTest) -> dict[str, str]:
    for df in at.dataframe:
        frame = df.value
        if "" in frame.columns and "Value of shipping sooner" in set(frame[""]):
            return dict(zip(frame[""], frame["value"], strict=True))
    return {}


@pytest.mark.parametrize("mode", ["per_point", "per_error"])
def test_simple_value_modes_ask_for_the_model_life_and_show_the_time_value_apart_on_business(mode):
    from dashboard import fmt
    from dashboard.testing import page_with_outcome

    at = _simple_plan_page(mode)
    life = at.number_input(key="time_model_life_months")
    assert life.value == 0 and life.help  # off unless asked for
    life.set_value(12.0)
    at.number_input(key="time_discount_rate").set_value(8.0)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    a = at.session_state[session.ANALYSIS]
    plan = a["plan"]
    assert plan["value_model"]["mode"] == mode and plan["value_model"]["model_life_months"] == 12.0
    tv = plan["time_value"]
    assert tv is not None and tv["discount_rate"] == pytest.approx(0.08)
    assert plan["error_cost"] is None
    # the engine's monthly value: the value of the points the model at the target gains over no model, a month
    assert tv["monthly_value"] > 0
    biz = page_with_outcome(BUSINESS, at.session_state[session.RESULT], a, at.session_state[session.INPUTS])
    assert not biz.exception, biz.exception
    assert "Value of shipping sooner" in [h.value for h in biz.subheader]
    rows = _time_value_rows(biz)
    assert rows["Value of shipping sooner"] == fmt.money(tv["value"])
    assert rows["Monthly value of the model"] == fmt.money(tv["monthly_value"])
    # how much sooner, in the table and the sentence alike (a tiny run: working days, never "0.00 months")
    assert rows["Ships sooner by"] == tv["sooner"] and tv["sooner"].endswith("working days sooner")
    assert f"about {tv['sooner']}" in tv["sentence"]
    assert any(tv["sentence"] in c.value for c in biz.caption)
    assert any("separate from the savings above" in m.value for m in biz.markdown)


def test_without_a_model_life_there_is_no_time_value_and_a_negative_one_is_refused_beside_it():
    from dashboard.testing import page_with_outcome

    at = _simple_plan_page("per_point")
    at.number_input(key="time_model_life_months").set_value(-3.0)
    at.button[0].click().run()
    assert not at.exception
    assert "model's life must be more than 0 months" in errors(at) and "Nothing was run" in errors(at)
    assert not at.session_state.get(session.ANALYSIS)
    at.number_input(key="time_model_life_months").set_value(0.0)
    at.button[0].click().run()
    assert not at.exception and not at.error, errors(at)
    a = at.session_state[session.ANALYSIS]
    assert a["plan"]["time_value"] is None and a["plan"]["calendar"] is not None  # the throughput alone: no value
    biz = page_with_outcome(BUSINESS, at.session_state[session.RESULT], a, at.session_state[session.INPUTS])
    assert not biz.exception
    assert not _time_value_rows(biz)
    assert "Value of shipping sooner" not in [h.value for h in biz.subheader]


def test_switching_the_value_mode_keeps_each_model_life_its_own():
    at = AppTest.from_file(PLAN, default_timeout=120).run()
    at.selectbox(key="sample_name").set_value("breast_cancer").run()
    at.number_input(key="time_model_life_months").set_value(5.0).run()
    at.radio(key="value_mode").set_value("error_costs").run()
    assert not at.exception
    assert at.number_input(key="model_life_months").value == 12.0  # the error costs' default, not 0 (refused)
    at.radio(key="value_mode").set_value("per_point").run()
    assert at.number_input(key="time_model_life_months").value == 0.0  # asked for, never on by default
