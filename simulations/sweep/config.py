"""What a sweep runs: a grid of datasets x models x schedules x seeds x strategies, read from TOML.

Example (``examples/sweep.toml``)::

    strategies = ["margin", "entropy"]      # random is always added
    models = ["logreg", "naive_bayes"]
    seeds = 7                               # or an explicit list, e.g. [0, 1, 2]
    initial_labels = 20
    class_weight = "auto"                   # or "balanced" / "none" (see SimulationConfig)
    datasets = ["breast_cancer", "penguins"]

    [[schedules]]
    name = "growth20"
    growth = 0.2
    budget = 300

    [[datasets]]                            # a file instead of a shipped sample
    name = "tickets"
    path = "tickets.csv"                    # relative to the config file
    label = "category"
    roles = { notes = "text" }
    sheet = "Data"                          # intake's options, as labelwise simulate's flags (see INTAKE_KEYS)
    rare_classes = "merge"

Noisy annotators (``simulations/annotators.py``), for every cell, with ``labelwise simulate``'s flags as keys::

    annotator_error = 0.1                   # or one rate per annotator: [0.05, 0.1, 0.2] (or "0.05,0.1,0.2")
    annotator_confusion = "confusion.csv"   # instead of a rate; relative to the config file
    annotators = 3
    relabel = "majority3"                   # none | majority3 | disputed
    noise_ambiguity = true

Error costs, for every cell's summary (``simulations/sweep/error_costs.py``), with ``labelwise plan``'s flags as
keys::

    cost_matrix = "costs.csv"               # or cost_missed_positive, cost_false_alarm and positive_class
    target_error_cost = 40                  # optional: at most $40 of errors per 1,000 predictions

Every (dataset, model, schedule) cell is one :class:`~simulations.config.SimulationConfig`: a sweep is the
same simulations ``run_simulation`` would run, split into tasks that can run anywhere.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulations.config import DEFAULT_SEEDS, DEFAULT_STRATEGIES, SimulationConfig, require, with_random_first
from simulations.costs import COST_FLAGS, ItemCostError, ItemCosts, parse_class_costs
from simulations.datasets import SAMPLES
from simulations.errors import ConfigError, LabelwiseError
from simulations.intake.checks import LABEL_TYPES, LEAKAGE_MODES, RARE_CLASS_MODES, UNLABELED_MODES
from simulations.intake.errors import IntakeError
from simulations.intake.source import IntakeOptions, parse_delimiter
from simulations.models import MODELS
from simulations.strategies import make_strategy
from simulations.summary import METRIC_NAMES, Target
from simulations.sweep.error_costs import ERROR_COST_KEYS, SweepErrorCosts, parse_error_costs

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Noisy-annotator settings (``labelwise simulate``'s flags with ``_``), shared by every cell.
NOISE_KEYS = ("annotator_error", "annotator_confusion", "annotators", "relabel", "noise_ambiguity")
#: Keys allowed at the top level of a sweep file.
TOP_KEYS = {"datasets", "models", "strategies", "schedules", "seeds", "random_state", "initial_labels",
            "test_share", "max_test_rows", "stop_set_rows", "max_candidates", "class_weight", "target", "metric",
            "out", *NOISE_KEYS, *ERROR_COST_KEYS, *(f.lstrip("-").replace("-", "_") for f in COST_FLAGS.values())}
#: The sweep key of each item-cost setting: ``labelwise simulate``'s flag with ``_`` (``cost_per_word = 0.01``).
COST_KEYS = {field: flag.lstrip("-").replace("-", "_") for field, flag in COST_FLAGS.items()}
#: Intake's options a file dataset may set, as ``labelwise simulate``'s flags of the same names (with ``_``).
#: Options with a fixed set of values map to those values; the others are text, ``max_rows`` a whole number.
INTAKE_KEYS: dict[str, tuple[str, ...] | None] = {
    "sheet": None, "encoding": None, "delimiter": None, "unlabeled": UNLABELED_MODES,
    "rare_classes": RARE_CLASS_MODES, "leakage": LEAKAGE_MODES, "label_type": LABEL_TYPES, "max_rows": None,
}
DATASET_KEYS = {"name", "path", "label", "roles", *INTAKE_KEYS}
#: A sweep runs what its config names: the whole file (no sampling unless the dataset sets ``max_rows``, no upload
#: limit); every other choice is intake's default (the dashboard's) unless the dataset's entry sets it.
SWEEP_INTAKE = IntakeOptions(max_rows=2**62, max_mb=None)


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of the grid: a shipped sample (``path`` empty) or a file intake reads (CSV, Excel, ...).

    ``path`` is absolute once loaded from a file: workers on other machines need the same path
    (a shared file system); each task checks the data's fingerprint, so a different file is an error,
    never a silently different result. ``intake`` holds the intake options the entry sets (sorted
    ``(key, value)`` pairs of :data:`INTAKE_KEYS`); the rest are :data:`SWEEP_INTAKE`'s.
    """

    name: str
    path: str | None = None
    label: str | None = None
    roles: tuple[tuple[str, str], ...] = ()
    intake: tuple[tuple[str, Any], ...] = ()

    def intake_options(self) -> IntakeOptions:
        """The :class:`IntakeOptions` this dataset's file is read with."""
        return dataclasses.replace(SWEEP_INTAKE, **dict(self.intake))

    def describe(self) -> str:
        """How errors name the dataset: its sweep name and its file (or that it is a shipped sample)."""
        return f"Dataset '{self.name}' ({self.path or 'shipped sample'})"

    def to_dict(self) -> dict[str, Any]:
        d = {"name": self.name, "path": self.path, "label": self.label, "roles": dict(self.roles)}
        if self.intake:  # only when set, so sweep.json of datasets without options is unchanged
            d["intake"] = dict(self.intake)
        return d


