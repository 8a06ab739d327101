"""Small, fast fixtures for the dashboard's tests (a tiny penguins run, computed once per process)."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from dashboard import state
from simulations import Dataset, SimulationConfig, SimulationResult, run_simulation

SMALL_CONFIG = {"strategies": ("random", "margin"), "seeds": 2, "initial_labels": 10, "budget": 60,
                "growth": 0.4}


def set_small_run(at: Any, *, budget: int = 60, growth_pct: float = 40.0) -> None:
    """Set a Plan page's advanced settings (an AppTest) to a tiny run: margin, 2 seeds, 10 initial labels."""
    at.multiselect(key="strategies").set_value(["margin"])
    at.number_input(key="seeds").set_value(2)
    at.number_input(key="initial_labels").set_value(10)
    at.number_input(key="budget").set_value(budget)
    at.number_input(key="growth").set_value(growth_pct)


def small_inputs(sample: str = "penguins", **econ: Any) -> dict[str, Any]:
    d = state.default_inputs()
    d["data"] = {"source": "sample", "sample": sample, "roles": {}}
    d["config"] = SimulationConfig(**SMALL_CONFIG).to_dict()
    d["economics"].update(econ)
    return d


@lru_cache(maxsize=4)
def _small(sample: str) -> tuple[SimulationResult, dict[str, Any]]:
    inputs = small_inputs(sample)
    ds = Dataset.from_sample(sample)
    result = run_simulation(ds, state.config_from(inputs["config"]), n_jobs=1)
    return result, state.analyse(result, inputs, dataset_description=ds.description)


def small_run(sample: str = "penguins") -> tuple[SimulationResult, dict[str, Any], dict[str, Any]]:
    """(result, analysis, inputs) of a tiny simulation; copies, so tests may change them."""
    result, analysis = _small(sample)
    return result, copy.deepcopy(analysis), small_inputs(sample)


def page_with_outcome(page_path: str, result: SimulationResult, analysis: dict[str, Any], inputs: dict[str, Any],
                      *, timeout: float = 60) -> Any:
    """An AppTest of ``page_path`` run once with a finished simulation in the session (as after a Plan run)."""
    from streamlit.testing.v1 import AppTest

    from dashboard import session

    at = AppTest.from_file(page_path, default_timeout=timeout)
    at.session_state[session.RESULT] = result
    at.session_state[session.ANALYSIS] = analysis
    at.session_state[session.INPUTS] = inputs
    return at.run()
