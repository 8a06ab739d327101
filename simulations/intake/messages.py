"""The label errors intake and :meth:`Dataset.validate` both raise, built in one place so their text is identical.

A Python-API user who builds a :class:`~simulations.datasets.Dataset` directly gets the same error class,
``code``, message and hint as a dashboard upload or ``labelwise simulate`` with the same problem.
"""

from __future__ import annotations

from collections.abc import Mapping

from simulations.intake.errors import (
    EmptyLabelError,
    Fix,
    IntakeError,
    RareClassError,
    TooFewClassesError,
    TooFewLabeledRowsError,
)

#: How the hint words each rare-class fix.
_RARE_FIX_WORDS = {"merge": "merge them into one 'other' class", "drop": "drop their rows"}


def _truncate_list(listing: str, n: int, limit: int = 400) -> str:
    return listing if len(listing) <= limit else listing[:limit].rsplit(", ", 1)[0] + f", ... ({n} classes in all)"


def empty_label_error(label: str) -> EmptyLabelError:
    """No row has a label (code ``label_empty``)."""
    return EmptyLabelError(
        f"The label column '{label}' is empty: no row has a label.",
        hint="Pick the column that holds the classes, or label some rows first.", details={"label": label})


def too_few_classes_error(label: str, counts: Mapping[str, int], n_labeled: int) -> TooFewClassesError:
    """Fewer than 2 classes among labeled rows (code ``too_few_classes``).

    Parameters
    ----------
    label : str
    counts : mapping or Series
        Class -> labeled rows (0 or 1 entries).
    n_labeled : int
    """
    what = (f"has only the class '{next(iter(dict(counts)))}' among {n_labeled:,} labeled rows" if len(counts)
            else "has no labeled rows left once the rare classes are dropped")
    return TooFewClassesError(
        f"The label column '{label}' {what}; a classifier needs at least 2 classes.",
        hint="Check that you picked the right label column, or label rows of the other class(es) too.",
        details={"label": label, "classes": {str(k): int(v) for k, v in counts.items()}},
    )


def rare_class_error(rare: Mapping[str, int], min_rows: int,
                     fixes: tuple[str, ...] = ("merge", "drop"), why_not: str = "") -> RareClassError:
    """Classes with fewer than ``min_rows`` labeled rows (code ``rare_class``).

    Parameters
    ----------
    rare : mapping
        Rare class -> labeled rows, in the order to list them.
    min_rows : int
    fixes : tuple of str
        The ``rare_classes`` modes that leave a usable table (``merge``, ``drop``): only these are suggested.
    why_not : str
        Why a mode left out of ``fixes`` would not help (e.g. "dropping them would leave only the class 'a'").
    """
    listing = _truncate_list(", ".join(f"'{k}' ({v} row{'s' if v != 1 else ''})" for k, v in rare.items()), len(rare))
    words = ["label more rows of these classes", *(_RARE_FIX_WORDS[f] for f in fixes)]
    hint = (", ".join(words[:-1]) + ("," if len(words) > 2 else "") + " or " + words[-1]).capitalize()
    return RareClassError(
        f"Class(es) too small to split into test, pool and initial labels: {listing}; each class needs at least "
        f"{min_rows} labeled rows.",
        hint=hint + (f" ({why_not})" if why_not else "") + ".",
        details={"classes": {str(k): int(v) for k, v in rare.items()}, "min_rows": min_rows},
        fix=Fix("rare_classes", tuple(fixes)) if fixes else None,
    )


def _class_listing(counts: Mapping[str, int]) -> str:
    items = list(dict(counts).items())
    shown = ", ".join(f"'{k}' {v}" for k, v in items[:8]) + (f", ... ({len(items)} classes)" if len(items) > 8 else "")
    return shown


def too_small_error(counts: Mapping[str, int], min_class_rows: int, min_labeled_rows: int) -> IntakeError:
    """A file no rare-class choice can rescue: too few labeled rows, or too few classes big enough to keep.

    Merging the small classes into 'other' or dropping them both leave fewer than 2 classes or fewer than
    ``min_labeled_rows`` labeled rows, so offering those choices would only lead to another error. Code
    ``too_few_labeled`` when the file has fewer labeled rows than a simulation needs, else ``too_few_classes``.

    Parameters
    ----------
    counts : mapping
        Every class -> labeled rows (the rare ones included).
    min_class_rows, min_labeled_rows : int
    """
    counts = {str(k): int(v) for k, v in dict(counts).items()}
    n = sum(counts.values())
    big = [k for k, v in counts.items() if v >= min_class_rows]
    needs = (f"A simulation needs at least {min_labeled_rows:,} labeled rows in 2 or more classes, with at least "
             f"{min_class_rows} rows in each class.")
    have = f"{n:,} labeled rows in {len(counts)} classes ({_class_listing(counts)})"
    details = {"classes": counts, "n_labeled": n, "min_labeled_rows": min_labeled_rows,
               "min_class_rows": min_class_rows}
    if n < min_labeled_rows:
        return TooFewLabeledRowsError(
            f"The file is too small to simulate: {have}. {needs}",
            hint=f"Label at least {min_labeled_rows - n:,} more rows, with at least {min_class_rows} in each of 2 or "
                 "more classes; merging or dropping the small classes cannot help here.",
            details=details)
    return TooFewClassesError(
        f"The file has too few classes big enough to simulate: {have}; "
        f"{'only 1 class has' if len(big) == 1 else f'{len(big)} classes have'} {min_class_rows} or more rows. {needs}",
        hint=f"Label more rows of the small classes so that at least 2 classes have {min_class_rows} or more; merging "
             "or dropping the small classes cannot help here. Or check that you picked the right label column.",
        details=details)