def name_dataset(exc: LabelwiseError, spec: DatasetSpec) -> LabelwiseError:
    """``exc`` with its message prefixed by :meth:`DatasetSpec.describe`: same object, type, hint and code.

    A sweep reads several datasets, so an error about one must say which. Prefixing only once keeps nested
    callers from naming it twice; intake errors also get ``details["dataset"]`` for a UI.
    """
    prefix = f"{spec.describe()}: "
    if not exc.message.startswith(prefix):
        exc.message = prefix + exc.message
        exc.args = (exc.message, *exc.args[1:])
    if isinstance(exc, IntakeError):
        exc.details.setdefault("dataset", spec.name)
    return exc


@contextlib.contextmanager
def about_dataset(spec: DatasetSpec) -> Iterator[None]:
    """Re-raise any :class:`LabelwiseError` of the block with the dataset named (see :func:`name_dataset`)."""
    try:
        yield
    except LabelwiseError as exc:
        name_dataset(exc, spec)
        raise  # the same exception object: its traceback and cause stay


@dataclass(frozen=True)
class ScheduleSpec:
    """How labels grow: a fixed ``batch_size`` or geometric ``growth``, up to ``budget`` (default min(pool, 500))."""

    name: str
    batch_size: int | None = None
    growth: float = 0.2
    budget: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "batch_size": self.batch_size, "growth": self.growth, "budget": self.budget}


DEFAULT_SCHEDULE = ScheduleSpec("default")


