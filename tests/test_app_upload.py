"""AppTest of the Plan page's upload: intake's choices for a file's problems, their errors, and what they save.

AppTest cannot drive ``st.file_uploader``, so each test puts the upload into session state as the page
keeps it (``session.UPLOAD``: name, digest, bytes and the preview frame), as test_app_plan.py does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import session, state, uploads
from dashboard.testing import set_small_run
from simulations.datasets import load_sample_frame

PLAN = str(Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "plan.py")
PROBLEMS = "If the file has problems"


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    state.clear_cache()


def _upload(frame: pd.DataFrame, name: str = "data.csv") -> dict:
    data = frame.to_csv(index=False).encode()
    return {"digest": hashlib.sha256(data).hexdigest()[:16], "file_name": name, "raw": data,
            "frame": state.read_table(name, data)}


def _open(upload: dict, data: dict | None = None, economics: dict | None = None) -> AppTest:
    """The Plan page opened on an upload (as after a previous visit chose 'Upload my data')."""
    inputs = state.default_inputs()
    inputs["data"] = data or {"source": "upload"}
    inputs["economics"].update(economics or {})
    at = AppTest.from_file(PLAN, default_timeout=120)
    at.session_state[session.UPLOAD] = upload
    at.session_state[session.INPUTS] = inputs
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="data_source").value == "upload"
    return at


def _loaded(at: AppTest):
    """(Dataset, LoadReport) the page built from the upload (its per-session memo holds one entry)."""
    (value,) = at.session_state["lw_upload_datasets"].values()
    assert not isinstance(value, Exception), value
    return value


def _problems(at: AppTest):
    (exp,) = [e for e in at.expander if e.label.startswith(PROBLEMS)]
    return exp


def test_rare_class_error_names_it_then_merge_loads_an_other_class_and_survives_a_rerun():
    frame = load_sample_frame("penguins")
    frame.loc[:2, "species"] = "Tiny"  # 3 rows
    frame.loc[3:5, "species"] = "Stray"  # 3 more: 'other' gets 6, enough to keep
    at = _open(_upload(frame))
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "'Tiny' (3 rows)" in errors[0] and "How to fix it" in errors[0]
    assert any("Merge into 'other'" in i.value and PROBLEMS in i.value for i in at.info)  # points at the control
    assert _problems(at).proto.expanded  # opened by itself
    assert at.radio(key="intake_rare_classes").value == "error"  # the CLI's default
    assert at.button[0].disabled

    at.radio(key="intake_rare_classes").set_value("merge").run()
    assert not at.exception and not at.error
    ds, report = _loaded(at)
    assert ds.class_counts["other"] == 6 and "Tiny" not in ds.class_counts
    assert report.check.changed_classes == {"Tiny": "merged into 'other'", "Stray": "merged into 'other'"}
    assert any("Merged 2 rare class(es)" in c.value for c in at.caption)  # intake's note is shown
    assert at.session_state[session.INPUTS]["data"]["intake"]["rare_classes"] == "merge"
    assert not at.button[0].disabled

    at.run()  # an unrelated rerun keeps the choice and the dataset
    assert at.radio(key="intake_rare_classes").value == "merge" and not at.error
    assert _loaded(at)[0].class_counts["other"] == 6

    at.radio(key="intake_rare_classes").set_value("drop").run()
    ds, _ = _loaded(at)
    assert "other" not in ds.class_counts and len(ds.frame) == len(frame) - 6


def test_saved_choices_reopen_the_scenario_the_same_way():
    frame = load_sample_frame("penguins")
    frame.loc[:2, "species"] = "Tiny"
    frame.loc[3:6, "species"] = "Stray"  # 3 + 4 rows: 'other' gets 7
    up = _upload(frame, "tiny.csv")
    saved = {"source": "upload", "file_name": "tiny.csv", "label": "species", "roles": {},
             "intake": {"rare_classes": "merge", "unlabeled": "pool", "leakage": "bogus"}}  # bogus: old/hand-edited
    at = _open(up, data=saved)
    assert not at.error
    assert at.radio(key="intake_rare_classes").value == "merge" and at.radio(key="intake_unlabeled").value == "pool"
    assert at.radio(key="intake_leakage").value == "error"  # an unknown value falls back to the default
    assert _problems(at).proto.expanded  # non-default choices are visible
    assert _loaded(at)[0].class_counts["other"] == 7
    assert at.session_state[session.INPUTS]["data"]["intake"] == {
        "unlabeled": "pool", "rare_classes": "merge", "leakage": "error", "label_type": "auto"}


def test_unlabeled_rows_as_extra_pool_reach_the_dataset_and_the_run():
    frame = load_sample_frame("penguins")
    frame.loc[frame.index[::9], "species"] = np.nan  # 39 rows without a label
    n_unlabeled = int(frame["species"].isna().sum())
    at = _open(_upload(frame))
    assert at.radio(key="intake_unlabeled").value == "exclude"
    ds, _ = _loaded(at)
    assert ds.n_extra_pool == 0 and ds.n_missing_labels == n_unlabeled
    assert {m.label: m.value for m in at.metric}["Rows without a label (left out)"] == str(n_unlabeled)

    at.radio(key="intake_unlabeled").set_value("pool").run()
    ds, report = _loaded(at)
    assert ds.n_extra_pool == n_unlabeled and len(ds.frame) == len(frame) - n_unlabeled
    assert report.check.unlabeled == "pool"
    assert {m.label: m.value for m in at.metric}["Rows without a label (extra pool)"] == str(n_unlabeled)
    set_small_run(at, budget=40, growth_pct=50.0)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state[session.RESULT].meta["n_extra_pool"] == n_unlabeled
    assert at.session_state[session.INPUTS]["data"]["intake"]["unlabeled"] == "pool"  # saved with the run


def test_leaking_column_error_then_drop_removes_it():
    frame = load_sample_frame("penguins")
    frame["species_code"] = frame["species"].map({"Adelie": 1, "Gentoo": 2, "Chinstrap": 3})
    at = _open(_upload(frame))
    assert any("species_code" in e.value and "leak" in e.value for e in at.error)
    assert any("Drop the column" in i.value for i in at.info)
    assert _problems(at).proto.expanded
    at.radio(key="intake_leakage").set_value("drop").run()
    assert not at.error
    ds, report = _loaded(at)
    assert "species_code" not in ds.frame.columns and report.check.dropped_columns == {
        "species_code": "leaks the label"}
    assert "island" in ds.frame.columns  # only the leaking column goes


def test_numeric_class_codes_need_the_categorical_label_type():
    frame = load_sample_frame("penguins").drop(columns="species")
    frame["group"] = np.arange(len(frame)) % 25 + 100  # 25 numeric codes, about 14 rows each
    # Never the default (25 numbers look like a measurement): the user picks it.
    at = _open(_upload(frame), data={"source": "upload", "file_name": "data.csv", "label": "group"})
    assert at.selectbox(key="label_column").value == "group"
    assert any("looks like a measured number" in e.value for e in at.error)
    (pointer,) = [i.value for i in at.info if "Class codes (categorical)" in i.value]
    # The class column first, the class codes second and only for codes.
    assert pointer.startswith("Pick the column that holds the class in **Label column** above (**sex** looks")
    assert "Only if these numbers are codes of classes: choose **Class codes (categorical)**" in pointer
    at.radio(key="intake_label_type").set_value("categorical").run()
    assert not at.error
    assert len(_loaded(at)[0].class_counts) == 25


def test_the_default_label_is_the_engines_guess_never_a_price_in_the_last_column():
    frame = load_sample_frame("penguins").drop(columns=["island", "sex"]).rename(columns={"species": "penguin"})
    frame["price"] = np.random.default_rng(0).gamma(2.0, 30.0, len(frame)).round(2)  # last, 300+ numbers
    at = _open(_upload(frame))
    assert at.selectbox(key="label_column").value == state.guess_label(frame) == "penguin"
    assert not at.error and not at.button[0].disabled
    assert at.session_state[session.INPUTS]["data"]["label"] == "penguin"


def test_without_a_class_like_column_the_user_picks_the_label_and_is_told_why():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"order": [f"o{i}" for i in range(300)], "weight": rng.normal(size=300),
                          "price": rng.gamma(2.0, 30.0, 300).round(2)})
    at = _open(_upload(frame))
    assert state.guess_label(frame) is None and at.selectbox(key="label_column").value is None
    assert not at.error and any(i.value.startswith("No column looks like a class label") for i in at.info)
    assert at.button[0].disabled
    assert at.session_state[session.INPUTS]["data"]["label"] is None
    at.selectbox(key="label_column").set_value("price").run()  # picked anyway: intake's error, class column first
    assert not at.exception and any("looks like a measured number (e.g. a price)" in e.value for e in at.error)
    (pointer,) = [i.value for i in at.info if "Label column" in i.value]
    assert pointer.startswith("Pick the column that holds the class in **Label column** above.")
    assert pointer.index("Label column") < pointer.index("Class codes (categorical)")


def test_errors_no_choice_fixes_leave_the_expander_closed():
    frame = load_sample_frame("penguins")
    frame["one"] = "x"
    at = _open(_upload(frame), data={"source": "upload", "file_name": "data.csv", "label": "one"})
    assert any("needs at least 2 classes" in e.value for e in at.error)
    assert not any(PROBLEMS in i.value for i in at.info)  # no pointer at a control that would not help
    assert not _problems(at).proto.expanded


def test_production_pool_defaults_to_the_files_rows_until_the_user_types_one():
    frame = load_sample_frame("penguins")
    frame.loc[:29, "species"] = np.nan  # every data row counts, labeled or not
    at = _open(_upload(frame))
    assert at.number_input(key="production_pool").value == len(frame) == 344
    # another file: the value filled in from the first one follows the new file
    bigger = pd.concat([frame, frame], ignore_index=True)
    at.session_state[session.UPLOAD] = _upload(bigger, "bigger.csv")
    at.run()
    assert at.number_input(key="production_pool").value == 688
    # a value the user typed (and ran with) is kept when a file is uploaded
    typed = _open(_upload(frame), economics={"production_pool": 1234})
    assert typed.number_input(key="production_pool").value == 1234


def _shown(at: AppTest, key: str, before: float) -> float:
    """The number a browser shows in a keyed input: its value is sent only when set through session state; else
    the browser keeps what it showed (a keyed widget keeps its id when its default changes)."""
    proto = at.number_input(key=key).proto
    return proto.value if proto.set_value else before


def test_production_pool_follows_an_upload_in_the_browser_at_once():
    at = AppTest.from_file(PLAN, default_timeout=120).run()  # the sample first: the field shows the default
    shown = _shown(at, "production_pool", float("nan"))
    assert shown == state.default_economics()["production_pool"]
    at.radio(key="data_source").set_value("upload").run()
    frame = load_sample_frame("penguins")
    at.session_state[session.UPLOAD] = _upload(frame, "p.csv")
    at.run()  # the file is read in this run: the field must show its rows now, not after leaving the page
    shown = _shown(at, "production_pool", shown)
    assert shown == at.number_input(key="production_pool").value == 344
    at.run()
    assert _shown(at, "production_pool", shown) == 344
    at.selectbox(key="label_column").set_value("island").run()  # another label, same file: same rows
    assert _shown(at, "production_pool", shown) == 344


def test_sampling_notice_is_shown_as_info(monkeypatch):
    monkeypatch.setattr(uploads, "UPLOAD_MAX_ROWS", 200)  # penguins' 344 labeled rows get sampled
    at = _open(_upload(load_sample_frame("penguins")))
    assert not at.error
    assert any("stratified random sample of 200 of the 344 labeled rows" in i.value for i in at.info)
    assert len(_loaded(at)[0].frame) == 200
    assert at.number_input(key="production_pool").value == 344  # the full file, not the sample


def test_upload_types_cover_every_format_intake_reads(tmp_path):
    frame = load_sample_frame("penguins").head(40)
    files = {
        "d.csv": frame.to_csv(index=False).encode(), "d.tsv": frame.to_csv(index=False, sep="\t").encode(),
        "d.txt": frame.to_csv(index=False, sep=";").encode(), "d.jsonl": frame.to_json(orient="records",
                                                                                     lines=True).encode(),
    }
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_excel(tmp_path / "d.xlsx", index=False)
    frame.to_csv(tmp_path / "d.csv.gz", index=False)
    for name in ("d.parquet", "d.xlsx", "d.csv.gz"):
        files[name] = (tmp_path / name).read_bytes()
    for name, data in files.items():
        ext = name.rsplit(".", 1)[1]
        assert ext in state.UPLOAD_TYPES, name
        assert state.read_table(name, data).shape == frame.shape, name


def _xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    import io

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    return buf.getvalue()


def _upload_bytes(data: bytes, name: str) -> dict:
    """session.UPLOAD as the page keeps it after reading a file (full SHA-256, sheet and sheets)."""
    table = state.read_upload(name, data)
    return {"digest": hashlib.sha256(data).hexdigest(), "file_name": name, "raw": data, "frame": table.frame,
            "sheet": table.sheet, "sheets": table.sheets}


ABOUT = pd.DataFrame({"info": ["exported 2024", "do not edit"]})


def test_a_workbook_with_a_cover_sheet_opens_on_the_table_and_offers_the_sheets():
    frame = load_sample_frame("penguins")
    book = _xlsx({"About": ABOUT, "Data": frame})
    table = state.read_upload("book.xlsx", book)  # the first sheet is no table: the first that is
    assert table.sheet == "Data" and table.sheets == ["About", "Data"] and len(table.frame) == 344
    at = _open(_upload_bytes(book, "book.xlsx"))
    assert not at.error
    assert at.selectbox(key="upload_sheet").options == ["About", "Data"]
    assert at.selectbox(key="upload_sheet").value == "Data"
    assert _loaded(at)[1].read.sheet == "Data"
    assert at.session_state[session.INPUTS]["data"]["sheet"] == "Data"  # saved with the scenario's inputs
    assert any("Using **book.xlsx**, sheet 'Data' (344 rows)" in c.value for c in at.caption)
    at.selectbox(key="upload_sheet").set_value("About").run()  # a sheet without a table: said, not a traceback
    assert not at.exception and any("Sheet 'About' of book.xlsx has 1 column(s)" in e.value for e in at.error)
    at.selectbox(key="upload_sheet").set_value("Data").run()
    assert not at.error and _loaded(at)[1].read.sheet == "Data"


def test_two_sheets_with_tables_switch_the_data_and_the_label_choice():
    frame = load_sample_frame("penguins")
    book = _xlsx({"2023": frame, "2024": frame.head(200)})
    at = _open(_upload_bytes(book, "years.xlsx"))
    assert at.selectbox(key="upload_sheet").value == "2023" and len(_loaded(at)[0].frame) == 344
    at.selectbox(key="upload_sheet").set_value("2024").run()
    assert not at.error and len(_loaded(at)[0].frame) == 200 and _loaded(at)[1].read.sheet == "2024"
    assert at.session_state[session.INPUTS]["data"]["sheet"] == "2024"


def test_intake_errors_show_dashboard_words_only():
    """The trial's messages: no Python keyword or call in what the page shows for intake errors."""
    frame = load_sample_frame("penguins")
    leak = frame.assign(species_code=frame["species"].map({"Adelie": 1, "Gentoo": 2, "Chinstrap": 3}))
    numeric = frame.drop(columns="species").assign(group=np.arange(len(frame)) % 25 + 100)
    rare = frame.copy()
    rare.loc[:2, "species"] = "Tiny"
    for df, label in ((leak, "species"), (numeric, "group"), (rare, "species")):
        at = _open(_upload(df), data={"source": "upload", "file_name": "data.csv", "label": label})
        shown = [e.value for e in at.error] + [i.value for i in at.info]
        assert shown and not any(("='" in t) or ("bin_label(" in t) or ("--" in t) for t in shown), shown


