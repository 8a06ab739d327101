"""Load a sweep's results for the Sweeps page and ask the engine for its summary (no Streamlit here).

A sweep (``labelwise sweep``, docs/sweeps.md) writes ``OUT/results.csv`` (every round of every run),
``OUT/summary.csv`` and ``OUT/sweep.json`` (its config, including the summary's target). The page loads
``results.csv`` (uploaded, or from a folder on the server) and recomputes the summary with
``simulations.sweep.sweep_summary`` for the target the user picks: every number comes from the engine.
The engine reads and checks the files (``simulations.sweep.read_table``, ``read_sweep_settings``); this module
picks which uploaded file is which, finds them in a folder on the server, and keeps the messages of the
engine's :class:`~simulations.errors.ResultsFileError` (message and hint) for the page to show.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from dashboard import fmt
from dashboard.charts import strategy_label
from simulations import (
    ResultsFileError,
    Summary,
    Target,
    learning_curves,
    per_seed,
    summarize,
)
from simulations.economics.value_model import COST_SCORE
from simulations.summary import SCORE_NAMES
from simulations.sweep import cell_result, read_sweep_settings, read_table, sweep_overview, sweep_summary
from simulations.sweep.error_costs import SweepErrorCosts
from simulations.sweep.store import MANIFEST_NAME, RESULTS_NAME, SUMMARY_NAME, TASKS_DIR

#: The only tree the page may read (unset: :data:`START_DIR`).
ROOT_ENV = "LABELWISE_SWEEPS_ROOT"
#: The folder the dashboard was started in (where ``make run`` ran): the default root.
START_DIR = Path.cwd()
HINT = f"Load the {RESULTS_NAME} that 'labelwise sweep' writes in its output folder."


@dataclass(frozen=True)
class LoadedSweep:
    """A sweep's results table and where it came from.

    Attributes
    ----------
    table : DataFrame
        The tidy results table (``simulations.sweep.read_table``).
    source : str
        Where it was loaded from, for people (``upload results.csv`` or the folder).
    token : str
        Identifies the content (a hash); summaries are cached per token and settings.
    target, metric :
        The sweep's own summary settings from ``sweep.json`` (defaults when it was not available).
    has_manifest : bool
        Whether ``sweep.json`` was found (else the target is the engine's default).
    error_costs : SweepErrorCosts or None
        What an error costs, when the sweep priced errors (``sweep.json``).
    """

    table: pd.DataFrame
    source: str
    token: str
    target: Target = field(default_factory=Target)
    metric: str | None = None
    has_manifest: bool = False
    error_costs: SweepErrorCosts | None = None

    @property
    def datasets(self) -> list[str]:
        return list(dict.fromkeys(self.table["dataset"]))

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(self.table["model"]))

    @property
    def schedules(self) -> list[str]:
        return list(dict.fromkeys(self.table["schedule"]))

    @property
    def strategies(self) -> list[str]:
        return list(dict.fromkeys(self.table["strategy"]))

    def describe(self) -> str:
        """One line: the grid's size."""
        t = self.table
        return (f"{len(self.datasets)} dataset(s) x {len(self.models)} model(s) x {len(self.schedules)} schedule(s), "
                f"{len(self.strategies)} strategies, {t['seed'].nunique()} seeds, {len(t):,} rounds")


@dataclass(frozen=True)
class SweepSummary:
    """The engine's answer for one target and metric (or the error costs): ``sweep_summary`` and ``sweep_overview``."""

    summary: pd.DataFrame
    overview: pd.DataFrame
    target: Target
    metric: str | None
    error_costs: SweepErrorCosts | None = None


@dataclass
class CellDetail:
    """One dataset x model x schedule cell, summarized by the engine's single-run functions."""

    summary: Summary
    curves: pd.DataFrame
    per_seed: pd.DataFrame

    @property
    def metric_label(self) -> str:
        return SCORE_NAMES.get(self.summary.metric, self.summary.metric)

    @property
    def n_seeds(self) -> int:
        return int(self.per_seed["seed"].nunique())


# ---- loading ---------------------------------------------------------------------------------------------
def load_uploads(files: Sequence[tuple[str, bytes]]) -> LoadedSweep:
    """A sweep from uploaded files: ``results.csv`` (required) and its ``sweep.json`` (optional).

    Parameters
    ----------
    files : sequence of (file name, content)
    """
    csvs = [(n, b) for n, b in files if n.lower().endswith(".csv")]
    jsons = [(n, b) for n, b in files if n.lower().endswith(".json")]
    other = [n for n, _ in files if not n.lower().endswith((".csv", ".json"))]
    if other:
        raise ResultsFileError(f"{other[0]} is not a file a sweep writes.",
                               hint=f"A sweep writes CSV and JSON: load its {RESULTS_NAME} (and {MANIFEST_NAME}).")
    if not csvs:
        raise ResultsFileError(f"No results table among the uploaded files ({', '.join(n for n, _ in files)}).",
                               hint=HINT)
    if len(csvs) > 1:
        named = [c for c in csvs if c[0].lower() == RESULTS_NAME]
        if len(named) != 1:
            raise ResultsFileError(f"Several CSV files were uploaded ({', '.join(n for n, _ in csvs)}).",
                                   hint=f"Load one sweep at a time: its {RESULTS_NAME}.")
        csvs = named
    name, data = csvs[0]
    manifest = ([j for j in jsons if j[0].lower() == MANIFEST_NAME] or jsons or [None])[0]
    return _loaded(name, data, f"upload {name}", "upload", manifest)


class SweepPathRefused(ResultsFileError):
    """A typed path the Sweeps page will not read: ``..``, outside the root, or a symlink leading out of it.

    Parameters
    ----------
    text : str
        The path as typed (the input at fault).
    root : Path
        The only tree the page reads.
    reason : {"parent", "outside", "symlink"}
    """

    def __init__(self, *, text: str, root: Path, reason: Literal["parent", "outside", "symlink"]) -> None:
        what = {"parent": "goes up with '..'", "outside": "is outside the folder this dashboard may read",
                "symlink": "leads out of the folder this dashboard may read through a symbolic link"}[reason]
        super().__init__(f"{text} {what}, so it was not read.",
                         hint=f"Type a sweep folder below {root}, as a path relative to it or absolute (set "
                              f"{ROOT_ENV} on the server to read another tree).")
        self.text = text
        self.root = root
        self.reason = reason


def sweeps_root(root: str | None = None) -> Path:
    """The only tree the page reads: ``root``, else ``$LABELWISE_SWEEPS_ROOT``, else :data:`START_DIR`."""
    root = root if root is not None else os.environ.get(ROOT_ENV) or None
    return Path(root).expanduser().resolve() if root else START_DIR.resolve()


def _inside(path: Path, root: Path, text: str) -> Path:
    """``path`` resolved (symlinks followed), refused unless it stays below ``root``."""
    real = path.resolve()
    if not real.is_relative_to(root):
        raise SweepPathRefused(text=text, root=root, reason="symlink")
    return real


def resolve_folder(text: str, root: str | None = None) -> Path:
    """The results file a typed path points to: a sweep's output folder or its ``results.csv``.

    Only files below the root (:func:`sweeps_root`) are read: a path with ``..``, an absolute path elsewhere and a
    symbolic link (the folder, or the file in it) that leads out of the root are refused. Relative paths start at
    the root.

    Raises
    ------
    SweepPathRefused
        The path would leave the root.
    ResultsFileError
        Nothing to load there.
    """
    text = (text or "").strip().strip('"').strip("'")
    if not text:
        raise ResultsFileError("No folder given.",
                               hint="Type the --out folder of 'labelwise sweep', e.g. sweep_results.")
    base = sweeps_root(root)
    typed = Path(text).expanduser()
    if ".." in typed.parts:  # refused as typed: even a '..' that stays inside is not needed and hides intent
        raise SweepPathRefused(text=text, root=base, reason="parent")
    lexical = typed if typed.is_absolute() else base / typed
    unresolved_base = Path(os.path.abspath(os.path.expanduser(root or os.environ.get(ROOT_ENV) or START_DIR)))
    if not (lexical.is_relative_to(base) or lexical.is_relative_to(unresolved_base)):
        raise SweepPathRefused(text=text, root=base, reason="outside")
    path = _inside(lexical, base, text)
    if path.is_file():
        if path.suffix.lower() != ".csv":
            raise ResultsFileError(f"{text} is a file but not a results table.",
                                   hint=f"Give the sweep's output folder or its {RESULTS_NAME}.")
        return path
    if not path.is_dir():
        raise ResultsFileError(f"There is no folder {text} on the server (looked at {path}).",
                               hint="Type the --out folder of 'labelwise sweep'; relative paths start at "
                                    f"{base}.")
    results = path / RESULTS_NAME
    if results.is_file():
        return _inside(results, base, text)
    tasks = path / TASKS_DIR
    if tasks.is_dir():
        n = sum(1 for _ in tasks.glob("*.json"))
        raise ResultsFileError(f"The sweep in {text} is not finished: {n} task file(s) but no {RESULTS_NAME} yet.",
                               hint="Run the same 'labelwise sweep' command with --resume; it writes "
                                    f"{RESULTS_NAME} when every task is done.")
    raise ResultsFileError(f"{text} holds no {RESULTS_NAME}.",
                           hint=f"Type the --out folder of 'labelwise sweep' (it holds {RESULTS_NAME}, {SUMMARY_NAME} "
                                f"and {MANIFEST_NAME}).")


def load_folder(text: str, root: str | None = None) -> LoadedSweep:
    """A sweep from a folder (or a ``results.csv``) below the root; ``sweep.json`` beside it sets the target."""
    path = resolve_folder(text, root)

    def read(p: Path) -> bytes:
        try:
            return p.read_bytes()
        except OSError as exc:
            raise ResultsFileError(f"Cannot read {p} ({exc.strerror}).",
                                   hint="Check that the dashboard's user may read the folder.") from exc

    manifest = path.with_name(MANIFEST_NAME)
    if manifest.is_file():
        manifest = _inside(manifest, sweeps_root(root), text)  # a sweep.json linked from elsewhere is not read
    return _loaded(path.name, read(path), str(path.parent), "folder",
                   (str(manifest), read(manifest)) if manifest.is_file() else None)


def _loaded(name: str, data: bytes, source: str, kind: str, manifest: tuple[str, bytes] | None) -> LoadedSweep:
    """The engine's checked table, the settings of its ``sweep.json`` (name, content) if any, and a content token."""
    table = read_table(data, name=name)
    settings = read_sweep_settings(manifest[1], name=manifest[0]) if manifest else None
    digest = hashlib.sha256(data).hexdigest()[:16]
    return LoadedSweep(table=table, source=source, token=f"{kind}:{digest}",
                       target=settings.target if settings else Target(), metric=settings.metric if settings else None,
                       has_manifest=settings is not None, error_costs=settings.error_costs if settings else None)


# ---- the engine's summary ---------------------------------------------------------------------------------
@contextlib.contextmanager
def _summarizable(what: str) -> Iterator[None]:
    """A safety net for hand-edited tables: whatever the engine's checks (``validate_table``) let by and its
    summary then trips on is a :class:`ResultsFileError` naming ``what``, not a traceback. The engine's own
    typed errors pass through unchanged."""
    try:
        yield
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise ResultsFileError(f"{what} cannot be summarized ({type(exc).__name__}: {exc}).",
                               hint=f"{HINT} Tables edited by hand may have lost rows or columns.") from exc


def summarize_sweep(loaded: LoadedSweep, target: Target, metric: str | None = None,
                    error_costs: SweepErrorCosts | None = None) -> SweepSummary:
    """``sweep_summary`` and ``sweep_overview`` of the loaded table (in the error-cost score with ``error_costs``);
    a table the engine cannot summarize is a :class:`ResultsFileError`, not a traceback."""
    with _summarizable(f"The results in {loaded.source}"):
        summary = sweep_summary(loaded.table, target, metric, error_costs=error_costs)
        overview = sweep_overview(summary)
    return SweepSummary(summary=summary, overview=overview, target=target, metric=metric, error_costs=error_costs)


def cell_detail(loaded: LoadedSweep, dataset: str, model: str, schedule: str, target: Target,
                metric: str | None = None, error_costs: SweepErrorCosts | None = None) -> CellDetail:
    """Curves, per-seed results and the summary of one cell, from the engine's single-run functions (in the
    error-cost score with ``error_costs``, as the sweep's summary judged it)."""
    with _summarizable(f"The runs for {dataset} / {model} / {schedule}"):
        result = cell_result(loaded.table, dataset, model, schedule, error_costs)
        summary = summarize(result, target, metric)
        return CellDetail(summary=summary, curves=learning_curves(result, summary.metric),
                          per_seed=per_seed(result, target, summary.metric))


def labels_to_target_frame(summary: Summary) -> pd.DataFrame:
    """The engine's labels to target per strategy (median, 95% interval, censored) as rows for a chart."""
    rows = [{"strategy": n, "median": s.labels_to_target.median, "low": s.labels_to_target.low,
             "high": s.labels_to_target.high, "censored": bool(s.labels_to_target.censored)}
            for n, s in summary.strategies.items()]
    return pd.DataFrame(rows, columns=["strategy", "median", "low", "high", "censored"])


# ---- tables for people -----------------------------------------------------------------------------------
def savings_text(row: pd.Series | dict[str, Any]) -> str:
    """``42% (30% to 55%)``, ``at least 40% (...)``, or the AUC gain when savings are undefined."""
    sv = row.get("savings")
    if sv is not None and pd.notna(sv):
        bound = row.get("savings_bound")
        r = {"median": sv, "low": row.get("savings_low"), "high": row.get("savings_high"),
             "bound": bound if bound in ("lower", "upper") else None}  # NaN or "" when measured
        return fmt.range_text(r, "pct")
    gain = row.get("auc_gain")
    if gain is not None and pd.notna(gain):
        return f"n/a; AUC {100 * gain:+.1f} pts"
    return "n/a"


def cost_note(costs: SweepErrorCosts, target: Target, judged: bool) -> str:
    """What the sweep's error costs are and which score the overview below uses (``judged``: in money)."""
    text = f"This sweep priced errors: {costs.describe()}."
    if judged:
        return (f"{text} Strategies are judged in {costs.score_sentence()}; the target above is "
                f"{target.describe(COST_SCORE)}. The last columns give the expected error cost per 1,000 "
                "predictions at the end of the budget (median over seeds, 95% range), assuming production sees the "
                "test set's class mix.")
    return f"{text} Shown now in another score: pick the error-cost score as the metric to judge in money."


def _cost_range(row: pd.Series, prefix: str) -> str:
    r = {"median": row.get(prefix), "low": row.get(f"{prefix}_low"), "high": row.get(f"{prefix}_high")}
    return fmt.range_text(r, "money")


def winners_table(overview: pd.DataFrame) -> pd.DataFrame:
    """``sweep_overview`` formatted for reading: one row per dataset x model x schedule (with error costs, the best
    strategy's and random sampling's error cost per 1,000 predictions at the end of the budget)."""
    costs = "error_cost_per_1000" in overview.columns
    rows = []
    for _, r in overview.iterrows():
        best = r["best_strategy"]
        rows.append({
            "Dataset": r["dataset"], "Model": r["model"], "Schedule": r["schedule"],
            "Metric": SCORE_NAMES.get(r["metric"], r["metric"]),
            "Best strategy": strategy_label(best) if isinstance(best, str) else "n/a",
            "Verdict": r["verdict"] if isinstance(r["verdict"], str) else "n/a",
            "Labels saved vs random": savings_text(r),
            "Beat random": f"{int(r['n_beating_random'])} of {int(r['n_strategies'])}",
        })
        if costs:
            rows[-1][COST_BEST] = _cost_range(r, "error_cost_per_1000")
            rows[-1][COST_RANDOM] = fmt.money(r["random_error_cost_per_1000"])
    columns = ["Dataset", "Model", "Schedule", "Metric", "Best strategy", "Verdict", "Labels saved vs random",
               "Beat random"]
    return pd.DataFrame(rows, columns=columns + ([COST_BEST, COST_RANDOM] if costs else []))


#: The winners table's error-cost columns (when the sweep priced errors).
COST_BEST = "Best's error cost per 1,000 at budget"
COST_RANDOM = "Random's error cost per 1,000"