@dataclass(frozen=True)
class SweepConfig:
    """The whole grid and the settings shared by every cell.

    ``seeds`` are the seed values themselves (``run_simulation`` with ``seeds=n, random_state=r`` uses
    ``r, r+1, ..., r+n-1``).
    """

    datasets: tuple[DatasetSpec, ...]
    models: tuple[str, ...] = ("logreg",)
    strategies: tuple[str, ...] = DEFAULT_STRATEGIES
    schedules: tuple[ScheduleSpec, ...] = (DEFAULT_SCHEDULE,)
    seeds: tuple[int, ...] = tuple(range(DEFAULT_SEEDS))
    initial_labels: int = 20
    test_share: float = 0.25
    max_test_rows: int = 5000
    stop_set_rows: int = 1000
    max_candidates: int | None = None
    class_weight: str = "auto"
    target: Target = field(default_factory=Target)
    metric: str | None = None
    out: str | None = None
    #: Item costs of every cell (the ``cost_*`` keys, as ``labelwise simulate``'s ``--cost-*`` flags); None: one
    #: price per label.
    costs: ItemCosts | None = None
    #: Noisy annotators for every cell (``simulations.annotators.NoiseConfig``); None: a perfect oracle.
    noise: Any = None
    #: What an error costs (the summary judges every cell in the error-cost score); None: the score itself.
    #: Changes no task, only the summary.
    error_costs: SweepErrorCosts | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "strategies", with_random_first(self.strategies))
        self.validate()

    def validate(self) -> None:
        """Check what only a sweep has (names, models, strategies, metric), then every cell as a simulation.

        The per-cell settings are not checked here again: each cell is built as a :class:`SimulationConfig`,
        which checks them with the engine's own messages. The shared settings are checked once first, so an
        error there names just the setting; an error of a cell then comes from its schedule and names it.
        """
        require(len(self.datasets) > 0, "The sweep has no datasets.", 'Add e.g. datasets = ["breast_cancer"].')
        require(len(self.models) > 0, "The sweep has no models.", f"Use some of: {', '.join(MODELS)}.")
        require(len(set(self.seeds)) == len(self.seeds), "The sweep lists a seed twice.", "List each seed once.")
        named = (("dataset", [d.name for d in self.datasets]), ("schedule", [s.name for s in self.schedules]),
                 ("model", list(self.models)))
        for what, names in named:
            dup = sorted({n for n in names if names.count(n) > 1})
            require(not dup, f"Two {what}s share the name {', '.join(dup)}.", f"Give every {what} its own name.")
            bad = [n for n in names if not _NAME.match(n)]
            require(not bad, f"Invalid {what} name(s): {', '.join(map(repr, bad))}.",
                    "Use letters, digits, '_', '-' and '.', starting with a letter or digit.")
        for m in self.models:
            require(m in MODELS, f"Unknown model '{m}'.", f"Use one of: {', '.join(MODELS)}.")
        for s in self.strategies:
            make_strategy(s)  # raises ConfigError with the list of known names
        require(self.metric is None or self.metric in METRIC_NAMES, f"Unknown metric '{self.metric}'.",
                f"Use one of: {', '.join(METRIC_NAMES)}.")
        self.simulation_config(self.models[0], DEFAULT_SCHEDULE)  # seeds and the settings shared by every cell
        for model in self.models:
            for schedule in self.schedules:
                try:
                    self.simulation_config(model, schedule)
                except ConfigError as exc:
                    raise ConfigError(f"Schedule '{schedule.name}': {exc.message}", hint=exc.hint) from exc

    def simulation_config(self, model: str, schedule: ScheduleSpec) -> SimulationConfig:
        """The ``SimulationConfig`` of one grid cell; with contiguous seeds, ``run_simulation`` on it gives the
        same per-round results as the sweep's tasks for that cell."""
        return SimulationConfig(
            strategies=self.strategies, model=model, seeds=len(self.seeds), random_state=min(self.seeds, default=0),
            initial_labels=self.initial_labels, batch_size=schedule.batch_size, growth=schedule.growth,
            budget=schedule.budget, test_share=self.test_share, max_test_rows=self.max_test_rows,
            stop_set_rows=self.stop_set_rows, max_candidates=self.max_candidates, class_weight=self.class_weight,
            costs=self.costs,
            noise=self.noise,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "datasets": [d.to_dict() for d in self.datasets],
            "models": list(self.models),
            "strategies": list(self.strategies),
            "schedules": [s.to_dict() for s in self.schedules],
            "seeds": list(self.seeds),
            "initial_labels": self.initial_labels,
            "test_share": self.test_share,
            "max_test_rows": self.max_test_rows,
            "stop_set_rows": self.stop_set_rows,
            "max_candidates": self.max_candidates,
            "class_weight": self.class_weight,
            "target": {"kind": self.target.kind, "value": self.target.value},
            "metric": self.metric,
            **({} if self.costs is None else {"costs": self.costs.to_dict()}),
            **({"noise": self.noise.to_dict()} if self.noise is not None else {}),
            **({"error_costs": self.error_costs.to_dict()} if self.error_costs is not None else {}),
        }


