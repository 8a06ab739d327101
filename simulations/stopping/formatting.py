"""Formatting shared by the stopping reports: JSON-safe values, dollars and percentages in words.

``_clean`` makes a report's dict JSON-safe (NaN/inf -> None, numpy scalars -> Python numbers); ``_usd`` and
``_cents`` print dollars (sign before the symbol, :func:`simulations.money.money`); ``_pct`` prints a regret range's
median percentage. Used by :mod:`~simulations.stopping.evaluation`, :mod:`~simulations.stopping.recommendation`,
:mod:`~simulations.stopping.advice` and :mod:`~simulations.stopping.live`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulations.money import money
from simulations.stopping.base import SeedRange


def _clean_float(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, np.integer):
        return int(v)
    return v


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return _clean_float(obj)


def _usd(x: float) -> str:
    """Whole dollars, sign before the symbol (-$75)."""
    return money(x, cents=False)


def _cents(x: float) -> str:
    """Dollars and cents, sign before the symbol (-$7.56)."""
    return money(x, cents=True)


def _pct(r: SeedRange | None) -> str:
    return "n/a" if r is None or not math.isfinite(r.median) else f"{r.median:.1f}%"