def test_a_tiny_file_says_it_is_too_small_and_offers_no_choice():
    tiny = load_sample_frame("penguins").groupby("species").head(4).reset_index(drop=True)  # 12 rows, 3 x 4
    at = _open(_upload(tiny, "tiny.csv"))
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "too small to simulate: 12 labeled rows in 3 classes" in errors[0]
    assert not any(PROBLEMS in i.value for i in at.info)  # no pointer at merge or drop
    assert not _problems(at).proto.expanded and at.button[0].disabled


def test_production_pool_default_rule():
    default = state.default_economics()["production_pool"]
    assert state.production_pool_default(default, 344) == 344
    assert state.production_pool_default(344, 688, previous_file_rows=344) == 688
    assert state.production_pool_default(1234, 688, previous_file_rows=344) == 1234
    assert state.production_pool_default(1234, 688) == 1234


def test_a_saved_upload_scenario_reopens_with_its_file_in_a_fresh_session(tmp_path):
    from dashboard.store import ScenarioStore, file_digest

    frame = load_sample_frame("penguins")
    up = _upload_bytes(frame.to_csv(index=False).encode(), "mine.csv")
    at = _open(up)
    set_small_run(at, budget=40, growth_pct=50.0)
    at.button[0].click().run()
    assert not at.exception and session.RESULT in at.session_state
    # Save on the Scenarios page, in the same session (its store keeps this session's upload with the scenario).
    scen = AppTest.from_file(str(Path(PLAN).with_name("scenarios.py")), default_timeout=60)
    for key in (session.RESULT, session.ANALYSIS, session.INPUTS, session.UPLOAD):
        scen.session_state[key] = at.session_state[key]
    scen.run()
    scen.text_input(key="save_name").set_value("mine").run()
    scen.button(key="FormSubmitter:save_form-Save scenario").click().run()
    assert not scen.exception, scen.exception
    (saved,) = ScenarioStore().list()
    sc = ScenarioStore().get(saved.id)
    assert ScenarioStore().get_file(file_digest(sc.inputs)).data == up["raw"]

    # A fresh browser: "Open in the planner" puts only the saved inputs into the session.
    fresh = AppTest.from_file(PLAN, default_timeout=120)
    fresh.session_state[session.INPUTS] = sc.inputs
    fresh.run()
    assert not fresh.exception and not fresh.error
    assert any("Using **mine.csv** (344 rows); upload another file above to replace it." in c.value
               for c in fresh.caption)
    assert fresh.selectbox(key="label_column").value == "species" and not fresh.button[0].disabled
    fresh.button[0].click().run()
    assert not fresh.exception and fresh.session_state[session.ANALYSIS]["dataset"]["name"] == "mine.csv"


