"""Sweeps: load a sweep's results table and show which strategy wins where, with intervals.

Everything shown is computed by ``simulations.sweep`` (``sweep_summary``, ``sweep_overview``) and the engine's
single-run functions (``summarize``, ``learning_curves``, ``per_seed``); this page only loads and draws.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard import charts, sweep_charts, sweep_data, tables, views
from dashboard.sweep_data import LoadedSweep, SweepSummary
from simulations import LabelwiseError, Target
from simulations.economics.value_model import COST_SCORE
from simulations.summary import METRIC_NAMES, SCORE_NAMES

LOADED = "sw_loaded"
SUMMARY = "sw_summary"
DETAIL = "sw_detail"
LOAD_ERROR = "sw_error"
UPLOAD_KEY = "sw_upload_key"
TARGET_KINDS = {"share_of_ceiling": "Share of the full-data score", "share_of_gap": "Share of the gap above the "
                "majority-class baseline", "absolute": "Absolute score"}
OWN_METRIC = "each dataset's own"
T = TypeVar("T")


def _set_loaded(load: Callable[..., LoadedSweep], *args: object) -> None:
    """Load with ``load(*args)``; keep the error (shown below the inputs) instead of raising."""
    try:
        loaded = load(*args)
    except LabelwiseError as exc:
        st.session_state[LOAD_ERROR] = exc
        st.session_state.pop(LOADED, None)
    else:
        st.session_state[LOADED] = loaded
        st.session_state.pop(LOAD_ERROR, None)
        # The summary settings start from the sweep's own (sweep.json), like 'labelwise sweep' printed them.
        _summary_settings(loaded, overwrite=True)
        for k in ("sw_model", "sw_schedule", "sw_dataset"):  # the new sweep may not have the old choices
            st.session_state.pop(k, None)
    st.session_state.pop(SUMMARY, None)
    st.session_state.pop(DETAIL, None)


def _memo(slot: str, key: tuple, compute: Callable[[], T], spinner: str | None = None) -> T:
    """``compute()`` once per ``key``; the last (key, value) is kept in ``st.session_state[slot]``.

    Widgets that do not change the key (the log toggle, a download, the other picker) rerun the page without
    redoing the engine's bootstrap.
    """
    hit = st.session_state.get(slot)
    if hit is None or hit[0] != key:
        if spinner:
            with st.spinner(spinner):
                hit = (key, compute())
        else:
            hit = (key, compute())
        st.session_state[slot] = hit
    return hit[1]


def _summary_settings(loaded: LoadedSweep, overwrite: bool = False) -> None:
    """Start the target and metric inputs from the sweep's own settings (sweep.json), as the CLI printed them.

    Streamlit forgets a widget's value when its page is left, so the defaults are set again (not overwritten)
    on every run.
    """
    # a sweep that priced errors was summarized in the error-cost score (its metric only chose class weights)
    defaults = {"sw_target_kind": loaded.target.kind, "sw_target_value": round(100 * loaded.target.value, 1),
                "sw_metric": COST_SCORE if loaded.error_costs else loaded.metric or OWN_METRIC}
    for k, v in defaults.items():
        if overwrite or k not in st.session_state:
            st.session_state[k] = v


st.title("Sweeps: which strategy wins where")
st.caption("A sweep (`labelwise sweep --config examples/sweep.toml --out sweep_results`) runs every strategy on "
           "several datasets, models and label schedules. Load its results to compare them with 95% intervals.")

source = st.radio("Load the sweep from", ["upload", "folder"], horizontal=True, key="sw_source",
                  format_func={"upload": "Upload its files", "folder": "A folder on this server"}.get,
                  help="The sweep's output folder holds results.csv (every round), summary.csv and sweep.json.")
if source == "upload":
    files = st.file_uploader(
        "results.csv (required) and sweep.json (optional: the sweep's target)", type=["csv", "json"],
        accept_multiple_files=True, key="sw_files",
        help="Both are in the sweep's --out folder. The summary is recomputed from results.csv for the target you "
             "choose below, so summary.csv is not needed.")
    key = tuple((f.name, f.size, f.file_id) for f in files or [])
    if files and st.session_state.get(UPLOAD_KEY) != key:
        st.session_state[UPLOAD_KEY] = key
        _set_loaded(sweep_data.load_uploads, [(f.name, f.getvalue()) for f in files])
else:
    root = sweep_data.sweeps_root()
    with st.form("sw_folder_form", border=False):
        folder = st.text_input("Sweep output folder", key="sw_folder", placeholder="sweep_results",
                               help="The --out folder of 'labelwise sweep' (or the path of its results.csv) on the "
                                    f"machine that runs this dashboard, below {root}. Relative paths start there.")
        st.caption(f":material/folder: Reads only below `{root}` (`..`, other folders and links out of it are "
                   f"refused; the server sets it with {sweep_data.ROOT_ENV}).")
        if st.form_submit_button("Load sweep", icon=":material/folder_open:"):
            _set_loaded(sweep_data.load_folder, folder)

if LOAD_ERROR in st.session_state:
    views.show_error(st.session_state[LOAD_ERROR])
loaded: LoadedSweep | None = st.session_state.get(LOADED)
if loaded is None:
    if LOAD_ERROR not in st.session_state:
        st.info("No sweep loaded yet. Run one, e.g. `labelwise sweep --config examples/sweep.toml --out "
                "sweep_results --n-jobs 2` (about 20 s), then load `sweep_results`.", icon=":material/info:")
    st.stop()

st.success(f"Loaded {loaded.source}: {loaded.describe()}.", icon=":material/check_circle:")

# ---- the summary's settings ----------------------------------------------------------------------------------
_summary_settings(loaded)
c1, c2, c3 = st.columns([2, 1, 1])
kind = c1.selectbox("Target", list(TARGET_KINDS), format_func=TARGET_KINDS.get, key="sw_target_kind",
                    help="What 'reaching the target' means; savings are labels saved to reach it. "
                         + ("Starts at the sweep's own target (sweep.json)." if loaded.has_manifest
                            else "Without sweep.json: 95% of the full-data score, the engine's default."))
value = c2.number_input("Target value (%)", min_value=1.0, max_value=100.0, step=1.0, key="sw_target_value",
                        help="E.g. 95 = 95% of the full-data score (share), or a score of 95% (absolute).")
metric_choice = c3.selectbox("Metric", [*([COST_SCORE] if loaded.error_costs else []), OWN_METRIC, *METRIC_NAMES],
                             key="sw_metric", format_func=lambda m: SCORE_NAMES.get(m, m),
                             help="Default: each dataset's own (balanced accuracy when a class is under 20%)"
                                  + ("; the error-cost score judges in the sweep's error costs (its default)."
                                     if loaded.error_costs else "."))
metric = None if metric_choice in (OWN_METRIC, COST_SCORE) else metric_choice
# the sweep's error costs, when the summary is in money (the engine scores each cell with them)
error_costs = loaded.error_costs if metric_choice == COST_SCORE else None
try:
    target = Target(kind, value / 100)
    sw: SweepSummary = _memo(SUMMARY, (loaded.token, target, metric, error_costs),
                             lambda: sweep_data.summarize_sweep(loaded, target, metric, error_costs),
                             "Summarizing every cell (bootstrap intervals over seeds)...")
except LabelwiseError as exc:
    views.show_error(exc)
    st.stop()
summary = sw.summary

# ---- which strategy wins where -------------------------------------------------------------------------------
st.header("Which strategy wins where")
if loaded.error_costs is not None:
    st.info(sweep_data.cost_note(loaded.error_costs, target, judged=error_costs is not None),
            icon=":material/payments:")
st.dataframe(sweep_data.winners_table(sw.overview), hide_index=True, width="stretch")
st.caption("One row per dataset x model x schedule: the strongest strategy, its verdict and its saving against "
           "random sampling (median over seeds, 95% interval). 'Beats random' only when the whole interval is "
           "above zero; 'n/a; AUC' means labels could not tell strategies apart.")
st.download_button("Summary (CSV)", lambda: tables.safe_csv(summary), "labelwise-sweep-summary.csv", "text/csv",
                   key="sw_dl_summary", icon=":material/download:",  # built on click, not on every run
                   help="sweep_summary for the target above: one row per cell and strategy.")

pick1, pick2 = st.columns(2)
model = pick1.selectbox("Model", loaded.models, key="sw_model", disabled=len(loaded.models) < 2,
                        help="The heat map and the detail below show one model and schedule at a time.")
schedule = pick2.selectbox("Schedule", loaded.schedules, key="sw_schedule", disabled=len(loaded.schedules) < 2,
                           help="How labels were added each round (the sweep file's [[schedules]]).")
part = summary[(summary["model"] == model) & (summary["schedule"] == schedule)]
if part.empty:  # a hand-merged table need not hold every model x schedule pair
    st.info(f"This sweep has no runs of {model} with the schedule {schedule}; pick another pair.",
            icon=":material/info:")
    st.stop()
views.chart(sweep_charts.savings_heatmap(part),
            f"{model} / {schedule}; target: {target.describe(COST_SCORE if error_costs else metric or 'score')}; "
            f"{int(part['n_seeds'].max())} seeds per cell.", key="sw_heatmap")
if part["savings"].notna().any():
    views.chart(sweep_charts.savings_interval_chart(part),
                "How sure each saving is: intervals that cross the dashed line are 'no evidence'.", key="sw_forest")
else:
    st.info("No saving is defined for this model and schedule (the target was too easy, or never reached): "
            "the verdicts compare areas under the learning curves instead.", icon=":material/info:")

# ---- per-dataset detail --------------------------------------------------------------------------------------
st.header("Per-dataset detail")
dataset = st.selectbox("Dataset", loaded.datasets, key="sw_dataset",
                       help="Learning curves and per-seed results of this dataset for the model and schedule above.")
try:
    detail = _memo(DETAIL, (loaded.token, dataset, model, schedule, target, metric, error_costs),
                   lambda: sweep_data.cell_detail(loaded, dataset, model, schedule, target, metric, error_costs))
except LabelwiseError as exc:
    views.show_error(exc)
    st.stop()
s = detail.summary
best = s.best()
if best is not None and best.verdict == "beats random":
    st.success(f"**{s.verdict_sentence()}**", icon=":material/check_circle:")
elif best is not None and best.verdict == "worse than random":
    st.error(f"**{s.verdict_sentence()}**", icon=":material/cancel:")
else:
    st.info(f"**{s.verdict_sentence()}**", icon=":material/info:")
for note in s.notes:
    st.warning(note, icon=":material/warning:")
log_x = st.toggle("Log scale for labels", value=False, key="sw_log",
                  help="Spread out the early rounds, where most of the difference between strategies is.")
views.chart(charts.learning_curve_chart(detail.curves, metric_label=detail.metric_label,
                                        target=s.target_value.median, log_x=log_x,
                                        title=f"Learning curves on {dataset}"),
            f"Each line is one strategy, the mean over {detail.n_seeds} seeds with its 95% band; the dashed line is "
            f"the target ({s.target_description}). Above random (grey) at the same labels means it learns faster.",
            key="sw_curves")
views.chart(sweep_charts.per_seed_chart(detail.per_seed, sweep_data.labels_to_target_frame(s),
                                        target_description=s.target_description),
            "The spread of the dots is the seed-to-seed noise that the intervals above account for.", key="sw_seeds")
