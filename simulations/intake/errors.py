"""Typed intake errors: each has a stable ``code``, a user message and a hint.

Every class subclasses :class:`simulations.errors.DataError`, so the CLI (status 2, no traceback) and the
dashboard handle them like any other data error. ``code`` never changes once released: tests and the UI
tell errors apart by it, never by the wording of the message. ``details`` carries what a UI needs to
offer a fix (column names, class counts, a line number, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulations.errors import DataError


@dataclass(frozen=True)
class Fix:
    """The intake option that fixes an error, so each front end can word it (a flag, a key, a control).

    Intake's hints are plain words without any front end's syntax; a front end adds how to apply the fix in its
    own terms from this: ``labelwise simulate`` a flag, a sweep file a key, the dashboard the control to choose,
    a Python caller the keyword of :func:`~simulations.intake.load_user_dataset`.

    Attributes
    ----------
    option : str
        A field of :class:`~simulations.intake.source.IntakeOptions` (``rare_classes``, ``leakage``,
        ``label_type``, ``sheet``, ``delimiter``, ``max_mb``), or ``label`` (pick another label column); each is
        also a keyword of ``load_user_dataset``.
    values : tuple of str
        The values that fix it, best first; empty when the user must supply one (a separator, a size limit, a
        label column nothing points at). For ``sheet``, the sheets that would do; for ``label``, the columns that
        look like the class.
    only_if : str
        When this fix is right only in some case the data cannot tell, that case in plain words (e.g. "these
        numbers are codes of classes"); a front end says "only if ..." before it. Empty when it always applies.
    alternative : Fix or None
        A second fix, offered after this one (usually with its own ``only_if``): e.g. pick the column that holds
        the class, or, only if these numbers are class codes, read them as categorical.
    """

    option: str
    values: tuple[str, ...] = ()
    only_if: str = ""
    alternative: Fix | None = None

    def keyword(self) -> str:
        """The Python form, e.g. ``rare_classes='merge'`` (``delimiter=...`` when the user supplies the value)."""
        return f"{self.option}={self.values[0]!r}" if self.values else f"{self.option}=..."

    def steps(self, word: Callable[[Fix], str | None]) -> list[tuple[str, str]]:
        """This fix and each ``alternative`` after it, in order, as ``(only_if, words)``: ``word`` is a front end's
        wording of one fix (a flag, a sweep key, a page's control), or None when it has none, which ends the list
        (an alternative is only worth offering after the fix before it)."""
        out: list[tuple[str, str]] = []
        fix: Fix | None = self
        while fix is not None:
            text = word(fix)
            if text is None:
                break
            out.append((fix.only_if, text))
            fix = fix.alternative
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"option": self.option, "values": list(self.values), "only_if": self.only_if,
                "alternative": self.alternative.to_dict() if self.alternative else None}


class IntakeError(DataError):
    """Base class of intake errors.

    Parameters
    ----------
    message : str
        What is wrong, in the user's words.
    hint : str
        How to fix it.
    code : str, optional
        Overrides the class's default code (a few classes cover more than one case).
    details : dict, optional
        Machine-readable facts about the problem (columns, classes, line, ...).
    fix : Fix, optional
        The intake option that fixes it, when one does (see :class:`Fix`); the hint says it in plain words.
    """

    code = "intake_error"

    def __init__(self, message: str, hint: str = "", *, code: str | None = None,
                 details: dict[str, Any] | None = None, fix: Fix | None = None) -> None:
        super().__init__(message, hint=hint)
        if code is not None:
            self.code = code
        self.details = dict(details or {})
        self.fix = fix

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "message", "hint", "details", "fix"}`` for JSON output (``fix`` None when no option helps)."""
        return {"code": self.code, "message": self.message, "hint": self.hint, "details": self.details,
                "fix": self.fix.to_dict() if self.fix else None}


# --- the file itself -------------------------------------------------------------------------------------------------

class EmptyFileError(IntakeError):
    """Nothing to read: zero bytes, only blank lines, or an archive without files (code ``empty_file``); no file
    at the path given (``file_not_found``)."""

    code = "empty_file"


class NoRowsError(EmptyFileError):
    """A header but no data rows (code ``no_rows``)."""

    code = "no_rows"


class FileTooLargeError(IntakeError):
    """Over the upload limit (``file_too_large``) or over the limit once decompressed (``decompressed_too_large``)."""

    code = "file_too_large"


class UnsupportedFormatError(IntakeError):
    """A format Labelwise does not read: pickles, old .xls, images, PDFs, nested archives (``unsupported_format``)."""

    code = "unsupported_format"


class MissingDependencyError(UnsupportedFormatError):
    """The format needs an optional package that is not installed (``missing_dependency``)."""

    code = "missing_dependency"


class CorruptFileError(IntakeError):
    """The file claims a format but its bytes are broken: truncated gzip, bad zip, bad Parquet (``corrupt_file``)."""

    code = "corrupt_file"


class ArchiveError(IntakeError):
    """A zip archive with several tables in it (``zip_multiple_files``)."""

    code = "zip_multiple_files"


class EncodingError(IntakeError):
    """The text cannot be decoded, or decodes to binary garbage (``encoding``)."""

    code = "encoding"


class ParseError(IntakeError):
    """The table structure is broken: rows with extra values (``ragged_rows``), an unclosed quote
    (``unclosed_quote``), invalid JSON (``invalid_json``) or another parser failure (``parse_error``)."""

    code = "parse_error"


# --- header and columns ----------------------------------------------------------------------------------------------

class NoHeaderError(IntakeError):
    """The first row holds data, not column names (``no_header``)."""

    code = "no_header"


class DuplicateColumnError(IntakeError):
    """Two columns share a name (``duplicate_columns``)."""

    code = "duplicate_columns"


class BlankColumnNameError(IntakeError):
    """A column with values but no name (``blank_column_name``)."""

    code = "blank_column_name"


class ColumnNotFoundError(IntakeError):
    """A requested column (``columns=``, ``roles=``) is not in the data (``column_missing``), or a requested
    workbook sheet is not in the workbook (``sheet_missing``)."""

    code = "column_missing"


class TooWideError(IntakeError):
    """More columns than ``max_columns`` (``too_wide``)."""

    code = "too_wide"


class RoleError(IntakeError):
    """A role override names an unknown role (``bad_role``)."""

    code = "bad_role"


# --- the label -------------------------------------------------------------------------------------------------------

class LabelColumnError(IntakeError):
    """The label column is not in the data (``label_missing``)."""

    code = "label_missing"


class EmptyLabelError(LabelColumnError):
    """The label column has no value in any row (``label_empty``)."""

    code = "label_empty"


class ContinuousLabelError(LabelColumnError):
    """The label is a measurement (many distinct numbers), not a class (``continuous_label``)."""

    code = "continuous_label"


class TooManyClassesError(LabelColumnError):
    """Almost every row has its own label value: an id or free text (``too_many_classes``)."""

    code = "too_many_classes"


class TooFewClassesError(LabelColumnError):
    """Fewer than 2 classes among labeled rows (``too_few_classes``)."""

    code = "too_few_classes"


class TooFewLabeledRowsError(IntakeError):
    """Fewer labeled rows than a meaningful simulation needs (``too_few_labeled``)."""

    code = "too_few_labeled"


class RareClassError(IntakeError):
    """One or more classes have too few rows to split (``rare_class``); ``details["classes"]`` names them."""

    code = "rare_class"


# --- the features ----------------------------------------------------------------------------------------------------

class LeakageError(IntakeError):
    """A feature is a copy or a one-to-one recoding of the label (``leakage``); ``details["columns"]`` names them."""

    code = "leakage"


class NoFeaturesError(IntakeError):
    """Every feature column is constant, empty, an id or dropped (``no_features``)."""

    code = "no_features"


#: Every code an intake error can carry (documented in docs/intake.md).
ERROR_CODES = (
    "empty_file", "file_not_found", "no_rows", "file_too_large", "decompressed_too_large", "unsupported_format",
    "missing_dependency", "corrupt_file", "zip_multiple_files", "encoding", "ragged_rows", "unclosed_quote",
    "invalid_json", "parse_error", "no_header", "duplicate_columns", "blank_column_name", "column_missing",
    "sheet_missing", "too_wide", "bad_role", "label_missing", "label_empty", "continuous_label", "too_many_classes",
    "too_few_classes", "too_few_labeled", "rare_class", "leakage", "no_features",
)