def test_an_upload_scenario_without_its_file_names_the_file_to_upload_again():
    data = {"source": "upload", "file_name": "gone.csv", "label": "species", "digest": "ab" * 32}
    at = AppTest.from_file(PLAN, default_timeout=60)
    inputs = state.default_inputs()
    inputs["data"] = data
    at.session_state[session.INPUTS] = inputs
    at.run()
    assert not at.exception
    assert any("**gone.csv** (fingerprint abababababababab)" in i.value and "upload it again" in i.value
               for i in at.info)


SCENARIOS = str(Path(PLAN).with_name("scenarios.py"))
CARRIED = (session.INPUTS, session.RESULT, session.ANALYSIS, session.RUN_INFO, session.UPLOAD, session.UPLOAD_MEMO,
           session.LOADED)


def _next_page(at: AppTest, page: str) -> AppTest:
    """Another page of the same browser session: the session's plan, results and upload carried over."""
    nxt = AppTest.from_file(page, default_timeout=120)
    for key in CARRIED:
        if key in at.session_state:
            nxt.session_state[key] = at.session_state[key]
    return nxt.run()


def _save_scenario(at: AppTest, name: str) -> None:
    """Save the session's run on the Scenarios page (the store keeps the session's upload with it)."""
    scen = _next_page(at, SCENARIOS)
    scen.text_input(key="save_name").set_value(name).run()
    scen.button(key="FormSubmitter:save_form-Save scenario").click().run()
    assert not scen.exception, scen.exception


