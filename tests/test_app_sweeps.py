"""The Sweeps page and its loader: a tiny real sweep in, the engine's summary out; bad files are messages.

Also the share-link review view: no editors' navigation, a link back to the planner.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from dashboard import state, sweep_data
from dashboard.charts import strategy_label
from dashboard.store import ScenarioStore
from dashboard.testing import small_run
from simulations import ResultsFileError, Target
from simulations.sweep import read_table, run_sweep, sweep_config_from_dict, sweep_overview, sweep_summary

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
SWEEPS = str(ROOT / "dashboard" / "app_pages" / "sweeps.py")
REVIEW = str(ROOT / "dashboard" / "app_pages" / "review.py")
LOAD = "FormSubmitter:sw_folder_form-Load sweep"
#: A target other than the default, so the tests see that the page takes it from sweep.json.
TARGET = Target("share_of_gap", 0.9)


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    """2 shipped datasets x 1 model x 1 schedule x 2 seeds x (random, margin): about a second."""
    out = tmp_path_factory.mktemp("sweep") / "out"
    cfg = sweep_config_from_dict({
        "datasets": ["penguins", "breast_cancer"], "models": ["logreg"], "strategies": ["margin"],
        "schedules": [{"name": "b10", "batch_size": 10, "budget": 50}], "seeds": 2, "initial_labels": 10,
        "max_test_rows": 150, "stop_set_rows": 100, "target": {"kind": TARGET.kind, "value": TARGET.value},
    })
    run_sweep(cfg, out)
    return out


@pytest.fixture(autouse=True)
def sweeps_root(tmp_path_factory, monkeypatch) -> Path:
    """The page reads below the pytest temporary folder, where these tests write their sweeps."""
    from dashboard import access

    root = tmp_path_factory.getbasetemp()
    monkeypatch.setenv(sweep_data.ROOT_ENV, str(root))
    # app.py runs as `make run` starts it: on this machine only, no secret (editing open, with the warning).
    monkeypatch.setattr(access, "_server_address", lambda: "127.0.0.1")
    return root


def _sweeps_page() -> AppTest:
    return AppTest.from_file(SWEEPS, default_timeout=60).run()


def _load(at: AppTest, folder: str | Path) -> AppTest:
    if at.radio(key="sw_source").value != "folder":
        at.radio(key="sw_source").set_value("folder").run()
    at.text_input(key="sw_folder").set_value(str(folder))
    return at.button(key=LOAD).click().run()


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


# ---- the page ------------------------------------------------------------------------------------------------
def test_page_without_a_sweep_explains_how_to_get_one():
    at = _sweeps_page()
    assert not at.exception
    assert any("labelwise sweep" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


def test_page_shows_the_engines_summary_of_a_real_sweep(sweep_dir):
    at = _load(_sweeps_page(), sweep_dir)
    assert not at.exception, at.exception
    assert not _errors(at)
    assert any("2 dataset(s) x 1 model(s)" in s.value for s in at.success)
    # the target comes from sweep.json, and the summary is exactly the engine's for it
    assert at.selectbox(key="sw_target_kind").value == TARGET.kind
    assert at.number_input(key="sw_target_value").value == pytest.approx(100 * TARGET.value)
    expected = sweep_summary(read_table(sweep_dir / "results.csv"), TARGET)
    shown = at.session_state["sw_summary"][1]
    pd.testing.assert_frame_equal(shown.summary, expected)
    winners = at.dataframe[0].value
    overview = sweep_overview(expected)
    assert list(winners["Dataset"]) == list(overview["dataset"])
    assert list(winners["Best strategy"]) == [strategy_label(s) for s in overview["best_strategy"]]
    assert list(winners["Verdict"]) == list(overview["verdict"])
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3  # heat map, learning curves, per seed (+ intervals when a saving is defined)
    # every chart has a title and a how-to-read line, and a caption right below it
    nodes = list(at.main)
    for i, node in enumerate(nodes):
        if node.type == "vega_lite_chart":
            title = json.loads(node.proto.spec)["title"]
            assert title["text"] and title["subtitle"], title
            after = nodes[i + 1] if i + 1 < len(nodes) else None
            assert after is not None and after.type == "caption" and after.value, title["text"]


def test_changing_the_target_recomputes_with_the_engine(sweep_dir):
    at = _load(_sweeps_page(), sweep_dir)
    at.selectbox(key="sw_target_kind").set_value("share_of_ceiling").run()
    at.number_input(key="sw_target_value").set_value(80.0).run()
    assert not at.exception, at.exception
    shown = at.session_state["sw_summary"][1]
    assert shown.target == Target("share_of_ceiling", 0.8)
    pd.testing.assert_frame_equal(shown.summary,
                                  sweep_summary(read_table(sweep_dir / "results.csv"), Target("share_of_ceiling", 0.8)))


@pytest.fixture(scope="module")
def cost_sweep_dir(tmp_path_factory) -> Path:
    """breast_cancer x 3 seeds x (random, margin) with a missed cancer at $40 and a false alarm at $2."""
    out = tmp_path_factory.mktemp("cost_sweep") / "out"
    run_sweep(sweep_config_from_dict({
        "datasets": ["breast_cancer"], "strategies": ["margin"], "seeds": 3, "initial_labels": 10,
        "schedules": [{"name": "b10", "batch_size": 10, "budget": 50}], "max_test_rows": 150, "stop_set_rows": 100,
        "cost_missed_positive": 40, "cost_false_alarm": 2, "positive_class": "malignant", "target_error_cost": 150,
    }), out)
    return out


def test_a_sweep_with_error_costs_is_judged_in_money_and_says_so(cost_sweep_dir):
    from simulations.economics.value_model import COST_SCORE
    from simulations.sweep import read_sweep_settings

    at = _load(_sweeps_page(), cost_sweep_dir)
    assert not at.exception, at.exception
    settings = read_sweep_settings(cost_sweep_dir / "sweep.json")
    assert at.selectbox(key="sw_metric").value == COST_SCORE
    # the target in money came through sweep.json as the error-cost score it means
    assert at.selectbox(key="sw_target_kind").value == "absolute"
    assert at.number_input(key="sw_target_value").value == pytest.approx(round(100 * (1 - 0.15 / 40), 1))
    target = Target("absolute", at.number_input(key="sw_target_value").value / 100)
    shown = at.session_state["sw_summary"][1]
    expected = sweep_summary(read_table(cost_sweep_dir / "results.csv"), target, error_costs=settings.error_costs)
    pd.testing.assert_frame_equal(shown.summary, expected)
    # the note above the overview: which costs, which score
    notes = [i.value for i in at.info if "priced errors" in i.value]
    assert len(notes) == 1 and "a missed malignant costs $40.00, a false alarm $2.00" in notes[0]
    assert "error-cost score" in notes[0] and "per 1,000 predictions" in notes[0]
    winners = at.dataframe[0].value
    assert list(winners["Metric"]) == ["error-cost score"]
    best = expected[expected["best"]].iloc[0]
    assert winners[sweep_data.COST_BEST].iloc[0].startswith(f"${best['error_cost_per_1000']:,.0f}")
    # the cell's detail reads the same score
    titles = [json.loads(c.proto.spec)["title"]["text"] for c in at.get("vega_lite_chart")]
    assert "Learning curves on breast_cancer" in titles
    assert at.session_state["sw_detail"][1].summary.metric == COST_SCORE
    # another metric: judged in it, no money columns, and the note says how to go back
    at.selectbox(key="sw_metric").set_value("accuracy").run()
    assert not at.exception, at.exception
    assert sweep_data.COST_BEST not in at.dataframe[0].value.columns
    assert any("pick the error-cost score" in i.value for i in at.info)
    pd.testing.assert_frame_equal(at.session_state["sw_summary"][1].summary,
                                  sweep_summary(read_table(cost_sweep_dir / "results.csv"), target, "accuracy"))


def test_per_dataset_detail_follows_the_picked_dataset(sweep_dir):
    at = _load(_sweeps_page(), sweep_dir)
    at.selectbox(key="sw_dataset").set_value("breast_cancer").run()
    assert not at.exception, at.exception
    titles = [json.loads(c.proto.spec)["title"]["text"] for c in at.get("vega_lite_chart")]
    assert "Learning curves on breast_cancer" in titles
    at.toggle(key="sw_log").set_value(True).run()
    assert not at.exception


def test_reruns_that_change_nothing_do_not_recompute(sweep_dir, monkeypatch):
    from dashboard import tables

    calls: dict[str, int] = {"detail": 0, "csv": 0}
    real_detail, real_csv = sweep_data.cell_detail, tables.safe_csv

    def detail(*args, **kw):
        calls["detail"] += 1
        return real_detail(*args, **kw)

    def csv(*args, **kw):
        calls["csv"] += 1
        return real_csv(*args, **kw)

    monkeypatch.setattr(sweep_data, "cell_detail", detail)
    monkeypatch.setattr(tables, "safe_csv", csv)
    at = _load(_sweeps_page(), sweep_dir)
    assert not at.exception, at.exception
    assert calls == {"detail": 1, "csv": 0}  # the summary CSV is built when its button is clicked
    at.toggle(key="sw_log").set_value(True).run()
    assert calls["detail"] == 1  # the log scale only redraws
    at.selectbox(key="sw_dataset").set_value("breast_cancer").run()
    assert calls["detail"] == 2
    at.number_input(key="sw_target_value").set_value(80.0).run()
    assert calls["detail"] == 3 and not at.exception


def test_a_model_without_runs_for_the_picked_schedule_is_a_message(sweep_dir, tmp_path):
    # a hand-merged table: logreg ran with b10 only, naive_bayes with b20 only
    table = read_table(sweep_dir / "results.csv")
    table = pd.concat([table, table.assign(model="naive_bayes", schedule="b20")], ignore_index=True)
    table.to_csv(tmp_path / "results.csv", index=False)
    at = _load(_sweeps_page(), tmp_path)
    assert not at.exception, at.exception
    at.selectbox(key="sw_schedule").set_value("b20").run()
    assert not at.exception, at.exception
    assert any("no runs of logreg with the schedule b20" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")
    at.selectbox(key="sw_model").set_value("naive_bayes").run()
    assert not at.exception and at.get("vega_lite_chart")


@pytest.mark.parametrize("content, message", [
    ("just,some\n1,2\n", "is not a sweep results table (missing"),
    ("", "is empty"),
])
def test_a_bad_results_file_is_a_message_not_a_traceback(tmp_path, content, message):
    (tmp_path / "results.csv").write_text(content)
    at = _load(_sweeps_page(), tmp_path)
    assert not at.exception, at.exception
    errors = _errors(at)
    assert len(errors) == 1 and message in errors[0] and "How to fix it" in errors[0]
    assert "sw_loaded" not in at.session_state and not at.get("vega_lite_chart")


def test_a_bad_file_after_a_good_one_replaces_the_view_with_the_message(sweep_dir, tmp_path):
    at = _load(_sweeps_page(), sweep_dir)
    assert at.get("vega_lite_chart")
    at = _load(at, sweep_dir / "summary.csv")
    assert not at.exception
    assert any("is the sweep's summary, not its results table" in e for e in _errors(at))
    assert not at.get("vega_lite_chart")
    at = _load(at, tmp_path / "nope")
    assert any("There is no folder" in e for e in _errors(at))


def test_sweeps_is_in_the_navigation():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/sweeps.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Sweeps")


# ---- the loader ------------------------------------------------------------------------------------------
def test_upload_and_folder_give_the_same_table_and_target(sweep_dir):
    folder = sweep_data.load_folder(str(sweep_dir))
    files = [("results.csv", (sweep_dir / "results.csv").read_bytes()),
             ("sweep.json", (sweep_dir / "sweep.json").read_bytes())]
    up = sweep_data.load_uploads(files)
    pd.testing.assert_frame_equal(up.table, folder.table, check_exact=True)
    pd.testing.assert_frame_equal(folder.table, read_table(sweep_dir / "results.csv"), check_exact=True)
    assert up.target == folder.target == TARGET and up.has_manifest and folder.has_manifest
    assert up.token.split(":")[1] == folder.token.split(":")[1]  # the same content, the same cache entry
    # without sweep.json the engine's default target is used, and said so
    bare = sweep_data.load_uploads(files[:1])
    assert bare.target == Target() and not bare.has_manifest
    # the folder's results.csv itself is accepted too
    assert sweep_data.load_folder(str(sweep_dir / "results.csv")).target == TARGET


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


def test_the_engines_checks_reach_the_page_naming_the_upload(sweep_dir):
    # Which tables are broken is the engine's (tests/test_sweep.py); the loader passes the upload's name and
    # bytes to it and lets its message through.
    table = read_table(sweep_dir / "results.csv")
    with pytest.raises(ResultsFileError, match=r"^my run\.csv has the sweep's columns but no rows") as err:
        sweep_data.load_uploads([("my run.csv", _csv(table.iloc[:0]))])
    assert err.value.hint
    with pytest.raises(ResultsFileError, match=r"^The cell penguins / logreg / b10 of results\.csv has no random"):
        sweep_data.load_uploads([("results.csv", _csv(table[table["strategy"] != "random"]))])
    with pytest.raises(ResultsFileError, match=r"^sweep\.json names an unknown metric 'auc'"):
        sweep_data.load_uploads([("results.csv", _csv(table)),
                                 ("sweep.json", b'{"format": "labelwise-sweep", "config": {"metric": "auc"}}')])


def test_wrong_files_are_named_in_the_message(sweep_dir):
    results = (sweep_dir / "results.csv").read_bytes()
    cases = [
        ([("summary.csv", (sweep_dir / "summary.csv").read_bytes())], "summary, not its results table"),
        ([("results.parquet", b"PAR1")], "results.parquet is not a file a sweep writes"),
        ([("sweep.json", (sweep_dir / "sweep.json").read_bytes())], "No results table among"),
        ([("a.csv", results), ("b.csv", results)], "Several CSV files"),
        ([("results.csv", results), ("sweep.json", b"{not json")], "not valid JSON"),
        ([("results.csv", results), ("sweep.json", b'{"format": "other"}')], "is not a sweep's sweep.json"),
        ([("curve.csv", b"labels,metric\n10,0.5\n20,0.6\n")], "single learning curve"),
    ]
    for files, message in cases:
        with pytest.raises(ResultsFileError, match=re.escape(message)) as err:
            sweep_data.load_uploads(files)
        assert err.value.hint
        assert files[-1][0] in err.value.message  # the upload is named, as the user knows it


def test_folders_that_are_not_finished_sweeps(sweep_dir, tmp_path, monkeypatch):
    unfinished = tmp_path / "unfinished"
    shutil.copytree(sweep_dir / "tasks", unfinished / "tasks")
    n = len(list((sweep_dir / "tasks").glob("*.json")))
    with pytest.raises(ResultsFileError, match=f"not finished: {n} task file") as err:
        sweep_data.load_folder(str(unfinished))
    assert "--resume" in err.value.hint
    with pytest.raises(ResultsFileError, match=r"holds no results\.csv"):
        sweep_data.load_folder(str(tmp_path))
    with pytest.raises(ResultsFileError, match="No folder given"):
        sweep_data.load_folder("  ")
    with pytest.raises(ResultsFileError, match="not a results table"):
        sweep_data.load_folder(str(sweep_dir / "sweep.json"))
    # without a root set, relative paths start at the folder the dashboard was started in, the default root
    monkeypatch.delenv(sweep_data.ROOT_ENV)
    monkeypatch.setattr(sweep_data, "START_DIR", sweep_dir.parent)
    assert sweep_data.load_folder(sweep_dir.name).target == TARGET
    # with a root set, nothing outside it is read
    monkeypatch.setenv(sweep_data.ROOT_ENV, str(tmp_path))
    with pytest.raises(ResultsFileError, match="outside the folder"):
        sweep_data.load_folder(str(sweep_dir))
    with pytest.raises(ResultsFileError, match=r"goes up with '\.\.'"):
        sweep_data.load_folder("../" * 10 + str(sweep_dir).lstrip("/"))


def test_an_unreadable_file_is_a_message(sweep_dir, tmp_path, monkeypatch):
    folder = tmp_path / "copy"
    shutil.copytree(sweep_dir, folder)
    real = Path.read_bytes

    def denied(self):
        if self.name == "sweep.json":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod does not stop root, who runs CI
    with pytest.raises(ResultsFileError, match=r"Cannot read .*sweep\.json \(Permission denied\)") as err:
        sweep_data.load_folder(str(folder))
    assert "may read" in err.value.hint


def test_summary_and_detail_are_the_engines(sweep_dir):
    from simulations import learning_curves, per_seed, summarize
    from simulations.sweep import group_result

    loaded = sweep_data.load_folder(str(sweep_dir))
    sw = sweep_data.summarize_sweep(loaded, Target(), "macro_f1")
    pd.testing.assert_frame_equal(sw.summary, sweep_summary(loaded.table, Target(), "macro_f1"))
    assert set(sw.summary["metric"]) == {"macro_f1"}
    t = loaded.table
    cell = group_result(t[t["dataset"] == "penguins"])
    d = sweep_data.cell_detail(loaded, "penguins", "logreg", "b10", TARGET)
    pd.testing.assert_frame_equal(d.curves, learning_curves(cell, d.summary.metric))
    pd.testing.assert_frame_equal(d.per_seed, per_seed(cell, TARGET, d.summary.metric))
    assert d.summary.verdict_sentence() == summarize(cell, TARGET).verdict_sentence()
    ltt = sweep_data.labels_to_target_frame(d.summary)
    assert list(ltt["strategy"]) == ["random", "margin"]
    assert ltt.loc[1, "median"] == d.summary.strategies["margin"].labels_to_target.median
    with pytest.raises(ResultsFileError, match="no runs for"):
        sweep_data.cell_detail(loaded, "adult", "logreg", "b10", TARGET)


def test_a_table_the_engine_cannot_summarize_is_a_message(sweep_dir, monkeypatch):
    loaded = sweep_data.load_folder(str(sweep_dir))

    def broken(*args, **kwargs):
        raise ValueError("zero-size array")

    monkeypatch.setattr(sweep_data, "sweep_summary", broken)
    monkeypatch.setattr(sweep_data, "summarize", broken)
    with pytest.raises(ResultsFileError, match="cannot be summarized") as err:
        sweep_data.summarize_sweep(loaded, TARGET)
    assert "zero-size array" in err.value.message and err.value.hint
    with pytest.raises(ResultsFileError, match="penguins / logreg / b10 cannot be summarized"):
        sweep_data.cell_detail(loaded, "penguins", "logreg", "b10", TARGET)

    def typed(*args, **kwargs):
        raise ResultsFileError("engine's own message", hint="engine's hint")

    monkeypatch.setattr(sweep_data, "sweep_summary", typed)  # the engine's typed errors pass through unwrapped
    with pytest.raises(ResultsFileError) as err:
        sweep_data.summarize_sweep(loaded, TARGET)
    assert err.value.message == "engine's own message" and err.value.hint == "engine's hint"


def test_winners_table_and_savings_text():
    row = {"savings": 0.4, "savings_low": 0.3, "savings_high": 0.55, "savings_bound": "lower", "auc_gain": 0.01}
    assert sweep_data.savings_text(row) == "at least 40% (30% to 55%)"
    assert sweep_data.savings_text({**row, "savings_bound": float("nan")}) == "40% (30% to 55%)"
    assert sweep_data.savings_text({**row, "savings": float("nan")}) == "n/a; AUC +1.0 pts"
    assert sweep_data.savings_text({"savings": float("nan"), "auc_gain": float("nan")}) == "n/a"
    overview = pd.DataFrame([{"dataset": "d", "model": "logreg", "schedule": "s", "metric": "balanced_accuracy",
                              "best_strategy": "least_confidence", "verdict": "beats random", **row,
                              "n_beating_random": 2, "n_strategies": 3}])
    t = sweep_data.winners_table(overview)
    assert t.loc[0, "Best strategy"] == "least confidence" and t.loc[0, "Metric"] == "balanced accuracy"
    assert t.loc[0, "Beat random"] == "2 of 3" and t.loc[0, "Labels saved vs random"].startswith("at least 40%")


# ---- the review view of a share link -------------------------------------------------------------------------
@pytest.fixture
def shared(monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    result, analysis, inputs = small_run()
    sc = ScenarioStore().save("Shared plan", inputs=inputs, payload=state.payload(result, analysis),
                              dataset_name="penguins", dataset_fingerprint="f")
    return sc.share_id


@pytest.fixture
def nav_positions(monkeypatch) -> list[str]:
    """The ``position`` app.py passes to st.navigation, run by run (on a local server, as `make run` starts it)."""
    from dashboard import access

    monkeypatch.setattr(access, "_server_address", lambda: "127.0.0.1")
    monkeypatch.delenv(access.SECRET_ENV, raising=False)
    monkeypatch.delenv(access.SECRET_HASH_ENV, raising=False)
    seen: list[str] = []
    real = streamlit.navigation

    def spy(pages, *, position="sidebar", **kw):
        seen.append(position)
        return real(pages, position=position, **kw)

    monkeypatch.setattr(streamlit, "navigation", spy)
    return seen


def test_a_share_link_opens_a_clean_review_without_a_way_into_the_editors_app(shared, nav_positions):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["id"] = shared
    at.run()  # what a share link runs first: app.py, with the id in the URL
    assert not at.exception, at.exception
    assert nav_positions == ["hidden"]  # no editors' navigation for stakeholders
    assert not at.sidebar.children  # and nothing else in the sidebar
    at.switch_page("app_pages/review.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Shared plan"
    assert not at.get("page_link")  # a reviewer's session has no way into the editors' pages (tests/test_access.py)


def test_a_share_link_opened_first_after_a_server_start_still_gets_the_clean_view(shared, nav_positions):
    # AppTest starts like a fresh server; a deep link must still run through app.py (a dashboard/pages/ folder
    # would make Streamlit run the page on its own, with an automatic sidebar listing every file).
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["id"] = shared
    at.switch_page("app_pages/review.py")
    at.run()
    assert not at.exception, at.exception
    assert nav_positions == ["hidden"]  # the page ran through app.py
    assert at.title[0].value == "Shared plan"


def test_the_editors_keep_their_navigation(nav_positions):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert nav_positions[-1] == "sidebar"


def test_an_unknown_link_offers_no_way_into_the_planner(shared):
    at = AppTest.from_file(REVIEW, default_timeout=60)
    at.query_params["id"] = "not-a-real-id"
    at.run()
    assert not at.exception and at.title[0].value == "Scenario not found"
    assert not any("Plan your own labeling budget" in m.value for m in at.markdown)
    assert not at.get("page_link")
