"""Exports: the HTML report is self-contained and escaped, the PDF is a PDF, CSVs are formula-safe."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import fmt, report, tables
from dashboard.testing import small_run


@pytest.fixture(scope="module")
def analysis():
    return small_run()[1]


def test_html_report_is_self_contained_and_escaped(analysis):
    evil = "<script>alert('x')</script> & Co"
    analysis["dataset"]["name"] = evil
    html = report.build_html(analysis, name=evil)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in html
    # no network needed: nothing is loaded from anywhere (xmlns is a name, not a fetch)
    refs = re.findall(r"(?:src|href)\s*=\s*[\"']([^\"']+)", html)
    assert not [r for r in refs if not r.startswith("data:") and not r.startswith("#")]
    assert "@import" not in html and "url(http" not in html
    if report._vlc() is not None:
        assert html.count("<svg") >= 4  # curves, labels to target, costs, sensitivity...
    assert analysis["verdict"].replace("'", "&#x27;") in html
    b = analysis["business"]
    assert fmt.pct(b["roi"]["median"]) in html
    assert "cost per label: $1.00" in html  # assumptions


def test_pdf_report(analysis):
    pytest.importorskip("fpdf", reason="PDF export needs fpdf2")
    pdf = report.build_pdf(analysis, name="Ünïcode – “quotes” 名前")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 5000


def test_pdf_report_has_no_half_empty_pages(analysis):
    """Each chart started a new page, leaving the one before half empty (9 pages for 7 charts)."""
    pytest.importorskip("fpdf", reason="PDF export needs fpdf2")
    if report._vlc() is None:
        pytest.skip("charts need vl-convert-python")
    pdf = report.pdf_document(analysis)
    drawn = [c for _, c, _ in report.report_charts(analysis) if c is not None]
    assert len(drawn) >= 5 and len(pdf.image_cache.images) == len(drawn)  # every chart is in it
    assert pdf.pages_count < len(drawn)  # charts share pages
    usable = pdf.page_break_trigger - pdf.t_margin
    assert sorted(pdf.used) == list(range(1, pdf.pages_count + 1))
    for page, y in pdf.used.items():
        if page < pdf.pages_count:  # the last page may end where the report ends
            assert y - pdf.t_margin >= report.MIN_CHART_SCALE * usable, f"page {page} is used down to {y:.0f} mm"


def test_a_chart_is_shrunk_to_the_rest_of_a_page_only_down_to_its_minimum_scale():
    assert report.chart_height_on_page(100.0, 120.0) == 100.0  # fits: its own size
    assert report.chart_height_on_page(100.0, 70.0) == 70.0  # 70% of it fits: shrunk onto this page
    assert report.chart_height_on_page(100.0, 59.0) is None  # too small: the next page
    assert report.chart_height_on_page(100.0, -5.0) is None


def test_safe_csv_neutralizes_formulas():
    df = pd.DataFrame({"=cmd": ["=1+2", "+SUM(A1)", "-3", "@x", "plain", "\tx"], "n": [1, 2, 3, 4, 5, 6]})
    text = tables.safe_csv(df).decode()
    lines = text.splitlines()
    assert lines[0].startswith("'=cmd")
    assert "'=1+2" in text and "'+SUM(A1)" in text and "'-3" in text and "'@x" in text and "\nplain" in text
    assert "\n'\tx" in text or "'\tx" in text


def test_leaderboard_and_cost_tables(analysis):
    board = tables.leaderboard(analysis)
    assert list(board.columns)[:3] == ["Strategy", "Labels to target", "Labels saved vs random"]
    assert board.iloc[-1]["Labels saved vs random"] == "baseline"
    costs = tables.cost_breakdown(analysis["business"])
    assert costs["option"].iloc[0] == "Label the whole production pool"
    assert costs["cost"].iloc[0] == pytest.approx(analysis["business"]["whole_pool_label_cost"]["median"])
    tor = tables.tornado_frame(analysis["tornado"])
    assert len(tor) >= 3 and "Cost per label" in set(tor["parameter"])


def test_number_formats():
    assert fmt.money(1234.4) == "$1,234" and fmt.money(-0.5) == "-$0.50" and fmt.money(None) == "n/a"
    assert fmt.pct(0.382) == "38%" and fmt.count(1234.6) == "1,235"
    assert fmt.metric_parts({"median": 0.3, "low": 0.2, "high": 0.4, "bound": "lower"}, "pct") == (
        "30%", "at least this; 95% range 20% to 40%")
    assert fmt.range_text({"median": 10, "low": 8, "high": 12}) == "10 (8 to 12)"


@pytest.mark.parametrize("x", [-75.6, 1234.4, -0.004, 0, 99.5, -12345.0, 3])
def test_money_is_the_engines_formatter(x):
    from simulations.money import money
    assert fmt.money(x) == money(x) and not fmt.money(x).startswith("$-")


def test_no_negative_zero_and_no_gain_bounds():
    assert fmt.pct(-0.001) == "0%" and fmt.count(-0.2) == "0" and fmt.money(-0.001) == "$0.00"
    censored = {"median": -0.001, "low": -0.81, "high": 0.64, "bound": "lower"}
    assert fmt.range_text(censored, "pct") == "no saving shown (-81% to 64%)"
    assert fmt.range_text({**censored, "median": 0.33}, "pct") == "at least 33% (-81% to 64%)"
    assert fmt.range_text({**censored, "median": -0.23}, "pct", no_gain="no gain shown").startswith("no gain shown")
    assert fmt.metric_parts(censored, "pct") == ("0%", "a lower bound: no saving shown; 95% range -81% to 64%")


def test_break_even_over_the_whole_plan_reads_never():
    assert fmt.range_text({"median": 12.5, "low": 10.93, "high": 12.5}, "share") == "never"
    assert fmt.metric_parts({"median": 12.5, "low": 10.9, "high": 12.5}, "share")[0] == "never"
    assert fmt.range_text({"median": 0.62, "low": 0.62, "high": 2.47, "bound": "upper"}, "share") == \
        "at most 62% (62% to over 100%)"
    assert dict((k, kind) for k, _, kind, _ in tables.HEADLINES)["break_even_share"] == "share"


@pytest.mark.parametrize(("r", "text"), [
    ({"median": -365.0, "low": -420.0, "high": -300.0}, "costs $365 more (95% range $300 to $420 more)"),
    ({"median": -100.0, "low": -300.0, "high": 50.0}, "costs $100 more (95% range $300 more to $50 saved)"),
    ({"median": 1200.0, "low": 900.0, "high": 1500.0}, "saves $1,200 (95% range $900 to $1,500)"),
    ({"median": -119.0, "low": -119.0, "high": -119.0, "bound": "lower"}, "costs at most $119 more"),
    ({"median": 0.0, "low": 0.0, "high": 0.0}, "breaks even (net $0)"),
    (None, "has no defined saving (n/a)"),
])
def test_savings_sentence_never_saves_a_negative_amount(r, text):
    assert fmt.savings_sentence(r) == text


def test_leaderboard_censored_saving_at_zero(analysis):
    a = {**analysis, "summary": {**analysis["summary"], "strategies": dict(analysis["summary"]["strategies"])}}
    s = dict(a["summary"]["strategies"]["margin"])
    s["savings_vs_random"] = {"median": -0.002, "low": -0.81, "high": 0.64, "bound": "lower", "censored": True}
    a["summary"]["strategies"]["margin"] = s
    board = tables.leaderboard(a)
    cell = board.loc[board["Strategy"] == "margin", "Labels saved vs random"].item()
    assert cell == "no saving shown (-81% to 64%)"


def test_no_surface_shows_a_payback_in_labels():
    """Savings do not accrue while active learning labels (they come from the labels random sampling would have
    bought after AL stops), so a "payback after N labels" was not true: the pages, the report and `roi` leave it out
    and the break-even says whether the setup is repaid."""
    from dashboard import report, tables
    from dashboard.testing import small_run

    _, a, _ = small_run()
    assert not any(k == "payback_labels" for k, *_ in tables.HEADLINES)
    assert not any("Payback" in n or "payback" in n for n in tables.undefined_notes(a["business"]))
    html = report.build_html(a, name="x")
    assert "Payback" not in html and "payback" not in html


def test_report_gives_the_plans_sentences_its_interval_level_and_the_measured_error_rate():
    from dashboard import report
    from dashboard.testing import small_run
    from simulations.trust import MEASURED

    _, a, _ = small_run()
    plan = a["plan"]
    html = report.build_html(a, name="x")
    import html as h

    for sentence in (plan["how_many_sentence"], plan["pays_off_sentence"], MEASURED.verdict_sentence()):
        assert h.escape(sentence) in html
    level = f"{100 * plan['interval_level']:.1f}% range".replace(".0%", "%")
    assert f"<th>{level}</th>" in html
