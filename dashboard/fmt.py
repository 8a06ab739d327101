"""Number formatting for people: money, shares, label counts and ranges (pure functions)."""

from __future__ import annotations

import math
from typing import Any

CURRENCY = "$"


def _ok(x: Any) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(float(x))


def money(x: Any, *, cents: bool | None = None, currency: str = CURRENCY) -> str:
    """``-1234.5`` -> ``-$1,235``; cents when the amount is small (or ``cents=True``)."""
    if not _ok(x):
        return "n/a"
    x = float(x)
    if cents is None:
        cents = abs(x) < 100 and x != round(x)
    body = f"{abs(x):,.2f}" if cents else f"{abs(x):,.0f}"
    return f"{'-' if x < 0 and body.strip('0.,') else ''}{currency}{body}"


def pct(x: Any, digits: int = 0) -> str:
    """A fraction as a percentage: ``0.382`` -> ``38%``."""
    if not _ok(x):
        return "n/a"
    return f"{100 * float(x):,.{digits}f}%"


def count(x: Any) -> str:
    if not _ok(x):
        return "n/a"
    return f"{float(x):,.0f}"


def hours(x: Any) -> str:
    if not _ok(x):
        return "n/a"
    x = float(x)
    if x >= 48:
        return f"{x / 24:,.1f} days"
    return f"{x:,.1f} h"


FORMATS = {"money": money, "pct": pct, "count": count, "hours": hours}


def bound_prefix(bound: str | None) -> str:
    return {"lower": "at least ", "upper": "at most ", "unknown": "about "}.get(bound or "", "")


def value_range(r: dict[str, Any] | None, kind: str = "count") -> tuple[str, str]:
    """(headline value, "low – high" range text) of a ``{median, low, high, bound}`` dict."""
    if not r or not _ok(r.get("median")):
        return "n/a", ""
    f = FORMATS[kind]
    head = bound_prefix(r.get("bound")) + f(r["median"])
    lo, hi = r.get("low"), r.get("high")
    if _ok(lo) and _ok(hi) and f(lo) != f(hi):
        return head, f"95% range {f(lo)} to {f(hi)}"
    return head, ""


def metric_parts(r: dict[str, Any] | None, kind: str = "count") -> tuple[str, str]:
    """(short value for a metric tile, caption with the bound and the 95% range)."""
    if not r or not _ok(r.get("median")):
        return "n/a", ""
    f = FORMATS[kind]
    notes = []
    bound = r.get("bound")
    if bound in ("lower", "upper", "unknown"):
        notes.append({"lower": "at least this", "upper": "at most this", "unknown": "approximate"}[bound])
    lo, hi = r.get("low"), r.get("high")
    if _ok(lo) and _ok(hi) and f(lo) != f(hi):
        notes.append(f"95% range {f(lo)} to {f(hi)}")
    return f(r["median"]), "; ".join(notes)


def range_text(r: dict[str, Any] | None, kind: str = "count") -> str:
    head, rng = value_range(r, kind)
    return f"{head} ({rng.replace('95% range ', '')})" if rng else head
