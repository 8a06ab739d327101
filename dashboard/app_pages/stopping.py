"""Stopping: when to stop labeling, from the curve, the money, and label-free stopping rules."""

from __future__ import annotations

import streamlit as st

from dashboard import annotator_inputs, session, stopping_view

st.title("Stopping: when is enough labels enough?")
a = session.need_analysis()
if a is not None:
    annotator_inputs.noise_panel(a)
    stopping_view.render(a, key="stopping")
stopping_view.live_check_panel(session.inputs()["economics"], key="live")
