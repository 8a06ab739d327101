"""Unit tests of the intake API: reading options, checks and their options, fixes, sampling, errors."""

from __future__ import annotations

import decimal
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulations.intake as intake
from simulations import ConfigError, DataError, LabelwiseError, SimulationConfig, Target, run_simulation, summarize
from simulations.intake import (
    ERROR_CODES,
    MAX_UPLOAD_MB,
    IntakeError,
    bin_label,
    check_table,
    check_upload_size,
    class_names,
    decode_text,
    drop_rare_classes,
    find_leaking_columns,
    load_user_dataset,
    max_upload_mb_from_config,
    merge_rare_classes,
    rare_classes,
    read_table,
    sample_pool,
    sniff_dialect,
)
from simulations.intake import delimited as intake_reader
from simulations.intake import errors as intake_errors


def table(n: int = 150, seed: int = 0, classes=("a", "b", "c"), p=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.choice(list(classes), size=n, p=p)
    return pd.DataFrame({
        "x": rng.normal(size=n) + (y == classes[0]),
        "colour": rng.choice(["red", "green", "blue"], n),
        "label": y,
    })


def csv_bytes(df: pd.DataFrame, **kw) -> bytes:
    return df.to_csv(index=False, **kw).encode()


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(IntakeError) as info:
        fn(*args, **kwargs)
    return info.value.code


# --- size limits -----------------------------------------------------------------------------------------------------

def test_upload_size_check():
    check_upload_size(int(MAX_UPLOAD_MB * 2**20))
    check_upload_size(10**12, None)
    with pytest.raises(intake.FileTooLargeError) as info:
        check_upload_size(300 * 2**20, name="'big.csv'")
    assert info.value.code == "file_too_large"
    assert info.value.message == "'big.csv' is 300.0 MB; the upload limit is 200 MB."
    assert info.value.fix == intake.Fix("max_mb") and info.value.details["max_mb"] == 200


def test_upload_limit_agrees_with_streamlit_config(tmp_path):
    assert max_upload_mb_from_config() == MAX_UPLOAD_MB == 200
    cfg = tmp_path / "config.toml"
    cfg.write_text("[server]\nmaxUploadSize = 50\n")
    assert max_upload_mb_from_config(cfg) == 50
    assert max_upload_mb_from_config(tmp_path / "missing.toml") == MAX_UPLOAD_MB
    cfg.write_text("not toml [[")
    assert max_upload_mb_from_config(cfg) == MAX_UPLOAD_MB


class FakeUpload:
    """What Streamlit's file_uploader returns: name, size, getvalue()."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.size, self._data, self.reads = name, len(data), data, 0

    def getvalue(self) -> bytes:
        self.reads += 1
        return self._data

    def read(self, n: int = -1) -> bytes:
        return self.getvalue()


def test_uploaded_file_objects_and_bytes():
    data = csv_bytes(table(), sep=";")
    res = read_table(FakeUpload("export.csv", data))
    assert res.report.source == "export.csv" and res.report.delimiter == ";" and res.report.n_rows == 150
    big = FakeUpload("big.csv", data)
    big.size = 500 * 2**20
    assert code_of(read_table, big) == "file_too_large"
    assert big.reads == 0, "the declared size is checked before reading"
    assert read_table(io.BytesIO(data)).report.n_columns == 3
    assert read_table(data).report.source == "<bytes>"
    assert code_of(read_table, "/no/such/file.csv") == "file_not_found"


def test_text_mode_and_odd_sources_are_refused(tmp_path):
    assert code_of(read_table, io.StringIO("a,b\n1,2\n")) == "unsupported_format"
    assert code_of(read_table, 12345) == "unsupported_format"
    assert code_of(read_table, tmp_path) == "file_not_found"


# --- encodings and dialects ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "codec"), [
    ("a,b\n1,é\n".encode(), "utf-8"),
    ("a,b\n1,é\n".encode("utf-8-sig"), "utf-8-sig"),
    ("a,b\n1,é\n".encode("utf-16"), "utf-16"),
    ("a,b\n1,é\n".encode("utf-16-be"), "utf-16-be"),
    ("a,b\n1,é\n".encode("utf-32"), "utf-32"),
    ("a,b\n1,€\n".encode("cp1252"), "cp1252"),
    (b"a,b\n1,\x81\xe9\n", "latin-1"),
])
def test_decode_text_detects_encodings(data, codec):
    text, used = decode_text(data)
    assert used == codec
    assert text.startswith("a,b\n1,")


def test_decode_text_with_forced_encoding():
    assert decode_text("é".encode("cp1252"), "cp1252") == ("é", "cp1252")
    with pytest.raises(intake.EncodingError, match="byte 0"):
        decode_text("é".encode("cp1252"), "utf-8")
    with pytest.raises(intake.EncodingError, match="Unknown encoding"):
        decode_text(b"x", "klingon")


def test_odd_length_utf16_is_an_encoding_error():
    assert code_of(read_table, "a,b\n1,2\n".encode("utf-16") + b"\x00", filename="x.csv") == "encoding"


@pytest.mark.parametrize(("sample", "delimiter"), [
    ('a,b,c\n1,"x; y",3\n2,"z; w",4\n', ","),
    ("a;b;c\n1,5;x,y;3\n2,5;z;4\n", ";"),
    ("a\tb\n1,5\t2\n", "\t"),
    ("a|b|c\n1|2|3\n", "|"),
    ("a,b;c\n1,2;3\n4,5;6\n", ","),
])
def test_sniff_dialect(sample, delimiter):
    assert sniff_dialect(sample)[0] == delimiter


def test_single_quote_sniffing_and_single_column_warning():
    delim, quote, share = sniff_dialect("a,b\n'x, y',1\n'z, w',2\n")
    assert (delim, quote, share) == (",", "'", 1.0)
    res = read_table(b"a~b~label\n1~2~x\n3~4~y\n", filename="tilde.csv")
    assert res.report.n_columns == 1 and "single_column" in res.report.notes.codes
    with pytest.raises(intake.LabelColumnError, match="not in the data") as info:
        check_table(res.frame, "label")
    assert "which separator" in info.value.hint and info.value.fix == intake.Fix("delimiter")
    res = read_table(b"a~b~label\n1~2~x\n3~4~y\n", filename="tilde.csv", delimiter="~")
    assert list(res.frame.columns) == ["a", "b", "label"]


# --- reading options -------------------------------------------------------------------------------------------------

def test_header_option():
    data = b"5.1,3.5,setosa\n4.9,3.0,setosa\n6.2,2.9,virginica\n"
    assert code_of(read_table, data) == "no_header"
    res = read_table(data, header=False)
    assert list(res.frame.columns) == ["column_1", "column_2", "column_3"] and len(res.frame) == 3
    res = read_table(data, header=True)
    assert list(res.frame.columns) == ["5.1", "3.5", "setosa"] and len(res.frame) == 2
    # Words over numbers, or numbers over words: a real header.
    assert read_table(b"label,0,1\n3,0.5,0.25\n4,0.1,0.2\n").report.n_columns == 3
    assert read_table(b"2019,2020,country\n1,2,NZ\n3,4,FR\n").report.n_columns == 3


def test_columns_and_nrows_options(tmp_path):
    df = table()
    res = read_table(csv_bytes(df), columns=["x", "label"], nrows=10)
    assert list(res.frame.columns) == ["x", "label"] and len(res.frame) == 10
    with pytest.raises(intake.ColumnNotFoundError, match="'colour '") as info:
        read_table(csv_bytes(df), columns=["colour "])
    assert info.value.code == "column_missing" and "Did you mean 'colour'" in info.value.hint
    path = tmp_path / "t.parquet"
    df.to_parquet(path)
    res = read_table(path, columns=["label"], nrows=5)
    assert list(res.frame.columns) == ["label"] and len(res.frame) == 5
    ds, _ = load_user_dataset(csv_bytes(df.assign(extra=1)), "label", columns=["x"])
    assert list(ds.frame.columns) == ["x", "label"]


def test_pyarrow_engine_for_large_files(monkeypatch):
    monkeypatch.setattr(intake_reader, "PYARROW_MIN_BYTES", 0)
    res = read_table(csv_bytes(table()))
    assert "engine" in res.report.notes.codes and res.report.n_rows == 150
    # pyarrow refuses ragged rows; the C parser then explains where.
    assert code_of(read_table, b"a,b\n1,2\n3,4,5\n") == "ragged_rows"
    res = read_table(b'a,b\n1,"x\ny"\n2,z\n')
    assert res.frame["b"].tolist() == ["x\ny", "z"]


def test_json_and_parquet_values_are_normalized(tmp_path):
    lines = [{"a": 1, "b": {"k": [1, 2]}, "c": True, "label": "x"},
             {"a": "two", "b": [1], "c": False, "label": "y"},
             {"a": 3.5, "b": None, "c": None, "label": "x"}]
    res = read_table("\n".join(json.dumps(r) for r in lines).encode(), filename="d.jsonl")
    f = res.frame
    assert f["a"].tolist() == ["1", "two", "3.5"]
    assert f["b"].tolist()[:2] == ['{"k": [1, 2]}', "[1]"] and pd.isna(f["b"].iloc[2])
    assert f["c"].tolist()[:2] == ["True", "False"]
    assert read_table(json.dumps({"a": [1, 2], "label": ["x", "y"]}).encode()).report.format == "json"
    assert code_of(read_table, b'{"a": [1, 2], "label": ["x"]}', filename="d.json") == "invalid_json"
    assert code_of(read_table, b"[1, 2]", filename="d.json") == "invalid_json"
    assert code_of(read_table, b'{"a": 1', filename="d.json") == "invalid_json"

    df = pd.DataFrame({
        "n": pd.array([1, None, 3], dtype="Int64"),
        "flag": pd.array([True, None, False], dtype="boolean"),
        "day": [pd.Timestamp("2024-01-01").date(), None, pd.Timestamp("2024-03-01").date()],
        "money": [decimal.Decimal("1.50"), decimal.Decimal("2.25"), None],
        "blob": [b"\x00\x01", b"\x02", None],
        "tags": [["a", "b"], [], ["c"]],
        "cat": pd.Categorical(["u", "v", "u"]),
        "label": ["x", "y", "x"],
    })
    path = tmp_path / "typed.parquet"
    df.to_parquet(path)
    res = read_table(path)
    f = res.frame
    assert f["n"].dtype == float and np.isnan(f["n"].iloc[1])
    assert f["flag"].tolist()[0] == "True"
    assert pd.api.types.is_datetime64_any_dtype(f["day"])
    assert f["money"].tolist()[:2] == [1.5, 2.25]
    assert "blob" not in f.columns and res.report.dropped_columns["blob"] == "binary values"
    assert f["tags"].tolist()[0] == '["a", "b"]' and f["cat"].tolist() == ["u", "v", "u"]


# --- labels and classes ----------------------------------------------------------------------------------------------

def test_class_names():
    assert class_names(pd.Series([1.0, 0.0, np.nan, 2.5])).tolist()[:2] == ["1", "0"]
    s = class_names(pd.Series([1.0, 0.0, np.nan, 2.5]))
    assert pd.isna(s.iloc[2]) and s.iloc[3] == "2.5"
    s = class_names(pd.Series([" spam", "ham ", "NA", "", None, 3], dtype=object))
    assert s.tolist()[:2] == ["spam", "ham"] and s.iloc[2:5].isna().all() and s.iloc[5] == "3"
    assert class_names(pd.Series([True, False])).tolist() == ["True", "False"]


def test_rare_class_helpers():
    df = pd.DataFrame({"f": range(12), "y": ["a"] * 6 + ["b"] * 3 + ["c"] * 2 + [None]})
    assert rare_classes(df, "y", 5) == {"c": 2, "b": 3}
    merged = merge_rare_classes(df, "y", 5)
    assert merged["y"].value_counts().to_dict() == {"a": 6, "other": 5} and merged["y"].isna().sum() == 1
    merged = merge_rare_classes(df.assign(y=df["y"].replace("a", "other")), "y", 5, into="other")
    assert merged["y"].value_counts().to_dict() == {"other": 11}
    dropped = drop_rare_classes(df, "y", 5)
    assert len(dropped) == 7 and dropped["y"].isna().sum() == 1 and set(dropped["y"].dropna()) == {"a"}
    with pytest.raises(intake.LabelColumnError):
        rare_classes(df, "nope")


def test_check_table_rare_class_modes():
    df = table(200)
    df.loc[:3, "label"] = "d"
    df.loc[4:6, "label"] = "e"
    assert code_of(check_table, df, "label") == "rare_class"
    rep = check_table(df, "label", rare_classes="merge")
    assert rep.class_counts["other"] == 7 and "rare_classes_merged" in rep.notes.codes
    assert rep.changed_classes == {"d": "merged into 'other'", "e": "merged into 'other'"}
    rep = check_table(df, "label", rare_classes="drop")
    assert set(rep.class_counts) == {"a", "b", "c"} and rep.n_labeled == 193
    df.loc[4:6, "label"] = "a"
    rep = check_table(df, "label", rare_classes="merge")  # 'other' would have only 4 rows: dropped too
    assert set(rep.class_counts) == {"a", "b", "c"} and "rare_classes_dropped" in rep.notes.codes
    two = table(200, classes=("a", "b"))
    two.loc[:2, "label"] = "z"
    assert code_of(check_table, two.assign(label=two["label"].replace("b", "a")), "label",
                   rare_classes="drop") == "too_few_classes"


def test_bin_label():
    df = pd.DataFrame({"x": np.arange(100) % 7, "price": np.linspace(0, 99, 100)})
    out = bin_label(df, "price", 4)
    assert out["price"].nunique() == 4 and out["price"].value_counts().max() == 25
    assert bin_label(df, "price", 3, method="width")["price"].nunique() == 3
    with pytest.raises(ConfigError):
        bin_label(df, "price", 1)
    with pytest.raises(ConfigError):
        bin_label(df, "price", 3, method="magic")
    with pytest.raises(intake.LabelColumnError):
        bin_label(df.head(2), "price", 4)
    rep = check_table(bin_label(df, "price", 4), "price")
    assert len(rep.class_counts) == 4


def test_label_checks():
    df = table(200)
    assert code_of(check_table, df.assign(label=np.arange(200) * 1.5), "label") == "continuous_label"
    codes = df.assign(label=np.arange(200) % 25)
    assert code_of(check_table, codes, "label") == "continuous_label"
    assert len(check_table(codes, "label", label_type="categorical").class_counts) == 25
    ratings = df.assign(label=(np.arange(200) % 9) / 2 + 0.5)  # 0.5 .. 4.5 stars: classes
    assert len(check_table(ratings, "label").class_counts) == 9
    assert code_of(check_table, df.assign(label=[f"t{i}" for i in range(200)]), "label") == "too_many_classes"
    as_text = df.assign(label=pd.Series(np.where(df["label"] == "a", "1", "2"), dtype=object))
    as_text.loc[0, "label"] = 1  # a number where the rest are text numbers (xlsx): the same class
    assert check_table(as_text, "label").class_counts.keys() == {"1", "2"}
    rep = check_table(df.assign(label=df["label"].replace("a", "A").where(df.index > 20, "a")), "label")
    assert "label_case" in rep.notes.codes
    inf_label = df.assign(label=np.where(df["label"] == "a", 1.0, 0.0))
    inf_label.loc[:4, "label"] = np.inf
    rep = check_table(inf_label, "label")
    assert rep.n_unlabeled == 5 and "inf_label" in rep.notes.codes


def test_min_labeled_rows_is_configurable():
    df = table(60)
    with pytest.raises(intake.TooFewLabeledRowsError) as info:
        check_table(df, "label")
    assert info.value.details == {"n_labeled": 60, "min_labeled_rows": 100} and "40 more" in info.value.hint
    assert check_table(df, "label", min_labeled_rows=50).n_labeled == 60


def test_modes_are_validated():
    df = table()
    for kw in ({"unlabeled": "keep"}, {"rare_classes": "fold"}, {"leakage": "ignore"}, {"label_type": "numeric"}):
        with pytest.raises(ConfigError):
            check_table(df, "label", **kw)
    with pytest.raises(ConfigError):
        check_table(df.to_numpy(), "label")


# --- leakage and features --------------------------------------------------------------------------------------------

def test_find_leaking_columns():
    df = table(200)
    df["copy"] = df["label"]
    df["code"] = df["label"].map({"a": 10, "b": 20, "c": 30}).astype(float)
    df.loc[:5, "code"] = np.nan  # 97% coverage: still judged
    df["sparse"] = df["label"].where(df.index % 3 == 0)  # 33% coverage (67 rows): judged where present
    df["rare"] = df["label"].where(df.index % 10 == 0)  # 10% coverage: too few rows to judge
    df["hint"] = df["label"].map({"a": "p", "b": "q", "c": "q"})  # informative, not one-to-one
    assert find_leaking_columns(df, "label") == {"copy": "identical", "code": "recoding", "sparse": "identical"}
    rep = check_table(df, "label", leakage="drop")
    assert set(rep.dropped_columns) == {"copy", "code", "sparse"} and "copy" not in rep.frame.columns
    assert "leakage_dropped" in rep.notes.codes
    with pytest.raises(intake.LeakageError) as info:
        check_table(df, "label")
    assert info.value.details["kinds"] == {"copy": "identical", "code": "recoding", "sparse": "identical"}
    assert "'a' -> 10" in info.value.message and "where it has a value (34% of labeled rows)" in info.value.message


def test_leakage_drop_also_applies_to_the_extra_pool():
    df = table(200)
    df["copy"] = df["label"]
    df.loc[:19, "label"] = None
    rep = check_table(df, "label", leakage="drop", unlabeled="pool")
    assert "copy" not in rep.extra_pool.columns and len(rep.extra_pool) == 20


def test_features_checks_and_role_overrides():
    df = table()
    assert code_of(check_table, df[["label"]], "label") == "no_features"
    df["id"] = np.arange(len(df))
    rep = check_table(df, "label", roles={"id": "numeric"})
    assert rep.roles["id"] == "numeric"
    rep = check_table(df, "label")
    assert "unused_columns" in rep.notes.codes and rep.feature_columns == ["x", "colour"]
    mostly = df.assign(colour=np.where(np.arange(len(df)) % 2, "7", "blue"))
    assert "mixed_types" in check_table(mostly, "label").notes.codes
    assert code_of(check_table, df, "label", max_columns=2) == "too_wide"
    dup = pd.concat([df[["x"]], df[["x", "label"]]], axis=1)
    assert code_of(check_table, dup, "label") == "duplicate_columns"


# --- sampling --------------------------------------------------------------------------------------------------------

def test_sample_pool_is_stratified_seeded_and_keeps_rare_classes():
    df = table(10_000, p=[0.9, 0.0997, 0.0003])
    counts = df["label"].value_counts()
    out = sample_pool(df, "label", 1_000, random_state=3)
    assert len(out) == 1_000
    got = out["label"].value_counts()
    assert got["c"] == min(counts["c"], 5)
    assert abs(got["a"] / 1000 - counts["a"] / 10_000) < 0.01
    assert out.equals(sample_pool(df, "label", 1_000, random_state=3))
    assert not out.equals(sample_pool(df, "label", 1_000, random_state=4))
    assert sample_pool(df, "label", 20_000) is df
    with pytest.raises(ConfigError):
        sample_pool(df, "label", 0)
    with pytest.raises(ConfigError):
        sample_pool(df, "label", 6)


def test_large_pools_are_sampled_but_the_full_size_is_reported():
    df = table(3_000)
    df.loc[:499, "label"] = ""
    ds, rep = load_user_dataset(csv_bytes(df), "label", max_rows=1_000, random_state=1)
    assert len(ds.frame) == 1_000 and rep.sampled and rep.n_simulation_rows == 1_000
    assert rep.n_labeled_full == 2_500 and rep.production_pool_rows == 3_000 and ds.n_missing_labels == 500
    assert "sampled" in rep.notes.codes and "1,000 of the 2,500" in " ".join(rep.lines())
    _, rep = load_user_dataset(csv_bytes(df), "label", unlabeled="pool", max_rows=200)
    assert len(rep.extra_pool) == 200 and "extra_pool_sampled" in rep.notes.codes


# --- errors, safety, integration -------------------------------------------------------------------------------------

def test_error_classes_have_distinct_stable_codes():
    base = intake_errors.IntakeError
    classes = [c for c in vars(intake_errors).values() if isinstance(c, type) and issubclass(c, base) and c is not base]
    assert len(classes) >= 20
    for cls in classes:
        assert issubclass(cls, DataError) and cls.code in ERROR_CODES, cls
    assert len({c.code for c in classes}) == len(classes)
    err = intake.LeakageError("m", "h", details={"columns": ["c"]})
    assert err.to_dict() == {"code": "leakage", "message": "m", "hint": "h", "details": {"columns": ["c"]}, "fix": None}
    fixed = intake.LeakageError("m", "h", fix=intake.Fix("leakage", ("drop",)))
    assert fixed.to_dict()["fix"] == {"option": "leakage", "values": ["drop"], "only_if": "", "alternative": None}
    assert fixed.fix.keyword() == "leakage='drop'" and intake.Fix("delimiter").keyword() == "delimiter=..."
    assert str(err) == "m Hint: h"
    assert intake.EmptyFileError("m", code="file_not_found").code == "file_not_found"
    assert set(ERROR_CODES) >= {"file_not_found", "sheet_missing"}


def test_intake_never_unpickles_or_evaluates():
    src = "\n".join(p.read_text() for p in Path(intake.__file__).parent.glob("*.py"))
    for banned in ("read_pickle", "pickle.load", "eval(", "exec(", "joblib.load", "np.load(", "allow_pickle"):
        assert banned not in src, banned
    assert re.search(r"to_pandas\(ignore_metadata=True", src)


def test_cli_prints_intake_errors_without_traceback(tmp_path, capsys):
    from simulations import cli

    path = tmp_path / "leak.csv"
    path.write_bytes(csv_bytes(table().assign(copy=lambda d: d["label"])))
    code = cli.main(["simulate", "--data", str(path), "--label", "label", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: Column(s) leak the label: 'copy' is identical to the label.")
    assert "hint: Remove 'copy'" in err and "Traceback" not in err


def test_load_simulate_summarize_end_to_end(tmp_path):
    df = table(300)
    df.loc[::7, "label"] = None
    path = tmp_path / "tickets.csv"
    path.write_bytes(csv_bytes(df, sep=";", decimal=","))
    ds, rep = load_user_dataset(path, "label")
    assert rep.read.delimiter == ";" and ds.n_missing_labels == 43 and ds.name == "tickets.csv"
    result = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=1, initial_labels=6, budget=30,
                                                 batch_size=8))
    assert result.meta["n_missing_labels"] == 43
    summary = summarize(result, Target("share_of_ceiling", 0.9))
    assert set(summary.strategies) == {"random", "margin"}
    assert isinstance(IntakeError("m"), LabelwiseError)


@pytest.mark.parametrize(("values", "sep", "expected"), [
    (["12", "345"] * 1500 + ["1,234"], ",", 1234.0),  # the thousands separator appears after the sampled rows
    (["1,5", "2,25", "3"], ";", 3.0),
    (["1,234", "5"], ";", 5.0),  # ambiguous: a semicolon file reads a decimal comma (1.234)
    (["1.234,5", "7"], ",", 7.0),
    (["1 234", "5"], ",", 5.0),
    (["12.5", "3,5"], ";", None),  # two conventions: left as text
    (["1,234,567", "1,5"], ",", None),
])
def test_numbers_stored_as_text(values, sep, expected):
    frame = pd.DataFrame({"amount": values, "label": ["a"] * len(values)})
    res = read_table(frame.to_csv(index=False, sep=sep).encode())
    col = res.frame["amount"]
    if expected is None:
        assert not pd.api.types.is_numeric_dtype(col)
    else:
        assert col.dtype == float and col.iloc[-1] == expected and col.notna().all()
        assert "number_format" in res.report.notes.codes
    if values[0] == "1,234" and sep == ";":
        assert col.iloc[0] == 1.234
