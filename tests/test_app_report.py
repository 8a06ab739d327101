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
