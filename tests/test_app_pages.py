"""AppTest of Results, Business case and Stopping: the numbers shown are the analysis' numbers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt, session
from dashboard.testing import small_run

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages"


def _page(name: str, with_run: bool = True) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    if with_run:
        result, analysis, inputs = small_run()
        at.session_state[session.RESULT] = result
        at.session_state[session.ANALYSIS] = analysis
        at.session_state[session.INPUTS] = inputs
    return at.run()


def _charts(at: AppTest) -> list:
    """Vega-Lite chart elements (AppTest has no typed accessor for them)."""
    return at.get("vega_lite_chart")


@pytest.mark.parametrize("page", ["results", "business", "stopping"])
def test_pages_without_a_run_point_to_the_plan(page):
    at = _page(page, with_run=False)
    assert not at.exception
    assert any("Run simulation" in i.value for i in at.info)


def test_results_page_shows_verdict_leaderboard_and_curves():
    at = _page("results")
    assert not at.exception, at.exception
    a = at.session_state[session.ANALYSIS]
    boxes = [b.value for b in (*at.success, *at.info, *at.error)]
    assert any(a["verdict"] in b for b in boxes)
    board = at.dataframe[0].value
    assert list(board["Strategy"]) == ["margin", "random (baseline)"]
    lt = a["summary"]["strategies"]["margin"]["labels_to_target"]
    assert board.loc[0, "Labels to target"].startswith(fmt.count(lt["median"]))
    assert board.loc[0, "Verdict"] == a["summary"]["strategies"]["margin"]["verdict"]
    assert len(_charts(at)) >= 2  # learning curves and labels to target
    # the metric and the model's class weighting are stated beside the evidence
    assert a["class_weight_reason"].startswith("Classes are")
    assert any(c.value.startswith(f"Metric: {a['metric_reason']}") and a["class_weight_reason"] in c.value
               for c in at.caption)
    # the log toggle redraws without errors
    at.toggle(key="results_log").set_value(True).run()
    assert not at.exception


def test_business_page_headlines_match_the_engine():
    at = _page("business")
    assert not at.exception, at.exception
    b = at.session_state[session.ANALYSIS]["business"]
    assert b["strategy"] == at.session_state[session.ANALYSIS]["best"]  # the money is for the verdict's strategy
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["ROI vs random"] == fmt.pct(b["roi"]["median"])
    assert tiles["Net savings"] == fmt.money(b["total_benefit"]["median"])
    assert tiles["Labels saved"] == fmt.count(b["labels_saved"]["median"])
    assert len(_charts(at)) >= 4  # costs, tornado, heat map, projection
    text = " ".join(m.value for m in at.markdown)
    assert "cost per label: $1.00" in text and "production pool: 50,000" in text  # assumptions listed
    at.segmented_control(key="business_grid_base").set_value("whole_pool").run()
    assert not at.exception


def test_business_error_is_shown_next_to_the_numbers():
    at = AppTest.from_file(str(PAGES / "business.py"), default_timeout=60)
    _, analysis, _ = small_run()
    analysis["business"] = None
    analysis["business_error"] = {"message": "cost_per_label must be zero or more dollars (got -1).",
                                  "hint": "What one human label costs you."}
    at.session_state[session.ANALYSIS] = analysis
    at.run()
    assert not at.exception
    assert "cost_per_label must be zero or more" in at.error[0].value and "How to fix it" in at.error[0].value


def test_stopping_page_shows_recommendation_criteria_and_live_check():
    at = _page("stopping")
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Stopping")
    stop = at.session_state[session.ANALYSIS]["stopping"]
    assert stop["sentence"].startswith("Plan for about")
    assert any(stop["sentence"] in b.value for b in at.success)
    table = at.dataframe[0].value
    assert "Stabilizing predictions" in set(table["Rule"]) and "Regret ($)" in table.columns
    assert len(_charts(at)) >= 2  # the curve with the stop, and the marginal value
    assert any(h.value == "Check my live project" for h in at.header)


def test_live_check_verdicts():
    import pandas as pd

    from dashboard import state
    from simulations.stopping import check_live

    econ = state.default_economics()
    inp = state.economic_inputs(econ)
    rising = pd.DataFrame({"labels": [100, 200, 400, 800, 1600], "metric": [0.6, 0.7, 0.78, 0.83, 0.86]})
    live = check_live(rising, inp.cost_per_label, inp.point_value)
    assert live.verdict in {"continue", "stop_now", "too_early"} and live.headline


# ---- costs at zero: undefined ROI / break-even are explained, never a traceback ------------------------------
ZERO_CASES = {
    "zero cost": {"cost_per_label": 0.0},
    "zero setup": {"setup_cost": 0.0},
    "zero value": {"value_per_point": 0.0},
    "zero cost and setup": {"cost_per_label": 0.0, "setup_cost": 0.0},
    "all zero": {"cost_per_label": 0.0, "setup_cost": 0.0, "value_per_point": 0.0},
}


def _zero_analysis(case: str) -> dict:
    from dashboard import state
    from dashboard.testing import small_inputs

    result, _, _ = small_run()
    return state.analyse(result, small_inputs(**ZERO_CASES[case]))


@pytest.mark.parametrize("case", list(ZERO_CASES))
def test_business_page_with_zero_costs(case):
    a = _zero_analysis(case)
    at = AppTest.from_file(str(PAGES / "business.py"), default_timeout=60)
    at.session_state[session.ANALYSIS] = a
    at.run()
    assert not at.exception, at.exception
    if ZERO_CASES[case].get("cost_per_label") == 0.0:
        # the plan refuses free labels (nothing to save, no point at which to stop): said, with no numbers
        assert a["business"] is None and "cost per label must be more than $0" in a["business_error"]["message"]
        assert any("cost per label must be more than $0" in e.value for e in at.error) and not at.metric
        return
    b = a["business"]
    tiles = {m.label: m.value for m in at.metric}
    text = " ".join(m.value for m in at.markdown)
    assert "saves **-" not in text and "$-" not in text  # a loss reads "costs $X more"
    if (b["whole_pool_total_benefit"]["median"] or 0) < -0.5:
        assert "active learning costs **$" in text and " more**" in text
    notes = " ".join(c.value for c in at.caption) + " ".join(i.value for i in at.info)
    roi_defined = b["roi"]["median"] is not None
    if not roi_defined:  # AL costs nothing: ROI is n/a with the reason, and the ROI charts say why they are left out
        assert tiles["ROI vs random"] == "n/a" and "ROI is undefined" in notes
        assert "No ROI heat map" in notes and "No sensitivity chart" in notes
    else:
        assert len(_charts(at)) >= 3  # costs (when any), tornado and heat map drawn
    if b["break_even_share"]["median"] is None:
        assert tiles["Break-even"] == "n/a" and "Break-even is undefined" in notes
    elif b["break_even_share"]["median"] > 1:
        assert tiles["Break-even"] == "never"
    if case in ("zero cost and setup", "all zero"):
        assert "No cost chart" in notes  # every option costs $0: nothing to compare
    at.segmented_control(key="business_grid_base").set_value("whole_pool").run()
    assert not at.exception


def test_report_with_all_costs_zero_says_why_there_is_no_business_case():
    from dashboard import report

    a = _zero_analysis("all zero")
    html = report.build_html(a, name="zero")
    assert "No business case: The cost per label must be more than $0" in html


@pytest.mark.parametrize("pilot", [False, True])
def test_business_page_without_signal_leads_with_the_engines_warning(pilot):
    """A run whose model is no better than the majority class: the engine's verdict and sentence above the headline
    numbers (which alone would read as a paying plan). On its own pool, in red: no labeling plan pays. Projected from
    a pilot to a larger pool, a warning: undecided, a larger pilot may well have signal."""
    from dashboard import state
    from dashboard.testing import small_inputs
    from simulations.economics import NO_SIGNAL_VERDICT
    from simulations.summary import NO_SIGNAL_MARGIN

    result = copy.deepcopy(small_run()[0])  # small_run shares its cached result: never change that one
    for m in ("accuracy", "balanced_accuracy", "macro_f1"):  # the majority class within a point of the whole pool
        result.ceilings[f"baseline_{m}"] = result.ceilings[m] - NO_SIGNAL_MARGIN / 2
    pool = 20 * int(result.meta["n_pool"]) if pilot else int(result.meta["n_pool"])
    a = state.analyse(result, small_inputs(production_pool=pool))
    assert a["business"]["no_signal"] and a["summary"]["no_signal"]
    assert a["business"]["roi_widened"] is pilot and a["business"]["pays_off"] is (None if pilot else False)
    at = AppTest.from_file(str(PAGES / "business.py"), default_timeout=60)
    at.session_state[session.ANALYSIS] = a
    at.run()
    assert not at.exception, at.exception
    boxes, kind = (at.warning, "Warning") if pilot else (at.error, "Error")
    box = next(b.value for b in boxes if a["business"]["no_signal_sentence"] in b.value)
    expect = a["business"]["no_signal_verdict"]
    assert expect in box and (expect == NO_SIGNAL_VERDICT) is (not pilot)
    assert not any(NO_SIGNAL_VERDICT in b.value for b in [*at.error, *at.warning]) or not pilot
    assert a["business"]["no_signal_sentence"] == a["verdict"]  # the simulation summary's own sentence
    kinds = [type(e).__name__ for e in at.main]  # page order, depth first
    assert "Metric" in kinds and kinds.index(kind) < kinds.index("Metric")  # above the headline tiles
    # with signal: no such box
    ok = _page("business")
    assert not ok.error and not ok.session_state[session.ANALYSIS]["business"]["no_signal"]
