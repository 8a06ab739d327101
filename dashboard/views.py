"""Streamlit renderers shared by the live pages and the read-only Review page.

Each takes the analysis dict (``dashboard.state.analyse``) and draws it; none computes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, tables
from simulations.errors import LabelwiseError


def show_error(exc: LabelwiseError | dict[str, Any], where: Any = st) -> None:
    """A user-caused error as a message with its fix; never a traceback."""
    msg = exc.message if isinstance(exc, LabelwiseError) else exc.get("message", "")
    hint = exc.hint if isinstance(exc, LabelwiseError) else exc.get("hint", "")
    where.error(msg + (f"  \n**How to fix it:** {hint}" if hint else ""), icon=":material/error:")


def chart(c: Any, caption: str = "", key: str | None = None) -> None:
    st.altair_chart(c, width="stretch", height=chart_height(c), key=key, theme=None)
    if caption:
        st.caption(caption)


def chart_or_note(build: Callable[[], Any], caption: str = "", key: str | None = None, *, why: str = "") -> bool:
    """Draw the chart ``build()`` returns; when it has nothing defined to draw, one line saying so instead.

    ``why`` is added to the builder's own line (e.g. the reason the ROI is undefined with these inputs).
    Returns whether a chart was drawn.
    """
    try:
        c = build()
    except charts.NoChartData as exc:
        st.info(f"{exc} {why}".strip(), icon=":material/info:")
        return False
    chart(c, caption, key=key)
    return True


def chart_height(c: Any) -> int | str:
    """Pixel height for Streamlit: the plot height plus room for the title lines, the x axis and a legend.

    Streamlit fits the whole chart (title and legend included) into the height it is given, so the plot
    itself would shrink without this.
    """
    h = getattr(c, "height", None)
    if not isinstance(h, (int, float)):
        return "content"
    spec = c.to_dict()
    title = spec.get("title") or {}
    sub = title.get("subtitle") if isinstance(title, dict) else None
    n_sub = len(sub) if isinstance(sub, list) else (1 if sub else 0)
    head = title.get("text") if isinstance(title, dict) else title
    n_head = len(head) if isinstance(head, list) else 1  # a title wrapped for a narrow column
    layers = spec.get("layer") or [spec]
    legend = any(
        isinstance(enc, dict) and "field" in enc and enc.get("legend", {}) is not None
        for layer in layers for name, enc in (layer.get("encoding") or {}).items() if name in ("color", "fill"))
    return int(h) + 28 + 20 * (n_head - 1) + 16 * n_sub + 55 + (75 if legend else 0)


def verdict_box(a: dict[str, Any]) -> None:
    best = a.get("best")
    s = (a.get("summary") or {}).get("strategies", {}).get(best or "", {})
    text = a.get("verdict") or ""
    if s.get("verdict") == "beats random":
        st.success(f"**{text}**", icon=":material/check_circle:")
    elif s.get("verdict") == "worse than random":
        st.error(f"**{text}**", icon=":material/cancel:")
    else:
        st.info(f"**{text or 'No evidence that active learning beats random on this data.'}**",
                icon=":material/info:")
    trust = ((a.get("plan") or {}).get("trust") or {}).get("verdict")
    if trust:  # the measured error rate of that verdict, where it is read
        st.caption(trust)


def pool_caveat_frame(cav: dict[str, Any], plan: dict[str, Any] | None = None) -> pd.DataFrame:
    """The simulated and the pool-corrected figures side by side (one row per quantity).

    With the plan, its labels to target (per seed, against the target at your pool) are the corrected figures of
    the strategies it costs, the numbers every other page shows; the curve-fit estimates are for other strategies.
    """
    plan = plan or {}
    planned = {"random": ((plan.get("labels_to_target") or {}).get("random")),
               plan.get("strategy"): ((plan.get("labels_to_target") or {}).get("al"))}
    p = cav.get("projection") or {}
    cs, cp = p.get("ceiling_simulated") or {}, p.get("ceiling_projected") or {}
    rows = [
        {"": "Pool size (items)", "Simulated": fmt.count(p.get("simulated_pool")),
         "Corrected for your pool": fmt.count(p.get("production_pool"))},
        {"": "Whole-pool score (ceiling)", "Simulated": f"{fmt.pct(cs.get('median'), 1)} "
         f"({fmt.pct(cs.get('low'), 1)} to {fmt.pct(cs.get('high'), 1)})",
         "Corrected for your pool": f"{fmt.pct(cp.get('median'), 1)} "
         f"({fmt.pct(cp.get('low'), 1)} to {fmt.pct(cp.get('high'), 1)})"},
        {"": "Target", "Simulated": fmt.pct(p.get("target_simulated"), 1),
         "Corrected for your pool": fmt.pct(p.get("target_corrected"), 1)},
    ]
    for name, s in (p.get("strategies") or {}).items():
        sim, cor = s.get("simulated") or {}, s.get("corrected")
        sim_txt = ("more than " if sim.get("censored") else "") + fmt.count(sim.get("median"))
        mine = planned.get(name)
        if mine:
            cor_txt = fmt.count(mine.get("median")) + (" (extrapolated)" if mine.get("extrapolated") else "")
        elif cor is None:
            cor_txt = "not corrected"
        elif not cor.get("reachable"):
            cor_txt = "not reached on the fitted curve"
        else:
            cor_txt = fmt.count(cor.get("labels")) + (" (extrapolated)" if cor.get("extrapolated") else "")
        rows.append({"": f"Labels to target: {charts.strategy_label(name)}", "Simulated": sim_txt,
                     "Corrected for your pool": cor_txt})
    return pd.DataFrame(rows)


def pool_caveat_box(a: dict[str, Any]) -> None:
    """The quick-estimate caveat beside the headline numbers (only when the simulated pool is smaller)."""
    cav = (a.get("business") or {}).get("pool_caveat")
    if not cav:
        return
    st.warning(cav.get("sentence", ""), icon=":material/zoom_out_map:")
    with st.expander("Simulated pool vs your production pool: both sets of figures"):
        st.table(pool_caveat_frame(cav, a.get("plan")).set_index(""))
        st.caption(cav.get("details", ""))


def render_results(a: dict[str, Any], *, key: str = "res", downloads: bool = True,
                   rounds: pd.DataFrame | None = None) -> None:
    """Learning curves, labels to target, leaderboard and verdict."""
    verdict_box(a)
    other = (a.get("plan") or {}).get("other_verdicts")
    if other:  # the leaderboard may say "beats random" for a strategy the plan does not cost: say why
        st.caption(other)
    costs_box(a)
    pool_caveat_box(a)
    summ = a.get("summary") or {}
    st.caption(f"Metric: {a.get('metric_reason', '')}" + (f" Model: {a['class_weight_reason']}"
                                                          if a.get("class_weight_reason") else ""))
    for note in summ.get("notes", []):
        st.warning(note, icon=":material/warning:")
    curves = tables.curves_frame(a)
    t = a.get("target") or {}
    log_x = st.toggle("Log scale for labels", value=False, key=f"{key}_log",
                      help="Spread out the early rounds, where most of the difference between strategies is.")
    chart_or_note(lambda: charts.learning_curve_chart(
        curves, metric_label=a.get("metric_label", "accuracy"), target=t.get("value_median"), target_label="target",
        log_x=log_x),
          f"Each line is one query strategy, averaged over {a.get('config', {}).get('seeds', '')} seeds; the "
          "shaded band is the 95% interval of that mean. The dashed line is your target "
          f"({t.get('description', '')}). Where a line is above random (grey) at the same number of labels, "
          "that strategy learns faster.", key=f"{key}_lc")
    ltt = tables.labels_to_target_frame(a)
    if not ltt.empty:
        chart_or_note(lambda: charts.labels_to_target_chart(
            ltt, target_description=t.get("description", "the target")),
              "Fewer labels to the target is better. A triangle means the strategy did not reach the target "
              "within the simulated budget: the true number is higher.", key=f"{key}_ltt")
    st.subheader("Strategy leaderboard")
    board = tables.leaderboard(a)
    st.dataframe(board, hide_index=True, width="stretch")
    st.caption("Ranges are distribution-free intervals of the median over seeds (order statistics), at 95% "
               "corrected for the number of strategies compared. 'Beats random' only when the whole interval of the "
               "saving is above zero: the exact sign test (docs/statistics.md). 'Seeds worse': the share of seeds "
               "where the strategy needed more labels than random.")
    if downloads:  # the files are built when a button is clicked, not on every run
        c1, c2, c3 = st.columns(3)
        c1.download_button("Curves (CSV)", lambda: tables.safe_csv(curves), "labelwise-curves.csv", "text/csv",
                           key=f"{key}_dl_curves", help="Mean and 95% band per strategy and label count.")
        c2.download_button("Leaderboard (CSV)", lambda: tables.safe_csv(board), "labelwise-leaderboard.csv", "text/csv",
                           key=f"{key}_dl_board")
        if rounds is not None:
            c3.download_button("Every round (CSV)", lambda: tables.safe_csv(rounds), "labelwise-rounds.csv", "text/csv",
                               key=f"{key}_dl_rounds", help="One row per strategy, seed and round.")


def plan_box(a: dict[str, Any]) -> None:
    """The engine's plan in five tiles and its two sentences (how many labels; does it pay)."""
    plan = a.get("plan")
    if not plan:
        return
    values = tables.plan_tile_values(plan)
    cols = st.columns(len(values))
    for col, (title, (head, rng)) in zip(cols, values.items(), strict=True):
        col.metric(title, head, border=True,
                   help={"Labels to target": f"Labels {charts.strategy_label(plan.get('strategy') or '')} needs to "
                                             "reach the target (median over seeds).",
                         "Stop at": "Where to stop labeling: where one more label stops paying for itself.",
                         }.get(title))
        if rng:
            col.caption(rng)
    st.markdown(f"**How many labels.** {plan.get('how_many_sentence', '')}  \n"
                f"**Money.** {plan.get('pays_off_sentence', '')} ROI is the net savings divided by what active "
                "learning costs (its labels and setup).")
    warning, measured = tables.pilot_text(plan)
    if warning:  # the pilot cannot tell (or cannot yet decide the ROI): said beside the projection it qualifies
        st.warning(warning, icon=":material/science:")
    if measured:
        st.caption(measured)
    det = plan.get("determination") or {}
    if det.get("sentence"):
        budgets = " -> ".join(f"{s.get('budget', 0):,}" for s in det.get("stages") or [])
        st.caption(f"Simulated up to {fmt.count(plan.get('simulated_labels'))} labels"
                   + (f" in stages ({budgets})" if budgets else "") + f": {det['sentence']}.")


