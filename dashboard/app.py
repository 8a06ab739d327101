"""Labelwise dashboard: plan a labeling budget, see the evidence, save and share the business case.

Run with ``make run`` (or ``streamlit run dashboard/app.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import state  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="Labelwise", page_icon=":material/label:", layout="wide")

pages = [
    st.Page(PAGES_DIR / "plan.py", title="Plan", icon=":material/edit_note:", url_path="plan", default=True),
    st.Page(PAGES_DIR / "results.py", title="Results", icon=":material/show_chart:", url_path="results"),
    st.Page(PAGES_DIR / "business.py", title="Business case", icon=":material/payments:", url_path="business"),
    st.Page(PAGES_DIR / "stopping.py", title="Stopping", icon=":material/front_hand:", url_path="stopping"),
    st.Page(PAGES_DIR / "scenarios.py", title="Scenarios", icon=":material/bookmarks:", url_path="scenarios"),
    st.Page(PAGES_DIR / "sweeps.py", title="Sweeps", icon=":material/grid_view:", url_path="sweeps"),
    st.Page(PAGES_DIR / "review.py", title="Review", icon=":material/visibility:", url_path="review"),
]
# A share link (/review?id=...) opens a clean read-only view for stakeholders: no editor navigation (the page
# links back to the planner), and no simulation workers started for them.
review_link = bool(st.query_params.get("id"))
if not review_link:
    state.warm_up()  # worker processes start while the user reads the Plan page
st.navigation(pages, position="hidden" if review_link else "sidebar").run()
