"""The Stopping page and its live check: dashboard wording, pool caps and charts that show what they say."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import charts, session, state, stopping_glue, stopping_view
from dashboard.testing import small_inputs, small_run
from simulations.stopping import check_live

PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "stopping.py"


def _stopping_page(analysis: dict, inputs: dict) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    result, _, _ = small_run()
    at.session_state[session.RESULT] = result
    at.session_state[session.ANALYSIS] = analysis
    at.session_state[session.INPUTS] = inputs
    return at.run()


def test_zero_costs_are_explained_in_the_dashboards_words():
    result, _, _ = small_run()
    for econ in ({"cost_per_label": 0.0}, {"value_per_point": 0.0}):
        inputs = small_inputs(**econ)
        analysis = state.analyse(result, inputs)
        err = analysis["stopping_error"]
        assert err is not None and "--" not in err["message"] + err["hint"]
        assert "Plan page" in err["hint"] and err["message"].startswith(stopping_glue.COSTS_MESSAGE[:-1])
        at = _stopping_page(analysis, inputs)
        assert not at.exception
        shown = " ".join(e.value for e in at.error)
        assert "Stopping advice needs a cost per label above $0" in shown and "--cost-per-label" not in shown


def test_a_saved_analysis_with_the_command_line_wording_is_reworded():
    _, analysis, inputs = small_run()
    analysis["stopping"] = None
    analysis["stopping_error"] = {"message": "The cost per label must be a positive amount (got 0).",
                                  "hint": "Pass dollars, e.g. --cost-per-label 2.50."}
    at = _stopping_page(analysis, inputs)
    shown = " ".join(e.value for e in at.error)
    assert "Plan page" in shown and "--cost-per-label" not in shown
    other = {"message": "No rounds for strategy x.", "hint": "Strategies: random."}
    assert stopping_glue.dashboard_error(other) == other  # other errors pass through unchanged


def test_stopping_page_caps_the_advice_and_its_chart_at_the_pool_and_says_the_engines_sentence():
    result, _, _ = small_run()
    pool = int(result.meta["n_pool"])
    inputs = small_inputs(production_pool=pool, cost_per_label=0.01, value_per_point=5_000.0)
    analysis = state.analyse(result, inputs)
    stop = analysis["stopping"]
    assert stop["pool"] == pool
    assert max(r["labels"] for r in stop["marginal"]) <= pool
    fs = stop["fitted_stop"]
    assert fs is not None and fs["labels"] <= pool
    if fs["capped"]:
        assert "labeling the whole pool still pays" in stop["fitted_stop_sentence"]
    at = _stopping_page(analysis, inputs)
    assert not at.exception, at.exception
    assert any(stop["fitted_stop_sentence"] in c.value for c in at.caption)


def _layers(chart) -> list[dict]:
    return chart.to_dict()["layer"]


def test_live_chart_axis_is_the_users_score_and_the_caption_describes_what_is_drawn():
    smooth = check_live(pd.DataFrame({"labels": [20, 40, 80, 160, 320],
                                      "metric": [0.61, 0.70, 0.78, 0.83, 0.86]}), 1.0, 500.0)
    ragged = check_live(pd.DataFrame({"labels": [20, 40, 80, 160, 320],
                                      "metric": [0.6, 0.8, 0.62, 0.81, 0.78]}), 1.0, 500.0)
    x = [20, 30, 45, 68, 100, 150, 230, 340]
    rising = check_live(pd.DataFrame({"labels": x, "metric": [0.95 - 1.2 * v ** -0.5 for v in x]}), 1.0, 500.0)
    assert rising.verdict == "continue"
    caption = stopping_view.live_chart(rising)[1].lower()
    assert "orange line" in caption and "projected" in caption and "green band" in caption
    for live in (smooth, ragged, rising):
        chart, caption = stopping_view.live_chart(live)
        layers = _layers(chart)
        titles = {layer["encoding"]["y"].get("title") for layer in layers if "y" in layer.get("encoding", {})}
        assert titles == {stopping_view.LIVE_Y_TITLE}
        rules = [la for la in layers if (la["mark"] if isinstance(la["mark"], str) else la["mark"]["type"]) == "rule"]
        bands = [la for la in layers if (la["mark"] if isinstance(la["mark"], str) else la["mark"]["type"]) == "rect"]
        assert ("orange line" in caption.lower()) == bool(rules)
        assert ("green band" in caption.lower()) == bool(bands)
        subtitle = chart.to_dict()["title"]["subtitle"]  # the caption, in lines short enough for a phone
        assert " ".join(subtitle) == caption and max(map(len, subtitle)) <= charts.SUBTITLE_WIDTH
    # the ragged log: nothing projected, so no line, and no fitted-curve rule in the table
    assert "orange" not in stopping_view.live_chart(ragged)[1].lower()
    table = stopping_view.live_criteria_table(ragged)
    assert "Marginal rule on the fitted curve" not in set(table["Rule"])
    smooth_table = stopping_view.live_criteria_table(smooth)
    row = smooth_table[smooth_table["Rule"] == "Marginal rule on the fitted curve"]
    assert len(row) == 1 and row["Labels"].iloc[0].startswith("projected at about")


def test_stopping_rules_table_fits_and_its_long_text_is_listed_under_it():
    """The table's last columns ("Stops when", "Note": up to 100 characters a cell) were cut off on a laptop."""
    crit = small_run()[1]["stopping"]["criteria"]
    table = stopping_view.rules_table(crit)
    assert list(table.columns) == list(stopping_view.RULES_COLUMNS) and len(table) == len(crit)
    assert "Regret ($)" in table.columns and "Stops when" not in table.columns and "Note" not in table.columns
    # a row is at most ~90 characters wide (headers included): it fits half a laptop screen
    widths = [max(len(str(c)), *(len(str(v)) for v in table[c])) for c in table.columns]
    assert sum(widths) <= 90, dict(zip(table.columns, widths, strict=True))
    config = stopping_view.RULES_COLUMNS
    assert config["Rule"]["pinned"] and all(config[c].get("help") for c in table.columns)
    # nothing is lost: each rule's definition and note are listed under the table, one line a rule
    lines = stopping_view.rules_definitions(crit)
    assert len(lines) == len(crit)
    for row, line in zip(crit, lines, strict=True):
        assert line.startswith(f"**{row['Rule']}**: stops when ")
        assert row["Note"].lower() in line.lower()  # e.g. why a rule does not apply to this task
    assert any("two-class tasks only" in line for line in lines)


def test_rule_definitions_show_the_engines_text_literally():
    lines = stopping_view.rules_definitions([{"Rule": "Slope", "Stops when": "|slope| < $5 per label_count",
                                               "Note": ""}])
    assert lines == [r"**Slope**: stops when \|slope\| \< \$5 per label\_count."]  # no table, no LaTeX, no italics


def test_stopping_page_lists_each_rules_definition_under_the_table():
    _, analysis, inputs = small_run()
    at = _stopping_page(analysis, inputs)
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value.columns) == list(stopping_view.RULES_COLUMNS)
    expander = next(e for e in at.expander if e.label == "How each rule decides")
    assert "**Stabilizing predictions**: stops when" in expander.markdown[0].value


def test_live_rules_table_puts_the_answer_before_the_long_definition():
    smooth = check_live(pd.DataFrame({"labels": [20, 40, 80, 160, 320],
                                      "metric": [0.61, 0.70, 0.78, 0.83, 0.86]}), 1.0, 500.0)
    assert list(stopping_view.live_criteria_table(smooth).columns) == ["Rule", "Labels", "Stops when"]