def test_opening_a_scenario_replaces_another_upload_with_its_kept_file_and_run_uses_it():
    """Session 1 saves a run on a.csv; session 2, which uploaded b.csv, opens it: Plan, Run and Results are a.csv."""
    from dashboard.store import ScenarioStore, file_digest

    frame = load_sample_frame("penguins")
    a_up = _upload_bytes(frame.to_csv(index=False).encode(), "a.csv")
    first = _open(a_up)
    set_small_run(first, budget=40, growth_pct=50.0)
    first.button[0].click().run()
    assert not first.exception
    _save_scenario(first, "A")
    (listed,) = ScenarioStore().list()
    sc = ScenarioStore().get(listed.id)
    assert file_digest(sc.inputs) == a_up["digest"] and ScenarioStore().file_hashes() == [a_up["digest"]]

    # Session 2 uploaded b.csv (200 rows) and read it through intake.
    b_up = _upload_bytes(frame.head(200).to_csv(index=False).encode(), "b.csv")
    b_up["file_id"] = "uploader-b"
    second = _open(b_up)
    assert any("Using **b.csv** (200 rows)" in c.value for c in second.caption)
    assert session.UPLOAD_MEMO in second.session_state
    scen = _next_page(second, SCENARIOS)
    scen.button(key="open_btn").click().run()
    assert not scen.exception, scen.exception
    assert session.UPLOAD not in scen.session_state and session.UPLOAD_MEMO not in scen.session_state
    assert scen.session_state[session.DROPPED_FILE_ID] == "uploader-b"
    assert any("runs it on **a.csv**, as saved" in c.value for c in scen.caption)

    plan = _next_page(scen, PLAN)
    assert not plan.exception and not plan.error
    assert any("Using **a.csv** (344 rows)" in c.value for c in plan.caption)
    assert not any("b.csv" in c.value for c in plan.caption)
    assert plan.session_state[session.INPUTS]["data"]["digest"] == a_up["digest"]
    assert plan.session_state[session.UPLOAD]["raw"] == a_up["raw"]  # restored from the store
    results = _next_page(plan, str(Path(PLAN).with_name("results.py")))
    assert any("Data: a.csv (" in c.value for c in results.caption)
    plan.button[0].click().run()
    assert not plan.exception
    d = plan.session_state[session.ANALYSIS]["dataset"]
    assert (d["name"], d["fingerprint"]) == ("a.csv", sc.dataset_fingerprint)
    assert len(_loaded(plan)[0].frame) == len(_loaded(first)[0].frame)  # the rows session 1 ran on, not b.csv's 200


