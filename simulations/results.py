"""Simulation results: tidy tables plus metadata, saved and loaded losslessly as JSON."""

from __future__ import annotations

import gzip
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulations.config import SimulationConfig
from simulations.errors import ResultsFileError

FORMAT = "labelwise-results"
FORMAT_VERSION = 1
#: Columns that measure time: they differ between runs and are left out of reproducibility checks.
TIMING_COLUMNS = ("fit_seconds", "query_seconds")


@dataclass
class SimulationResult:
    """What one simulation run produced.

    Attributes
    ----------
    rounds : DataFrame, one row per strategy x seed x round (columns in docs/engine-contract.md)
    ceilings : DataFrame, one row per seed: whole-pool model and majority-class baseline metrics
    config : SimulationConfig
    meta : dict
        Dataset name and fingerprint, sizes, classes and counts, the metric used and why, the schedule.
    """

    rounds: pd.DataFrame
    ceilings: pd.DataFrame
    config: SimulationConfig
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def strategies(self) -> list[str]:
        return list(self.config.strategies)

    @property
    def metric(self) -> str:
        return self.meta.get("metric", "accuracy")


def encode_frame(df: pd.DataFrame) -> dict[str, Any]:
    """A DataFrame as JSON-able columns plus dtypes; :func:`decode_frame` restores it exactly."""
    cols = {}
    for c in df.columns:
        values = df[c].tolist()
        # JSON has no NaN; None marks it and the dtype restores it.
        cols[c] = [None if isinstance(v, float) and math.isnan(v) else v for v in values]
    return {"columns": cols, "dtypes": {c: str(df[c].dtype) for c in df.columns}}


def decode_frame(d: dict[str, Any]) -> pd.DataFrame:
    data = {}
    for c, values in d["columns"].items():
        dtype = d["dtypes"][c]
        if dtype.startswith("float"):
            data[c] = np.array([np.nan if v is None else v for v in values], dtype=dtype)
        elif dtype.startswith(("int", "uint", "bool")):
            data[c] = np.array(values, dtype=dtype)
        else:
            data[c] = pd.Series(values, dtype=object).astype(dtype)
    return pd.DataFrame(data)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    return obj


def results_to_dict(result: SimulationResult) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "config": _jsonable(result.config.to_dict()),
        "meta": _jsonable(result.meta),
        "rounds": encode_frame(result.rounds),
        "ceilings": encode_frame(result.ceilings),
    }


def _with_class_weight(config: dict[str, Any]) -> dict[str, Any]:
    """A saved config; one written before class weighting existed ran unweighted, so it reads as ``"none"``
    (the ``"auto"`` default would claim weights its curves were never trained with)."""
    return config if "class_weight" in config else {**config, "class_weight": "none"}


def results_from_dict(d: dict[str, Any]) -> SimulationResult:
    if d.get("format") != FORMAT:
        raise ResultsFileError("This is not a Labelwise results file.",
                               hint="Pass a file written by 'labelwise simulate --out FILE'.")
    if d.get("version", 0) > FORMAT_VERSION:
        raise ResultsFileError(f"The results file is format version {d['version']}, newer than this Labelwise.",
                               hint="Upgrade Labelwise.")
    try:
        return SimulationResult(
            rounds=decode_frame(d["rounds"]),
            ceilings=decode_frame(d["ceilings"]),
            config=SimulationConfig.from_dict(_with_class_weight(d["config"])),
            meta=d.get("meta", {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ResultsFileError(f"The results file is incomplete or damaged ({exc}).",
                               hint="Run the simulation again and save it anew.") from exc


def check_results_path(path: str | Path) -> Path:
    """Where :func:`save_results` will write, checked before minutes of simulation rather than after.

    Raises
    ------
    ResultsFileError
        The path is a folder, its folder does not exist, or nothing may be written there.
    """
    path = Path(path)
    hint = "Give a file name in an existing folder you may write to, e.g. --out results.json (.gz to compress)."
    if path.is_dir():
        raise ResultsFileError(f"{path} is a folder, not a file name for the results.", hint=hint)
    if not path.parent.is_dir():
        raise ResultsFileError(f"The folder {path.parent} does not exist.", hint=hint)
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ResultsFileError(f"Cannot write to {path} (permission denied).", hint=hint)
    return path


def save_results(result: SimulationResult, path: str | Path) -> Path:
    """Write results as JSON (gzip-compressed when the name ends in .gz). Floats round-trip exactly.

    Raises
    ------
    ResultsFileError
        The file cannot be written (see :func:`check_results_path`; a full disk too).
    """
    path = check_results_path(path)
    text = json.dumps(results_to_dict(result), allow_nan=False)
    try:
        if path.suffix == ".gz":
            path.write_bytes(gzip.compress(text.encode()))
        else:
            path.write_text(text)
    except OSError as exc:
        raise ResultsFileError(f"Cannot write the results to {path} ({exc.strerror or exc}).",
                               hint="Free some disk space or pick another folder, then run again.") from exc
    return path


def load_results(path: str | Path) -> SimulationResult:
    """Read results written by :func:`save_results`."""
    path = Path(path)
    if not path.exists():
        raise ResultsFileError(f"No results file at {path}.", hint="Check the path, or run 'labelwise simulate --out'.")
    try:
        raw = path.read_bytes()
        text = gzip.decompress(raw).decode() if raw[:2] == b"\x1f\x8b" else raw.decode()
        d = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError(f"Cannot read {path} as a results file ({exc}).",
                               hint="Pass a file written by 'labelwise simulate --out FILE'.") from exc
    return results_from_dict(d)
