"""What intake tells the user: notes (info or warning, each with a stable code) and the reading report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

INFO = "info"
WARNING = "warning"


@dataclass(frozen=True)
class Note:
    """One thing intake did or noticed that the user should see.

    Attributes
    ----------
    code : str
        Stable identifier, e.g. ``"encoding_fallback"``, ``"unlabeled_excluded"``.
    message : str
        Readable sentence.
    level : str
        ``"info"`` (done as expected, e.g. the delimiter found) or ``"warning"`` (data changed or dropped).
    """

    code: str
    message: str
    level: str = INFO

    def __str__(self) -> str:
        return self.message


class Notes(list):
    """A list of :class:`Note` with helpers."""

    def add(self, code: str, message: str, level: str = INFO) -> None:
        self.append(Note(code, message, level))

    @property
    def codes(self) -> list[str]:
        return [n.code for n in self]

    def warnings(self) -> list[Note]:
        return [n for n in self if n.level == WARNING]


ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}


@dataclass
class ReadReport:
    """How a file was read.

    Attributes
    ----------
    source : str
        File name (or ``"<bytes>"``).
    format : str
        ``csv``, ``tsv``, ``parquet``, ``jsonl``, ``json`` or ``xlsx``.
    compression : str or None
        ``gzip`` or ``zip`` when the table came out of one.
    encoding : str or None
        Python codec used for text formats: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ``latin-1``, ...
    delimiter, quotechar : str or None
        For delimited text.
    sheet : str or None
        For workbooks, the sheet read.
    sheets : list of str
        For workbooks, every sheet's name in order (empty for other formats), so a UI can offer the choice.
    n_bytes : int
        Size of the input as given (compressed size for archives).
    n_rows, n_columns : int
        Rows and columns of the frame returned (after blank rows and empty unnamed columns were dropped).
    dropped_columns : dict
        Column -> reason, for columns dropped while reading.
    n_blank_rows : int
        Completely empty rows dropped.
    notes : list of Note
    """

    source: str = "<bytes>"
    format: str = ""
    compression: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    quotechar: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    n_bytes: int = 0
    n_rows: int = 0
    n_columns: int = 0
    dropped_columns: dict[str, str] = field(default_factory=dict)
    n_blank_rows: int = 0
    notes: Notes = field(default_factory=Notes)

    @property
    def encoding_name(self) -> str | None:
        """The encoding as people call it (``"UTF-8 with BOM"``, ``"Windows-1252"``)."""
        return None if self.encoding is None else ENCODING_NAMES.get(self.encoding, self.encoding)

    def describe(self) -> str:
        """One line: what was read and how."""
        parts = [f"{self.source}: {self.format.upper()}"]
        if self.compression:
            parts.append(f"{self.compression}-compressed")
        if self.encoding:
            parts.append(f"encoding {self.encoding_name}")
        if self.delimiter:
            parts.append(f"separator {_show_char(self.delimiter)}")
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        parts.append(f"{self.n_rows:,} rows x {self.n_columns:,} columns")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["notes"] = [asdict(n) for n in self.notes]
        d["encoding_name"] = self.encoding_name
        return d


@dataclass
class IntakeResult:
    """A table read from a user's file and how it was read."""

    frame: pd.DataFrame
    report: ReadReport


def _show_char(c: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe", " ": "space"}.get(c, repr(c))
