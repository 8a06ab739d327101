"""``labelwise simulate`` on awkward and broken files: the same intake as the dashboard, exit 2 with its message.

The files come from the intake corpus generators (tests/test_intake_corpus.py), written to tmp_path.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_intake_corpus import (
    N,
    _continuous,
    _half_labeled,
    _label_missing,
    _leak_copy,
    _one_class,
    _rare,
    _semicolon_excel,
    _utf16,
    csv_text,
    good_frame,
)

from simulations.cli import build_parser, main
from simulations.intake import IntakeError, load_user_dataset, max_upload_mb_from_config
from simulations.intake.source import IntakeOptions, intake_defaults, load_data, parse_delimiter

FAST = ["--strategies", "margin", "--seeds", "1", "--budget", "40", "--initial", "10", "--quiet"]
LABELWISE = Path(sys.executable).with_name("labelwise")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def simulate(capsys, path: Path, label: str, *extra: str) -> tuple[int, str, str]:
    code = main(["simulate", "--data", str(path), "--label", label, *FAST, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def intake_error(path: Path, label: str, **kwargs) -> IntakeError:
    """The error the dashboard shows for this file (load_user_dataset with the dashboard's defaults)."""
    with pytest.raises(IntakeError) as info:
        load_user_dataset(path, label, **kwargs)
    return info.value


# --- files that load ---------------------------------------------------------------------------------------------

def test_semicolon_windows1252_csv_runs_and_reports_how_it_was_read(tmp_path, capsys):
    path = write(tmp_path, "excel.csv", _semicolon_excel(tmp_path))
    code, out, err = simulate(capsys, path, "label")
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0] == f"intake: excel.csv: CSV, encoding Windows-1252, separator semicolon, {N} rows x 4 columns"
    assert any(line.startswith("intake: warning: The file is not valid UTF-8") for line in lines)
    assert f"Production pool: {N:,} rows" in out and "savings vs random" in out


def test_utf16_tsv_runs_and_json_carries_the_intake_report(tmp_path, capsys):
    path = write(tmp_path, "utf16.txt", _utf16(tmp_path))
    code, out, err = simulate(capsys, path, "label", "--json")
    assert code == 0, err
    assert err == ""  # text mode only: in --json the report is in the JSON
    res = json.loads(out)
    assert res["intake"]["read"]["encoding"] == "utf-16" and res["intake"]["read"]["delimiter"] == "\t"
    assert res["intake"]["check"]["class_counts"] == res["dataset"]["class_counts"]
    assert res["dataset"]["production_pool_rows"] == N and res["dataset"]["n_rows"] == N


def test_sample_has_no_intake_report_but_a_production_pool(capsys):
    code = main(["simulate", "--data", "penguins", *FAST, "--json"])
    res = json.loads(capsys.readouterr().out)
    assert code == 0 and res["intake"] is None
    assert res["dataset"]["production_pool_rows"] == res["dataset"]["n_rows"] + res["dataset"]["n_missing_labels"]


def test_max_rows_samples_the_simulation_but_the_business_case_keeps_the_whole_pool(tmp_path, capsys):
    df = good_frame(400, seed=5)
    df.loc[::8, "label"] = None  # 50 unlabeled rows count toward the production pool too
    path = write(tmp_path, "big.csv", csv_text(df).encode())
    code, out, err = simulate(capsys, path, "label", "--max-rows", "150", "--json", "--out", str(tmp_path / "r.json"))
    assert code == 0, err
    res = json.loads(out)
    assert res["dataset"]["n_rows"] == 150 and res["intake"]["sampled"] is True
    assert res["dataset"]["production_pool_rows"] == 400 and res["intake"]["n_labeled_full"] == 350
    assert "sampled" in [n["code"] for n in res["intake"]["notes"]]
    saved = json.loads((tmp_path / "r.json").read_text())
    assert saved["meta"]["production_pool_rows"] == 400


def test_unlabeled_pool_is_passed_through_and_counted(tmp_path, capsys):
    path = write(tmp_path, "half.csv", _half_labeled(tmp_path))
    code, out, err = simulate(capsys, path, "label", "--unlabeled", "pool")
    assert code == 0, err
    assert "Production pool: 200 rows (100 labeled, 100 unlabeled, 100 kept as extra pool)" in out
    assert "intake: 100 rows have no label: kept as extra unlabeled pool." in err
    code, out, err = simulate(capsys, path, "label")  # the default leaves them out, with a warning
    assert code == 0 and "(100 labeled, 100 unlabeled)" in out and "intake: warning: 100 of 200 rows" in err


