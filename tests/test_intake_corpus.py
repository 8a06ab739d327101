"""A corpus of malformed and awkward files, written to tmp_path by the tests (no committed binaries).

Malformed files must raise the intake error with the expected ``code``; awkward-but-valid files must load
and the report must say how (encoding, delimiter, rows dropped, notes).
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulations.errors import DataError
from simulations.intake import (
    IntakeError,
    load_user_dataset,
    read_table,
)
from simulations.intake.errors import ERROR_CODES, Fix

N = 120


def good_frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    """A clean 3-class table with a numeric, a categorical and a text-free feature."""
    rng = np.random.default_rng(seed)
    label = rng.choice(["spam", "ham", "eggs"], size=n, p=[0.4, 0.4, 0.2])
    return pd.DataFrame({
        "amount": np.round(rng.normal(50, 10, n) + (label == "spam") * 10, 2),
        "colour": rng.choice(["red", "green", "blue"], n),
        "clicks": rng.integers(0, 9, n),
        "label": label,
    })


def csv_text(df: pd.DataFrame, sep: str = ",", **kw) -> str:
    return df.to_csv(index=False, sep=sep, lineterminator="\n", **kw)


class Evil:
    """Unpickling this would create a file: reading a pickle upload must never do that."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _parquet(df: pd.DataFrame, **kw) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, engine="pyarrow", **kw)
    return buf.getvalue()


# --- malformed: (file name, builder(tmp_path) -> bytes, label, load kwargs, expected code) ----------------------------

def _wide(_: Path) -> bytes:
    n_cols = 10_001
    header = ",".join(f"c{i}" for i in range(n_cols)) + ",label\n"
    row = ",".join("1" for _ in range(n_cols)) + ",a\n"
    return (header + row * 3).encode()


def _too_few_labeled(_: Path) -> bytes:
    return csv_text(good_frame(40)).encode()


def _label_missing(_: Path) -> bytes:
    return csv_text(good_frame()).encode()


def _label_empty(_: Path) -> bytes:
    df = good_frame()
    df["label"] = np.nan
    return csv_text(df).encode()


def _one_class(_: Path) -> bytes:
    df = good_frame()
    df["label"] = "spam"
    return csv_text(df).encode()


def _rare(_: Path) -> bytes:
    df = good_frame()
    df.loc[:2, "label"] = "rare_one"
    df.loc[3, "label"] = "rare_two"
    return csv_text(df).encode()


def _continuous(_: Path) -> bytes:
    df = good_frame()
    df["price"] = np.random.default_rng(1).gamma(2.0, 30.0, len(df)).round(2)
    return csv_text(df.drop(columns="label")).encode()


def _id_label(_: Path) -> bytes:
    df = good_frame()
    df["customer"] = [f"customer-{i:04d}" for i in range(len(df))]
    return csv_text(df.drop(columns="label")).encode()


def _leak_copy(_: Path) -> bytes:
    df = good_frame()
    df["label_copy"] = df["label"]
    return csv_text(df).encode()


def _leak_recode(_: Path) -> bytes:
    df = good_frame()
    df["label_code"] = df["label"].map({"spam": 1, "ham": 2, "eggs": 3})
    return csv_text(df).encode()


def _no_features(_: Path) -> bytes:
    df = good_frame()[["label"]].copy()
    df["row_id"] = np.arange(len(df))
    df["country"] = "NZ"
    df["empty"] = np.nan
    return csv_text(df).encode()


def _pickle(tmp: Path) -> bytes:
    return pickle.dumps(Evil(tmp / "pwned"))


def _png(_: Path) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _xls(_: Path) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


def _truncated_gzip(_: Path) -> bytes:
    return _gz(csv_text(good_frame()).encode())[:-40]


def _zip_two(_: Path) -> bytes:
    text = csv_text(good_frame()).encode()
    return _zip({"train.csv": text, "test.csv": text})


def _zip_empty(_: Path) -> bytes:
    return _zip({"__MACOSX/._x.csv": b"junk"})


def _zip_nested(_: Path) -> bytes:
    return _zip({"data.csv.gz": _gz(csv_text(good_frame()).encode())})


def _binary_garbage(_: Path) -> bytes:
    return np.random.default_rng(3).integers(0, 256, 5000, dtype=np.uint8).tobytes()


def _ragged_header_short(_: Path) -> bytes:
    # R's write.table: the header has no name for the row-name column.
    return b"amount,label\n1,12.5,spam\n2,13.1,ham\n3,9.0,ham\n"


