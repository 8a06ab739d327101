"""JSON and JSON Lines: a JSON array of records, a JSON object of columns, or one object per line.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from simulations.intake.columns import _require_columns
from simulations.intake.errors import ParseError

__all__: list[str] = []


def _read_json(text: str, fmt: str, columns: list[str] | None, nrows: int | None) -> tuple[pd.DataFrame, str]:
    """A JSON array of records, a JSON object of columns, or JSON Lines; returns the frame and the format."""
    stripped = text.strip()
    frame = None
    if fmt != "jsonl":
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            lines = [ln for ln in stripped.splitlines()[:3] if ln.strip()]
            if not (len(lines) > 1 and lines[0].lstrip().startswith("{")):
                raise ParseError(
                    f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                    hint="Save it as JSON Lines (one object per line) or CSV.",
                    code="invalid_json", details={"line": exc.lineno},
                ) from exc
            fmt = "jsonl"  # several objects, one per line
        else:
            fmt = "json"
            frame = _json_frame(obj, nrows)
    if frame is None:
        frame = _read_jsonl(stripped, nrows)
    if columns is not None:
        _require_columns(columns, [str(c) for c in frame.columns])
        frame = frame[list(columns)]
    return frame, fmt


def _json_frame(obj: Any, nrows: int | None) -> pd.DataFrame:
    if isinstance(obj, list):
        bad = next((i for i, r in enumerate(obj) if not isinstance(r, dict)), None)
        if bad is not None:
            raise ParseError(f"Item {bad + 1} of the JSON array is not an object ({{...}}).",
                             hint="Use a list of records: [{\"col\": value, ...}, ...].", code="invalid_json",
                             details={"item": bad + 1})
        return pd.DataFrame.from_records(obj[:nrows] if nrows else obj)
    if isinstance(obj, dict) and obj and all(isinstance(v, list) for v in obj.values()):
        if len({len(v) for v in obj.values()}) > 1:
            raise ParseError("The JSON object's column lists have different lengths.",
                             hint="Give every column the same number of values, or use JSON Lines.",
                             code="invalid_json")
        frame = pd.DataFrame(obj)
        return frame.head(nrows) if nrows else frame
    if isinstance(obj, dict):
        return pd.DataFrame.from_records([obj])
    raise ParseError(f"The JSON holds a {type(obj).__name__}, not a table.",
                     hint="Use JSON Lines (one {\"col\": value} object per line) or a list of records.",
                     code="invalid_json")


def _read_jsonl(text: str, nrows: int | None) -> pd.DataFrame:
    records = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(
                f"Line {i} is not valid JSON: {exc.msg} (column {exc.colno}).",
                hint="Each line of a JSON Lines file must be one complete {...} object.",
                code="invalid_json", details={"line": i},
            ) from exc
        if not isinstance(obj, dict):
            raise ParseError(f"Line {i} is a JSON {type(obj).__name__}, not an object ({{...}}).",
                             hint="Each line of a JSON Lines file must be one {\"column\": value, ...} object.",
                             code="invalid_json", details={"line": i})
        records.append(obj)
        if nrows is not None and len(records) >= nrows:
            break
    return pd.DataFrame.from_records(records)
