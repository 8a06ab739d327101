"""The simulation summary's "no signal" rule is one rule: the summary, the business case and the stopping advice
all flag the same runs (a whole-pool model less than NO_SIGNAL_MARGIN above the majority-class baseline)."""

from __future__ import annotations

import copy
import json

import pytest

from dashboard.testing import small_run
from simulations.summary import NO_SIGNAL_MARGIN, Target, is_no_signal, no_signal_warning, summarize

METRICS = ("accuracy", "balanced_accuracy", "macro_f1")


def _flat(gap: float):
    """The small penguins run with its majority-class baseline ``gap`` below the whole-pool score."""
    result = copy.deepcopy(small_run()[0])  # small_run shares its cached result: never change that one
    for m in METRICS:
        result.ceilings[f"baseline_{m}"] = result.ceilings[m] - gap
    return result


def test_the_rule_and_its_margin():
    assert is_no_signal(0.50, 0.50) and is_no_signal(0.30, 0.335)  # below the baseline: nothing learned
    assert is_no_signal(0.50, 0.50 - NO_SIGNAL_MARGIN / 2)
    assert not is_no_signal(0.50, 0.50 - 2 * NO_SIGNAL_MARGIN)


@pytest.mark.parametrize("gap, flagged", [(NO_SIGNAL_MARGIN / 2, True), (3 * NO_SIGNAL_MARGIN, False)])
def test_the_warning_agrees_with_the_summary(gap, flagged):
    result = _flat(gap)
    summary = summarize(result, Target())
    assert summary.no_signal is flagged
    assert no_signal_warning(result) == (summary.verdict_sentence() if flagged else "")


def test_results_without_whole_pool_scores_give_no_warning():
    result = copy.deepcopy(small_run()[0])
    result.ceilings = result.ceilings[["seed"]]
    assert no_signal_warning(result, "accuracy") == ""


def test_stopping_advice_leads_with_the_warning():
    from simulations.stopping import advise

    flat = advise(_flat(NO_SIGNAL_MARGIN / 2), 1.0, 100.0)
    text = flat.text()
    assert text.startswith("WARNING: No strategy can save labels here")
    assert text.index("WARNING") < text.index(flat.recommendation.sentence)
    d = json.loads(json.dumps(flat.to_dict()))
    assert d["no_signal"] is True and d["no_signal_warning"] == no_signal_warning(_flat(NO_SIGNAL_MARGIN / 2))
    ok = advise(_flat(3 * NO_SIGNAL_MARGIN), 1.0, 100.0)
    assert "WARNING" not in ok.text() and ok.to_dict()["no_signal"] is False


@pytest.mark.parametrize("gap, flagged", [(NO_SIGNAL_MARGIN / 2, True), (3 * NO_SIGNAL_MARGIN, False)])
def test_stopping_page_leads_with_the_warning(gap, flagged):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from dashboard import session, state
    from dashboard.testing import small_inputs

    result = _flat(gap)
    inputs = small_inputs()
    analysis = state.analyse(result, inputs)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "stopping.py"),
                           default_timeout=60)
    at.session_state[session.RESULT] = result
    at.session_state[session.ANALYSIS] = analysis
    at.session_state[session.INPUTS] = inputs
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("**No strategy can save labels here") for e in errors) is flagged, errors
