"""Unequal item costs: what one label of each item costs, from a cost column, the text length or the class.

A labeling project rarely pays one price per item: a long document takes longer to read than a short one, an
expert class needs an expert. :class:`ItemCosts` says where each item's cost comes from:

- ``column``: a column of the upload holding money per label. The column is taken out of the data before any
  feature is built (:meth:`ItemCosts.strip`), so a model never learns from what an item costs.
- ``per_word`` / ``per_character``: money per word (or character) of the item's text, plus an optional ``base``
  cost per label (reading the instructions, opening the item).
- ``by_class``: money per label by the item's true class (an expert class costs more), ``base`` for classes not
  listed.

The loop records each round's cumulative ``spend`` (sum over labeled items of the item cost x its paid
annotations); the plan turns the spend into money to the target (``simulations.plan.build``). Without item costs
(``SimulationConfig.costs`` None) nothing of this runs and every answer is as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulations.datasets import Dataset
from simulations.errors import ConfigError

__all__ = ["ItemCostError", "ItemCosts", "cost_summary", "parse_class_costs"]

#: Settings of :class:`ItemCosts`, by field, as ``labelwise simulate``'s flags (sweep keys use the field names). The
#: engine's messages name no front end's control; the CLI adds the flag to the hint.
COST_FLAGS = {"column": "--cost-column", "per_word": "--cost-per-word", "per_character": "--cost-per-character",
              "base": "--cost-base", "by_class": "--cost-by-class", "text_column": "--cost-text-column"}


class ItemCostError(ConfigError):
    """An item-cost setting that cannot be used.

    Attributes
    ----------
    field : str
        The :class:`ItemCosts` field at fault (``column``, ``per_word``, ``per_character``, ``base``, ``by_class``,
        ``text_column``); front ends name their own control for it (:data:`COST_FLAGS`, the sweep key, the widget).
    """

    def __init__(self, message: str, hint: str = "", *, field: str) -> None:
        super().__init__(message, hint)
        self.field = field


def _money_value(field: str, value: Any) -> float | None:
    """``value`` as a finite amount of money of at least 0, or None when not given."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ItemCostError(f"The {field.replace('_', ' ')} cost must be a number (got {value!r}).",
                            hint="Give money per label as a number, e.g. 0.02.", field=field)
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ItemCostError(f"The {field.replace('_', ' ')} cost must be zero or more (got {v:g}).",
                            hint="Give money as a number of at least 0, e.g. 0.02.", field=field)
    return v


def parse_class_costs(text: str) -> tuple[tuple[str, float], ...]:
    """``class=cost,class=cost`` (or the lines of a ``class,cost`` CSV) as sorted ``(class, cost)`` pairs.

    Raises
    ------
    ItemCostError
        A pair without ``=`` (or comma), a cost that is not a number, a class given twice.
    """
    pairs: dict[str, float] = {}
    lines = [ln for ln in str(text).replace("\r", "").split("\n") if ln.strip()]
    items = lines if len(lines) > 1 else [p for p in str(text).split(",") if p.strip()]
    for n, item in enumerate(items):
        sep = "=" if "=" in item else ","
        if sep not in item:
            raise ItemCostError(f"Cannot read the class cost {item.strip()!r}.",
                                hint="Write each as class=cost, e.g. spam=0.5,ham=0.2 (or a CSV of class,cost).",
                                field="by_class")
        name, _, raw = item.rpartition(sep)
        name = name.strip().strip('"')
        try:
            cost = float(raw.strip().strip('"'))
        except ValueError:
            if n == 0 and len(lines) > 1:
                continue  # a CSV's header row (class,cost)
            raise ItemCostError(f"The cost of class {name!r} is not a number ({raw.strip()!r}).",
                                hint="Write each as class=cost with a number, e.g. spam=0.5.",
                                field="by_class") from None
        if name in pairs:
            raise ItemCostError(f"The class {name!r} has two costs.", hint="Give each class one cost.",
                                field="by_class")
        pairs[name] = cost
    if not pairs:
        raise ItemCostError("No class costs given.", hint="Write them as class=cost, e.g. spam=0.5,ham=0.2.",
                            field="by_class")
    return tuple(sorted(pairs.items()))


