"""The project folder: ``project.json`` (settings), a copy of the data, ``state.json`` (labels, rounds) and ``rounds/``.

Layout of a project folder::

    DIR/project.json        settings written once by init: label column, strategy, seed, model, metric, costs,
                            the data file's name and SHA-256, the validation file's, the plan's expected curve
    DIR/data/<file>         the user's file, copied (its SHA-256 is checked on every load)
    DIR/data/validation.<ext>  the validation file, copied (when given)
    DIR/state.json          every label bought (row id, label, arm, round), the control arm's draw order,
                            each round's score, and the pending batch
    DIR/rounds/round-NNN.json  one record per added round (its labels and score): an audit log

``state.json`` is the truth and the only file a round changes; it is written whole to a temporary file in the same
folder and moved over the old one with ``os.replace`` (atomic on POSIX and Windows), so a crash or a kill at any
moment leaves either the previous state or the new one, never a mix. The round log is written first; a round log
whose round the state does not hold (a kill between the two writes) is ignored and overwritten by the next ``add``.

Two commands that change the state (``add``, ``next``) never interleave: each holds ``DIR/.lock`` (an OS file lock,
:func:`project_lock`) while it reads the state, works and writes it, and a second one exits with
:class:`~simulations.project.errors.ProjectBusyError` (exit 2) without touching anything. The OS releases the lock
when its process ends, killed or not, so a lock file left behind never blocks the next command.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from simulations.datasets import Dataset, infer_roles
from simulations.features import build_preprocessor
from simulations.intake.reader import read_table
from simulations.models import model_factory, prepare_matrix
from simulations.project.errors import ProjectBusyError, ProjectExistsError, ProjectNotFoundError, ProjectSetupError

__all__ = [
    "ARMS", "FORMAT_VERSION", "LOCK_FILE", "PROJECT_FILE", "ROUNDS_DIR", "STATE_FILE", "Project", "ProjectConfig",
    "ProjectState", "atomic_write_text", "file_sha256", "label_strings", "project_lock", "row_id_strings",
]

PROJECT_FILE = "project.json"
STATE_FILE = "state.json"
#: Held (an OS lock on it) by the command changing the state; see :func:`project_lock`.
LOCK_FILE = ".lock"
ROUNDS_DIR = "rounds"
DATA_DIR = "data"
FORMAT_VERSION = 1
#: Why a labeled row was labeled: labeled before the project, picked by the strategy, or drawn at random.
ARMS = ("initial", "al", "control")
#: The row id column of every batch file.
ROW_ID = "row_id"


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, flushed, then ``os.replace``.

    A reader (or a crash) sees the old file or the new one, never half of one.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _replace(src: str, dst: Path) -> None:
    """``os.replace``, in its own function so tests can inject a failure between a round's two writes."""
    os.replace(src, dst)


def _try_lock(f: IO[str]) -> bool:
    """Take an exclusive, non-blocking OS lock on the open file ``f``; False when another process holds it."""
    try:
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(f: IO[str]) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def project_lock(root: str | os.PathLike, action: str) -> Iterator[None]:
    """Hold the project's lock for a command that changes its state (``add``, ``next``).

    Raises :class:`ProjectBusyError` at once (no waiting) when another process holds it: two ``add`` running
    together would each read the same state and the second write would drop the first one's round. The lock is
    the OS's (``flock``; ``msvcrt.locking`` on Windows), released when the holder exits, even when killed, so a
    leftover ``.lock`` file is harmless; the file itself records who holds it, for the message.

    Parameters
    ----------
    root : path
        The project folder.
    action : str
        What the holder is doing (``"add"``, ``"next"``), written into the lock file for the message.
    """
    path = Path(root) / LOCK_FILE
    with open(path, "a+", encoding="utf-8") as f:
        if not _try_lock(f):
            f.seek(0)
            try:
                holder = json.loads(f.read() or "{}")
            except ValueError:
                holder = {}
            who = (f"'labelwise project {holder['action']}' (process {holder.get('pid')}, since "
                   f"{holder.get('since')})") if holder.get("action") else "another command"
            raise ProjectBusyError(
                f"The project in {root} is being changed right now by {who}; this '{action}' did nothing.",
                hint="Wait for that command to finish (it releases the project when it ends), then run this one "
                     "again. Two commands must not change one project at the same time.",
                details={"dir": str(root), "holder": holder})
        try:
            f.seek(0)
            f.truncate()
            f.write(json.dumps({"action": action, "pid": os.getpid(),
                                "since": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}))
            f.flush()
            yield
        finally:
            _unlock(f)


