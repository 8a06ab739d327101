"""The label errors intake and :meth:`Dataset.validate` both raise, built in one place so their text is identical.

A Python-API user who builds a :class:`~simulations.datasets.Dataset` directly gets the same error class,
``code``, message and hint as a dashboard upload or ``labelwise simulate`` with the same problem.
"""

from __future__ import annotations

from collections.abc import Mapping

from simulations.intake.errors import EmptyLabelError, RareClassError, TooFewClassesError


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


def rare_class_error(rare: Mapping[str, int], min_rows: int) -> RareClassError:
    """Classes with fewer than ``min_rows`` labeled rows (code ``rare_class``).

    Parameters
    ----------
    rare : mapping
        Rare class -> labeled rows, in the order to list them.
    min_rows : int
    """
    listing = _truncate_list(", ".join(f"'{k}' ({v} row{'s' if v != 1 else ''})" for k, v in rare.items()), len(rare))
    return RareClassError(
        f"Class(es) too small to split into test, pool and initial labels: {listing}; each class needs at least "
        f"{min_rows} labeled rows.",
        hint="Label more rows of these classes, merge them into one 'other' class (rare_classes='merge', or "
             "merge_rare_classes), or drop their rows (rare_classes='drop', or drop_rare_classes).",
        details={"classes": {str(k): int(v) for k, v in rare.items()}, "min_rows": min_rows},
    )
