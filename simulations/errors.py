"""Typed exceptions. Every error a user can cause carries a message and a hint.

The CLI prints ``message`` and ``hint`` and exits with status 2; the dashboard shows them next to
the input that caused them. Nothing user-facing should raise a bare ``ValueError``.
"""

from __future__ import annotations


class LabelwiseError(Exception):
    """Base class for errors a user can act on.

    Parameters
    ----------
    message : str
        What is wrong, in the user's words.
    hint : str, optional
        How to fix it.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} Hint: {self.hint}" if self.hint else self.message


class DataError(LabelwiseError):
    """The data cannot be used as given (missing label column, too few rows per class, ...)."""


class ConfigError(LabelwiseError):
    """A simulation or business-case setting is invalid (unknown strategy, negative cost, ...)."""


class ResultsFileError(LabelwiseError):
    """A saved results file cannot be read."""


class SimulationCancelled(LabelwiseError):
    """The caller asked the runner to stop before all tasks finished."""
