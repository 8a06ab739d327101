"""Number formatting for people: money, shares, label counts and ranges (pure functions).

Money goes through :func:`simulations.money.money`, the engine's one formatter, so the dashboard, the report and
the command line all print ``-$75.60`` (never ``$-75.60``). No text here ever shows a negative zero (``-0%``).
"""

from __future__ import annotations

import math
from typing import Any

from simulations import money as _money

CURRENCY = _money.CURRENCY

#: What a lower bound at or below zero reads as: "at least -3%" would suggest a saving that is not shown.
NO_SAVING = "no saving shown"


def is_finite(x: Any) -> bool:
    """A finite real number (not None, NaN, inf, a bool or text)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def finite_number(x: Any) -> float | None:
    """``x`` as a float when it reads as a finite number (numbers and numeric text), else None (None, NaN, inf,
    other text)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def unsigned_zero(text: str) -> str:
    """``-0%`` / ``-0.0`` -> ``0%`` / ``0.0``: a value that rounds to zero has no sign."""
    return text[1:] if text.startswith("-") and not text.strip("-0.,%") else text


def money(x: Any, *, cents: bool | None = None, currency: str = CURRENCY) -> str:
    """``-1234.6`` -> ``-$1,235``; cents when the amount is small (or ``cents=True``); ``n/a`` when undefined.

    Delegates to :func:`simulations.money.money` for every finite amount; None, NaN and +-inf read ``n/a`` here
    (a dashboard amount that is infinite is undefined, not a payback that "never" comes).
    """
    if not is_finite(x):
        return "n/a"
    return _money.money(float(x), cents=cents, currency=currency)


def pct(x: Any, digits: int = 0) -> str:
    """A fraction as a percentage: ``0.382`` -> ``38%``; ``-0.001`` -> ``0%``."""
    if not is_finite(x):
        return "n/a"
    return unsigned_zero(f"{100 * float(x):,.{digits}f}%")


def share(x: Any) -> str:
    """A share that cannot exceed 100% to be reachable (break-even): above 100% reads ``over 100%``."""
    if is_finite(x) and float(x) > 1.0:
        return "over 100%"
    return pct(x)


def count(x: Any) -> str:
    if not is_finite(x):
        return "n/a"
    return unsigned_zero(f"{float(x):,.0f}")


def hours(x: Any) -> str:
    if not is_finite(x):
        return "n/a"
    x = float(x)
    if x >= 48:
        return f"{x / 24:,.1f} days"
    return unsigned_zero(f"{x:,.1f}") + " h"


FORMATS = {"money": money, "pct": pct, "count": count, "hours": hours, "share": share}


def bound_prefix(bound: str | None) -> str:
    return {"lower": "at least ", "upper": "at most ", "unknown": "about "}.get(bound or "", "")


def _shown_at_or_below_zero(x: Any, kind: str) -> bool:
    """Whether ``x`` as displayed is zero or negative (``-0.004`` shows as ``0%``: at or below zero)."""
    return is_finite(x) and (float(x) <= 0 or FORMATS[kind](x).lstrip("$") in ("0", "0%", "0.00"))


def _never_breaks_even(r: dict[str, Any], kind: str) -> bool:
    return kind == "share" and is_finite(r.get("median")) and float(r["median"]) > 1.0


def value_range(r: dict[str, Any] | None, kind: str = "count", *,
                no_gain: str = NO_SAVING) -> tuple[str, str]:
    """(headline value, "95% range low to high" text) of a ``{median, low, high, bound}`` dict.

    A lower bound at or below zero reads ``no_gain`` (``"no saving shown"``), not ``at least -0%``: the truth
    is only known to be above a value that is no gain. A break-even share over 100% reads ``never``.
    """
    if not r or not is_finite(r.get("median")):
        return "n/a", ""
    f = FORMATS[kind]
    bound = r.get("bound")
    if _never_breaks_even(r, kind):
        head = "never"
    elif bound == "lower" and _shown_at_or_below_zero(r["median"], kind):
        head = no_gain
    else:
        head = bound_prefix(bound) + f(r["median"])
    lo, hi = r.get("low"), r.get("high")
    if is_finite(lo) and is_finite(hi) and f(lo) != f(hi):
        return head, f"95% range {f(lo)} to {f(hi)}"
    return head, ""