def _a_csv_scenario_inputs() -> tuple[pd.DataFrame, bytes, str, dict]:
    """Penguins as a.csv: (frame, its bytes, their SHA-256, Plan inputs of a scenario on that upload)."""
    frame = load_sample_frame("penguins")
    a_raw = frame.to_csv(index=False).encode()
    a_sha = hashlib.sha256(a_raw).hexdigest()
    inputs = state.default_inputs()
    inputs["data"] = {"source": "upload", "file_name": "a.csv", "label": "species", "digest": a_sha, "intake": {}}
    return frame, a_raw, a_sha, inputs


def test_opening_a_scenario_whose_file_is_not_kept_drops_another_upload_and_asks_for_the_file():
    from dashboard.store import ScenarioStore

    frame, _, a_sha, inputs = _a_csv_scenario_inputs()
    ScenarioStore().save("A", inputs=inputs, payload={}, dataset_name="a.csv", dataset_fingerprint="fp")  # no file
    second = _open(_upload_bytes(frame.head(200).to_csv(index=False).encode(), "b.csv"))
    scen = _next_page(second, SCENARIOS)
    scen.button(key="open_btn").click().run()
    assert session.UPLOAD not in scen.session_state
    assert any(f"**a.csv** (fingerprint {a_sha[:16]}), is not kept" in i.value for i in scen.info)
    plan = _next_page(scen, PLAN)
    assert not plan.exception
    assert any(f"**a.csv** (fingerprint {a_sha[:16]})" in i.value and "upload it again" in i.value
               for i in plan.info)
    assert not any("b.csv" in c.value for c in plan.caption) and plan.button[0].disabled
    assert plan.session_state[session.INPUTS]["data"]["digest"] == a_sha  # still the scenario's file


