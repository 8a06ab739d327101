"""Reports of saved scenarios, cached per scenario version (rendering charts takes a moment)."""

from __future__ import annotations

import streamlit as st

from dashboard import report
from dashboard.store import Scenario


@st.cache_data(max_entries=32, show_spinner=False)
def _html(scenario_id: str, updated_at: str, name: str, _analysis: dict) -> str:
    return report.build_html(_analysis, name=name, created=updated_at.replace("T", " "))


@st.cache_data(max_entries=32, show_spinner=False)
def _pdf(scenario_id: str, updated_at: str, name: str, _analysis: dict) -> bytes:
    return report.build_pdf(_analysis, name=name, created=updated_at.replace("T", " "))


def html(sc: Scenario) -> str:
    return _html(sc.id, sc.updated_at, sc.name, sc.payload.get("analysis") or {})


def pdf(sc: Scenario) -> bytes:
    return _pdf(sc.id, sc.updated_at, sc.name, sc.payload.get("analysis") or {})
