"""Workbooks with several sheets (which sheet is read, and what the error says when the label is elsewhere), and
compressed files: gzip and zip hold any single-table format, an .xlsx workbook included, never another archive."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from test_intake_corpus import _gz, _parquet, _zip

from simulations.intake import IntakeError, LabelColumnError, load_user_dataset, read_table

pytest.importorskip("openpyxl")

N = 120


def frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.choice(["spam", "ham"], n)
    return pd.DataFrame({"amount": rng.normal(size=n).round(3) + (y == "spam"), "colour": rng.choice(["r", "g"], n),
                         "label": y})


def workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    return buf.getvalue()


def error(source: bytes, filename: str, label: str | None = None, **kw) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        if label is None:
            read_table(source, filename=filename, **kw)
        else:
            load_user_dataset(source, label, filename=filename, **kw)
    return info.value


ABOUT = pd.DataFrame({"info": ["exported 2024", "do not edit"]})


# --- sheets ----------------------------------------------------------------------------------------------------------

def test_the_only_sheet_with_the_label_is_read_and_the_report_says_so():
    book = workbook({"About": ABOUT, "Data": frame()})
    ds, rep = load_user_dataset(book, "label", filename="two_sheets.xlsx")
    assert rep.read.sheet == "Data" and rep.read.sheets == ["About", "Data"] and len(ds.frame) == N
    note = next(n for n in rep.notes if n.code == "sheet_chosen")
    assert "'About'" in note.message and "'Data'" in note.message and "another sheet can be picked" in note.message
    # Without a label (a preview) the first sheet is read, as documented.
    assert read_table(book, filename="two_sheets.xlsx").report.sheet == "About"
    # A sheet given explicitly is read as given, even without the label column.
    assert error(book, "two_sheets.xlsx", "label", sheet="About").code == "label_missing"


def test_the_first_sheet_wins_when_it_has_the_label():
    book = workbook({"Train": frame(seed=1), "Test": frame(seed=2)})
    ds, rep = load_user_dataset(book, "label", filename="b.xlsx")
    assert rep.read.sheet == "Train" and "sheet" in rep.notes.codes and "sheet_chosen" not in rep.notes.codes
    np.testing.assert_allclose(ds.frame["amount"].to_numpy(), frame(seed=1)["amount"].to_numpy())


def test_several_sheets_with_the_label_is_an_error_naming_them():
    book = workbook({"About": ABOUT, "2023": frame(seed=1), "Notes": ABOUT, "2024": frame(seed=2)})
    exc = error(book, "years.xlsx", "label")
    assert isinstance(exc, LabelColumnError) and exc.code == "label_missing"
    assert "'2023' and '2024' have it" in exc.message and "'About'" in exc.message
    assert exc.details["sheets_with_label"] == ["2023", "2024"] and exc.details["sheets"][0] == "About"
    assert "'2023' or '2024'" in exc.hint and exc.fix.option == "sheet" and exc.fix.values == ("2023", "2024")
    _, rep = load_user_dataset(book, "label", filename="years.xlsx", sheet="2024")
    assert rep.read.sheet == "2024"


def test_a_label_in_no_sheet_names_the_sheets_and_suggests_columns():
    book = workbook({"About": ABOUT, "Data": frame()})
    exc = error(book, "two_sheets.xlsx", "Label")
    assert exc.code == "label_missing" and "none of the workbook's 2 sheets ('About', 'Data')" in exc.message
    assert "Did you mean 'label'?" in exc.hint and exc.details["sheets_with_label"] == []
    exc = error(book, "two_sheets.xlsx", "target")
    assert "'About': 'info'" in exc.hint and "'Data': 'amount', 'colour', 'label'" in exc.hint


def test_the_header_is_found_below_blank_rows_of_another_sheet():
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        ABOUT.to_excel(xw, sheet_name="About", index=False)
        frame().to_excel(xw, sheet_name="Data", index=False, startrow=3)
    ds, rep = load_user_dataset(buf.getvalue(), "label", filename="b.xlsx")
    assert rep.read.sheet == "Data" and len(ds.frame) == N


# --- compressed files ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("wrap", ["gzip", "zip"])
@pytest.mark.parametrize("inner", ["xlsx", "parquet", "csv"])
def test_gzip_and_zip_hold_any_single_table_format(wrap, inner):
    df = frame()
    data = {"xlsx": lambda: workbook({"Data": df}), "parquet": lambda: _parquet(df),
            "csv": lambda: df.to_csv(index=False).encode()}[inner]()
    packed, name = (_gz(data), f"t.{inner}.gz") if wrap == "gzip" else (_zip({f"export/t.{inner}": data}), "t.zip")
    ds, rep = load_user_dataset(packed, "label", filename=name)
    assert rep.read.compression == wrap and rep.read.format == inner and len(ds.frame) == N
    np.testing.assert_allclose(ds.frame["amount"].to_numpy(), df["amount"].to_numpy())


def test_a_gzipped_workbook_picks_the_sheet_with_the_label_too():
    _, rep = load_user_dataset(_gz(workbook({"About": ABOUT, "Data": frame()})), "label", filename="x.xlsx.gz")
    assert rep.read.sheet == "Data" and rep.read.compression == "gzip"


def test_a_gzipped_workbook_named_without_extension_is_still_a_workbook():
    _, rep = load_user_dataset(_gz(workbook({"Data": frame()})), "label", filename="export.gz")
    assert rep.read.format == "xlsx"


@pytest.mark.parametrize(("packed", "name"), [
    (lambda csv: _gz(_gz(csv)), "t.csv.gz.gz"),
    (lambda csv: _gz(_zip({"t.csv": csv})), "t.zip.gz"),
    (lambda csv: _zip({"t.csv.gz": _gz(csv)}), "t.zip"),
    (lambda csv: _zip({"inner.zip": _zip({"t.csv": csv})}), "t.zip"),
    (lambda csv: _zip({"inner.zip": _zip({"t.xlsx": workbook({"Data": frame()})})}), "t.zip"),
], ids=["gz_in_gz", "zip_in_gz", "gz_in_zip", "zip_in_zip", "workbook_in_zip_in_zip"])
def test_nested_archives_are_refused(packed, name):
    exc = error(packed(frame().to_csv(index=False).encode()), name)
    assert exc.code == "unsupported_format" and "archive inside an archive" in exc.message
    assert "once" in exc.hint


def test_a_broken_zip_inside_a_gzip_is_a_corrupt_file():
    exc = error(_gz(b"PK\x03\x04" + b"\x00" * 40), "x.xlsx.gz")
    assert exc.code == "corrupt_file"


@pytest.mark.parametrize("wrap", [lambda b: b, _gz, lambda b: _zip({"book.xlsx": b})],
                         ids=["plain", "gzip", "zip"])
def test_workbooks_count_against_the_decompressed_size_limit(wrap):
    # A workbook is itself a zip its reader inflates in memory: the sizes its parts declare are held to the same
    # limit as a table coming out of gzip or zip.
    df = pd.DataFrame({"text": ["x" * 200] * 3000, "label": ["a", "b"] * 1500})
    book = workbook({"Data": df})
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(book)).infolist())
    limit_mb = declared / 2**20 / 2
    exc = error(wrap(book), "book.xlsx", max_decompressed_mb=limit_mb)
    assert exc.code == "decompressed_too_large" and exc.details["max_decompressed_mb"] == limit_mb
    assert read_table(wrap(book), filename="book.xlsx", max_decompressed_mb=limit_mb * 4).report.n_rows == 3000