def _as_list(value: Any, what: str) -> list:
    if isinstance(value, (str, dict)):
        return [value]
    if not isinstance(value, list):
        raise ConfigError(f"'{what}' must be a list.", hint=f'E.g. {what} = ["a", "b"].')
    return value


def _table(entry: Any, what: str, keys: set[str], example: str, keys_hint: str) -> dict[str, Any]:
    """A dataset or schedule entry of the sweep file: a table with a name and only the ``keys`` it may have."""
    if not isinstance(entry, dict) or "name" not in entry:
        raise ConfigError(f"Cannot read the {what} entry {entry!r}.", hint=example)
    unknown = set(entry) - keys
    if unknown:
        raise ConfigError(f"Unknown key(s) {', '.join(sorted(unknown))} in {what} '{entry['name']}'.", hint=keys_hint)
    return entry


def _intake_option(key: str, value: Any) -> Any:
    """One intake option of a dataset entry, checked as ``labelwise simulate`` checks its flag."""
    choices = INTAKE_KEYS[key]
    if key == "max_rows":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"max_rows must be a positive whole number (got {value!r}).",
                              hint="E.g. max_rows = 200000 (labeled rows above it are sampled, stratified).")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be text in quotes (got {value!r}).", hint=f'E.g. {key} = "..."')
    if choices is not None and value not in choices:
        raise ConfigError(f"{key} must be one of {', '.join(choices)} (got {value!r}).",
                          hint=f'E.g. {key} = "{choices[-1]}"; leave it out for "{choices[0]}" (the default).')
    return parse_delimiter(value) if key == "delimiter" else value


def _dataset(entry: Any, base: Path) -> DatasetSpec:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict) or "name" not in entry:
        raise ConfigError(f"Cannot read the dataset entry {entry!r}.",
                          hint='Use a sample name, or a table like {name = "tickets", path = "t.csv", label = "y"}.')
    name, path, label = str(entry["name"]), entry.get("path"), entry.get("label")
    if path is not None:
        p = Path(str(path)).expanduser()
        path = str((base / p).resolve() if not p.is_absolute() else p)
    # Every error below is about this entry: it names the dataset and its file.
    with about_dataset(DatasetSpec(name=name, path=path)):
        unknown = set(entry) - DATASET_KEYS
        if unknown:
            raise ConfigError(f"Unknown key(s) {', '.join(sorted(unknown))} in its entry.",
                              hint=f"A dataset has name, and for files path, label, optional roles and intake's "
                                   f"options: {', '.join(INTAKE_KEYS)}.")
        roles = entry.get("roles") or {}
        if not isinstance(roles, dict):
            raise ConfigError("roles must be a table.", hint='E.g. roles = { notes = "text" }.')
        intake = tuple(sorted((k, _intake_option(k, entry[k])) for k in INTAKE_KEYS if k in entry))
        if path is None:
            if name not in SAMPLES:
                raise ConfigError(f"'{name}' is not a sample dataset and has no path.",
                                  hint=f"Samples: {', '.join(SAMPLES)}; for a file add path = \"...\" and label.")
            if label is not None and label != SAMPLES[name].label:
                raise ConfigError(f"The sample has the label column '{SAMPLES[name].label}', not '{label}'.",
                                  hint="Leave out label for samples.")
            if intake:
                raise ConfigError(f"{', '.join(k for k, _ in intake)} only apply to files: a sample is read as it is.",
                                  hint="Leave these keys out for samples.")
            label = None
        elif not label:
            raise ConfigError("The dataset is a file and needs a label column.",
                              hint='Add label = "COLUMN" to its entry.')
        pairs = tuple(sorted((str(k), str(v)) for k, v in roles.items()))
        return DatasetSpec(name=name, path=path, label=label, roles=pairs, intake=intake)