def test_opening_a_scenario_on_the_uploaded_file_keeps_it_even_with_an_old_short_digest():
    from dashboard.store import ScenarioStore

    frame = load_sample_frame("penguins")
    up = _upload_bytes(frame.to_csv(index=False).encode(), "a.csv")
    inputs = state.default_inputs()
    inputs["data"] = {"source": "upload", "file_name": "a.csv", "label": "island", "digest": up["digest"][:16]}
    ScenarioStore().save("old", inputs=inputs, payload={}, dataset_name="a.csv", dataset_fingerprint="fp")
    second = _open(up)
    scen = _next_page(second, SCENARIOS)
    scen.button(key="open_btn").click().run()
    assert scen.session_state[session.UPLOAD]["raw"] == up["raw"]  # the same bytes: nothing to upload again
    plan = _next_page(scen, PLAN)
    assert any("Using **a.csv** (344 rows)" in c.value for c in plan.caption)
    assert plan.selectbox(key="label_column").value == "island"  # the scenario's label, on the session's file


def test_a_file_the_uploader_still_holds_does_not_come_back_after_a_scenario_replaced_it():
    """If the Plan page's uploader still holds b.csv when a scenario on a.csv was opened, a.csv stays the data."""
    from dashboard.store import DataFile, ScenarioStore

    frame, a_raw, a_sha, inputs = _a_csv_scenario_inputs()
    store = ScenarioStore(file_source=lambda h: DataFile.of("a.csv", a_raw) if h == a_sha else None)
    sc = store.save("A", inputs=inputs, payload={}, dataset_name="a.csv", dataset_fingerprint="fp")
    at = _open(_upload_bytes(frame.head(200).to_csv(index=False).encode(), "b.csv"))
    at.file_uploader(key="upload_file").set_value(("b.csv", frame.head(200).to_csv(index=False).encode(),
                                                   "text/csv")).run()
    assert at.session_state[session.UPLOAD]["file_id"] is not None  # the uploader's file took over
    # 'Open in the planner' on the Scenarios page of this session (an AppTest per page: its state is carried back)
    scen = _next_page(at, SCENARIOS)
    scen.button(key="open_btn").click().run()
    assert scen.session_state[session.LOADED] == sc.id and session.UPLOAD not in scen.session_state
    for key in (session.INPUTS, session.ANALYSIS, session.DROPPED_FILE_ID):
        at.session_state[key] = scen.session_state[key]
    del at.session_state[session.UPLOAD]
    at.run()
    assert not at.exception
    assert any("Using **a.csv** (344 rows)" in c.value for c in at.caption)
    assert at.session_state[session.INPUTS]["data"]["file_name"] == "a.csv"


