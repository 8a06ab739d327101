"""Plan: the data, the money and the goal; Run simulates AL against random and fills in the other pages."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import streamlit as st

from dashboard import annotator_inputs, cost_inputs, error_cost_inputs, plan_run, session, state, views
from simulations import SAMPLES, Dataset
from simulations.config import CLASS_WEIGHTS, DEFAULT_SEEDS
from simulations.datasets import ROLES
from simulations.errors import DataError, LabelwiseError
from simulations.intake import Fix, LeakageError, LoadReport
from simulations.intake.checks import MAX_NUMERIC_CLASSES
from simulations.models import MODELS
from simulations.strategies import STRATEGIES

st.title("Plan a labeling budget")
st.markdown(
    "Labelwise simulates **active learning** (the model picks which rows people label next) against "
    "**random sampling** on your data, over several repetitions, and turns the difference into money. "
    "Pick the data, enter your costs, press **Run simulation**.")

inputs = session.inputs()
data_in: dict[str, Any] = dict(inputs["data"])


@st.cache_resource(show_spinner="Loading the sample data...")
def _sample_dataset(name: str, roles_key: str) -> Dataset:
    roles = json.loads(roles_key) or None
    return Dataset.from_sample(name, roles=roles)


def _upload_dataset(digest: str, label: str, roles_key: str, choices_key: str,
                    sheet: str | None = None) -> tuple[Dataset, LoadReport]:
    """The uploaded file through intake, once per (file, sheet, label, roles, choices) in this session.

    An intake error is remembered too, so a rerun (another widget) does not read a large bad file again.
    """
    memo = st.session_state.setdefault("lw_upload_datasets", {})
    key = (digest, sheet, label, roles_key, choices_key)
    if key not in memo:
        upload = st.session_state[session.UPLOAD]
        memo.clear()
        try:
            memo[key] = state.upload_dataset(upload["raw"], label, name=upload["file_name"],
                                             roles=json.loads(roles_key) or None, choices=json.loads(choices_key),
                                             max_mb=float(st.get_option("server.maxUploadSize")), sheet=sheet)
        except LabelwiseError as exc:
            memo[key] = exc
    if isinstance(memo[key], LabelwiseError):
        raise memo[key]
    return memo[key]


def _json_key(d: dict[str, str] | None) -> str:
    """A hashable, order-free key of a small dict (roles, intake choices)."""
    return json.dumps(d or {}, sort_keys=True)


#: The expander holding the intake choices (error pointers name it).
PROBLEMS = "If the file has problems"
#: The intake choices of an upload: widget key, label, help and what each value is called.
INTAKE_WIDGETS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "unlabeled": (
        "intake_unlabeled", "Rows without a label",
        "Extra pool rows are never queried (their label is unknown), but the features are fitted on them and "
        "self-training, density weighting and the stopping signals use them; both ways they count in the "
        "production pool.",
        {"exclude": "Leave them out (counted)", "pool": "Use them as extra unlabeled pool"}),
    "rare_classes": (
        "intake_rare_classes", "Rare classes (fewer than 5 labeled rows)",
        "A class this small cannot be split into a test set, a pool and initial labels. Merging puts them into "
        "one class 'other' (dropped if still too small).",
        {"error": "Stop with a message", "merge": "Merge into 'other'", "drop": "Drop their rows"}),
    "leakage": (
        "intake_leakage", "Columns that leak the label",
        "A column that copies or recodes the label one-to-one lets a model score 100% from it alone, so the "
        "simulation would say nothing about labeling. Usually the wrong label column was picked.",
        {"error": "Stop with a message", "drop": "Drop the column"}),
    "label_type": (
        "intake_label_type", "Label type",
        f"A numeric label with more than {MAX_NUMERIC_CLASSES} different values looks like a measured number (e.g. "
        "a price), not a class: pick the column that holds the class as the label. Choose class codes only if the "
        "numbers are codes of classes.",
        {"auto": "Detect", "categorical": "Class codes (categorical)"}),
}


def _fix_pointer(exc: LabelwiseError) -> str | None:
    """How to apply an intake error's fix on this page (the control to use), or None when no control fixes it.

    Intake's hint is plain words; its structured :class:`~simulations.intake.Fix` says which option fixes the
    error, and this names the page's control for it (the command line names its flag the same way). A fix's
    ``alternative`` follows it, after its ``only_if`` case ("Only if these numbers are codes of classes: ...").
    """
    fix = getattr(exc, "fix", None)
    steps = fix.steps(_control_for) if fix is not None else []
    return " ".join(f"Only if {case}: {step[0].lower()}{step[1:]}" if case else step for case, step in steps) or None


def _control_for(fix: Fix) -> str | None:
    """One fix as the control to use on this page ("Choose **...** under *...* below."), or None when none does."""
    if fix.option in INTAKE_WIDGETS:
        _, label, _, names = INTAKE_WIDGETS[fix.option]
        values = [v for v in fix.values if v in names]
        if not values:
            return None
        picks = " or ".join(f"**{names[v]}**" for v in values)
        return f"Choose {picks} under *{label}* in **{PROBLEMS}** below."
    if fix.option == "label":
        named = " (" + " or ".join(f"**{v}**" for v in fix.values) + " looks like one)" if fix.values else ""
        return f"Pick the column that holds the class in **Label column** above{named}."
    if fix.option == "sheet":
        return "Pick " + " or ".join(f"**{v}**" for v in fix.values) + " in **Sheet** above."
    if fix.option == "delimiter":
        return ("This page detects commas, semicolons, tabs and pipes: save the file as CSV (comma-separated) and "
                "upload it again.")
    if fix.option == "max_mb":
        return (f"This dashboard takes files up to {float(st.get_option('server.maxUploadSize')):,.0f} MB; whoever "
                "runs it can raise the limit (server.maxUploadSize in .streamlit/config.toml).")
    return None


#: Said when no column of an upload looks like a class label, so the page offers none (a wrong default is worse).
NO_LABEL_GUESS = ("No column looks like a class label (at least 2 values, each repeated on many rows; not a measured "
                  "number such as a price, not an id): pick the column that holds each row's class above.")


def _new_upload(name: str, raw: bytes, file_id: str | None, max_mb: float) -> None:
    """Read a newly uploaded (or restored) file for the preview; keep it in session state, or show why not.

    A reopened scenario's sheet and label are used when it is the same file (same bytes).
    """
    digest = hashlib.sha256(raw).hexdigest()
    same = session.same_file(data_in.get("digest"), digest)
    try:
        try:
            table = state.read_upload(name, raw, max_mb=max_mb, sheet=data_in.get("sheet") if same else None,
                                      label=data_in.get("label") if same else None)
        except DataError as exc:
            if getattr(exc, "code", "") != "sheet_missing":
                raise
            table = state.read_upload(name, raw, max_mb=max_mb)  # the saved sheet is gone: read as new
    except DataError as exc:
        views.show_error(exc)
        st.session_state.pop(session.UPLOAD, None)
        return
    st.session_state[session.UPLOAD] = {"digest": digest, "file_name": name, "frame": table.frame, "raw": raw,
                                        "file_id": file_id, "sheet": table.sheet, "sheets": table.sheets}
    st.session_state["upload_sheet"] = table.sheet  # the picker follows the new file


def _change_sheet(upload: dict[str, Any], sheet: str, max_mb: float) -> DataError | None:
    """Read another sheet of the uploaded workbook into the preview; the error when it holds no table."""
    try:
        table = state.read_upload(upload["file_name"], upload["raw"], max_mb=max_mb, sheet=sheet)
    except DataError as exc:
        return exc
    upload.update(frame=table.frame, sheet=table.sheet)
    upload.pop("production_pool_rows", None)  # counted again from the new sheet
    upload.pop("label_guess", None)  # and its label guessed again
    return None


# ---- 1. data ---------------------------------------------------------------------------------------------
st.header("1. Data", divider="gray")
source = st.radio(
    "Where the data comes from", ["sample", "upload"], horizontal=True, key="data_source",
    index=0 if data_in.get("source") != "upload" else 1,
    format_func=lambda s: {"sample": "A shipped sample", "upload": "Upload my data"}[s],
    help="Try a shipped sample first; upload a CSV, TSV, Parquet, JSON Lines or Excel file with one row per item "
         "and a column holding its class to simulate on your own data.")

dataset: Dataset | None = None
cost_role: dict[str, str] = {}  # an upload's chosen cost column -> "id"
cost_columns: list[str] | None = None  # an upload's columns offered as the cost column (even when intake refused it)
data_error: LabelwiseError | None = None
data_error_shown = False  # an upload shows its error next to the file, not again below

if source == "sample":
    names = list(SAMPLES)
    current = data_in.get("sample") if data_in.get("source") == "sample" else None
    name = st.selectbox(
        "Sample dataset", names, index=names.index(current) if current in names else names.index("sms_spam"),
        key="sample_name", format_func=lambda n: f"{n}: {SAMPLES[n].description}",
        help="Small public datasets that ship with Labelwise; each line says what it is.")
    roles = data_in.get("roles") if data_in.get("source") == "sample" and data_in.get("sample") == name else None
    try:
        dataset = _sample_dataset(name, _json_key(roles))
    except LabelwiseError as exc:
        data_error = exc
    data_in = {"source": "sample", "sample": name, "roles": roles or {}}
else:
    max_mb = float(st.get_option("server.maxUploadSize"))
    up = st.file_uploader(
        "Your data (CSV, TSV, Parquet, JSON Lines, Excel; gzip or zip too)", type=list(state.UPLOAD_TYPES),
        key="upload_file",
        help=f"One row per item, one column with its class (the label), other columns as features. Reads CSV, "
             f"TSV or .txt (any separator), Parquet, JSON Lines or JSON, Excel .xlsx, each also compressed with "
             f"gzip or zip (one file inside). Up to {max_mb:,.0f} MB.")
    # A new upload gets a new file_id: the file is hashed and read once, not again on every rerun. A file the
    # uploader still holds after an opened scenario replaced it (session.open_scenario) does not come back.
    new_file = up is not None and up.file_id not in ((st.session_state.get(session.UPLOAD) or {}).get("file_id"),
                                                     st.session_state.get(session.DROPPED_FILE_ID))
    if new_file:
        raw = up.getvalue()
        cached = st.session_state.get(session.UPLOAD)
        if cached and cached.get("digest") == hashlib.sha256(raw).hexdigest():  # the same bytes uploaded again
            cached["file_id"] = up.file_id
        else:
            _new_upload(up.name, raw, up.file_id, max_mb)
    upload = st.session_state.get(session.UPLOAD)
    if upload is None and data_in.get("source") == "upload" and data_in.get("digest"):
        restored = session.saved_upload(data_in["digest"])  # a reopened scenario's file, kept in the store
        if restored is not None:
            _new_upload(restored.name, restored.data, None, max_mb)
            upload = st.session_state.get(session.UPLOAD)
    sheet_error: DataError | None = None
    if upload is None:
        if data_in.get("source") == "upload" and data_in.get("file_name"):
            st.info(f"This plan used **{data_in['file_name']}** (fingerprint {str(data_in.get('digest'))[:16]}), "
                    "which is not kept on this server: upload it again to continue. The same file gets the same "
                    "label, sheet and choices back.", icon=":material/upload_file:")
        else:
            st.info("Upload a file to continue, or switch to a shipped sample.", icon=":material/upload_file:")
    else:
        sheets = upload.get("sheets") or []
        if len(sheets) > 1:
            if st.session_state.get("upload_sheet") not in sheets:
                st.session_state["upload_sheet"] = upload.get("sheet")
            picked = st.selectbox(
                "Sheet", sheets, key="upload_sheet",
                help=f"The workbook has {len(sheets)} sheets; the one holding the table is read. It starts at the "
                     "sheet intake would read: the first, or the first that holds a table.")
            if picked != upload.get("sheet"):
                sheet_error = _change_sheet(upload, picked, max_mb)
        rows = upload.get("production_pool_rows") or len(upload["frame"])
        st.caption(f":material/description: Using **{upload['file_name']}**"
                   + (f", sheet '{upload['sheet']}'" if len(sheets) > 1 else "") + f" ({rows:,} rows)"
                   + ("; upload another file above to replace it." if up is None else "."))
    if upload is not None and sheet_error is not None:
        views.show_error(sheet_error)
        data_in = {**data_in, "source": "upload"}
    elif upload is not None:
        frame = upload["frame"]
        cols = [str(c) for c in frame.columns]
        prev_label = data_in.get("label") if data_in.get("file_name") == upload["file_name"] else None
        if prev_label in cols:
            default_label = prev_label
        else:  # the engine's guess, once per file and sheet (it reads every column)
            if "label_guess" not in upload:
                upload["label_guess"] = state.guess_label(frame)
            default_label = upload["label_guess"]
        label = st.selectbox(
            "Label column", cols, index=cols.index(default_label) if default_label in cols else None,
            key="label_column", placeholder="Pick the column that holds the class",
            help="The column that holds each row's class: what the model should learn to predict.")
        roles = data_in.get("roles") if prev_label == label else None
        # The cost column chosen under "Annotators and costs" (its widget state, read before it is drawn) is read as
        # a non-feature from the start, as `labelwise simulate --cost-column` does: intake never judges a price set
        # by class as a label leak, and "drop" for leaking columns cannot remove it.
        chosen_cost = cost_inputs.chosen_column(inputs["config"].get("costs"))
        cost_role = {chosen_cost: "id"} if chosen_cost in cols and chosen_cost != label else {}
        cost_columns = [col for col in cols if col != label]
        # The choices as the widgets below will return them (their state, else the saved scenario's, else the
        # defaults), read first so the file is loaded before the expander decides whether to open.
        saved = state.intake_choices(data_in.get("intake") if data_in.get("source") == "upload" else None)
        choices = {name: st.session_state.get(w[0], saved[name]) for name, w in INTAKE_WIDGETS.items()}
        choices = state.intake_choices(choices)
        report: LoadReport | None = None
        if label is None:
            st.info(NO_LABEL_GUESS, icon=":material/arrow_upward:")
        else:
            try:
                dataset, report = _upload_dataset(upload["digest"], label, _json_key({**(roles or {}), **cost_role}),
                                                  _json_key(choices), upload.get("sheet"))
            except LabelwiseError as exc:
                data_error = exc
                pointer = _fix_pointer(exc)
                views.show_error(exc)  # next to the upload, before the preview
                if pointer:
                    st.info(pointer, icon=":material/lightbulb:")
                if isinstance(exc, LeakageError):
                    st.info("If such a column is what each row costs to label, choose **A column of the data** "
                            "under *Item costs from* and it under *Cost column* in **Annotators and costs** below, "
                            "then run: a cost column is never a feature.", icon=":material/lightbulb:")
            fixable = data_error is not None and _fix_pointer(data_error) is not None
            with st.expander(PROBLEMS + ": rows without a label, rare classes, leaking columns, numeric labels",
                             expanded=fixable or choices != state.INTAKE_DEFAULTS, icon=":material/build:"):
                left, right = st.columns(2)
                for i, (name, (key, text, help_text, names)) in enumerate(INTAKE_WIDGETS.items()):
                    options = list(state.INTAKE_CHOICES[name])
                    (left if i % 2 == 0 else right).radio(
                        text, options, index=options.index(choices[name]), key=key, format_func=names.__getitem__,
                        help=help_text)
        if report is not None:
            upload["production_pool_rows"] = report.production_pool_rows  # a fact of the file, whatever the label
            for note in report.notes:
                if note.code in ("sampled", "extra_pool_sampled"):
                    st.info(note.message, icon=":material/info:")
                else:
                    st.caption((":material/warning: " if note.level != "info" else ":material/info: ") + note.message)
        st.caption(f"Preview of {upload['file_name']} ({len(frame):,} rows, {frame.shape[1]} columns)")
        st.dataframe(frame.head(20), width="stretch", height=240)
        data_in = {"source": "upload", "file_name": upload["file_name"], "label": label,
                   "roles": roles or {}, "digest": upload["digest"], "intake": choices,
                   "production_pool_rows": upload.get("production_pool_rows"), "sheet": upload.get("sheet")}
        data_error_shown = data_error is not None

if data_error is not None:
    if not data_error_shown:
        views.show_error(data_error)
elif dataset is not None:
    counts = dataset.class_counts
    c1, c2, c3 = st.columns(3)
    c1.metric("Labeled rows", f"{len(dataset.frame):,}")
    c2.metric("Classes", f"{len(counts)}", help="; ".join(f"{k}: {v:,}" for k, v in counts.head(12).items()))
    c3.metric("Rows without a label (extra pool)" if dataset.n_extra_pool else "Rows without a label (left out)",
              f"{dataset.n_missing_labels:,}",
              help="Rows whose label is empty; see 'Rows without a label' under the upload for what is done with "
                   "them." if data_in.get("source") == "upload" else "Rows whose label is empty.")
    with st.expander("Column roles (how each column is used; correct them if the guess is wrong)",
                     expanded=data_in.get("source") == "upload"):
        table = dataset.roles_table()
        edited = st.data_editor(
            table, hide_index=True, width="stretch", disabled=["column", "inferred_role", "used"],
            key=f"roles_editor_{data_in.get('source')}_{data_in.get('sample') or data_in.get('label')}",
            column_config={
                "column": st.column_config.TextColumn("Column"),
                "inferred_role": st.column_config.TextColumn("Guessed role"),
                "role": st.column_config.SelectboxColumn(
                    "Role used", options=list(ROLES), required=True,
                    help="numeric: numbers; categorical: a few repeating values; text: free text (TF-IDF); "
                         "datetime: dates; id and constant columns are ignored."),
                "used": st.column_config.CheckboxColumn("Used as a feature"),
            })
        # the cost column's role is the cost choice's, not an override to keep
        overrides = {k: v for k, v in state.role_overrides(edited).items() if k not in cost_role}
        if overrides != (data_in.get("roles") or {}):
            data_in["roles"] = overrides
            try:
                dataset = (_sample_dataset(data_in["sample"], _json_key(overrides)) if source == "sample"
                           else _upload_dataset(data_in["digest"], data_in["label"],
                                                _json_key({**overrides, **cost_role}),
                                                _json_key(data_in["intake"]), data_in.get("sheet"))[0])
            except LabelwiseError as exc:
                dataset = None
                views.show_error(exc)

# ---- 2. money, goal and settings (a form: nothing reruns while typing) -----------------------------------
econ = inputs["economics"]
cfg = inputs["config"]
tgt = inputs["target"]
if data_in.get("source") == "upload" and data_in.get("production_pool_rows"):
    # The business case's pool defaults to every row of the file until the user types their own value.
    pool_now = int(st.session_state.get("production_pool", econ["production_pool"]))
    pool = state.production_pool_default(pool_now, data_in["production_pool_rows"],
                                         inputs["data"].get("production_pool_rows"))
    if pool != pool_now:
        econ["production_pool"] = pool
        # Set through the Session State API: only that sends the new value to the browser. A keyed widget keeps
        # its id when its default changes, so the browser would go on showing (and submitting) the old number.
        st.session_state["production_pool"] = pool
# The pool's input takes its value from session state (set here when absent, e.g. after another page), so the
# line above can change it; giving it a default as well would make Streamlit warn about two sources.
st.session_state.setdefault("production_pool", int(econ["production_pool"]))
st.header("2. Costs and goal", divider="gray")
#: A place under each number input for what is wrong with it. The inputs have no browser min/max on purpose: the
#: browser would refuse a submit without saying why (Run seems to do nothing); the page says it instead.
SLOTS: dict[str, Any] = {}
# Money is in the run's own score: a point of balanced accuracy on imbalanced data (docs/business-case.md).
unit = state.metric_label(state.choose_metric_for(dataset)) if dataset is not None else "accuracy"
modes = ["per_point", "per_error", "error_costs"]
value_mode = st.radio(
    "Value of accuracy given as", modes, key="value_mode", horizontal=True,
    index=modes.index(econ.get("value_mode", "per_point")) if econ.get("value_mode") in modes else 0,
    format_func=lambda m: {"per_point": f"Value per {unit} point",
                           "per_error": "Predictions x cost per wrong prediction",
                           "error_costs": "What each kind of error costs"}[m],
    help="How much a better model is worth: directly, from how many predictions it makes and what one wrong "
         "prediction costs, or from what each kind of error costs (a missed positive, a false alarm, a cost matrix).")
classes = [str(c) for c in np.unique(dataset.y)] if dataset is not None else []
use_matrix = error_cost_inputs.use_matrix_toggle(econ, classes) if value_mode == "error_costs" else False
with st.form("plan_form", border=False):
    a, b, c = st.columns(3)
    cost_per_label = a.number_input(
        "Cost per label ($)", value=float(econ["cost_per_label"]), step=0.05, format="%.2f",
        key="cost_per_label", help="What one human label costs you, e.g. 0.08 on a crowd platform or 2.50 for "
                                   "an expert.")
    SLOTS["cost_per_label"] = a.empty()
    setup_cost = b.number_input(
        "Setup cost ($)", value=float(econ["setup_cost"]), step=100.0, format="%.0f",
        key="setup_cost", help="One-time cost of running active learning: engineering time, tooling. 0 if none.")
    SLOTS["setup_cost"] = b.empty()
    production_pool = c.number_input(
        "Production pool size (items)", value="min", step=1000,
        key="production_pool", help="How many unlabeled items your real project has. Labeling all of them is "
                                    "the second baseline. With an upload it starts at the file's rows (labeled "
                                    "and unlabeled) until you type your own.")
    SLOTS["production_pool"] = c.empty()
    # Only the chosen form of the value of accuracy is shown (the radio sits above the form so the choice shows at
    # once); the other form keeps its last values.
    a, b, c = st.columns(3)
    value_per_point, predictions, cost_per_error = (float(econ["value_per_point"]), float(econ["predictions"]),
                                                    float(econ["cost_per_error"]))
    if value_mode == "per_point":
        value_per_point = a.number_input(
            f"Value per {unit} point ($)", value=float(econ["value_per_point"]), step=100.0,
            format="%.0f", key="value_per_point",
            help=f"Dollars one percentage point of {unit} is worth over the model's life: the score every curve, "
                 "target and stop here is measured in. 0 counts label costs only.")
        SLOTS["value_per_point"] = a.empty()
        cap_col, speed_col = b, c
    elif value_mode == "error_costs":
        cap_col, speed_col = a, b
    else:
        predictions = a.number_input(
            "Predictions over the model's life", value=float(econ["predictions"]), step=10000.0,
            format="%.0f", key="predictions", help="How many predictions the model makes while it is in use.")
        SLOTS["predictions"] = a.empty()
        cost_per_error = b.number_input(
            "Cost per wrong prediction ($)", value=float(econ["cost_per_error"]), step=0.01,
            format="%.2f", key="cost_per_error", help="Rework, refunds, review: what one wrong prediction costs.")
        SLOTS["cost_per_error"] = b.empty()
        cap_col, speed_col = c, st.columns(3)[0]
    budget_cap = cap_col.number_input(
        "Budget cap (labels, 0 = none)", value=int(econ.get("budget_cap") or 0), step=100,
        key="budget_cap", help="The most labels you can buy. A plan stops there even before the target.")
    SLOTS["budget_cap"] = cap_col.empty()
    labels_per_hour = speed_col.number_input(
        "Throughput (labels per hour per annotator)", value=float(econ.get("labels_per_hour") or 0),
        step=10.0, format="%.0f", key="labels_per_hour",
        help="How fast one person labels; gives the time saved. 0 to skip.")
    SLOTS["labels_per_hour"] = speed_col.empty()
    a, b, c = st.columns(3)
    annotators = a.number_input("Annotators", value=int(econ.get("annotators") or 1), step=1,
                                key="annotators", help="People labeling in parallel.")
    SLOTS["annotators"] = a.empty()
    retrain_minutes = a.number_input(
        "Minutes between rounds", value=float(econ.get("retrain_minutes") or 0.0), step=5.0, format="%.0f",
        key="retrain_minutes", help="Retraining and handing out the next batch, while the annotators wait: with the "
                                    "throughput it gives the working days and the schedule of rounds. 0 if instant.")
    SLOTS["retrain_minutes"] = a.empty()
    kinds = list(state.TARGET_KINDS)
    target_kind = b.selectbox(
        "Target", kinds, index=kinds.index(tgt.get("kind", "share_of_ceiling")), key="target_kind",
        format_func=lambda k: state.TARGET_KINDS[k],
        help="The model quality you need. 'Share of the full-data score' compares with a model trained on "
             "every row; 'A fixed score' is an absolute accuracy.")
    target_value = c.number_input(
        "Target value (%)", value=float(tgt.get("value", 0.95)) * 100, step=1.0,
        format="%.1f", key="target_value", help="E.g. 95 = 95% of the full-data score, or 90 = 90% accuracy.")
    SLOTS["target_value"] = c.empty()
    error_costs = (error_cost_inputs.render(econ, SLOTS, classes, use_matrix=use_matrix)
                   if value_mode == "error_costs" else error_cost_inputs.time_value_inputs(econ, SLOTS))

    with st.expander("Annotators and costs"):  # one section: who labels (and how well) and what a label costs
        noise_raw = annotator_inputs.annotator_inputs(cfg, SLOTS)
        typed_costs = cost_inputs.cost_inputs(cfg.get("costs"), dataset, cost_columns)

    with st.expander("Advanced simulation settings"):
        a, b, c = st.columns(3)
        models = list(MODELS)
        model = a.selectbox("Model", models, index=models.index(cfg.get("model", "logreg")), key="model",
                            format_func=lambda m: f"{m}: {MODELS[m]}",
                            help="The classifier trained in every round.")
        options = [s for s in STRATEGIES if s != "random"]
        strategies = b.multiselect(
            "Strategies (random is always included)", options,
            default=[s for s in cfg.get("strategies", []) if s in options], key="strategies",
            format_func=lambda s: s.replace("_", " "),
            help="; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in STRATEGIES.items()))
        seeds = c.number_input("Repetitions (seeds)", value=int(cfg.get("seeds", DEFAULT_SEEDS)),
                               key="seeds", help="Each repetition draws its own test split and starting labels; "
                                                 "more repetitions give narrower ranges but take longer.")
        SLOTS["seeds"] = c.empty()
        a, b, c = st.columns(3)
        initial = a.number_input("Initial labels", value=int(cfg.get("initial_labels", 20)),
                                 key="initial_labels",
                                 help="Randomly chosen labeled rows the model starts from (at least one per class).")
        SLOTS["initial_labels"] = a.empty()
        budget = b.number_input("Cap on labels to simulate (0 = none)", value=int(econ.get("max_labels") or 0),
                                step=100, key="budget",
                                help="Optional. Without a cap the simulation keeps adding labels until random "
                                     "sampling reaches the target and labels stop paying for themselves (or the "
                                     "pool is used up); anything beyond a cap is read off fitted curves and marked "
                                     "extrapolated.")
        SLOTS["budget"] = b.empty()
        test_share = c.number_input("Test share (%)", value=float(cfg.get("test_share", 0.25)) * 100, step=5.0,
                                    key="test_share",
                                    help="Rows held out to measure accuracy; never labeled or queried.")
        SLOTS["test_share"] = c.empty()
        a, b, c = st.columns(3)
        schedule = a.radio("Batch schedule", ["growth", "fixed"], key="schedule",
                           index=0 if cfg.get("batch_size") is None else 1,
                           format_func=lambda s: {"growth": "Growing batches", "fixed": "Fixed batch size"}[s],
                           help="Growing: each round adds a share of the labeled set (fast, even on a log "
                                "axis). Fixed: the same number of labels every round.")
        growth = b.number_input("Growth per round (%)", value=float(cfg.get("growth", 0.2)) * 100, step=5.0,
                                key="growth",
                                help="With growing batches: 20 means each batch adds 20% of the labeled set.")
        SLOTS["growth"] = b.empty()
        batch_size = c.number_input("Batch size (labels)", value=int(cfg.get("batch_size") or 20),
                                    key="batch_size", help="With a fixed batch size: labels added per round.")
        SLOTS["batch_size"] = c.empty()
        weights = list(CLASS_WEIGHTS)
        class_weight = a.selectbox(
            "Class weights", weights, index=weights.index(cfg.get("class_weight", "auto")), key="class_weight",
            format_func=lambda w: {"auto": "Automatic (balanced on imbalanced data)", "balanced": "Balanced",
                                   "none": "None"}[w],
            help="Balanced weights make the model pay as much attention to a rare class as to a common one. "
                 "Automatic uses them when the data is imbalanced (the score is then balanced accuracy), so random "
                 "sampling is not judged with a model that only predicts the majority class.")
    submitted = st.form_submit_button("Run simulation", type="primary", icon=":material/play_arrow:",
                                      # a leak intake refused can still run: choosing the column as the cost
                                      # column (read before intake on the submit's rerun) may be its fix
                                      disabled=dataset is None and not isinstance(data_error, LeakageError))

new_inputs = {
    "data": data_in,
    "economics": {
        "cost_per_label": cost_per_label, "setup_cost": setup_cost, "value_mode": value_mode,
        "value_per_point": value_per_point, "predictions": predictions, "cost_per_error": cost_per_error,
        "production_pool": int(production_pool), "budget_cap": int(budget_cap) or None,
        "labels_per_hour": labels_per_hour or None, "annotators": int(annotators),
        "retrain_minutes": retrain_minutes,
        "max_labels": int(budget) or None, **error_costs,
    },
    "target": {"kind": target_kind, "value": target_value / 100.0},
    "config": {**cfg, "model": model, "strategies": ["random", *strategies], "seeds": int(seeds),
               "initial_labels": int(initial), "test_share": test_share / 100.0,
               "growth": growth / 100.0, "batch_size": int(batch_size) if schedule == "fixed" else None,
               "class_weight": class_weight},
}
if not submitted:
    # Data choices are kept even without a run, so other pages and a return visit see them.
    inputs["data"] = data_in

status = st.container()


problems = state.plan_problems(new_inputs, classes if dataset is not None else None) if submitted else {}
noise_dict, noise_problems = annotator_inputs.check_annotator_inputs(
    noise_raw, annotators=int(annotators), class_names=None if dataset is None else dataset.class_counts.index)
new_inputs["config"]["noise"] = noise_dict
if submitted:
    problems.update(noise_problems)
for key, text in problems.items():
    (SLOTS.get(key) or status).error(text, icon=":material/error:")
# item costs: the engine's checks on the data, each beside its widget under "Annotators and costs"
cost_problems = cost_inputs.cost_problems(typed_costs, dataset) if submitted else {}
cost_inputs.show_cost_problems(cost_problems)
if submitted and not cost_problems:
    costs = cost_inputs.item_costs_from(typed_costs)
    new_inputs["config"]["costs"] = None if costs is None else costs.to_dict()
problems = {**problems, **cost_problems}
if problems:
    with status:
        st.error(f"Nothing was run: {len(problems)} input{'s' if len(problems) > 1 else ''} above "
                 f"need{'' if len(problems) > 1 else 's'} a fix (marked in red). "
                 + ("Some are under *Advanced simulation settings*. "
                    if set(problems) & {"seeds", "initial_labels", "budget", "test_share", "growth", "batch_size"}
                    else "")
                 + ("Some are under *Annotators and costs*. " if cost_problems
                    or set(problems) & set(annotator_inputs.WIDGET_FOR) else ""), icon=":material/error:")
elif submitted and dataset is None:
    with status:
        st.error("Nothing was run: there is no usable data yet; fix the data above first.", icon=":material/error:")
if submitted and dataset is not None and not problems:
    plan_run.run_and_analyse(dataset, new_inputs, status)

a = session.analysis()
if a is not None:
    info = st.session_state.get(session.RUN_INFO) or {}
    with status:
        st.subheader("Latest result")
        views.verdict_box(a)
        if a.get("plan"):
            views.plan_box(a)
            views.costs_box(a)
        elif a.get("business"):
            views.headline_metrics(a["business"])
        if info:
            st.caption(("Served from cache." if info.get("from_cache") else
                        f"Simulated in {info.get('seconds', 0):.1f} s.") +
                       f" Data: {a['dataset'].get('name')}, {a['dataset'].get('n_rows'):,} rows.")
        cols = st.columns(3)
        session.link("app_pages/results.py", "See the evidence", ":material/show_chart:", cols[0])
        session.link("app_pages/business.py", "See the business case", ":material/payments:", cols[1])
        session.link("app_pages/scenarios.py", "Save and share", ":material/bookmarks:", cols[2])
