"""Session-state helpers: what the current browser session has planned, run and opened."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from dashboard import state
from dashboard.store import MAX_FILE_MB, DataFile, ScenarioStore, StoreError

INPUTS = "lw_inputs"
ANALYSIS = "lw_analysis"
RESULT = "lw_result"
UPLOAD = "lw_upload"
RUN_INFO = "lw_run_info"
LOADED = "lw_loaded_scenario"


def inputs() -> dict[str, Any]:
    """The committed plan inputs (defaults until the first Run)."""
    if INPUTS not in st.session_state:
        st.session_state[INPUTS] = state.default_inputs()
    return st.session_state[INPUTS]


def set_inputs(d: dict[str, Any]) -> None:
    st.session_state[INPUTS] = copy.deepcopy(d)


def analysis() -> dict[str, Any] | None:
    return st.session_state.get(ANALYSIS)


def result() -> Any:
    return st.session_state.get(RESULT)


def set_outcome(result: Any, analysis: dict[str, Any], run_info: dict[str, Any] | None = None) -> None:
    st.session_state[RESULT] = result
    st.session_state[ANALYSIS] = analysis
    if run_info is not None:
        st.session_state[RUN_INFO] = run_info


def _session_file(sha256: str) -> DataFile | None:
    """This session's uploaded file when its bytes have this SHA-256 (what a save keeps with the scenario)."""
    upload = st.session_state.get(UPLOAD) or {}
    if upload.get("digest") != sha256 or upload.get("raw") is None:
        return None
    return DataFile(sha256=sha256, name=str(upload.get("file_name") or "upload"), data=upload["raw"])


def store() -> ScenarioStore:
    """A store on ``$LABELWISE_DB`` (connections are opened per operation, so one object is fine).

    Saving a plan made on an uploaded file keeps the file (this session's upload) with it, up to the upload limit.
    """
    try:
        limit = float(st.get_option("server.maxUploadSize"))
    except Exception:  # no Streamlit config (a script using the store)
        limit = MAX_FILE_MB
    return ScenarioStore(file_source=_session_file, max_file_mb=limit)


def saved_upload(sha256: str) -> DataFile | None:
    """The uploaded file a reopened scenario was planned on, when the store keeps it (None otherwise or on error)."""
    if not isinstance(sha256, str) or len(sha256) != 64:
        return None
    try:
        return store().get_file(sha256)
    except StoreError:  # a busy or unreadable store: the page asks for the file instead
        return None


def base_url() -> str:
    """``scheme://host:port`` plus any base path the app is served under, from the browser's URL."""
    try:
        url = st.context.url or ""
    except Exception:  # not running under a server (tests)
        url = ""
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    # Drop the current page's own segment (e.g. /scenarios) to get the app root.
    for page in ("plan", "results", "business", "stopping", "scenarios", "review"):
        if path.endswith("/" + page):
            path = path[: -len(page) - 1]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def share_url(share_id: str) -> str:
    return f"{base_url()}/review?id={share_id}"


def need_analysis() -> dict[str, Any] | None:
    """The current analysis, or a friendly pointer to the Plan page."""
    a = analysis()
    if a is None:
        st.info("Nothing to show yet: set up a plan and press **Run simulation** on the Plan page "
                "(or open a saved scenario).", icon=":material/info:")
        link("app_pages/plan.py", "Go to the Plan page", ":material/edit_note:")
    return a


def link(page: str, label: str, icon: str | None = None, where: Any = None) -> None:
    """A link to another page (plain text when the page is run on its own, as in tests)."""
    where = where or st
    try:
        where.page_link(page, label=label, icon=icon)
    except Exception:  # StreamlitPageNotFoundError outside st.navigation
        where.markdown(f"{label} (page: {page.split('/')[-1].removesuffix('.py')})")