def metric_parts(r: dict[str, Any] | None, kind: str = "count") -> tuple[str, str]:
    """(short value for a metric tile, caption with the bound and the 95% range)."""
    if not r or not is_finite(r.get("median")):
        return "n/a", ""
    f = FORMATS[kind]
    notes = []
    bound = r.get("bound")
    never = _never_breaks_even(r, kind)
    if never:
        notes.append("active learning would have to save more labels than random needs")
    elif bound == "lower" and _shown_at_or_below_zero(r["median"], kind):
        notes.append(f"a lower bound: {NO_SAVING}")
    elif bound in ("lower", "upper", "unknown"):
        notes.append({"lower": "at least this", "upper": "at most this", "unknown": "approximate"}[bound])
    lo, hi = r.get("low"), r.get("high")
    if is_finite(lo) and is_finite(hi) and f(lo) != f(hi):
        notes.append(f"95% range {f(lo)} to {f(hi)}")
    return ("never" if never else f(r["median"])), "; ".join(notes)


def range_text(r: dict[str, Any] | None, kind: str = "count", *, no_gain: str = NO_SAVING) -> str:
    """``42% (30% to 55%)``, ``at least 40% (...)``, ``no saving shown (-81% to 64%)`` or ``n/a``."""
    head, rng = value_range(r, kind, no_gain=no_gain)
    return f"{head} ({rng.replace('95% range ', '')})" if rng else head


def _effect(x: float) -> str:
    """A signed net saving as words: ``$50 saved`` / ``$50 more``."""
    return f"{money(abs(x))} {'more' if x < 0 else 'saved'}"


def savings_parts(r: dict[str, Any] | None) -> tuple[str, str, str]:
    """Net savings as (verb, amount, 95% range): ``("saves", "$1,200", "$900 to $1,500")`` or
    ``("costs", "$365 more", "$300 to $420 more")``. Never "saves -$365".

    A lower bound on a loss is an upper bound on the extra cost (``costs at most $119 more``); a range that
    crosses zero names each end (``$300 more to $50 saved``). The range is ``""`` when there is none.
    """
    if not r or not is_finite(r.get("median")):
        return "has", "no defined saving (n/a)", ""
    med, bound = float(r["median"]), r.get("bound")
    lo, hi = r.get("low"), r.get("high")
    if money(med) in ("$0", "$0.00"):  # rounds to nothing: neither a saving nor a loss
        verb, amount = "breaks", "even (net $0)"
    elif med > 0:
        verb, amount = "saves", f"{bound_prefix(bound)}{money(med)}"
    else:  # the bound flips: at least -$119 saved = at most $119 more spent
        flipped = {"lower": "upper", "upper": "lower"}.get(bound or "", bound)
        verb, amount = "costs", f"{bound_prefix(flipped)}{money(-med)} more"
    if not (is_finite(lo) and is_finite(hi)) or money(lo) == money(hi):
        return verb, amount, ""
    lo, hi = float(lo), float(hi)
    if lo >= 0:
        rng = f"{money(lo)} to {money(hi)}"
    elif hi <= 0:
        rng = f"{money(-hi)} to {money(-lo)} more"
    else:
        rng = f"{_effect(lo)} to {_effect(hi)}"
    return verb, amount, rng


def savings_sentence(r: dict[str, Any] | None) -> str:
    """``saves $1,200 (95% range $900 to $1,500)``, ``costs $365 more (...)``: see :func:`savings_parts`."""
    verb, amount, rng = savings_parts(r)
    return f"{verb} {amount}" + (f" (95% range {rng})" if rng else "")
