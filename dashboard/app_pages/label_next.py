"""Label next: run the labeling project: download the next batch, upload it labeled, see the curve and the ledger.

The engine is ``simulations.project`` (the same as ``labelwise project``); projects are folders under
``$LABELWISE_PROJECTS`` (default ``./.labelwise/projects``), one per project name, so the page never reads or writes
a path the user typed.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import views  # noqa: E402
from simulations.errors import LabelwiseError  # noqa: E402
from simulations.project import Project, add_labels, batch_frame, next_batch, project_status  # noqa: E402
from simulations.project.batch import DEFAULT_CONTROL_SHARE  # noqa: E402
from simulations.strategies import available_strategies  # noqa: E402
from simulations.summary import METRIC_NAMES  # noqa: E402

NEW = "Start a new project"
#: Project names: letters, digits, dash, underscore, dot (a folder name, never a path).
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def projects_root() -> Path:
    """``$LABELWISE_PROJECTS`` or ``./.labelwise/projects``."""
    return Path(os.environ.get("LABELWISE_PROJECTS") or Path(".labelwise") / "projects")


def project_names(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "project.json").is_file())


def _new_project(root: Path) -> None:
    with st.form("new_project"):
        name = st.text_input("Project name", key="new_name", help="Letters, digits, - _ . (a folder name).")
        data = st.file_uploader("Data file (the label column filled on some rows, empty on the rows to label)",
                                key="new_data")
        label = st.text_input("Label column", key="new_label")
        strategies = available_strategies()
        strategy = st.selectbox("Strategy", strategies, index=strategies.index("margin"), key="new_strategy")
        c1, c2 = st.columns(2)
        cost = c1.number_input("Cost per label ($)", min_value=0.0, value=1.0, step=0.5, key="new_cost")
        value = c2.number_input("Value of one point of the score ($, 0: none)", min_value=0.0, value=0.0,
                                key="new_value")
        validation = st.file_uploader("Validation file (optional: labeled rows the labelers never see)",
                                      key="new_validation")
        plan = st.file_uploader("Plan (optional: a 'labelwise simulate --out' results file, for the expected curve)",
                                key="new_plan")
        go = st.form_submit_button("Start the project", type="primary")
    if not go:
        return
    if not NAME_RE.match(name or ""):
        views.show_error({"message": "Give the project a name of letters, digits, - _ or . (up to 64).",
                          "hint": "E.g. tickets-2026."})
        return
    if data is None or not label:
        views.show_error({"message": "Upload the data file and name its label column.", "hint": ""})
        return
    with tempfile.TemporaryDirectory() as tmp:
        def saved(upload, stem: str) -> Path | None:
            if upload is None:
                return None
            path = Path(tmp) / stem / Path(upload.name).name
            path.parent.mkdir()
            path.write_bytes(upload.getvalue())
            return path

        try:
            curve = None
            if plan is not None:
                from simulations.project.status import expected_curve_from_results
                from simulations.results import load_results

                curve = expected_curve_from_results(load_results(saved(plan, "plan")), strategy, source=plan.name)
            Project.create(root / name, saved(data, "data"), label, strategy=strategy, cost_per_label=cost or None,
                           value_per_point=value or None, validation=saved(validation, "validation"),
                           expected_curve=curve)
        except LabelwiseError as exc:
            views.show_error(exc)
            return
    st.session_state["label_next_select"] = name  # picked on the rerun, before the selectbox exists
    st.rerun()


def _curve_chart(status) -> alt.Chart | None:
    rows = [r for r in status.rounds if r.get("score") is not None]
    if not rows:
        return None
    live = pd.DataFrame({"labels": [r["labels"] for r in rows], "score": [r["score"] for r in rows],
                         "what": "this project"})
    layers = []
    curve = status.expected_curve
    if curve:
        plan = pd.DataFrame({"labels": curve["labels"], "median": curve["median"], "low": curve["low"],
                             "high": curve["high"]})
        plan = plan.loc[plan["labels"] <= max(live["labels"].max() * 1.5, plan["labels"].min())]
        layers.append(alt.Chart(plan).mark_area(opacity=0.2).encode(x="labels:Q", y="low:Q", y2="high:Q"))
        layers.append(alt.Chart(plan).mark_line(strokeDash=[4, 3]).encode(
            x="labels:Q", y=alt.Y("median:Q", title=METRIC_NAMES.get(status.metric, status.metric))))
    layers.append(alt.Chart(live).mark_line(point=True).encode(
        x=alt.X("labels:Q", title="labels"),
        y=alt.Y("score:Q", title=METRIC_NAMES.get(status.metric, status.metric), scale=alt.Scale(zero=False),
                axis=alt.Axis(format=".0%")),
        tooltip=["labels", alt.Tooltip("score:Q", format=".1%")]))
    return alt.layer(*layers).properties(height=300)


def _batch(project: Project, name: str) -> None:
    st.subheader("The next batch")
    pending = project.state.pending
    if pending is None:
        c1, c2, c3 = st.columns([1, 1, 1])
        size = c1.number_input("Rows in the batch", min_value=1, value=50, step=10, key="batch_size")
        share = c2.number_input("Control share (drawn at random)", min_value=0.0, max_value=0.9,
                                value=DEFAULT_CONTROL_SHARE, step=0.05, key="control_share",
                                help="This share of the batch is drawn at random: the control arm the savings "
                                     "ledger compares with.")
        c3.write("")
        if c3.button("Make the batch", type="primary", key="make_batch"):
            try:
                next_batch(project, int(size), float(share))
            except LabelwiseError as exc:
                views.show_error(exc)
                return
            st.rerun()
        return
    frame = batch_frame(project)
    n_ctrl = int((frame["why"] == "control").sum())
    st.write(f"Round {pending['round']}: {len(frame)} rows ({len(frame) - n_ctrl} picked by "
             f"{project.config.strategy}, {n_ctrl} drawn at random as the control arm).")
    st.download_button("Download the batch (CSV)", frame.to_csv(index=False).encode(), key="download_batch",
                       file_name=f"{name}-round-{pending['round']}.csv", mime="text/csv", type="primary")
    st.subheader("Upload it labeled")
    up = st.file_uploader(f"The batch with its '{project.config.label}' column filled in",
                          key=f"labeled_upload_{pending['round']}")
    allow = st.checkbox("Allow a new class", key="allow_new_class",
                        help="Accept labels that are not among the classes so far (a real new class, not a typo).")
    if st.button("Add the labels", key="add_labels", disabled=up is None):
        try:
            record = add_labels(project, up.getvalue(), filename=up.name, allow_new_class=allow)
        except LabelwiseError as exc:
            views.show_error(exc)
            st.caption("Nothing was changed: fix the file and upload it again.")
            return
        st.session_state["label_next_added"] = (name, record["round"])
        st.rerun()


def _status(project: Project) -> None:
    status = project_status(project)
    lab = status.labeled
    st.subheader("Where the project stands")
    c = st.columns(4)
    c[0].metric("Labeled", f"{lab['total']:,} of {lab['rows']:,}")
    last = status.rounds[-1]
    c[1].metric(f"Score ({METRIC_NAMES.get(status.metric, status.metric)})",
                "-" if last.get("score") is None else f"{last['score']:.1%}")
    led = status.ledger
    saved = led.labels_saved if led.available else None
    c[2].metric("Labels saved vs random", "-" if saved is None else f"{saved['median']:,.0f}",
                help="Median; the interval is below.")
    money = led.money_saved if led.available else None
    c[3].metric("Money saved", "-" if money is None else f"${money['median']:,.0f}")
    chart = _curve_chart(status)
    if chart is not None:
        views.chart(chart, "The project's score per round (line) against the plan's expected curve (dashed, with its "
                           "10th-90th percentile band over simulated seeds)." if status.expected_curve else
                    "The project's score per round.")
    if status.plan and status.plan.get("expected") is not None:
        p = status.plan
        st.write(f"**Against the plan: {p['verdict']}** ({p['score']:.1%} at {p['labels']:,.0f} labels; the plan "
                 f"expects {p['expected']:.1%}, band {p['low']:.1%} to {p['high']:.1%}).")
    st.write(f"**Stop advice:** {status.stop['headline']} {status.stop.get('reason', '')}")
    st.write(led.sentence(project.config.cost_per_label))
    with st.expander("How the ledger is estimated"):
        st.write(led.method)
    for note in status.notes:
        st.caption(note)
    rounds = pd.DataFrame(status.rounds)[["round", "labels", "n_al", "n_control", "score", "score_basis"]]
    st.dataframe(rounds, hide_index=True, key="rounds_table")


st.title("Label next")
st.caption("Run the labeling project: each batch is the strategy's picks plus a share drawn at random (the control "
           "arm), from which the savings ledger estimates what random sampling would have needed.")
root = projects_root()
names = project_names(root)
if st.session_state.get("label_next_select") in names:
    st.session_state["project_pick"] = st.session_state.pop("label_next_select")
pick = st.selectbox("Project", [*names, NEW], key="project_pick")
if pick == NEW:
    _new_project(root)
else:
    try:
        project = Project.open(root / pick)
    except LabelwiseError as exc:
        views.show_error(exc)
        st.stop()
    # Said until the next batch is made (a flag popped on one run would vanish on any rerun).
    added = st.session_state.get("label_next_added")
    if added is not None and added[0] == pick and project.state.pending is None:
        st.success(f"Round {added[1]} added.", icon=":material/check:")
    _batch(project, pick)
    _status(project)
