"""Dollar amounts for people: ``-75.6`` -> ``-$75.60``, never ``$-75.60``.

One formatter for every engine text that prints money (``labelwise stop``, ``labelwise roi``, assumptions),
so the sign sits before the currency symbol everywhere. Pure function, no dependencies.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["CURRENCY", "money"]

CURRENCY = "$"


def money(x: Any, *, cents: bool | None = None, currency: str = CURRENCY) -> str:
    """An amount as ``$1,235`` / ``-$75.60``.

    Parameters
    ----------
    x : float or None
        Dollars. ``None`` and NaN give ``"n/a"``; +inf gives ``"never"`` (e.g. a payback that never comes),
        -inf ``"-inf"``.
    cents : bool, optional
        Show cents. Default: only for amounts under 100 that are not whole dollars.
    currency : str
        The symbol put after the sign.

    Examples
    --------
    >>> money(-75.6)
    '-$75.60'
    >>> money(1234.4, cents=False)
    '$1,234'
    >>> money(-0.004, cents=True)
    '$0.00'
    """
    if x is None or isinstance(x, bool):
        return "n/a"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "n/a"
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    if cents is None:
        cents = abs(x) < 100 and x != round(x)
    body = f"{abs(x):,.2f}" if cents else f"{abs(x):,.0f}"
    # no sign on an amount that rounds to zero: "-$0" reads as a loss that is not there
    sign = "-" if x < 0 and body.strip("0.,") else ""
    return f"{sign}{currency}{body}"