def headline_metrics(b: dict[str, Any], *, only: tuple[str, ...] | None = None) -> None:
    """The headline tiles with their ranges (``only``: these business-case fields); a headline the inputs leave
    undefined says why below."""
    heads = [h for h in tables.HEADLINES if only is None or h[0] in only]
    cols = st.columns(len(heads))
    for col, (k, title, kind, help_text) in zip(cols, heads, strict=True):
        head, rng = fmt.metric_parts(b.get(k), kind)
        col.metric(title, head, help=help_text, border=True)
        if rng:
            col.caption(rng)
    p = b.get("p_roi_positive")
    if p is not None:
        st.caption(f"ROI above zero in {fmt.pct(p)} of the simulated seeds "
                   f"({b.get('n_seeds', '')} seeds; strategy costed: "
                   f"{charts.strategy_label(b.get('strategy') or '')}).")
    for note in tables.undefined_notes(b):
        st.caption(note)


def render_business(a: dict[str, Any], *, key: str = "biz") -> None:
    if a.get("business_error"):
        show_error(a["business_error"])
        return
    b = a.get("business")
    if not b:
        st.info("No business case yet: run a simulation on the Plan page.")
        return
    currency = "USD"
    warning = tables.no_signal_text(b)
    if warning and b.get("roi_widened"):  # a pilot's "no signal": undecided, a larger pilot may change it
        st.warning(warning, icon=":material/warning:")
    elif warning:  # above every number: none of them is a plan that pays when the model learns nothing
        st.error(warning, icon=":material/block:")
    if a.get("plan"):
        plan_box(a)
        headline_metrics(b, only=("break_even_share",))
    else:  # a scenario saved before the plan existed
        headline_metrics(b)
    costs_box(a)
    pool_caveat_box(a)
    st.markdown(f"Against **labeling the whole production pool** "
                f"({fmt.count((b.get('whole_pool_labels') or {}).get('median'))} items), active learning "
                f"{whole_pool_sentence(b)}.")
    if b.get("hours_saved"):
        st.markdown(f"Labeling time saved against random: **{fmt.hours((b['hours_saved'] or {}).get('median'))}**.")
    calendar_box(a, key=key)
    from dashboard import error_cost_view

    error_cost_view.render(a, key=key)
    chart_or_note(lambda: charts.cost_breakdown_chart(tables.cost_breakdown(b), currency=currency),
                  "Median costs over seeds. Random sampling and active learning both stop at the target (or the "
                  "budget cap); labeling everything is the second baseline. The net savings above is the median of "
                  "each seed's own difference, so it can differ a little from the gap between these medians.",
                  key=f"{key}_cost")
    roi_why = " ".join(n for n in tables.undefined_notes(b) if n.startswith("ROI"))
    left, right = st.columns(2)
    with left:
        tor = tables.tornado_frame(a.get("tornado") or [])
        if a.get("tornado"):  # the engine sent a sensitivity table: draw it, or say why it has no bars
            chart_or_note(lambda: charts.tornado_chart(tor, outcome_label="ROI", unit="%"),
                          "Each input moved 25% down and up on its own. The longest bars are the assumptions worth "
                          "checking first.", key=f"{key}_tornado", why=roi_why)
    with right:
        grid = pd.DataFrame(a.get("roi_grid") or [])
        if not grid.empty:
            base = st.segmented_control(
                "ROI against", ["random", "whole_pool"], default="random", key=f"{key}_grid_base",
                format_func=lambda v: {"random": "random sampling", "whole_pool": "labeling the whole pool"}[v],
                help="Against random sampling the pool enters through the target: a share of the full-data score "
                     "is re-expressed at each pool's projected score, as in the headline. Against labeling "
                     "everything the pool is also the cost of the baseline.") or "random"
            value = "roi" if base == "random" else "whole_pool_roi"
            chart_or_note(lambda: charts.roi_heatmap(grid, x="cost_per_label", y="production_pool", value=value,
                                                     x_title="Cost per label (USD)",
                                                     title="ROI over cost per label and pool size"),
                          f"ROI against {'random sampling' if base == 'random' else 'labeling the whole pool'} for "
                          "other label prices and pool sizes, each cell the median over seeds like the headline; the "
                          "middle cell is your case; n/a: undefined (active learning costs nothing there).",
                          key=f"{key}_grid", why=roi_why)
    render_projection(a, key=key)
    st.subheader("Assumptions")
    st.markdown("\n".join(f"- {x}" for x in tables.assumptions(a)))