def _big(_: Path) -> bytes:
    return b"a,label\n" + b"1.2345,spam\n" * 120_000  # ~1.4 MB


def _bomb(_: Path) -> bytes:
    return _gz(b"a,label\n" + b"0,x\n" * 800_000)  # 3.2 MB once decompressed, a few kB compressed


MALFORMED: list[tuple[str, Callable[[Path], bytes], str, dict, str]] = [
    ("empty.csv", lambda _: b"", "label", {}, "empty_file"),
    ("blank_lines.csv", lambda _: b"\n\n   \r\n\t\n", "label", {}, "empty_file"),
    ("separators_only.csv", lambda _: b",,,\n,,,\n", "label", {}, "empty_file"),
    ("header_only.csv", lambda _: b"amount,colour,label\n", "label", {}, "no_rows"),
    ("no_header.csv", lambda _: b"5.1,3.5,setosa\n4.9,3.0,setosa\n6.2,2.9,virginica\n5.9,3.0,virginica\n",
     "label", {}, "no_header"),
    ("duplicate_columns.csv", lambda _: b"amount,amount,label\n1,2,a\n3,4,b\n", "label", {}, "duplicate_columns"),
    ("duplicate_after_strip.csv", lambda _: b"amount, amount ,label\n1,2,a\n3,4,b\n", "label", {},
     "duplicate_columns"),
    ("blank_column_name.csv", lambda _: b"amount,,label\n1,7,a\n3,8,b\n", "label", {}, "blank_column_name"),
    ("ragged_rows.csv", lambda _: b"amount,label\n1,a\n2,b\n3,c,extra\n", "label", {}, "ragged_rows"),
    ("ragged_header_short.csv", _ragged_header_short, "label", {}, "ragged_rows"),
    ("unclosed_quote.csv", lambda _: b'amount,label\n1,"spam\n2,ham\n3,ham\n', "label", {}, "unclosed_quote"),
    ("label_missing.csv", _label_missing, "Label", {}, "label_missing"),
    ("label_empty.csv", _label_empty, "label", {}, "label_empty"),
    ("one_class.csv", _one_class, "label", {}, "too_few_classes"),
    ("rare_class.csv", _rare, "label", {}, "rare_class"),
    ("continuous_label.csv", _continuous, "price", {}, "continuous_label"),
    ("id_as_label.csv", _id_label, "customer", {}, "too_many_classes"),
    ("too_few_labeled.csv", _too_few_labeled, "label", {}, "too_few_labeled"),
    ("leak_copy.csv", _leak_copy, "label", {}, "leakage"),
    ("leak_recode.csv", _leak_recode, "label", {}, "leakage"),
    ("no_features.csv", _no_features, "label", {}, "no_features"),
    ("very_wide.csv", _wide, "label", {}, "too_wide"),
    ("model.pkl", _pickle, "label", {}, "unsupported_format"),
    ("pickle_named.csv", _pickle, "label", {}, "unsupported_format"),
    ("picture.csv", _png, "label", {}, "unsupported_format"),
    ("old_excel.xls", _xls, "label", {}, "unsupported_format"),
    ("truncated.csv.gz", _truncated_gzip, "label", {}, "corrupt_file"),
    ("two_tables.zip", _zip_two, "label", {}, "zip_multiple_files"),
    ("only_junk.zip", _zip_empty, "label", {}, "empty_file"),
    ("nested.zip", _zip_nested, "label", {}, "unsupported_format"),
    ("broken.parquet", lambda _: b"PAR1 this is not really parquet PAR1", "label", {}, "corrupt_file"),
    ("not_parquet.parquet", lambda _: b"amount,label\n1,a\n", "label", {}, "corrupt_file"),
    ("bad_line.jsonl", lambda _: b'{"amount": 1, "label": "a"}\n{"amount": 2, "label": \n', "label", {},
     "invalid_json"),
    ("array_lines.jsonl", lambda _: b'{"amount": 1, "label": "a"}\n[2, "b"]\n', "label", {}, "invalid_json"),
    ("garbage.csv", _binary_garbage, "label", {}, "encoding"),
    ("latin1_forced_utf8.csv", lambda _: "amount,label\n1,café\n".encode("latin-1"), "label",
     {"encoding": "utf-8"}, "encoding"),
    ("too_big.csv", _big, "label", {"max_mb": 1}, "file_too_large"),
    ("bomb.csv.gz", _bomb, "label", {"max_decompressed_mb": 1}, "decompressed_too_large"),
    ("bad_role.csv", lambda _: csv_text(good_frame()).encode(), "label", {"roles": {"amount": "banana"}},
     "bad_role"),
    ("unknown_role_column.csv", lambda _: csv_text(good_frame()).encode(), "label", {"roles": {"nope": "numeric"}},
     "column_missing"),
]


