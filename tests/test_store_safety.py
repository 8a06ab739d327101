"""Issue 5 safety checks: unguessable share ids, friendly not-found, SQL parameters only, formula-safe CSV,
escaped HTML reports (scenario names, column names, class labels)."""

from __future__ import annotations

import base64
import csv
import io
import sqlite3
from contextlib import closing
from dataclasses import asdict

import pandas as pd
import pytest

from dashboard import report, tables
from dashboard.store import BUNDLE_FORMAT, ScenarioNotFound, ScenarioStore, StoreError
from dashboard.testing import small_run

EVIL_SQL = "x'); DROP TABLE scenarios;--"
EVIL_HTML = "<img src=x onerror=alert(1)><script>alert('x')</script>"


@pytest.fixture
def store(tmp_path):
    return ScenarioStore(tmp_path / "s.db")


def _save(store, name="s", **kw):
    return store.save(name, inputs={"a": 1}, payload={"p": 1}, dataset_name="d", dataset_fingerprint="f", **kw)


def test_share_ids_carry_at_least_128_random_bits(store):
    raw = [base64.urlsafe_b64decode(_save(store, f"s{i}").share_id + "==") for i in range(60)]
    assert min(len(r) for r in raw) * 8 >= 128
    assert len(set(raw)) == len(raw)
    # Random bits are balanced; a counter, a timestamp or a hash of the name would be far off 50%.
    bits = "".join(f"{byte:08b}" for r in raw for byte in r)
    assert 0.46 < bits.count("1") / len(bits) < 0.54
    first_bytes = {r[0] for r in raw}
    assert len(first_bytes) > 35  # no shared prefix (60 draws of 256 values)


def test_an_unknown_id_is_a_friendly_typed_not_found(store):
    sc = _save(store)
    secret = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4"
    for call in (lambda: store.get(secret), lambda: store.get_by_share_id(secret), lambda: store.delete(secret),
                 lambda: store.rename(secret, "n"), lambda: store.update(secret, payload={}),
                 lambda: store.duplicate(secret)):
        with pytest.raises(ScenarioNotFound) as info:
            call()
        err = info.value
        assert isinstance(err, StoreError) and isinstance(err, LookupError)  # pages catch either
        assert err.message == "No saved scenario has this id or link." and "deleted" in err.hint
        assert secret not in str(err) and err.key == secret  # a guessed link is not echoed back
    assert store.get(sc.id).payload == {"p": 1}  # and nothing else changed


def test_hostile_strings_in_every_field_are_data_not_sql(store, tmp_path):
    sc = store.save(EVIL_SQL, inputs={EVIL_SQL: EVIL_SQL}, payload={"v": EVIL_SQL}, dataset_name=EVIL_SQL,
                    dataset_fingerprint="' OR '1'='1", description="\"; DELETE FROM scenarios; --")
    other = _save(store, "other")
    for key in ("' OR '1'='1", "1 OR 1=1", "%", "*", EVIL_SQL):
        with pytest.raises(ScenarioNotFound):
            store.get(key)
        with pytest.raises(ScenarioNotFound):
            store.get_by_share_id(key)
        with pytest.raises(ScenarioNotFound):
            store.delete(key)
    store.rename(other.id, EVIL_SQL + " 2")
    store.update(other.id, name="'; UPDATE scenarios SET name='pwned';--", description=EVIL_SQL)
    evil_id = {**asdict(sc), "id": "a' OR 'a'='a", "share_id": "b'; DROP TABLE scenarios;--", "name": EVIL_SQL}
    report_ = store.import_all({"format": BUNDLE_FORMAT, "version": 1, "scenarios": [evil_id]})
    assert report_.added == ["a' OR 'a'='a"]
    got = store.get(sc.id)
    assert (got.name, got.dataset_name, got.dataset_fingerprint, got.inputs, got.payload) == (
        EVIL_SQL, EVIL_SQL, "' OR '1'='1", {EVIL_SQL: EVIL_SQL}, {"v": EVIL_SQL})
    assert store.get(other.id).name == "'; UPDATE scenarios SET name='pwned';--"
    assert store.get_by_share_id("b'; DROP TABLE scenarios;--").id == "a' OR 'a'='a"
    assert {s.name for s in store.list()} == {EVIL_SQL, "'; UPDATE scenarios SET name='pwned';--"}
    with closing(sqlite3.connect(tmp_path / "s.db")) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert set(tables) == {"scenarios", "data_files", "scenario_versions", "revoked_links", "audit",
                               "sqlite_sequence"}
    assert store.check() == []


def test_csv_exports_neutralize_formulas_in_every_text_dtype_and_keep_numbers():
    evil = ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "plain", "a=b", "note\r=1+1"]
    df = pd.DataFrame({
        "object": evil,
        "string": pd.array(evil, dtype="string"),
        "category": pd.Categorical(evil),
        "=column": evil,  # column names come from user files
        "number": [-1.5, 2, -3, 4, 5, 6, 7, 8, 9],
    })
    # The csv module reads quoted CR/tab cells back exactly as a spreadsheet receives them.
    header, *rows = list(csv.reader(io.StringIO(tables.safe_csv(df).decode("utf-8"), newline="")))
    assert header == ["object", "string", "category", "'=column", "number"]
    for j, col in enumerate(header[:4]):
        cells = [r[j] for r in rows]
        assert cells[:6] == ["'" + v for v in evil[:6]], col
        assert cells[6:] == ["plain", "a=b", "note\r=1+1"], col  # harmless text untouched, a CR stays in its cell
    assert [float(r[4]) for r in rows] == [-1.5, 2, -3, 4, 5, 6, 7, 8, 9]  # numbers stay numbers, no quote
    assert [r[4] for r in rows][:3] == ["-1.5", "2.0", "-3.0"]


@pytest.fixture(scope="module")
def analysis():
    return small_run()[1]


def test_html_report_escapes_scenario_column_and_class_names(analysis):
    a = analysis
    a["dataset"]["name"] = "data " + EVIL_HTML
    a["dataset"]["classes"] = [EVIL_HTML, "ok"]
    a["dataset"]["class_counts"] = {EVIL_HTML: 3, "ok": 4}
    a["dataset"]["description"] = EVIL_HTML
    a["summary"]["notes"] = [f"column '{EVIL_HTML}' looks like a leak of the label"]
    a["assumptions"] = [*a["assumptions"], f"label column: {EVIL_HTML}"]
    a["target"]["description"] = "target " + EVIL_HTML
    a["metric_reason"] = "class " + EVIL_HTML + " is rare"
    a["verdict"] = EVIL_HTML
    a["stopping"] = {**(a.get("stopping") or {}), "sentence": "stop " + EVIL_HTML}
    html = report.build_html(a, name="scenario " + EVIL_HTML, created=EVIL_HTML)
    low = html.lower()
    assert "<img" not in low and "<script" not in low and "onerror=alert(1)>" not in low
    escaped = "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    for shown in ("scenario " + escaped, "data " + escaped, "column &#x27;" + escaped, "label column: " + escaped,
                  "stop " + escaped, "class " + escaped):
        assert shown in html, shown
