"""The business-case report: a self-contained HTML file (charts as inline SVG) and a PDF.

Charts are rendered offline by ``vl-convert-python`` (Vega-Lite to SVG/PNG, no browser, no network), so the
HTML opens without a network connection. Every user-provided string is escaped.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from dashboard import charts, fmt, tables

REPORT_WIDTH = 680


def _vlc() -> Any:
    try:
        import vl_convert
    except ImportError:  # optional at import time; reports say so instead of failing
        return None
    return vl_convert


def pdf_available() -> bool:
    """Whether the PDF writer (fpdf2) is installed."""
    try:
        import fpdf  # noqa: F401
    except ImportError:
        return False
    return True


def _build(title: str, build: Callable[[], Any], caption: str) -> tuple[str, Any, str]:
    """(title, chart, caption), or (title, None, the builder's one-line reason) when nothing is defined to draw."""
    try:
        return title, build(), caption
    except charts.NoChartData as exc:
        return title, None, str(exc)


def report_charts(a: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(title, Altair chart or None, how to read it) for every chart the analysis can show.

    A chart with nothing defined to draw (e.g. an ROI heat map when active learning costs nothing) comes as
    ``None`` with the reason in place of the caption: the report says why instead of failing.
    """
    out: list[tuple[str, Any, str]] = []
    t = a.get("target") or {}
    metric = a.get("metric_label", "accuracy")
    curves = tables.curves_frame(a)
    if not curves.empty:
        out.append(_build("Learning curves", lambda: charts.learning_curve_chart(
            curves, metric_label=metric, target=t.get("value_median")),
            "Mean over seeds with the 95% band; dashed: the target. Above random (grey) = learns faster."))
    ltt = tables.labels_to_target_frame(a)
    if not ltt.empty:
        out.append(_build("Labels to the target", lambda: charts.labels_to_target_chart(
            ltt, target_description=t.get("description", "the target")),
            "Median labels with the 95% interval; a triangle did not reach the target within the budget."))
    b = a.get("business")
    if b:
        out.append(_build("Costs", lambda: charts.cost_breakdown_chart(tables.cost_breakdown(b)),
                          "Median cost of each way to reach the target."))
        if a.get("tornado"):
            tor = tables.tornado_frame(a["tornado"])
            out.append(_build("Sensitivity", lambda: charts.tornado_chart(tor, outcome_label="ROI", unit="%"),
                              "ROI when one input moves 25% down or up."))
        grid = pd.DataFrame(a.get("roi_grid") or [])
        if not grid.empty:
            out.append(_build("ROI heat map", lambda: charts.roi_heatmap(grid, x_title="Cost per label (USD)"),
                              "ROI against random for other label prices and pool sizes; n/a: undefined."))
    observed, projected = tables.projection_frames(a)
    if not projected.empty:
        out.append(_build("Projection", lambda: charts.projection_chart(observed, projected, metric_label=metric),
                          "Fitted curves carried beyond the simulation, with their 95% interval."))
    stop = a.get("stopping") or {}
    sc = pd.DataFrame(stop.get("curve") or [])
    if not sc.empty:
        rec = stop.get("recommended_range")
        out.append(_build("When to stop", lambda: charts.stopping_chart(
            sc, stop_at=stop.get("stop_at"), recommended=tuple(rec) if rec else None, metric_label=metric,
            strategy=stop.get("strategy")),
            stop.get("sentence", "")))
    return out


def _svg(chart: Any) -> str | None:
    vlc = _vlc()
    if vlc is None:
        return None
    svg = vlc.vegalite_to_svg(charts.fixed_width(chart, REPORT_WIDTH).to_dict())
    # Only the drawing: no scripts or external references can come from a chart.
    svg = re.sub(r"<script.*?</script>", "", svg, flags=re.S | re.I)
    return svg


def _png(chart: Any) -> bytes | None:
    vlc = _vlc()
    if vlc is None:
        return None
    return vlc.vegalite_to_png(charts.fixed_width(chart, REPORT_WIDTH).to_dict(), scale=2)


def plan_sentences(a: dict[str, Any]) -> list[str]:
    """The plan's answers in words (how many labels; does it pay; how long), as the pages say them."""
    plan = a.get("plan") or {}
    out = [t for t in (plan.get("how_many_sentence"), plan.get("pays_off_sentence")) if t]
    if (plan.get("costs") or {}).get("sentence"):
        out.append(f"Item costs: {plan['costs']['sentence']}")
    cal = plan.get("calendar")
    if cal:
        out.append(f"Calendar: active learning takes about {cal['al_days']:,.1f} working days in "
                   f"{len(cal.get('rounds') or []):,} rounds, random sampling about {cal['random_days']:,.1f} "
                   f"({cal.get('assumptions', '')}).")
    ec = plan.get("error_cost")
    if ec:
        out.append(f"What errors cost: {(plan.get('value_model') or {}).get('sentence', '')}")
        out.append(ec["sentence"])
    tv = plan.get("time_value")
    if tv:
        out.append(f"Time value (separate from the label savings above; leave it out if shipping sooner earns "
                   f"nothing): {tv['sentence']}")
    noise = plan.get("noise")
    if noise:
        out.append(f"Noisy annotators: {noise['sentence']}")
    return out


def range_header(a: dict[str, Any]) -> str:
    """The key numbers' range column, at the plan's interval level (wider than 95% for a best-of-k strategy)."""
    level = (a.get("plan") or {}).get("interval_level") or 0.95
    return f"{100 * level:.1f}% range".replace(".0%", "%")


def headline_rows(a: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, 95% range) for the report's key numbers."""
    b = a.get("business") or {}
    plan = a.get("plan") or {}
    # the plan's tiles first, word for word as the pages show them
    rows = [(title, head, rng) for title, (head, rng) in tables.plan_tile_values(plan).items()] if plan else []
    taken = {r[0] for r in rows}
    rows += [(title, *tables.headline_text(b, key, kind)) for key, title, kind, _ in tables.HEADLINES
             if title not in taken]
    costs = plan.get("costs") or {}
    if costs:  # money, not labels, when items cost different amounts
        name = str(plan.get("strategy") or "active learning").replace("_", " ")
        for title, r in ((f"Money to target, {name}", (costs.get("money_to_target") or {}).get("al")),
                         ("Money to target, random", (costs.get("money_to_target") or {}).get("random")),
                         ("Money saved on labels", costs.get("money_saved"))):
            head, rng = fmt.value_range(r, "money")
            rows.append((title, head, rng.replace("95% range ", "")))
    if b:
        rows.append(("Net savings vs labeling the whole pool",
                     *tables.headline_text(b, "whole_pool_total_benefit", "money")))
        rows.append(("Share of seeds with positive ROI", fmt.pct(b.get("p_roi_positive")), ""))
    return rows


_CSS = """
body{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#222;max-width:760px;margin:24px auto;
padding:0 16px;line-height:1.45}
h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555}.verdict{background:#eef5fb;border-left:4px solid #0072B2;padding:10px 14px;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #e5e5e5;padding:5px 6px;
text-align:left;vertical-align:top}th{background:#f6f6f6}.chart svg{max-width:100%;height:auto}
.caption{color:#555;font-size:13px;margin-top:2px}.note{color:#8a5a00}
"""


def _table_html(df: pd.DataFrame) -> str:
    e = html.escape
    head = "".join(f"<th>{e(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def build_html(a: dict[str, Any], *, name: str = "Labelwise scenario", created: str | None = None) -> str:
    """The report as one HTML document: no scripts, no external files, charts as inline SVG."""
    e = html.escape
    d = a.get("dataset") or {}
    created = created or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">",
        f"<title>{e(name)} - Labelwise business case</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(name)}</h1>",
        f"<p class='sub'>Labelwise business case &middot; data: {e(str(d.get('name', '')))} "
        f"({e(fmt.count(d.get('n_rows')))} labeled rows) &middot; {e(created)}</p>",
        f"<p class='verdict'>{e(a.get('verdict') or '')}</p>",
    ]
    parts.extend(f"<p>{e(t)}</p>" for t in plan_sentences(a))
    trust = (a.get("plan") or {}).get("trust") or {}
    if trust.get("verdict"):
        parts.append(f"<p class='caption'>How far to trust it: {e(trust['verdict'])}</p>")
    for note in (a.get("summary") or {}).get("notes", []):
        parts.append(f"<p class='note'>{e(note)}</p>")
    if a.get("business"):
        parts.append("<h2>Key numbers</h2>")
        parts.append(_table_html(pd.DataFrame(headline_rows(a), columns=["", "Median", range_header(a)])))
        parts.extend(f"<p class='caption'>{e(n)}</p>" for n in tables.undefined_notes(a["business"]))
    elif a.get("business_error"):
        parts.append(f"<p class='note'>No business case: {e(a['business_error'].get('message', ''))}</p>")
    stop = a.get("stopping") or {}
    if stop.get("sentence"):
        parts.append(f"<h2>When to stop</h2><p>{e(stop['sentence'])}</p>")
    parts.append("<h2>Strategies</h2>")
    parts.append(_table_html(tables.leaderboard(a)))
    parts.append("<h2>Charts</h2>")
    rendered = False
    for title, ch, caption in report_charts(a):
        if ch is None:  # nothing defined to draw: say why, in the chart's place
            parts.append(f"<div class='chart'><h3>{e(title)}</h3><p class='note'>{e(caption)}</p></div>")
            continue
        svg = _svg(ch)
        if svg is None:
            continue
        rendered = True
        parts.append(f"<div class='chart'><h3>{e(title)}</h3>{svg}<p class='caption'>{e(caption)}</p></div>")
    if not rendered and _vlc() is None:
        parts.append("<p class='note'>Charts need the vl-convert-python package; the numbers above are complete."
                     "</p>")
    parts.append("<h2>Assumptions</h2><ul>")
    parts.extend(f"<li>{e(x)}</li>" for x in tables.assumptions(a))
    parts.append("</ul><p class='caption'>Ranges are distribution-free intervals of the median over the simulated "
                 "repetitions, at 95% corrected for the number of strategies compared. Made with Labelwise.</p>"
                 "</body></html>")
    return "".join(parts)


_LATIN1 = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                         "\u201d": '"', "\u2026": "...", "\u2212": "-", "\u00a0": " ", "\u2264": "<=",
                         "\u2265": ">=", "\u00b1": "+/-"})