def test_same_file_compares_full_digests_and_old_prefixes():
    full = hashlib.sha256(b"x").hexdigest()
    other = hashlib.sha256(b"y").hexdigest()
    assert session.same_file(full, full) and session.same_file(full[:16], full) and session.same_file(full, full[:16])
    assert not session.same_file(full, other) and not session.same_file(full[:16], other)
    assert not session.same_file(full[:8], full) and not session.same_file(None, full) and not session.same_file("", "")
    assert session.same_file("d1", "d1")  # equal digests of any length (tests and hand-made inputs use short ones)


#: A price per label set by class: a one-to-one recoding of the label, which intake refuses as a feature.
CLASS_PRICE = {"Adelie": 1.0, "Chinstrap": 4.0, "Gentoo": 0.5}


def _priced_penguins() -> pd.DataFrame:
    frame = load_sample_frame("penguins")
    frame["price"] = frame["species"].map(CLASS_PRICE)
    return frame


def test_a_price_set_by_class_is_a_leak_until_it_is_chosen_as_the_cost_column_then_it_runs_as_the_cli_does():
    at = _open(_upload(_priced_penguins()))
    # without the cost choice the price is judged as a feature: a label leak, the run cannot use it
    assert any("price" in e.value and "leak" in e.value for e in at.error)
    assert any("Cost column" in i.value for i in at.info)  # the page says the cost column fixes it
    assert "price" in at.selectbox(key="cost_column").options  # offered although intake refused the file
    assert not at.button[0].disabled
    set_small_run(at)
    at.selectbox(key="cost_source").set_value("column")
    at.selectbox(key="cost_column").set_value("price")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    ds, _ = _loaded(at)
    assert ds.roles["price"] == "id" and "price" not in ds.feature_columns  # never a feature, as with --cost-column
    result = at.session_state[session.RESULT]
    assert "price" not in result.meta["roles"]  # the engine took it out before building features
    a = at.session_state[session.ANALYSIS]
    assert a["config"]["costs"]["column"] == "price"
    costs = a["plan"]["costs"]
    assert costs["per_label"]["max"] == 4.0 and costs["per_label"]["min"] == 0.5
    tiles = {m.label: m.value for m in at.metric}
    from dashboard import fmt

    assert tiles["Money to target, margin"] == fmt.metric_parts(costs["money_to_target"]["al"], "money")[0]
    # "drop" for leaking columns no longer removes the chosen cost column
    at.radio(key="intake_leakage").set_value("drop").run()
    ds, report = _loaded(at)
    assert "price" in ds.frame.columns and "price" not in report.check.dropped_columns