def _labels_cell(planned: dict[str, Any] | None, fit: dict[str, Any]) -> str:
    """The plan's labels to target when it costs this strategy (one number for one thing), else the fit's."""
    if planned:
        return fmt.count(planned.get("median")) + (" (extrapolated)" if planned.get("extrapolated") else "")
    return fmt.count(fit.get("labels")) + " (fit)" if fit.get("reachable") else "not reached"


def costs_box(a: dict[str, Any]) -> None:
    """Money to the target for both plans and the money saved, when items cost different amounts (the plan's)."""
    plan = a.get("plan") or {}
    costs = plan.get("costs")
    if not costs:
        return
    m = costs.get("money_to_target") or {}
    name = str(plan.get("strategy") or "active learning").replace("_", " ")
    st.markdown(f"**Item costs** ({costs.get('source', '')}): what each plan spends on labels to reach the target.")
    cols = st.columns(3)
    for col, title, r in ((cols[0], f"Money to target, {name}", m.get("al")),
                          (cols[1], "Money to target, random", m.get("random")),
                          (cols[2], "Money saved on labels", costs.get("money_saved"))):
        head, note = fmt.metric_parts(r, "money")
        col.metric(title, head, help=note or None)
        if note:
            col.caption(note)
    st.caption(f"{costs.get('sentence', '')} Medians over seeds with their range; each plan pays for the items it "
               "labels, so money saved can differ from labels saved x the average price.")