@dataclass(frozen=True)
class ItemCosts:
    """Where each item's cost per label comes from (see the module docstring).

    Parameters
    ----------
    column : str, optional
        A column of the data holding money per label; excluded from the features. Given alone.
    per_word, per_character : float, optional
        Money per word / character of the item's text (``text_column``, else every text column together).
    base : float, default 0
        Money per label on top of the length cost (and of a listed class's cost); with ``by_class`` alone, the
        cost of the classes not listed.
    by_class : tuple of (str, float)
        Money per label by the item's class.
    text_column : str, optional
        The text whose length is costed (default: every column with the role ``text``).
    """

    column: str | None = None
    per_word: float | None = None
    per_character: float | None = None
    base: float = 0.0
    by_class: tuple[tuple[str, float], ...] = ()
    text_column: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_class", tuple((str(k), v) for k, v in
                                                   (self.by_class.items() if isinstance(self.by_class, dict)
                                                    else self.by_class)))
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ItemCostError` for settings that cannot hold for any data (data checks: :meth:`row_costs`)."""
        for f in ("per_word", "per_character", "base"):
            _money_value(f, getattr(self, f))
        for name, cost in self.by_class:
            try:
                _money_value("by_class", cost)
            except ItemCostError:
                raise ItemCostError(f"The cost of class {name!r} must be zero or more (got {cost!r}).",
                                    hint="Give each class money per label of at least 0, e.g. spam=0.5.",
                                    field="by_class") from None
        length = self.per_word is not None or self.per_character is not None
        if self.column is not None:
            if not str(self.column).strip():
                raise ItemCostError("The cost column's name is empty.", hint="Name the column that holds money per "
                                    "label.", field="column")
            if length or self.by_class or self.base:
                raise ItemCostError("Give the item costs one way: a cost column, or a cost from text length and/or "
                                    "class, not both.", hint="Drop the cost column or the other cost settings.",
                                    field="column")
        elif not length and not self.by_class:
            raise ItemCostError("No source for the item costs.",
                                hint="Give a cost column, a cost per word or character, or costs by class.",
                                field="column")
        if self.text_column is not None and not length:
            raise ItemCostError("A text column for the costs was given without a cost per word or character.",
                                hint="Add a cost per word (or per character).", field="text_column")

    @property
    def source(self) -> str:
        """Where the costs come from, in the user's words."""
        if self.column is not None:
            return f"column '{self.column}'"
        parts = []
        text = f"'{self.text_column}'" if self.text_column else "the text"
        if self.per_word is not None:
            parts.append(f"{self.per_word:g} per word of {text}")
        if self.per_character is not None:
            parts.append(f"{self.per_character:g} per character of {text}")
        if self.by_class:
            parts.append("by class (" + ", ".join(f"{k}: {v:g}" for k, v in self.by_class) + ")")
        if self.base:
            parts.append(f"{self.base:g} per label" + (" for classes not listed" if self.by_class and not
                                                        (self.per_word is not None or self.per_character is not None)
                                                        else ""))
        return " + ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "per_word": self.per_word, "per_character": self.per_character,
                "base": self.base, "by_class": [list(p) for p in self.by_class], "text_column": self.text_column}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ItemCosts:
        d = dict(d)
        bc = d.get("by_class") or ()
        d["by_class"] = tuple(bc.items()) if isinstance(bc, dict) else tuple((str(k), v) for k, v in bc)
        known = {"column", "per_word", "per_character", "base", "by_class", "text_column"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ItemCostError(f"Unknown item-cost setting(s): {', '.join(unknown)}.",
                                hint=f"Use: {', '.join(sorted(known))}.", field="column")
        return cls(**d)

    def row_costs(self, dataset: Dataset) -> np.ndarray:
        """Money per label of every labeled row of ``dataset``.

        Returns
        -------
        ndarray of float, shape (n_rows,)

        Raises
        ------
        ItemCostError
            A cost column that does not exist, is the label, or holds text, missing values, negatives or
            infinities; a length cost without text; a class cost for a class the data does not have, or a class
            without a cost and no base cost.
        """
        frame = dataset.frame
        if self.column is not None:
            return _column_costs(frame, self.column, dataset.label)
        costs = np.full(len(frame), float(self.base))
        length = self.per_word is not None or self.per_character is not None
        if self.by_class and not length:
            # costs by class alone: each listed class its own price, the others the base
            listed = self._class_costs(dataset.y)
            given = np.isin(dataset.y, [k for k, _ in self.by_class])
            return np.where(given, listed, costs)
        if length:
            text = self._text(dataset)
            if self.per_word is not None:
                costs = costs + self.per_word * text.str.split().str.len().fillna(0).to_numpy(dtype=float)
            if self.per_character is not None:
                costs = costs + self.per_character * text.str.len().to_numpy(dtype=float)
        if self.by_class:
            costs = costs + self._class_costs(dataset.y)
        return costs

    def _text(self, dataset: Dataset) -> pd.Series:
        frame = dataset.frame
        if self.text_column is not None:
            if self.text_column not in frame.columns or self.text_column == dataset.label:
                cols = [c for c in frame.columns if c != dataset.label]
                raise ItemCostError(f"The text column '{self.text_column}' for the costs is not in the data.",
                                    hint=f"Pick one of: {', '.join(cols[:20])}.", field="text_column")
            cols = [self.text_column]
        else:
            cols = [c for c, r in dataset.roles.items() if r == "text"]
            if not cols:
                field = "per_word" if self.per_word is not None else "per_character"
                raise ItemCostError("A cost per word or character needs text, and no column is read as text.",
                                    hint="Name the text column to cost, or give the column the role 'text'.",
                                    field=field)
        parts = [frame[c].fillna("").astype(str) for c in cols]
        text = parts[0]
        for p in parts[1:]:
            text = text + " " + p
        return text

    def _class_costs(self, y: np.ndarray) -> np.ndarray:
        classes = sorted(set(y.tolist()))
        given = dict(self.by_class)
        unknown = [k for k in given if k not in classes]
        if unknown:
            raise ItemCostError(f"Costs were given for class(es) the data does not have: {', '.join(unknown)}.",
                                hint=f"The classes are: {', '.join(classes[:20])}.", field="by_class")
        missing = [c for c in classes if c not in given]
        if missing and not self.base and self.per_word is None and self.per_character is None:
            raise ItemCostError(f"No cost for class(es): {', '.join(missing[:20])}.",
                                hint="Give every class a cost, or a base cost for the others.",
                                field="by_class")
        return np.array([given.get(c, 0.0) for c in y.tolist()], dtype=float)

    def strip(self, dataset: Dataset) -> Dataset:
        """``dataset`` without the cost column (unchanged without one): what an item costs is never a feature."""
        col = self.column
        if col is None or col not in dataset.frame.columns:
            return dataset
        from dataclasses import replace

        extra = dataset.extra_pool
        if extra is not None and col in extra.columns:
            extra = extra.drop(columns=[col])
        return replace(dataset, frame=dataset.frame.drop(columns=[col]),
                       roles={c: r for c, r in dataset.roles.items() if c != col},
                       inferred_roles={c: r for c, r in dataset.inferred_roles.items() if c != col},
                       extra_pool=extra)


def _column_costs(frame: pd.DataFrame, column: str, label: str) -> np.ndarray:
    if column == label:
        raise ItemCostError(f"The cost column '{column}' is the label column.",
                            hint="Name the column that holds money per label.", field="column")
    if column not in frame.columns:
        cols = [c for c in frame.columns if c != label]
        raise ItemCostError(f"The cost column '{column}' is not in the data.",
                            hint=f"Pick one of: {', '.join(cols[:20])}.", field="column")
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    empty = raw.isna() | (raw.astype(str).str.strip() == "")
    text = values.isna() & ~empty
    if text.any():
        i = int(np.flatnonzero(text.to_numpy())[0])
        raise ItemCostError(f"The cost column '{column}' holds text, e.g. {str(raw.iloc[i])!r} in row {i + 1}.",
                            hint="Make every value a number of money per label (no currency signs or words).",
                            field="column")
    if empty.any():
        raise ItemCostError(f"The cost column '{column}' has {int(empty.sum()):,} missing value(s) (first in row "
                            f"{int(np.flatnonzero(empty.to_numpy())[0]) + 1}).",
                            hint="Give every row a cost (0 for free items), or leave those rows out.",
                            field="column")
    v = values.to_numpy(dtype=float)
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ItemCostError(f"The cost column '{column}' has {int(bad.sum()):,} negative or infinite value(s), e.g. "
                            f"{v[i]:g} in row {i + 1}.",
                            hint="Costs are money per label: zero or more.", field="column")
    return v


def cost_summary(costs: np.ndarray) -> dict[str, float]:
    """Mean, median, min, max and the 10th/90th percentiles of item costs (money per label), for reports."""
    c = np.asarray(costs, dtype=float)
    if c.size == 0:
        return {}
    q10, q50, q90 = np.percentile(c, [10, 50, 90])
    return {"mean": float(c.mean()), "median": float(q50), "min": float(c.min()), "max": float(c.max()),
            "p10": float(q10), "p90": float(q90), "varies": bool(c.max() > c.min())}