def _schedule(entry: Any) -> ScheduleSpec:
    entry = _table(entry, "schedule", {"name", "batch_size", "growth", "budget"},
                   'Use e.g. {name = "batch10", batch_size = 10, budget = 300}.',
                   "A schedule has name, batch_size or growth, and budget.")
    if "batch_size" in entry and "growth" in entry:
        raise ConfigError(f"Schedule '{entry['name']}' sets both batch_size and growth.",
                          hint="Use a fixed batch_size or a geometric growth, not both.")
    return ScheduleSpec(name=str(entry["name"]), batch_size=entry.get("batch_size"),
                        growth=float(entry.get("growth", 0.2)), budget=entry.get("budget"))


def parse_target(value: Any) -> Target:
    """A summary target as a sweep file or ``sweep.json`` writes it.

    Parameters
    ----------
    value : None, float or dict
        ``None`` (the default target, 95% of the full-data score), a number (a share of the full-data score)
        or ``{kind, value}`` (either key may be left out).

    Returns
    -------
    Target

    Raises
    ------
    ConfigError
        Any other shape, an unknown kind or a value outside (0, 1]; a value that is not a number raises
        ``TypeError`` or ``ValueError`` (callers turn these into their own typed errors).
    """
    if value is None:
        return Target()
    if isinstance(value, (int, float)):
        return Target("share_of_ceiling", float(value))
    if isinstance(value, dict) and set(value) <= {"kind", "value"}:
        return Target(value.get("kind", "share_of_ceiling"), float(value.get("value", 0.95)))
    raise ConfigError(f"Cannot read the target {value!r}.",
                      hint='Use e.g. target = { kind = "absolute", value = 0.9 }.')


def sweep_config_from_dict(d: dict[str, Any], base: str | Path = ".") -> SweepConfig:
    """Build a :class:`SweepConfig` from parsed TOML; relative dataset paths are resolved against ``base``."""
    unknown = set(d) - TOP_KEYS
    if unknown:
        raise ConfigError(f"Unknown setting(s) in the sweep file: {', '.join(sorted(unknown))}.",
                          hint=f"Known settings: {', '.join(sorted(TOP_KEYS))}.")
    if "datasets" not in d:
        raise ConfigError("The sweep file lists no datasets.", hint='Add e.g. datasets = ["breast_cancer"].')
    base = Path(base)
    seeds = d.get("seeds", DEFAULT_SEEDS)  # the product's default: the fewest seeds a verdict needs
    try:
        if isinstance(seeds, int):
            # seeds = 0 gives no seeds, which the cells' SimulationConfig reports ("at least 1").
            seeds = tuple(int(d.get("random_state", 0)) + i for i in range(seeds))
        else:
            seeds = tuple(int(s) for s in _as_list(seeds, "seeds"))
        schedules = tuple(_schedule(s) for s in _as_list(d["schedules"], "schedules")) if "schedules" in d \
            else (DEFAULT_SCHEDULE,)
        error_costs = parse_error_costs(d, base)
        target = parse_target(d.get("target"))
        if error_costs is not None and error_costs.target_error_cost is not None:
            if "target" in d:
                raise ConfigError("The sweep file sets both target and target_error_cost.",
                                  hint="Give the target one way: a score (target) or money (target_error_cost).")
            target = error_costs.score_target()  # the same target, as the error-cost score it means
        return SweepConfig(
            datasets=tuple(_dataset(e, base) for e in _as_list(d["datasets"], "datasets")),
            models=tuple(str(m) for m in _as_list(d.get("models", ["logreg"]), "models")),
            strategies=tuple(str(s) for s in _as_list(d.get("strategies", list(DEFAULT_STRATEGIES)), "strategies")),
            schedules=schedules,
            seeds=seeds,
            initial_labels=int(d.get("initial_labels", 20)),
            test_share=float(d.get("test_share", 0.25)),
            max_test_rows=int(d.get("max_test_rows", 5000)),
            stop_set_rows=int(d.get("stop_set_rows", 1000)),
            max_candidates=None if d.get("max_candidates") is None else int(d["max_candidates"]),
            class_weight=str(d.get("class_weight", "auto")),
            target=target,
            metric=d.get("metric"),
            out=d.get("out"),
            costs=_costs(d, base),
            noise=_noise(d, base),
            error_costs=error_costs,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"The sweep file has a setting of the wrong type ({exc}).",
                          hint="Numbers without quotes, names in quotes; see examples/sweep.toml.") from exc