def calendar_box(a: dict[str, Any], *, key: str) -> None:
    """The plan's calendar: working days of both plans and the rounds, with the rounds as a CSV download."""
    cal = (a.get("plan") or {}).get("calendar")
    if not cal:
        return
    rounds = pd.DataFrame(cal.get("rounds") or [], columns=["round", "batch", "labels", "spend", "day"])
    st.markdown(f"**Calendar.** Active learning takes about **{cal['al_days']:,.1f} working days** in "
                f"{len(rounds):,} rounds; random sampling about **{cal['random_days']:,.1f}** "
                f"({cal.get('assumptions', '')}).")
    with st.expander("The rounds: batch, labels, spend and day"):
        st.dataframe(rounds, hide_index=True, width="stretch",
                     column_config={"spend": st.column_config.NumberColumn("spend ($)", format="%.0f"),
                                    "day": st.column_config.NumberColumn("working day", format="%.1f")})
        st.download_button("Rounds (CSV)", lambda: tables.safe_csv(rounds), "labelwise-rounds.csv", "text/csv",
                           key=f"{key}_rounds_csv")  # built on click, like every download


def render_projection(a: dict[str, Any], *, key: str) -> None:
    proj = a.get("projection") or {}
    if not proj or proj.get("error"):
        if proj.get("error"):
            st.warning(f"No projection: {proj['error']}")
        return
    st.subheader("Projection to your production pool")
    observed, projected = tables.projection_frames(a)
    if not projected.empty:
        chart_or_note(lambda: charts.projection_chart(observed, projected,
                                                      metric_label=a.get("metric_label", "accuracy")),
              "The simulation stops at its label budget; beyond it the fitted curves carry the trend forward. The "
              "band widens with distance: how far the fit may be off, calibrated on a backtest.", key=f"{key}_proj")
    rows = []
    pool = proj.get("pool") or 0
    plan = a.get("plan") or {}
    # the plan's labels for the strategies it costs (per seed, the figure every page shows); the fit's otherwise
    planned = {"random": (plan.get("labels_to_target") or {}).get("random"),
               plan.get("strategy"): (plan.get("labels_to_target") or {}).get("al")}
    whole = bool(proj.get("at_pool_is_whole_pool"))  # the engine gave the whole-pool score, not the curve's value
    score_col = (f"Score labeling the whole pool ({fmt.count(pool)} items)" if whole
                 else f"Score with {fmt.count(pool)} labels")
    for name, p in (proj.get("strategies") or {}).items():
        lf = p.get("labels_for_target") or {}
        rows.append({
            "Strategy": charts.strategy_label(name), "Curve model": p.get("model"),
            score_col: f"{fmt.pct(p.get('at_pool'), 1)} "
            f"({fmt.pct(p.get('at_pool_low'), 1)} to {fmt.pct(p.get('at_pool_high'), 1)})",
            "Labels to target": _labels_cell(planned.get(name), lf),
            "Backtest error": f"±{fmt.pct(p.get('backtest_mae'), 1)}",
        })
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(("The whole-pool score is the model trained on every item, projected to your pool: the same "
                    "for every strategy (the drawn curves are fits and end near it). " if whole else "")
                   + "Backtest error: the fit was made on the first 65% of the simulated curve and scored on the "
                   "rest; that mean absolute error is how far off such a projection has been on this data. "
                   + ((a.get("plan") or {}).get("trust") or {}).get("projection", ""))


def whole_pool_sentence(b: dict[str, Any]) -> str:
    """``saves **$2,400** (95% range ...) (ROI 12%)`` or ``costs **$365 more** ...``: never "saves -$365"."""
    verb, amount, rng = fmt.savings_parts(b.get("whole_pool_total_benefit"))
    roi = fmt.range_text(b.get("whole_pool_roi"), "pct", no_gain=tables.NO_GAIN_TEXT["whole_pool_roi"])
    return f"{verb} **{amount}**" + (f" (95% range {rng})" if rng else "") + f" (ROI {roi})"


def json_bytes(d: dict[str, Any]) -> bytes:
    return json.dumps(d, indent=1, allow_nan=False).encode("utf-8")
