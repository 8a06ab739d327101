"""Labelwise dashboard: plan a labeling budget, see the evidence, save and share the business case.

Run with ``make run`` (or ``streamlit run dashboard/app.py --server.address 127.0.0.1``).

Who sees what is decided here, before any page runs (``dashboard/access.py``): a share link registers the Review
page alone; without an editor session (when the workspace has a secret) only the login form is registered; a
server reachable from the network without a secret serves only a refusal. Streamlit runs the default page for any
page that is not registered, so no URL or hand-made page request reaches a page left out of the list.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import access, state, views  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="Labelwise", page_icon=":material/label:", layout="wide")


#: Every URL path of the editors' app. A restricted session answers each of them with its one page, so no URL
#: lands on Streamlit's "page not found" dialog, and after a login the same URL opens the page it names.
URL_PATHS = ("plan", "results", "business", "stopping", "scenarios", "sweeps", "label_next", "review")


def _review() -> st.Page:
    return st.Page(PAGES_DIR / "review.py", title="Review", icon=":material/visibility:", url_path="review")


def _only(page: Path | Callable[[], None], title: str) -> NoReturn:
    """Register ``page`` alone (under every URL path, hidden navigation) and run it, whatever page was asked for.

    No other script is registered, so nothing else can run in this session: Streamlit runs the default page for a
    page it does not know.
    """
    pages = [st.Page(page, title=title, url_path=f"{title.lower().replace(' ', '-')}-home", default=True)]
    pages += [st.Page(page, title=title, url_path=u) for u in URL_PATHS]
    st.navigation(pages, position="hidden").run()
    st.stop()


# A share link (/review?id=...) is a reviewer's session: the Review page and nothing else, no editors' navigation,
# no simulation workers.
if st.query_params.get("id"):
    _only(PAGES_DIR / "review.py", "Review")

try:
    ws = access.workspace()
except access.AccessConfigError as exc:  # a bad secret hash or session length: nothing is served until fixed
    st.title("Labelwise cannot start")
    views.show_error(exc)
    st.stop()

role = access.role(ws)
if role == "refused":
    _only(access.refusal_page, "Not served")
if role == "login":
    _only(access.login_page, "Log in")

pages = [
    st.Page(PAGES_DIR / "plan.py", title="Plan", icon=":material/edit_note:", url_path="plan", default=True),
    st.Page(PAGES_DIR / "results.py", title="Results", icon=":material/show_chart:", url_path="results"),
    st.Page(PAGES_DIR / "business.py", title="Business case", icon=":material/payments:", url_path="business"),
    st.Page(PAGES_DIR / "stopping.py", title="Stopping", icon=":material/front_hand:", url_path="stopping"),
    st.Page(PAGES_DIR / "scenarios.py", title="Scenarios", icon=":material/bookmarks:", url_path="scenarios"),
    st.Page(PAGES_DIR / "sweeps.py", title="Sweeps", icon=":material/grid_view:", url_path="sweeps"),
    st.Page(PAGES_DIR / "label_next.py", title="Label next", icon=":material/playlist_add_check:",
            url_path="label_next"),
    _review(),
]
state.warm_up()  # worker processes start while the user reads the Plan page
access.sidebar(ws)
access.editor_notice(ws)  # above every editor page when editing is open to whoever reaches the server
st.navigation(pages, position="sidebar").run()