def _latin1(s: Any) -> str:
    """The PDF's core fonts cover Latin-1 only: map common punctuation, replace the rest with '?'."""
    return str(s).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


#: A chart that does not fit the rest of a page is shrunk to fit it when it keeps at least this share of its height;
#: smaller, it starts the next page. Every page but the last is then at least ~60% used: no half-empty pages.
MIN_CHART_SCALE = 0.6


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def chart_height_on_page(full: float, room: float) -> float | None:
    """The height (mm) to draw a chart ``full`` mm high in ``room`` mm left on the page: its own height when it fits,
    shrunk to the room when that keeps :data:`MIN_CHART_SCALE` of it, else None (start a new page)."""
    if full <= room:
        return full
    return room if room >= MIN_CHART_SCALE * full else None


def build_pdf(a: dict[str, Any], *, name: str = "Labelwise scenario", created: str | None = None) -> bytes:
    """The report as a PDF (fpdf2): key numbers, strategies, charts as images, assumptions."""
    return bytes(pdf_document(a, name=name, created=created).output())


def pdf_document(a: dict[str, Any], *, name: str = "Labelwise scenario", created: str | None = None) -> Any:
    """The report's ``fpdf.FPDF`` before output; its ``used`` maps each page to how far down it is used (mm)."""
    from fpdf import FPDF
    from fpdf.enums import MethodReturnValue, XPos, YPos

    class ReportPDF(FPDF):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.used: dict[int, float] = {}

        def add_page(self, *args: Any, **kwargs: Any) -> None:  # every page break, automatic ones included
            if self.page:
                self.used[self.page] = self.get_y()
            super().add_page(*args, **kwargs)

    d = a.get("dataset") or {}
    created = created or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    pdf = ReportPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_latin1(f"{name} - Labelwise business case"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float = 10, style: str = "", h: float = 5.5) -> None:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(width, h, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(text: str, keep: float = 25) -> None:
        """A section heading, kept with the first ``keep`` mm of its section (never alone at a page's foot)."""
        if pdf.get_y() + 10 + keep > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(3)
        line(text, 13, "B", 7)

    line(name, 18, "B", 9)
    line(f"Labelwise business case - data: {d.get('name', '')} ({fmt.count(d.get('n_rows'))} labeled rows) - "
         f"{created}", 9)
    pdf.ln(2)
    line(a.get("verdict") or "", 11, "B", 6)
    for t in plan_sentences(a):
        line(t)
    for note in (a.get("summary") or {}).get("notes", []):
        line(note, 9)

    def table(df: pd.DataFrame) -> None:
        pdf.set_font("helvetica", "", 8.5)
        with pdf.table(text_align="LEFT", line_height=5) as t:
            t.row([_latin1(c) for c in df.columns])
            for r in df.itertuples(index=False):
                t.row([_latin1(v) for v in r])

    if a.get("business"):
        heading("Key numbers")
        table(pd.DataFrame(headline_rows(a), columns=["", "Median", range_header(a)]))
        for n in tables.undefined_notes(a["business"]):
            line(n, 9)
    stop = a.get("stopping") or {}
    if stop.get("sentence"):
        heading("When to stop")
        line(stop["sentence"])
    def text_height(text: str, size: float, style: str = "", h: float = 5.5) -> float:
        pdf.set_font("helvetica", style, size)
        return h * len(pdf.multi_cell(width, h, _latin1(text), dry_run=True, output=MethodReturnValue.LINES))

    def chart(title: str, png: bytes, caption: str) -> None:
        """Heading, chart and caption together: the chart shrunk to the rest of the page, or all on the next."""
        px_w, px_h = _png_size(png)
        full = width * px_h / px_w
        around = 3 + text_height(title, 13, "B", 7) + text_height(caption, 9) + 1  # heading above, caption below
        h = chart_height_on_page(full, pdf.page_break_trigger - pdf.get_y() - around)
        if h is None:
            pdf.add_page()
            h = min(full, pdf.page_break_trigger - pdf.get_y() - around)
        heading(title, keep=0)  # the room for the heading is counted above
        pdf.image(io.BytesIO(png), w=h * px_w / px_h, h=h)
        line(caption, 9)

    heading("Strategies")
    table(tables.leaderboard(a))
    for title, ch, caption in report_charts(a):
        if ch is None:  # nothing defined to draw: say why, in the chart's place
            heading(title)
            line(caption, 9)
            continue
        png = _png(ch)
        if png is not None:
            chart(title, png, caption)
    heading("Assumptions")
    for x in tables.assumptions(a):
        line(f"- {x}", 9.5)
    pdf.used[pdf.page] = pdf.get_y()
    return pdf