def _costs(d: dict[str, Any], base: Path) -> ItemCosts | None:
    """The item costs of the sweep file's ``cost_*`` keys (None without any); ``cost_by_class`` is a table
    (``{ spam = 0.5, ham = 0.2 }``), a CSV file of class,cost rows (relative to the sweep file) or inline text."""
    given = {field: d[key] for field, key in COST_KEYS.items() if key in d}
    if not given:
        return None
    try:
        by_class = given.pop("by_class", None)
        if isinstance(by_class, dict):
            pairs = tuple(sorted((str(k), v) for k, v in by_class.items()))
        elif isinstance(by_class, str):
            path = Path(by_class) if Path(by_class).is_absolute() else base / by_class
            pairs = parse_class_costs(path.read_text(encoding="utf-8-sig") if path.is_file() else by_class)
        else:
            pairs = ()
        return ItemCosts(**given, by_class=pairs)
    except ItemCostError as exc:
        key = COST_KEYS.get(exc.field)
        raise ItemCostError(exc.message, hint=f"{exc.hint} (sweep key {key})" if key else exc.hint,
                            field=exc.field) from None
def _noise(d: dict[str, Any], base: Path) -> Any:
    """The sweep's noisy annotators from its keys (None without any); a refused one names its key."""
    from simulations.annotators import NoiseInputError, noise_config

    path = d.get("annotator_confusion")
    relabel = d.get("relabel", "none")
    try:
        if not isinstance(d.get("noise_ambiguity", False), bool):
            raise NoiseInputError("noise_ambiguity", "noise_ambiguity must be true or false.",
                                  "E.g. noise_ambiguity = true.")
        annotators = d.get("annotators")
        if annotators is not None and (isinstance(annotators, bool) or not isinstance(annotators, int)):
            raise NoiseInputError("annotators", f"annotators must be a whole number (got {annotators!r}).",
                                  "E.g. annotators = 3.")
        return noise_config(error=d.get("annotator_error"),
                            confusion_path=None if path is None else base / str(path),
                            annotators=annotators, relabel=str(relabel), ambiguity=d.get("noise_ambiguity", False))
    except NoiseInputError as exc:
        raise ConfigError(exc.message, hint=f"{exc.hint} (sweep key {exc.field})") from None


def load_sweep_config(path: str | Path) -> SweepConfig:
    """Read a sweep file (TOML); see the module docstring for the format."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"No sweep file at {path}.", hint="Pass --config PATH; see examples/sweep.toml.")
    try:
        d = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {path} as TOML ({exc}).",
                          hint="See examples/sweep.toml for the format.") from exc
    cfg = sweep_config_from_dict(d, base=path.resolve().parent)
    if cfg.out is not None and not Path(cfg.out).is_absolute():
        object.__setattr__(cfg, "out", str(path.resolve().parent / cfg.out))
    return cfg
