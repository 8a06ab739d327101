"""Typed errors of a labeling project: each names the fix, and none leaves the project changed.

Every class subclasses :class:`simulations.errors.DataError`, so ``labelwise project ...`` exits with status 2 and
prints the message and hint, and the dashboard shows them next to the upload. ``code`` is stable (tests and the
page tell errors apart by it); ``details`` holds the ids, columns or classes concerned.
"""

from __future__ import annotations

from typing import Any

from simulations.errors import DataError

__all__ = [
    "AlreadyAddedError", "ChangedRowError", "DuplicateIdError", "EmptyLabelsError", "MissingRowsError",
    "NewClassError", "NoPendingBatchError", "NotSentError", "ProjectBusyError", "ProjectError", "ProjectExistsError",
    "ProjectNotFoundError", "ProjectSetupError", "WrongColumnsError",
]


class ProjectError(DataError):
    """Base class of project errors.

    Parameters
    ----------
    message : str
        What is wrong.
    hint : str
        The fix, in plain words.
    details : dict, optional
        Machine-readable facts (ids, columns, classes).
    """

    code = "project_error"

    def __init__(self, message: str, hint: str = "", *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.details = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "hint": self.hint, "details": self.details}


class ProjectSetupError(ProjectError):
    """``project init`` cannot start a project from these inputs (no labeled rows, one class, bad share...)."""

    code = "project_setup"


class ProjectExistsError(ProjectError):
    """``project init`` into a folder that already holds a project."""

    code = "project_exists"


class ProjectNotFoundError(ProjectError):
    """No project (or a damaged one) in the folder given."""

    code = "project_not_found"


class ProjectBusyError(ProjectError):
    """Another process is changing the project right now (``add`` or ``next`` holds its lock)."""

    code = "project_busy"


class NoPendingBatchError(ProjectError):
    """``project add`` without a batch sent by ``project next``."""

    code = "no_pending_batch"


class WrongColumnsError(ProjectError):
    """The labeled file lacks the row id or the label column."""

    code = "wrong_columns"


class DuplicateIdError(ProjectError):
    """The same row id appears more than once in the labeled file."""

    code = "duplicate_ids"


class AlreadyAddedError(ProjectError):
    """The labeled file's rows were added in an earlier round (a batch added twice)."""

    code = "already_added"


class NotSentError(ProjectError):
    """Labels for row ids that the pending batch did not send."""

    code = "not_sent"


class MissingRowsError(ProjectError):
    """Rows of the pending batch are missing from the labeled file."""

    code = "missing_rows"


class EmptyLabelsError(ProjectError):
    """Rows of the batch came back without a label."""

    code = "empty_labels"


class NewClassError(ProjectError):
    """A label that is not one of the project's classes (a typo, or a real new class)."""

    code = "new_class"


class ChangedRowError(ProjectError):
    """A row's text or features differ from the project's copy of the data."""

    code = "changed_row"
