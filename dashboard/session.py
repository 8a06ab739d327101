"""Session-state helpers: what the current browser session has planned, run and opened."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from dashboard import access, state
from dashboard.store import MAX_FILE_MB, DataFile, ScenarioStore, StoreError

INPUTS = "lw_inputs"
ANALYSIS = "lw_analysis"
RESULT = "lw_result"
UPLOAD = "lw_upload"
RUN_INFO = "lw_run_info"
LOADED = "lw_loaded_scenario"
#: The Plan page's per-session memo of the upload read through intake (keyed by digest, sheet, label and choices).
UPLOAD_MEMO = "lw_upload_datasets"
#: The uploader's file id of an upload dropped for an opened scenario: an uploader still holding that file must not
#: bring it back (only a file uploaded afterwards replaces the scenario's).
DROPPED_FILE_ID = "lw_dropped_file_id"
#: Plan-page widgets whose state follows the uploaded file (the intake choices are ``intake_*``, the column roles
#: editor ``roles_editor_upload_*``); dropped with it so an opened scenario's own choices show, not the last file's.
UPLOAD_WIDGETS = ("upload_sheet", "label_column")
UPLOAD_WIDGET_PREFIXES = ("intake_", "roles_editor_upload_")
#: The digest length of scenarios saved before files were kept (a SHA-256 prefix).
SHORT_DIGEST = 16


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


def same_file(a: Any, b: Any) -> bool:
    """Whether two upload digests name the same bytes.

    Full SHA-256 digests must be equal; a scenario saved before files were kept carries only the first 16
    characters, which still identify its file when they start the other digest.
    """
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return False
    if a == b:
        return True
    return min(len(a), len(b)) >= SHORT_DIGEST and (a.startswith(b) or b.startswith(a))


def upload_matches(data: dict[str, Any]) -> bool:
    """Whether this session's upload (if any) is the file the plan inputs' data names.

    True when there is no upload, or the inputs are not an upload naming a file (a sample, or an upload not yet
    read): only a named, different file is a mismatch.
    """
    upload = st.session_state.get(UPLOAD)
    if not upload or data.get("source") != "upload" or not data.get("digest"):
        return True
    return same_file(upload.get("digest"), data["digest"])


def drop_upload() -> None:
    """Forget this session's upload, what intake read from it and the Plan widgets that follow it."""
    upload = st.session_state.pop(UPLOAD, None) or {}
    if upload.get("file_id") is not None:
        st.session_state[DROPPED_FILE_ID] = upload["file_id"]
    st.session_state.pop(UPLOAD_MEMO, None)
    _drop_upload_widgets()


def _drop_upload_widgets() -> None:
    for key in list(st.session_state.keys()):
        if key in UPLOAD_WIDGETS or str(key).startswith(UPLOAD_WIDGET_PREFIXES):
            del st.session_state[key]


def open_scenario(scenario_id: str, inputs_: dict[str, Any], result_: Any, analysis_: dict[str, Any]) -> bool:
    """Make a saved scenario this session's plan: its inputs, its results and its data.

    An upload scenario's file replaces a different file this session uploaded (the Plan page then restores the
    kept file, or names it and asks for it), so Run and the Results, Business case and Stopping pages all work
    on the scenario's data. The Plan widgets that follow a file and the production pool start from the
    scenario's values.

    Parameters
    ----------
    scenario_id, inputs_, result_, analysis_
        The saved scenario's id, plan inputs, simulation result (None when not stored) and analysis.

    Returns
    -------
    bool
        Whether this session's upload was dropped for the scenario's file.
    """
    data = inputs_.get("data") or {}
    dropped = not upload_matches(data)
    if dropped:
        drop_upload()
    else:
        _drop_upload_widgets()
        if data.get("source") == "upload" and data.get("sheet"):
            # Same file: the Plan page's sheet picker switches the preview to the scenario's sheet.
            st.session_state["upload_sheet"] = data["sheet"]
    st.session_state.pop("production_pool", None)  # set from the plan's economics, then kept by the page
    set_inputs(inputs_)
    set_outcome(result_, analysis_, {})
    st.session_state[LOADED] = scenario_id
    return dropped


def _session_file(sha256: str) -> DataFile | None:
    """This session's uploaded file when its bytes have this SHA-256 (what a save keeps with the scenario)."""
    upload = st.session_state.get(UPLOAD) or {}
    if upload.get("digest") != sha256 or upload.get("raw") is None:
        return None
    return DataFile(sha256=sha256, name=str(upload.get("file_name") or "upload"), data=upload["raw"])


def store() -> ScenarioStore:
    """A store on ``$LABELWISE_DB`` (connections are opened per operation, so one object is fine).

    Saving a plan made on an uploaded file keeps the file (this session's upload) with it, up to the upload limit.

    Raises
    ------
    StoreError
        :class:`~dashboard.store.StoreUnavailable` when the file cannot be created, opened or read.
    """
    try:
        limit = float(st.get_option("server.maxUploadSize"))
    except Exception:  # no Streamlit config (a script using the store)
        limit = MAX_FILE_MB
    # Changes are recorded in the audit table as this editor session (or this browser session when editing is open).
    return ScenarioStore(file_source=_session_file, max_file_mb=limit, actor=access.actor())


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