@pytest.mark.parametrize(("name", "build", "label", "kwargs", "code"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_gets_its_error_code(tmp_path, name, build, label, kwargs, code):
    path = tmp_path / name
    path.write_bytes(build(tmp_path))
    with pytest.raises(IntakeError) as info:
        load_user_dataset(path, label, **kwargs)
    err = info.value
    assert err.code == code, f"{name}: got {err.code}: {err}"
    assert code in ERROR_CODES
    assert isinstance(err, DataError)
    assert err.message and err.hint, "every error explains what is wrong and how to fix it"
    assert "Traceback" not in str(err)


def test_corpus_is_large_enough():
    assert len(MALFORMED) >= 30
    assert len(AWKWARD) >= 20


def test_pickle_upload_is_never_unpickled(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(_pickle(tmp_path))
    for source in (path, path.read_bytes()):
        with pytest.raises(IntakeError):
            read_table(source, filename="data.csv")
    assert not (tmp_path / "pwned").exists()


def test_malformed_messages_name_the_problem(tmp_path):
    def err(name: str, data: bytes, label: str = "label", **kw) -> IntakeError:
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(IntakeError) as info:
            load_user_dataset(p, label, **kw)
        return info.value

    e = err("rare.csv", _rare(tmp_path))
    assert "'rare_one' (3 rows)" in e.message and "'rare_two' (1 row)" in e.message
    assert e.details["classes"] == {"rare_two": 1, "rare_one": 3} and e.details["min_rows"] == 5
    assert "merge" in e.hint and "drop" in e.hint
    e = err("miss.csv", _label_missing(tmp_path), "Label")
    assert "Did you mean 'label'" in e.hint
    e = err("leak.csv", _leak_recode(tmp_path))
    assert e.details["columns"] == ["label_code"] and "'label_code'" in e.hint
    e = err("ragged.csv", b"amount,label\n1,a\n2,b\n3,c,extra\n")
    assert "Row 4" in e.message and e.details["n_values"] == 3
    e = err("few.csv", _too_few_labeled(tmp_path))
    assert "at least 100" in e.message and "40" in e.message
    e = err("cont.csv", _continuous(tmp_path), "price")
    assert "ranges" in e.hint and "regression" in e.hint and e.hint.startswith("Pick the column that holds the class")
    assert e.fix == Fix("label", ("colour",), alternative=Fix("label_type", ("categorical",),
                                                               only_if="these numbers are codes of classes"))
    e = err("big.csv", _big(tmp_path), max_mb=1)
    assert "upload limit is 1 MB" in e.message and "gzip" in e.hint
    e = err("dup.csv", b"amount,amount,label\n1,2,a\n")
    assert "'amount' (columns 1, 2)" in e.message
    e = err("blank.csv", b"amount,,label\n1,7,a\n3,8,b\n")
    assert "Column 2 (after 'amount')" in e.message
    e = err("nofeat.csv", _no_features(tmp_path))
    assert "'row_id' is id" in e.message and "'country' is constant" in e.message


# --- awkward but valid -----------------------------------------------------------------------------------------------

def _semicolon_excel(_: Path) -> bytes:
    # Excel in a European locale: semicolons, decimal commas, Windows-1252, CRLF, a "sep=" line.
    df = good_frame()
    df["colour"] = df["colour"].map({"red": "rouge", "green": "vert", "blue": "bleu é"})
    text = "sep=;\r\n" + df.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return text.encode("cp1252")


def _euro_thousands(_: Path) -> bytes:
    df = good_frame()
    df["amount"] = [f"{1000 + i * 37.5:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
                    for i in range(len(df))]
    return csv_text(df, sep=";").encode()


def _bom(_: Path) -> bytes:
    return b"\xef\xbb\xbf" + csv_text(good_frame()).encode()


def _utf16(_: Path) -> bytes:
    return csv_text(good_frame(), sep="\t").replace("\n", "\r\n").encode("utf-16")


def _utf16_no_bom(_: Path) -> bytes:
    return csv_text(good_frame()).encode("utf-16-le")


def _latin1(_: Path) -> bytes:
    df = good_frame()
    df["colour"] = df["colour"].map({"red": "rouge", "green": "vert", "blue": "\x81bleu"})  # 0x81: not in cp1252
    return csv_text(df).encode("latin-1")


def _mixed_encodings(_: Path) -> bytes:
    # Rows appended by two tools: most in UTF-8, a few in Windows-1252.
    df = good_frame()
    df["colour"] = df["colour"].map({"red": "rouge", "green": "vert", "blue": "bleu é"})
    head, tail = csv_text(df.iloc[:100]), csv_text(df.iloc[100:], header=False)
    return head.encode("utf-8") + tail.encode("cp1252")


def _quoted_newlines(_: Path) -> bytes:
    df = good_frame()
    df["colour"] = df["colour"] + "\nsecond line, with a comma"
    return csv_text(df).encode()


def _trailing_blank_lines(_: Path) -> bytes:
    return (csv_text(good_frame()) + "\n\n\n").encode()


def _thousands(_: Path) -> bytes:
    df = good_frame()
    df["amount"] = [f"{1000 * (i + 1):,}.5" for i in range(len(df))]
    return csv_text(df).encode()


def _markers(_: Path) -> bytes:
    df = good_frame().astype({"amount": object, "colour": object})
    df.loc[::10, "amount"] = "?"
    df.loc[1::10, "colour"] = "NA"
    return csv_text(df).encode()


def _numeric_label(_: Path) -> bytes:
    df = good_frame()
    df["label"] = (df["label"] == "spam").astype(int)
    return csv_text(df).encode()


def _float_label(_: Path) -> bytes:
    df = good_frame()
    df["label"] = (df["label"] == "spam").astype(float)
    df.loc[:9, "label"] = np.nan
    return csv_text(df).encode()


def _trailing_separators(_: Path) -> bytes:
    text = csv_text(good_frame())
    return "\n".join(line + "," for line in text.strip().split("\n")).encode() + b"\n"


def _index_column(_: Path) -> bytes:
    return good_frame().to_csv().encode()  # pandas' default: an unnamed 0..n-1 index first


def _separator_rows(_: Path) -> bytes:
    text = csv_text(good_frame())
    lines = text.strip().split("\n")
    return "\n".join([*lines[:50], ",,,", ",,,", *lines[50:]]).encode() + b"\n"


def _half_labeled(_: Path) -> bytes:
    df = good_frame(200)
    df.loc[df.index % 2 == 1, "label"] = ""
    return csv_text(df).encode()


def _mixed_types(_: Path) -> bytes:
    df = good_frame().astype({"clicks": object})
    df.loc[7, "clicks"] = "unknown"
    return csv_text(df).encode()


def _excel_errors(_: Path) -> bytes:
    df = good_frame().astype({"amount": object})
    df.loc[3, "amount"] = "#DIV/0!"
    return csv_text(df).encode()


def _infinite(_: Path) -> bytes:
    df = good_frame()
    df.loc[4, "amount"] = np.inf
    df.loc[5, "amount"] = -np.inf
    return csv_text(df).encode()


def _header_spaces(_: Path) -> bytes:
    return csv_text(good_frame()).replace("amount,colour,clicks,label", " amount , colour,clicks,label ").encode()


AWKWARD: list[tuple[str, Callable[[Path], bytes], str, dict, dict]] = [
    ("excel_semicolon.csv", _semicolon_excel, "label", {},
     {"delimiter": ";", "encoding": "cp1252", "codes": ["sep_line", "encoding_fallback", "number_format"]}),
    ("euro_thousands.csv", _euro_thousands, "label", {}, {"delimiter": ";", "codes": ["number_format"]}),
    ("bom.csv", _bom, "label", {}, {"encoding": "utf-8-sig", "delimiter": ","}),
    ("utf16.txt", _utf16, "label", {}, {"encoding": "utf-16", "delimiter": "\t", "format": "tsv"}),
    ("utf16_no_bom.csv", _utf16_no_bom, "label", {}, {"encoding": "utf-16-le"}),
    ("latin1.csv", _latin1, "label", {}, {"encoding": "latin-1", "codes": ["encoding_fallback"]}),
    ("mixed_encodings.csv", _mixed_encodings, "label", {}, {"encoding": "cp1252", "codes": ["encoding_fallback"]}),
    ("quoted_newlines.csv", _quoted_newlines, "label", {}, {"n_rows": N}),
    ("trailing_blank_lines.csv", _trailing_blank_lines, "label", {}, {"n_rows": N, "blank_rows": 3}),
    ("separator_rows.csv", _separator_rows, "label", {}, {"n_rows": N, "blank_rows": 2}),
    ("thousands.csv", _thousands, "label", {}, {"codes": ["number_format"]}),
    ("missing_markers.csv", _markers, "label", {}, {"codes": ["missing_markers"]}),
    ("numeric_label.csv", _numeric_label, "label", {}, {"classes": {"0", "1"}}),
    ("float_label.csv", _float_label, "label", {}, {"classes": {"0", "1"}, "n_unlabeled": 10}),
    ("trailing_separators.csv", _trailing_separators, "label", {}, {"n_columns": 4,
                                                                    "codes": ["empty_unnamed_columns"]}),
    ("pandas_index.csv", _index_column, "label", {}, {"n_columns": 4, "codes": ["index_column"]}),
    ("half_labeled.csv", _half_labeled, "label", {}, {"n_unlabeled": 100, "codes": ["unlabeled_excluded"]}),
    ("mixed_types.csv", _mixed_types, "label", {}, {"codes": ["mixed_types"]}),
    ("excel_errors.csv", _excel_errors, "label", {}, {"codes": ["spreadsheet_errors"]}),
    ("infinite.csv", _infinite, "label", {}, {"codes": ["inf_values"]}),
    ("header_spaces.csv", _header_spaces, "label", {}, {"codes": ["header_whitespace"]}),
    ("data.tsv", lambda _: csv_text(good_frame(), sep="\t").encode(), "label", {}, {"delimiter": "\t"}),
    ("pipes.txt", lambda _: csv_text(good_frame(), sep="|").encode(), "label", {}, {"delimiter": "|"}),
    ("crlf.csv", lambda _: csv_text(good_frame()).replace("\n", "\r\n").encode(), "label", {}, {"n_rows": N}),
    ("data.csv.gz", lambda _: _gz(csv_text(good_frame()).encode()), "label", {}, {"compression": "gzip"}),
    ("data.zip", lambda _: _zip({"export/data.csv": csv_text(good_frame(), sep=";").encode(),
                                 "__MACOSX/export/._data.csv": b"\x00\x05junk", "export/": b""}), "label", {},
     {"compression": "zip", "delimiter": ";"}),
    ("data.jsonl", lambda _: good_frame().to_json(orient="records", lines=True).encode(), "label", {},
     {"format": "jsonl"}),
    ("records.json", lambda _: good_frame().to_json(orient="records").encode(), "label", {}, {"format": "json"}),
    ("no_extension", lambda _: good_frame().to_json(orient="records", lines=True).encode(), "label", {},
     {"format": "jsonl"}),
    ("data.parquet", lambda _: _parquet(good_frame().astype({"colour": "category"}).set_index("clicks")), "label",
     {}, {"format": "parquet", "n_columns": 4}),
    ("named.csv", lambda _: _parquet(good_frame()), "label", {}, {"format": "parquet"}),
]


@pytest.mark.parametrize(("name", "build", "label", "kwargs", "expect"), AWKWARD, ids=[a[0] for a in AWKWARD])
def test_awkward_file_loads_and_report_says_how(tmp_path, name, build, label, kwargs, expect):
    path = tmp_path / name
    path.write_bytes(build(tmp_path))
    ds, report = load_user_dataset(path, label, **kwargs)
    read, check = report.read, report.check
    assert len(ds.frame) == check.n_labeled and ds.feature_columns
    assert "amount" in ds.frame.columns or "amount" in ds.roles
    assert set(check.class_counts) == expect.get("classes", {"spam", "ham", "eggs"})
    for key in ("delimiter", "encoding", "format", "compression", "n_rows", "n_columns"):
        if key in expect:
            assert getattr(read, key) == expect[key], (key, read.to_dict())
    if "blank_rows" in expect:
        assert read.n_blank_rows == expect["blank_rows"]
    if "n_unlabeled" in expect:
        assert check.n_unlabeled == expect["n_unlabeled"] == ds.n_missing_labels
    codes = [n.code for n in report.notes]
    for code in expect.get("codes", []):
        assert code in codes, (code, report.lines())
    assert report.production_pool_rows == read.n_rows
    json.dumps(report.to_dict())  # the report is JSON-ready for the dashboard and --json


def test_awkward_values_are_read_right(tmp_path):
    def load(name: str, data: bytes, **kw):
        p = tmp_path / name
        p.write_bytes(data)
        return load_user_dataset(p, "label", **kw)

    ds, rep = load("semi.csv", _semicolon_excel(tmp_path))
    assert ds.frame["amount"].dtype == float
    np.testing.assert_allclose(ds.frame["amount"].to_numpy(), good_frame()["amount"].to_numpy())
    assert "bleu é" in set(ds.frame["colour"])
    assert any("Windows-1252" in line for line in rep.lines())
    _, rep = load("mixed.csv", _mixed_encodings(tmp_path))
    assert "mixes encodings" in " ".join(rep.lines())
    ds, _ = load("euro.csv", _euro_thousands(tmp_path))
    assert ds.frame["amount"].iloc[0] == 1000.0 and ds.frame["amount"].iloc[2] == 1075.0
    ds, _ = load("thou.csv", _thousands(tmp_path))
    assert ds.frame["amount"].iloc[1] == 2000.5
    ds, rep = load("bom.csv", _bom(tmp_path))
    assert ds.frame.columns[0] == "amount"
    ds, rep = load("markers.csv", _markers(tmp_path))
    assert ds.frame["amount"].isna().sum() == 12 and ds.frame["colour"].isna().sum() == 12
    assert "'?'" in " ".join(rep.lines()) and "'NA'" in " ".join(rep.lines())
    ds, _ = load("nl.csv", _quoted_newlines(tmp_path))
    assert ds.frame["colour"].str.contains("\n").all()
    ds, _ = load("latin.csv", _latin1(tmp_path))
    assert "\x81bleu" in set(ds.frame["colour"])
    ds, rep = load("mixed.csv", _mixed_types(tmp_path))
    assert ds.roles["clicks"] == "numeric" and ds.frame["clicks"].isna().sum() == 1
    assert "'unknown'" in " ".join(rep.lines())
    ds, rep = load("half.csv", _half_labeled(tmp_path), unlabeled="pool")
    assert rep.extra_pool is not None and len(rep.extra_pool) == 100 and "unlabeled_pool" in rep.notes.codes
    assert rep.extra_pool["label"].isna().all() and len(ds.frame) == 100


def test_xlsx_workbook_loads(tmp_path):
    pytest.importorskip("openpyxl")
    df = good_frame().astype({"clicks": object})
    df.loc[0, "clicks"] = "n/a"
    df = df.rename(columns={"amount": " amount "})
    df = pd.concat([df.iloc[:60], pd.DataFrame([[None] * 4], columns=df.columns), df.iloc[60:]], ignore_index=True)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xw, sheet_name="About", index=False)
        df.to_excel(xw, sheet_name="Data", index=False, startrow=2)  # two blank rows above the table
    path = tmp_path / "book.xlsx"
    path.write_bytes(buf.getvalue())
    ds, rep = load_user_dataset(path, "label", sheet="Data")
    assert rep.read.format == "xlsx" and rep.read.sheet == "Data" and "sheet" in rep.notes.codes
    assert rep.read.n_rows == N and rep.read.n_blank_rows == 1 and "header_whitespace" in rep.notes.codes
    assert "amount" in ds.frame.columns and ds.roles["clicks"] == "numeric"
    with pytest.raises(IntakeError) as info:
        load_user_dataset(path, "label", sheet="Nope")
    assert info.value.code == "sheet_missing"
    # The first sheet has no label column and 'Data' is the only one that has it: read it, and say so.
    ds, rep = load_user_dataset(path, "label")
    assert rep.read.sheet == "Data" and rep.read.sheets == ["About", "Data"] and len(ds.frame) == N
    assert "sheet_chosen" in rep.notes.codes and "sheet" not in rep.notes.codes
    with pytest.raises(IntakeError) as info:
        load_user_dataset(path, "label", sheet="About")  # a sheet given is read as given
    assert info.value.code == "label_missing"


def test_xlsx_without_openpyxl_says_how_to_fix(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name == "openpyxl" or name.startswith("openpyxl."):
            raise ImportError("No module named 'openpyxl'")
        return real_import(name, *args, **kwargs)

    path = tmp_path / "book.xlsx"
    path.write_bytes(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}))
    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(IntakeError) as info:
        read_table(path)
    assert info.value.code == "missing_dependency"
    assert "pip install openpyxl" in info.value.hint and "CSV" in info.value.hint
