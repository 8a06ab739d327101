"""Wiring of the Stopping page to ``simulations.stopping`` (being written by another engineer).

Until the engine exposes its evaluation and recommendation API, :func:`analyse` returns None and the page
says the analysis is not available. The analysis dict the page draws (``analysis["stopping"]``) has:
``sentence`` (the recommendation), ``stop_at`` (cost-optimal labels), ``recommended_range`` ([low, high]),
``curve`` (records: labels, mean, low, high), ``marginal`` (records: labels, value) and ``criteria``
(records: one row per criterion with where it fires, how often, and its regret).
"""

from __future__ import annotations

from typing import Any


def analyse(result: Any, inputs: dict[str, Any], analysis: dict[str, Any]) -> dict[str, Any] | None:
    try:
        import simulations.stopping as stopping
    except ImportError:
        return None
    evaluate = getattr(stopping, "evaluate_results", None)
    if evaluate is None:  # the engine API has not landed yet
        return None
    return None
