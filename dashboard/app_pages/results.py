"""Results: learning curves with bands, labels to target, the leaderboard and the verdict."""

from __future__ import annotations

import streamlit as st

from dashboard import annotator_inputs, session, views

st.title("Results: does active learning beat random here?")
a = session.need_analysis()
if a is not None:
    d = a.get("dataset", {})
    st.caption(f"Data: {d.get('name')} ({d.get('n_rows'):,} labeled rows); target: "
               f"{a.get('target', {}).get('description')}.")
    result = session.result()
    annotator_inputs.noise_panel(a)
    views.render_results(a, key="results", rounds=None if result is None else result.rounds)
