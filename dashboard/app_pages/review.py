"""Review: the read-only summary a stakeholder opens from a share link (``/review?id=...``)."""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import fmt, report, report_cache, session, stopping_view, tables, views
from dashboard.store import LinkWithdrawn, ScenarioNotFound, StoreBusy, StoreError, scenario_to_dict

_log = logging.getLogger(__name__)

# A share link is a reviewer's session (app.py registers this page alone): it offers no way into the editors' app.

share_id = st.query_params.get("id", "")
if not share_id:
    st.title("Review a scenario")
    st.info("This page shows a saved scenario from its share link. Save a scenario on the Scenarios page to get "
            "one.", icon=":material/link:")
    session.link("app_pages/scenarios.py", "Go to Scenarios", ":material/bookmarks:")
    st.stop()

try:
    sc = session.store().get_by_share_id(share_id)
except LinkWithdrawn:  # the link itself is never echoed: whoever holds it may not be whoever it was sent to
    st.title("This link was withdrawn")
    st.warning("Whoever shared this scenario withdrew this link. Ask them for the current one.",
               icon=":material/link_off:")
    st.stop()
except ScenarioNotFound:
    st.title("Scenario not found")
    st.warning("No saved scenario has this link. It may have been deleted, or the link was copied incompletely. "
               "Ask the person who shared it for a new link.", icon=":material/link_off:")
    st.stop()
except StoreBusy:  # the link may be fine: say so, without the server's file paths a stakeholder has no use for
    st.title("Scenario unavailable")
    st.warning("The scenario store is busy saving other work. Reload this page in a moment.",
               icon=":material/hourglass_top:")
    st.stop()
except StoreError as exc:
    _log.error("Review of a share link failed: %s (%s)", exc.message, exc.hint)  # the details, for the operator
    st.title("Scenario unavailable")
    st.error("The scenario store cannot be read right now. Ask the person who shared this link, or the team that "
             "runs this Labelwise server (the details are in its log).", icon=":material/error:")
    st.stop()

a = sc.payload.get("analysis") or {}
st.title(sc.name)
d = a.get("dataset") or {}
st.caption(f"Read-only review · saved {sc.created_at.replace('T', ' ')} · data: {sc.dataset_name} "
           f"({fmt.count(d.get('n_rows'))} labeled rows) · target: {(a.get('target') or {}).get('description', '')}")
if not a:
    st.warning("This scenario has no results stored.")
    st.stop()

c1, c2, c3 = st.columns(3)
c1.download_button("Report (HTML)", lambda: report_cache.html(sc), f"labelwise-report-{sc.share_id[:6]}.html",
                   "text/html", key="rv_html", type="primary", icon=":material/download:",
                   help="One self-contained file with the charts and numbers; opens offline.")
c2.download_button("Report (PDF)", lambda: report_cache.pdf(sc), f"labelwise-report-{sc.share_id[:6]}.pdf",
                   "application/pdf", key="rv_pdf", icon=":material/picture_as_pdf:",
                   disabled=not report.pdf_available(),
                   help=None if report.pdf_available() else "PDF export needs the fpdf2 package.")
c3.download_button("Scenario (JSON)", lambda: views.json_bytes(scenario_to_dict(sc)),
                   f"labelwise-scenario-{sc.share_id[:6]}.json", "application/json", key="rv_json")

views.verdict_box(a)  # the verdict sentence first, as the Plan and Results pages lead with it
tab_b, tab_r, tab_s, tab_a = st.tabs(["Business case", "Evidence", "When to stop", "Assumptions"])
with tab_b:
    views.render_business(a, key="rv_biz")
with tab_r:
    views.render_results(a, key="rv_res", downloads=True)
with tab_s:
    stopping_view.render(a, key="rv_stop")
with tab_a:
    st.markdown("\n".join(f"- {x}" for x in tables.assumptions(a)))