# --- files that stop with intake's message -----------------------------------------------------------------------

BROKEN = [
    # (file, builder, label, code, words the message must contain)
    ("empty.csv", lambda _: b"", "label", "empty_file", "is empty (0 bytes)"),
    ("label_missing.csv", _label_missing, "Label", "label_missing", "The label column 'Label' is not in the data"),
    ("one_class.csv", _one_class, "label", "too_few_classes", "has only the class 'spam'"),
    ("continuous.csv", _continuous, "price", "continuous_label", "looks like a measured number (e.g. a price)"),
    ("leak.csv", _leak_copy, "label", "leakage", "'label_copy' is identical to the label"),
    ("rare.csv", _rare, "label", "rare_class", "'rare_one' (3 rows), 'rare_two' (1 row)"),
]


@pytest.mark.parametrize(("name", "build", "label", "code", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_exits_2_with_the_dashboards_message(tmp_path, capsys, name, build, label, code, words):
    path = write(tmp_path, name, build(tmp_path))
    expected = intake_error(path, label)
    assert expected.code == code and words in expected.message
    status, out, err = simulate(capsys, path, label)
    assert status == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"error: {expected.message}"
    assert lines[1].startswith(f"hint: {expected.hint}") and len(lines) == 2
    assert "Traceback" not in err


def _rare_mergeable(_: Path) -> bytes:
    df = good_frame()
    df.loc[:2, "label"] = "rare_one"
    df.loc[3:4, "label"] = "rare_two"  # 3 + 2 rows: merged, 'other' has the 5 rows a class needs
    return csv_text(df).encode()


@pytest.mark.parametrize(("build", "label", "flag", "words"), [
    (_rare, "label", ["--rare-classes", "drop"], "Dropped 4 rows of 2 rare class(es)"),
    (_rare_mergeable, "label", ["--rare-classes", "merge"], "Merged 2 rare class(es) into 'other' (5 rows)"),
    (_leak_copy, "label", ["--leakage", "drop"], "Dropped column(s) that leak the label: 'label_copy'"),
], ids=["rare-drop", "rare-merge", "leak-drop"])
def test_the_flag_named_in_the_hint_fixes_the_file(tmp_path, capsys, build, label, flag, words):
    path = write(tmp_path, "f.csv", build(tmp_path))
    status, _, err = simulate(capsys, path, label)
    assert status == 2 and " ".join(flag) in err.splitlines()[1]
    status, out, err = simulate(capsys, path, label, *flag)
    assert status == 0, err
    assert words in err and "savings vs random" in out


def test_continuous_label_hint_names_the_flag_and_the_flag_is_passed_to_intake(tmp_path, capsys):
    df = good_frame()
    df["label"] = np.arange(len(df)) % 25  # 25 numeric class codes: "continuous" unless told otherwise
    path = write(tmp_path, "codes.csv", csv_text(df).encode())
    status, _, err = simulate(capsys, path, "label")
    assert status == 2 and "--label-type categorical" in err
    status, _, err = simulate(capsys, path, "label", "--label-type", "categorical")
    # Accepted as classes now; 120 rows in 25 classes are too few per class: the next check speaks.
    assert status == 2 and "error: Class(es) too small to split" in err


def test_size_limit_flag(tmp_path, capsys):
    path = write(tmp_path, "d.csv", csv_text(good_frame(2000)).encode())
    status, _, err = simulate(capsys, path, "label", "--max-mb", "0.01")
    assert status == 2 and err.startswith("error: 'd.csv' is 0.0 MB") and "the upload limit is 0 MB" in err
    assert "--max-mb N (0: no limit)" in err
    status, _, err = simulate(capsys, path, "label", "--max-mb", "-1")
    assert status == 2 and "error: --max-mb must be 0 (no limit) or positive" in err


def test_forced_delimiter_and_encoding_are_passed_to_intake(tmp_path, capsys):
    path = write(tmp_path, "t.txt", csv_text(good_frame(), sep="~").encode("cp1252"))
    status, _, err = simulate(capsys, path, "label")
    assert status == 2 and "--delimiter" in err.splitlines()[1]  # read as one column: the hint says how to fix it
    status, _, err = simulate(capsys, path, "label", "--delimiter", "~", "--encoding", "cp1252")
    assert status == 0, err
    assert "encoding Windows-1252, separator '~'" in err.splitlines()[0]


def test_console_script_prints_intakes_message_without_traceback(tmp_path):
    path = write(tmp_path, "leak.csv", _leak_copy(tmp_path))
    expected = intake_error(path, "label")
    assert LABELWISE.exists(), "the labelwise console script is installed in the venv"
    proc = subprocess.run([str(LABELWISE), "simulate", "--data", str(path), "--label", "label", "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines()[0] == f"error: {expected.message}"
    assert "Traceback" not in proc.stderr


# --- the shared loader and its defaults ---------------------------------------------------------------------------

def test_cli_defaults_are_the_dashboards():
    args = build_parser().parse_args(["simulate", "--data", "x"])
    defaults = intake_defaults()  # load_user_dataset's own defaults, what the dashboard upload uses
    for key in ("unlabeled", "rare_classes", "leakage", "label_type", "encoding", "delimiter", "sheet", "max_rows"):
        assert getattr(args, key) == defaults[key] == getattr(IntakeOptions(), key), key
    assert args.max_mb == max_upload_mb_from_config()  # the dashboard's server.maxUploadSize
    accepted = inspect.signature(load_user_dataset).parameters
    assert set(IntakeOptions().load_kwargs()) <= set(accepted)


def test_loader_options_are_checked_before_reading():
    with pytest.raises(Exception, match="rare_classes must be one of error, merge, drop"):
        IntakeOptions(rare_classes="keep")
    with pytest.raises(Exception, match="max_rows must be positive"):
        IntakeOptions(max_rows=0)
    assert parse_delimiter("tab") == "\t" and parse_delimiter(";") == ";" and parse_delimiter(None) is None
    with pytest.raises(Exception, match="one character"):
        parse_delimiter(";;")


def test_loader_names_unknown_data_and_a_missing_label(tmp_path):
    with pytest.raises(IntakeError) as info:
        load_data(str(tmp_path / "nope.csv"), "label")
    assert info.value.code == "file_not_found" and "neither a sample dataset nor an existing file" in str(info.value)
    path = write(tmp_path, "ok.csv", csv_text(good_frame()).encode())
    with pytest.raises(IntakeError) as info:
        load_data(str(path), None)
    assert info.value.code == "label_missing"
    ds, report = load_data(str(path), "label")
    assert report is not None and ds.name == "ok.csv" and len(ds.frame) == N


def test_a_workbook_with_the_label_on_several_sheets_names_them_and_the_sheet_flag(tmp_path, capsys):
    import pandas as pd

    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"note": ["read me"]}).to_excel(w, sheet_name="About", index=False)
        good_frame().to_excel(w, sheet_name="2023", index=False)
        good_frame().to_excel(w, sheet_name="2024", index=False)
    status, _, err = simulate(capsys, path, "label")
    lines = err.splitlines()
    assert status == 2 and "sheets '2023' and '2024' have it" in lines[0]
    assert lines[1].endswith("On the command line: --sheet NAME (e.g. --sheet '2023').")
    status, out, err = simulate(capsys, path, "label", "--sheet", "2024")
    assert status == 0, err
    assert "savings vs random" in out


def test_the_hint_offers_exactly_the_flags_of_the_errors_structured_fix():
    from simulations.cli import cli_fix
    from simulations.intake.errors import Fix

    def err(fix):
        return IntakeError("x", code="rare_class", fix=fix)

    assert cli_fix(err(Fix("rare_classes", ("merge",)))) == "On the command line: --rare-classes merge."
    assert cli_fix(err(Fix("rare_classes", ("merge", "drop")))) == (
        "On the command line: --rare-classes merge or --rare-classes drop.")
    assert cli_fix(err(Fix("leakage", ("drop",)))) == "On the command line: --leakage drop."
    assert cli_fix(err(Fix("max_mb"))) == "On the command line: --max-mb N (0: no limit)."
    assert cli_fix(err(None)) == "" and cli_fix(err(Fix("unknown_option", ("x",)))) == ""
