"""Business case: ROI, net savings, and break-even with ranges; costs, sensitivity, projection."""

from __future__ import annotations

import streamlit as st

from dashboard import annotator_inputs, session, views

st.title("Business case: does active learning pay off?")
a = session.need_analysis()
if a is not None:
    st.caption("Every number is a median over the simulated repetitions with its 95% range. Change the costs on "
               "the Plan page: the simulation is reused, only the money is recomputed.")
    annotator_inputs.noise_panel(a)
    views.render_business(a, key="business")