def label_strings(values: pd.Series) -> pd.Series:
    """Labels as stripped strings ('' when empty); whole-number floats lose their '.0' (1.0 -> '1'), as in intake."""
    v = pd.Series(values)
    empty = v.isna() | (v.astype(str).str.strip() == "")
    num = pd.to_numeric(v.where(~empty), errors="coerce")
    out = v.astype(str).str.strip()
    whole = num.notna() & np.isfinite(num.astype(float)) & (np.mod(num.fillna(0).astype(float), 1) == 0)
    if pd.api.types.is_numeric_dtype(v):
        out = out.where(~whole, num.where(whole).fillna(0).astype("int64").astype(str))
    return out.where(~empty, "")


def row_id_strings(values: pd.Series) -> pd.Series:
    """Row ids as strings; 12 and 12.0 are the same id (a spreadsheet may turn one into the other)."""
    v = pd.Series(values)
    num = pd.to_numeric(v, errors="coerce")
    out = v.astype(str).str.strip()
    whole = num.notna() & (np.mod(num.fillna(0.5).astype(float), 1) == 0)
    return out.where(~whole, num.where(whole).fillna(0).astype("int64").astype(str))


@dataclass
class ProjectConfig:
    """The settings of a project, written once by ``project init``.

    Attributes
    ----------
    label : str
        The label column of the data file.
    data_file : str
        The copy of the data, relative to the project folder.
    data_sha256 : str
    id_column : str or None
        The file's own unique id column; None: the row id is the row's position in the file (0 = first data row).
    strategy : str
        The query strategy (:func:`simulations.strategies.make_strategy`).
    seed : int
        Seeds the model and every batch's draws (with the round number).
    model : str
        A key of :data:`simulations.models.MODELS`.
    metric : str
        ``accuracy``, ``balanced_accuracy`` or ``macro_f1``.
    class_weight : str or None
    cost_per_label, value_per_point : float or None
        The costs of the plan: the stop advice and the money in the ledger use them.
    validation_file, validation_sha256 : str or None
        A copy of the validation file (labeled rows never sent to the labelers), when given.
    expected_curve : dict or None
        The plan's expected curve for the strategy: ``labels``, ``median``, ``low``, ``high`` (10th-90th
        percentile over the simulated seeds), ``metric``, ``source``.
    roles : dict
        Column role per column (inferred on every row of the file, labeled or not).
    """

    label: str
    data_file: str
    data_sha256: str
    id_column: str | None
    strategy: str
    seed: int
    model: str
    metric: str
    class_weight: str | None
    roles: dict[str, str]
    cost_per_label: float | None = None
    value_per_point: float | None = None
    validation_file: str | None = None
    validation_sha256: str | None = None
    expected_curve: dict[str, Any] | None = None
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {"format": "labelwise-project", **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProjectConfig:
        d = {k: v for k, v in d.items() if k != "format"}
        return cls(**d)


@dataclass
class ProjectState:
    """Everything a round changes, saved whole and atomically in ``state.json``.

    Attributes
    ----------
    labels : dict of str to str
        Row id -> label, every label bought (and those in the file at init).
    arms : dict of str to str
        Row id -> one of :data:`ARMS`.
    round_of : dict of str to int
        Row id -> the round that added it (0 for the initial labels).
    control_order : list of str
        Control rows in the order they were drawn (round by round): the first k of them are a uniform random
        sample, which the ledger's random-sampling curve needs.
    rounds : list of dict
        One record per round (0: the initial labels): labels, arms, score and how it was measured.
    pending : dict or None
        The batch ``project next`` sent and ``project add`` expects: round, rows (row id, arm, score), seed.
    """

    labels: dict[str, str] = field(default_factory=dict)
    arms: dict[str, str] = field(default_factory=dict)
    round_of: dict[str, int] = field(default_factory=dict)
    control_order: list[str] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"format": "labelwise-project-state", "format_version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProjectState:
        return cls(labels=dict(d["labels"]), arms=dict(d["arms"]),
                   round_of={k: int(v) for k, v in d["round_of"].items()},
                   control_order=list(d["control_order"]), rounds=list(d["rounds"]), pending=d.get("pending"))

    @property
    def next_round(self) -> int:
        return max((int(r["round"]) for r in self.rounds), default=0) + 1


class Project:
    """A project folder, loaded: settings, state, the data (as read) and its features.

    Build it with :meth:`create` or :meth:`open`. The data frame and the features are computed on first use.
    """

    def __init__(self, root: Path, config: ProjectConfig, state: ProjectState) -> None:
        self.root = Path(root)
        self.config = config
        self.state = state
        self._frame: pd.DataFrame | None = None
        self._ids: np.ndarray | None = None
        self._X: Any = None
        self._validation: tuple[Any, np.ndarray] | None = None

    # -- opening and saving ------------------------------------------------------------------------------------
    @classmethod
    def open(cls, root: str | os.PathLike) -> Project:
        """Load the project in ``root``; :class:`ProjectNotFoundError` when there is none or it is damaged."""
        root = Path(root)
        pf, sf = root / PROJECT_FILE, root / STATE_FILE
        if not pf.exists() or not sf.exists():
            raise ProjectNotFoundError(f"No labeling project in {root}.",
                                       hint="Start one with 'labelwise project init --data FILE --label COLUMN "
                                            f"--dir {root}', or pass the folder you gave to init.",
                                       details={"dir": str(root)})
        try:
            config = ProjectConfig.from_dict(json.loads(pf.read_text(encoding="utf-8")))
            state = ProjectState.from_dict(json.loads(sf.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ProjectNotFoundError(f"The project in {root} cannot be read ({exc}).",
                                       hint="Restore project.json and state.json from a backup, or start a new "
                                            "project in another folder.", details={"dir": str(root)}) from exc
        project = cls(root, config, state)
        data = root / config.data_file
        if not data.exists() or file_sha256(data) != config.data_sha256:
            raise ProjectNotFoundError(f"The project's copy of the data ({data}) is missing or changed since init.",
                                       hint="Put the original file back (its SHA-256 is in project.json), or start "
                                            "a new project with the new file.", details={"file": str(data)})
        return project

    def reload_state(self) -> None:
        """Read ``state.json`` again (under the lock: another command may have changed it since :meth:`open`)."""
        try:
            self.state = ProjectState.from_dict(json.loads((self.root / STATE_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ProjectNotFoundError(f"The project's state in {self.root} cannot be read ({exc}).",
                                       hint="Restore state.json from a backup, or start a new project in another "
                                            "folder.", details={"dir": str(self.root)}) from exc

    def save_state(self) -> None:
        """Write ``state.json`` atomically."""
        atomic_write_text(self.root / STATE_FILE, json.dumps(self.state.to_dict(), indent=1, sort_keys=True))

    def write_round_log(self, record: dict[str, Any]) -> Path:
        """Write ``rounds/round-NNN.json`` (atomically) for an added round."""
        d = self.root / ROUNDS_DIR
        d.mkdir(exist_ok=True)
        path = d / f"round-{int(record['round']):03d}.json"
        atomic_write_text(path, json.dumps(record, indent=1, sort_keys=True))
        return path

    @classmethod
    def create(cls, root: str | os.PathLike, data: str | os.PathLike, label: str, *, strategy: str = "margin",
               seed: int = 0, model: str = "logreg", metric: str | None = None, id_column: str | None = None,
               validation: str | os.PathLike | None = None, cost_per_label: float | None = None,
               value_per_point: float | None = None, expected_curve: dict[str, Any] | None = None) -> Project:
        """Check the inputs, copy the files into ``root`` and write the project (see ``labelwise project init``).

        Nothing is written before every check has passed; the folder is created if needed and must not already
        hold a project.

        Raises
        ------
        ProjectExistsError, ProjectSetupError, IntakeError, ConfigError
        """
        from simulations.summary import METRIC_NAMES, choose_metric

        root = Path(root)
        if (root / PROJECT_FILE).exists():
            raise ProjectExistsError(f"{root} already holds a labeling project.",
                                     hint="Continue it with 'labelwise project next', or pass another --dir.",
                                     details={"dir": str(root)})
        data = Path(data)
        frame = read_table(data, label=label, max_mb=None).frame
        frame.columns = [str(c) for c in frame.columns]
        if label not in frame.columns:
            raise ProjectSetupError(f"The label column '{label}' is not in {data.name}.",
                                    hint=f"Pass --label with one of: {', '.join(list(frame.columns)[:20])}.",
                                    details={"columns": list(frame.columns)})
        if ROW_ID in frame.columns and id_column != ROW_ID:
            raise ProjectSetupError(f"{data.name} has a column named '{ROW_ID}', which batch files use for the row id.",
                                    hint=f"Pass --id {ROW_ID} if it is a unique id of each row, or rename it.")
        ids = _ids(frame, id_column, data.name)
        y = label_strings(frame[label])
        labeled = y != ""
        counts = y[labeled].value_counts()
        if len(counts) < 2:
            raise ProjectSetupError(
                f"{data.name} has {int(labeled.sum())} labeled row(s) in '{label}' with {len(counts)} class(es); a "
                "project starts from labeled rows of at least two classes.",
                hint="Label a few rows of each class in the file (leave the label empty on the others) and run init "
                     "again.", details={"class_counts": {str(k): int(v) for k, v in counts.items()}})
        if not (~labeled).any():
            raise ProjectSetupError(f"Every row of {data.name} is already labeled: there is nothing left to label.",
                                    hint="Leave the label column empty on the rows still to be labeled.")
        if metric is not None and metric not in METRIC_NAMES:
            raise ProjectSetupError(f"Unknown metric '{metric}'.", hint=f"Use one of: {', '.join(METRIC_NAMES)}.")
        if metric is None:
            metric = (expected_curve or {}).get("metric") or choose_metric(counts)[0]
        roles = infer_roles(frame, label)
        if id_column is not None:
            roles[id_column] = "id"
        if not any(r in ("numeric", "categorical", "text", "datetime") for r in roles.values()):
            raise ProjectSetupError("No usable feature columns: every column is the label, an id, or constant.",
                                    hint="Give the file the columns the labelers and the model see (text or "
                                         "features).")
        for v, name in ((cost_per_label, "--cost-per-label"), (value_per_point, "--value-per-point")):
            if v is not None and not (np.isfinite(v) and v > 0):
                raise ProjectSetupError(f"{name} must be a positive amount (got {v}).", hint=f"E.g. {name} 2.5.")
        config = ProjectConfig(label=label, data_file=f"{DATA_DIR}/{data.name}", data_sha256=file_sha256(data),
                               id_column=id_column, strategy=strategy, seed=int(seed), model=model, metric=metric,
                               class_weight="balanced" if metric == "balanced_accuracy" else None, roles=roles,
                               cost_per_label=cost_per_label, value_per_point=value_per_point,
                               expected_curve=expected_curve)
        project = cls(root, config, ProjectState())
        project._frame, project._ids = frame, ids
        if validation is not None:
            vpath = Path(validation)
            project._read_validation(vpath)  # checks it before anything is written
            config.validation_file = f"{DATA_DIR}/validation{''.join(vpath.suffixes) or '.csv'}"
            config.validation_sha256 = file_sha256(vpath)
        # Every check passed: write.
        (root / DATA_DIR).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data, root / config.data_file)
        if validation is not None:
            shutil.copyfile(validation, root / config.validation_file)
        state = project.state
        for rid, lab in zip(ids[labeled.to_numpy()], y[labeled], strict=True):
            state.labels[rid] = lab
            state.arms[rid] = "initial"
            state.round_of[rid] = 0
        from simulations.project.scoring import round_record

        state.rounds.append(round_record(project, 0))
        atomic_write_text(root / PROJECT_FILE, json.dumps(config.to_dict(), indent=1, sort_keys=True))
        project.save_state()
        return project

    # -- the data ------------------------------------------------------------------------------------------------
    @property
    def frame(self) -> pd.DataFrame:
        """The data file as read (every row, the label column as in the file)."""
        if self._frame is None:
            f = read_table(self.root / self.config.data_file, label=self.config.label, max_mb=None).frame
            f.columns = [str(c) for c in f.columns]
            self._frame = f
        return self._frame

    @property
    def ids(self) -> np.ndarray:
        """Row id per row of :attr:`frame`, as strings."""
        if self._ids is None:
            self._ids = _ids(self.frame, self.config.id_column, self.config.data_file)
        return self._ids

    @property
    def position(self) -> dict[str, int]:
        """Row id -> row position in :attr:`frame`."""
        return {rid: i for i, rid in enumerate(self.ids)}

    @property
    def feature_columns(self) -> list[str]:
        return [c for c, r in self.config.roles.items() if r in ("numeric", "categorical", "text", "datetime")]

    def _dataset(self) -> Dataset:
        f = self.frame
        return Dataset(name=self.config.data_file, frame=f, label=self.config.label, roles=dict(self.config.roles))

    def _preprocessor(self) -> Any:
        return build_preprocessor(self._dataset())

    @property
    def X(self) -> Any:
        """Features of every row of the file (fitted on all rows; labels unused), in file order."""
        if self._X is None:
            pre = self._preprocessor()
            X = pre.fit_transform(self.frame[self.feature_columns])
            X = X.tocsr() if hasattr(X, "tocsr") else np.ascontiguousarray(X, dtype=float)
            self._pre = pre
            self._X = prepare_matrix(self.config.model, X)
        return self._X

    def make_model(self) -> Any:
        """``random_state -> unfitted classifier``, the project's model with its class weighting."""
        return model_factory(self.config.model, self.X, self.config.class_weight)

    def _read_validation(self, path: Path) -> tuple[Any, np.ndarray]:
        from simulations.project.errors import WrongColumnsError

        f = read_table(path, label=self.config.label, max_mb=None).frame
        f.columns = [str(c) for c in f.columns]
        missing = [c for c in [self.config.label, *self.feature_columns] if c not in f.columns]
        if missing:
            raise WrongColumnsError(f"The validation file {path.name} lacks column(s): {', '.join(missing)}.",
                                    hint="Give it the data file's columns, with every row labeled.",
                                    details={"missing": missing, "columns": list(f.columns)})
        y = label_strings(f[self.config.label])
        f = f.loc[y != ""]
        if len(f) < 2:
            raise ProjectSetupError(f"The validation file {path.name} has fewer than 2 labeled rows.",
                                    hint="Give it labeled rows that the labelers will never see.")
        _ = self.X  # fits the preprocessor
        Xv = self._pre.transform(f[self.feature_columns])
        Xv = Xv.tocsr() if hasattr(Xv, "tocsr") else np.ascontiguousarray(Xv, dtype=float)
        return prepare_matrix(self.config.model, Xv), y[y != ""].to_numpy(dtype=object).astype(str)

    @property
    def validation(self) -> tuple[Any, np.ndarray] | None:
        """Validation features and labels, or None without a validation file."""
        if self.config.validation_file is None:
            return None
        if self._validation is None:
            self._validation = self._read_validation(self.root / self.config.validation_file)
        return self._validation

    # -- labels ---------------------------------------------------------------------------------------------------
    def labeled_positions(self, state: ProjectState | None = None, arms: tuple[str, ...] = ARMS) -> np.ndarray:
        """Row positions of the labeled rows (of the given arms), in file order."""
        state = state or self.state
        pos = self.position
        return np.sort(np.array([pos[r] for r, a in state.arms.items() if a in arms], dtype=int))

    def labels_at(self, positions: np.ndarray, state: ProjectState | None = None) -> np.ndarray:
        state = state or self.state
        ids = self.ids
        return np.array([state.labels[ids[i]] for i in positions], dtype=object).astype(str)

    @property
    def classes(self) -> np.ndarray:
        return np.unique(np.array(list(self.state.labels.values()), dtype=str))


def _ids(frame: pd.DataFrame, id_column: str | None, name: str) -> np.ndarray:
    """Row ids: the id column's values (checked unique and non-empty) or the row positions."""
    if id_column is None:
        return np.arange(len(frame)).astype(str).astype(object)
    if id_column not in frame.columns:
        raise ProjectSetupError(f"The id column '{id_column}' is not in {name}.",
                                hint=f"Pass --id with one of: {', '.join(list(frame.columns)[:20])}, or leave it out "
                                     "to use row numbers.", details={"columns": list(frame.columns)})
    ids = row_id_strings(frame[id_column])
    empty = (ids == "") | frame[id_column].isna()
    dup = ids[ids.duplicated(keep=False) & ~empty]
    if empty.any() or len(dup):
        raise ProjectSetupError(f"The id column '{id_column}' has {int(empty.sum())} empty and {dup.nunique()} "
                                "repeated value(s); row ids must be unique.",
                                hint="Pick a column with one distinct value per row, or leave --id out to use row "
                                     "numbers.", details={"repeated": sorted(dup.unique().tolist())[:20]})
    return ids.to_numpy(dtype=object)