def test_a_cost_column_of_text_or_one_not_in_the_file_is_refused_beside_the_field_and_nothing_runs():
    frame = load_sample_frame("penguins")
    frame["price"] = np.where(frame["species"] == "Adelie", "cheap", "1.5")
    at = _open(_upload(frame))
    set_small_run(at)
    at.selectbox(key="cost_source").set_value("column")
    at.selectbox(key="cost_column").set_value("price")
    at.button[0].click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("holds text" in e and "'cheap'" in e for e in errors), errors
    assert any(e.startswith("Nothing was run: 1 input above needs a fix") for e in errors), errors
    assert session.ANALYSIS not in at.session_state
    # a saved plan's cost column the file does not have: the field is empty and says to choose one
    saved = state.default_inputs()["config"]
    at = AppTest.from_file(PLAN, default_timeout=120)
    inputs = state.default_inputs()
    inputs["data"] = {"source": "upload"}
    inputs["config"] = {**saved, "costs": {"column": "cost_usd"}}
    at.session_state[session.UPLOAD] = _upload(load_sample_frame("penguins"))
    at.session_state[session.INPUTS] = inputs
    at.run()
    assert at.selectbox(key="cost_source").value == "column" and not at.selectbox(key="cost_column").value
    set_small_run(at)
    at.button[0].click().run()
    errors = [e.value for e in at.error]
    assert any("Choose the column that holds the cost" in e for e in errors), errors
    assert session.ANALYSIS not in at.session_state
