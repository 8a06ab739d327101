"""The scenario store's vocabulary: its settings, typed errors, record types and small helpers.

Shared by :mod:`dashboard.store_db` (the file and its schema), :mod:`dashboard.store_scenarios` (saving, reading,
the trash, versions, links, kept files) and :mod:`dashboard.store` (export and import, and the public
:class:`~dashboard.store.ScenarioStore`, which re-exports every name here). No SQL runs here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from simulations.errors import LabelwiseError

DEFAULT_DB = Path(".labelwise") / "labelwise.db"
EXPORT_FORMAT = "labelwise-scenario"
EXPORT_VERSION = 1
BUNDLE_FORMAT = "labelwise-scenarios"
BUNDLE_VERSION = 1
MAX_NAME = 120
#: Seconds a store operation waits for other writers before giving up with :class:`StoreBusy`.
BUSY_TIMEOUT = 30.0
#: What :meth:`ScenarioStore.import_all` does with an incoming scenario whose id the store already holds
#: with different content: keep both (the incoming one gets a new id, a new link and a marked name), skip
#: it (the store's copy wins), or replace the store's copy (explicit opt-in; nothing else overwrites).
ON_CONFLICT = ("keep_both", "skip", "replace")
#: Largest uploaded file kept with a scenario, in MB: the dashboard's default upload limit. A larger one is not
#: kept (the scenario is saved without it and asks for the file again when opened).
MAX_FILE_MB = 200.0
OnConflict = Literal["keep_both", "skip", "replace"]
#: Days a deleted scenario stays in the trash, and a replaced version is kept, before they are purged.
TRASH_DAYS = 30
#: Who a change is recorded as when the caller does not say (a script using the store).
DEFAULT_ACTOR = "script"


class StoreError(LabelwiseError, RuntimeError):
    """The store cannot be used (damaged file, newer schema, bad import, bad name), with a hint."""


class ScenarioNotFound(StoreError, LookupError):
    """No scenario with that id or share id.

    Parameters
    ----------
    key : str
        The id or share id that was asked for (kept in :attr:`key`, not shown: a link is a secret).
    """

    def __init__(self, key: str) -> None:
        super().__init__("No saved scenario has this id or link.",
                         "It may have been deleted, or the link was copied incompletely; ask for a new link.")
        self.key = str(key)


class StoreBusy(StoreError):
    """Other sessions held the database for longer than the busy timeout."""


#: What keeps a store from being used (:attr:`StoreUnavailable.problem`), each with its own fix.
StoreProblem = Literal["folder_blocked", "folder_denied", "folder_unusable", "missing", "emptied", "not_a_database",
                       "damaged", "cannot_open", "read_only", "disk_full", "io_error", "newer_schema", "other"]


class StoreUnavailable(StoreError):
    """The database file cannot be created, opened or read.

    Parameters
    ----------
    path : Path
        The database file (``$LABELWISE_DB``).
    problem : str
        Which of :data:`StoreProblem`: pages and tests branch on it, never on the text.
    message, hint : str
        What is wrong and the fix for that problem.
    """

    def __init__(self, path: Path, problem: StoreProblem, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.path = Path(path)
        self.problem = problem


class LinkWithdrawn(StoreError, LookupError):
    """A share link an editor withdrew (:meth:`ScenarioStore.revoke_link`).

    Parameters
    ----------
    key : str
        The link's share id (kept in :attr:`key`, never shown).
    """

    def __init__(self, key: str) -> None:
        super().__init__("This link was withdrawn.", "Ask whoever shared the scenario for its current link.")
        self.key = str(key)


@dataclass
class Scenario:
    """One saved scenario."""

    id: str
    share_id: str
    name: str
    created_at: str
    updated_at: str
    dataset_name: str
    dataset_fingerprint: str
    inputs: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class DataFile:
    """An uploaded file kept with the scenarios planned on it.

    Attributes
    ----------
    sha256 : str
        Hex SHA-256 of ``data`` (what a scenario's ``inputs["data"]["digest"]`` holds).
    name : str
        The file name it was uploaded under.
    data : bytes
    """

    sha256: str
    name: str
    data: bytes = field(repr=False)

    @classmethod
    def of(cls, name: str, data: bytes) -> DataFile:
        return cls(sha256=hashlib.sha256(data).hexdigest(), name=str(name), data=bytes(data))


@dataclass(frozen=True)
class TrashedScenario:
    """A deleted scenario in the trash, until :attr:`purge_at`."""

    scenario: Scenario
    deleted_at: str
    deleted_by: str
    purge_at: str


@dataclass(frozen=True)
class ScenarioVersion:
    """A version of a scenario that a change replaced (see :meth:`ScenarioStore.versions`)."""

    seq: int
    scenario_id: str
    name: str
    replaced_at: str
    replaced_by: str
    reason: str


@dataclass(frozen=True)
class AuditEntry:
    """One change: who (an editor session), what, to which scenario, when (UTC)."""

    seq: int
    at: str
    actor: str
    action: str
    scenario_id: str | None
    detail: str


def link_hash(share_id: str) -> str:
    """How a withdrawn link is kept: its SHA-256 (hex)."""
    return hashlib.sha256(str(share_id).encode("utf-8")).hexdigest()


def file_digest(inputs: dict[str, Any]) -> str | None:
    """The SHA-256 of the uploaded file a scenario's inputs were planned on (None for a sample or old inputs)."""
    data = inputs.get("data") if isinstance(inputs, dict) else None
    if not isinstance(data, dict) or data.get("source") != "upload":
        return None
    digest = data.get("digest")
    # Scenarios saved before files were kept carry a 16-character prefix: no file can be looked up by it.
    return digest if isinstance(digest, str) and len(digest) == 64 else None


#: Looks up the bytes of an uploaded file by its SHA-256 (the dashboard: the current session's upload).
FileSource = Callable[[str], DataFile | None]


@dataclass
class ImportReport:
    """What :meth:`ScenarioStore.import_all` did, scenario ids per outcome.

    ``added``: new to the store (id, share id and timestamps kept). ``unchanged``: the store already held an
    identical copy. ``kept_both``: the store held different content under that id; the incoming scenario was
    added as a copy (new id, new share id, name marked "(imported)"), maps incoming id to the new id.
    ``skipped`` / ``replaced``: the same conflict under ``on_conflict="skip"`` / ``"replace"``. ``relinked``:
    added, but its share id belonged to another scenario here, so it got a new one (a link is never taken over).
    """

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_both: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    relinked: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (len(self.added) + len(self.unchanged) + len(self.kept_both) + len(self.skipped)
                + len(self.replaced))


def db_path() -> Path:
    """The database file: ``$LABELWISE_DB`` or ``./.labelwise/labelwise.db``."""
    env = os.environ.get("LABELWISE_DB")
    return Path(env) if env else DEFAULT_DB


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def _days_after(iso: str, days: float) -> str:
    try:
        return (datetime.fromisoformat(iso) + timedelta(days=days)).isoformat(timespec="seconds")
    except ValueError:
        return ""


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())[:MAX_NAME]
    if not name:
        raise StoreError("A scenario needs a name.", "Type a name your stakeholders will recognise.")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates cannot be stored as text
        raise StoreError("The scenario name contains characters that cannot be saved.",
                         "Retype the name without unusual symbols.") from exc
    return name


def _dumps(obj: dict[str, Any], what: str) -> str:
    try:
        return json.dumps(obj, allow_nan=False)
    except (TypeError, ValueError) as exc:  # NaN/inf or a non-JSON object: refuse rather than store a lie
        raise StoreError(f"The scenario's {what} cannot be saved ({exc}).",
                         "This is a Labelwise bug; please report it with the data set you used.") from exc
