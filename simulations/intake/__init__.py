"""Intake: read a user's file, check it, and turn it into a :class:`~simulations.datasets.Dataset`.

Typical use::

    from simulations.intake import load_user_dataset
    dataset, report = load_user_dataset("tickets.csv", label="category")
    print("\\n".join(report.lines()))

Step by step: :func:`read_table` (formats, compression, encodings, delimiters, header) ->
:func:`check_table` (label, classes, leakage, features) -> :func:`sample_pool` (large pools); the docstring of
:mod:`~simulations.intake.reader` lists the module of each reading step. Every blocking problem raises a
subclass of :class:`IntakeError` (itself a :class:`simulations.errors.DataError`) with a stable ``code``, a
message and a hint; see docs/intake.md.
"""

from simulations.intake.archives import MAX_DECOMPRESSED_MB
from simulations.intake.checks import (
    MIN_CLASS_ROWS,
    MIN_LABELED_ROWS,
    CheckReport,
    Leak,
    bin_label,
    check_table,
    class_names,
    drop_rare_classes,
    find_leaking_columns,
    leaking_columns,
    merge_rare_classes,
    rare_class_outcomes,
    rare_classes,
)
from simulations.intake.columns import MAX_COLUMNS, NA_MARKERS
from simulations.intake.delimited import sniff_dialect
from simulations.intake.encoding import decode_text
from simulations.intake.errors import (
    ERROR_CODES,
    ArchiveError,
    BlankColumnNameError,
    ColumnNotFoundError,
    ContinuousLabelError,
    CorruptFileError,
    DuplicateColumnError,
    EmptyFileError,
    EmptyLabelError,
    EncodingError,
    FileTooLargeError,
    Fix,
    IntakeError,
    LabelColumnError,
    LeakageError,
    MissingDependencyError,
    NoFeaturesError,
    NoHeaderError,
    NoRowsError,
    ParseError,
    RareClassError,
    RoleError,
    TooFewClassesError,
    TooFewLabeledRowsError,
    TooManyClassesError,
    TooWideError,
    UnsupportedFormatError,
)
from simulations.intake.load import MAX_SIMULATION_ROWS, LoadReport, load_user_dataset, sample_pool
from simulations.intake.reader import read_table
from simulations.intake.report import IntakeResult, Note, ReadReport
from simulations.intake.upload import MAX_UPLOAD_MB, check_upload_size, max_upload_mb_from_config

__all__ = [
    "ERROR_CODES",
    "MAX_COLUMNS",
    "MAX_DECOMPRESSED_MB",
    "MAX_SIMULATION_ROWS",
    "MAX_UPLOAD_MB",
    "MIN_CLASS_ROWS",
    "MIN_LABELED_ROWS",
    "NA_MARKERS",
    "ArchiveError",
    "BlankColumnNameError",
    "CheckReport",
    "ColumnNotFoundError",
    "ContinuousLabelError",
    "CorruptFileError",
    "DuplicateColumnError",
    "EmptyFileError",
    "EmptyLabelError",
    "EncodingError",
    "FileTooLargeError",
    "Fix",
    "IntakeError",
    "IntakeResult",
    "LabelColumnError",
    "Leak",
    "LeakageError",
    "LoadReport",
    "MissingDependencyError",
    "NoFeaturesError",
    "NoHeaderError",
    "NoRowsError",
    "Note",
    "ParseError",
    "RareClassError",
    "ReadReport",
    "RoleError",
    "TooFewClassesError",
    "TooFewLabeledRowsError",
    "TooManyClassesError",
    "TooWideError",
    "UnsupportedFormatError",
    "bin_label",
    "check_table",
    "check_upload_size",
    "class_names",
    "decode_text",
    "drop_rare_classes",
    "find_leaking_columns",
    "leaking_columns",
    "load_user_dataset",
    "max_upload_mb_from_config",
    "merge_rare_classes",
    "rare_class_outcomes",
    "rare_classes",
    "read_table",
    "sample_pool",
    "sniff_dialect",
]
