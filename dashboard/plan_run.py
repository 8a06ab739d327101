"""The Plan page's run: simulate in stages with a progress bar and a live chart, then analyse once (the plan).

The page calls :func:`run_and_analyse` when its inputs passed every check; the result and the analysis go to the
session (``session.set_outcome``) for every page to read.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, session, state, views
from simulations.errors import LabelwiseError
from simulations.summary import curves_from_rounds


def _partial_chart(frames: list[pd.DataFrame], metric: str, where: Any) -> None:
    curves = curves_from_rounds(pd.concat(frames, ignore_index=True), metric)
    where.altair_chart(charts.learning_curve_chart(
        curves, metric_label=metric.replace("_", " "), title="Learning curves so far (runs still arriving)"),
        width="stretch", theme=None)


def run_and_analyse(dataset: Any, new_inputs: dict[str, Any], status: Any) -> None:
    """Simulate ``dataset`` with the page's checked inputs, showing progress in ``status``, and store the outcome."""
    try:
        config = state.config_from(new_inputs["config"])
        state.target_from(new_inputs["target"])  # the target checked too
        state.plan_inputs(new_inputs)  # validate the money inputs before any work
    except LabelwiseError as exc:
        with status:
            views.show_error(exc)
    else:
        session.set_inputs(new_inputs)
        metric = state.choose_metric_for(dataset)
        with status:
            bar = st.progress(0.0, text="Starting the simulation...")
            live = st.empty()
            frames: list[pd.DataFrame] = []
            t0 = time.perf_counter()

            def on_progress(p: Any) -> None:
                what = ("reference model on all rows" if p.strategy == "__ceiling__"
                        else p.strategy.replace("_", " "))
                stage = (f"stage {p.stage}, up to {p.budget:,} labels: " if p.budget else "")
                bar.progress(p.done / p.total,
                             text=f"{stage}finished {what}, repetition {p.seed + 1 - config.random_state} of "
                                  f"{config.seeds} ({p.done}/{p.total} runs, {time.perf_counter() - t0:.0f} s)")
                if p.rounds is not None:
                    frames.append(p.rounds)
                    if len(frames) % 2 == 0 or p.done == p.total:
                        _partial_chart(frames, metric, live)

            try:
                result, from_cache = state.run(dataset, config, inputs=new_inputs, progress=on_progress)
            except LabelwiseError as exc:
                bar.empty()
                views.show_error(exc)
            else:
                seconds = time.perf_counter() - t0
                bar.progress(1.0, text="Served from cache (same data and settings)" if from_cache
                             else f"Simulation finished in {seconds:.1f} s")
                live.empty()
                with st.spinner("Computing the verdict, business case and projections..."):
                    desc = getattr(dataset, "description", "")
                    analysis = state.analyse(result, session.inputs(), dataset_description=desc)
                session.set_outcome(result, analysis, {"from_cache": from_cache, "seconds": seconds})
                st.session_state.pop(session.LOADED, None)

