"""Every page works on every shipped dataset (small simulations, rendered with AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import session
from dashboard.testing import small_run
from simulations import SAMPLES

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages"


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_every_page_on_every_sample(sample, monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    result, analysis, inputs = small_run(sample)
    assert analysis["business_error"] is None and analysis["stopping_error"] is None
    assert analysis["verdict"]
    for page in ("results", "business", "stopping", "scenarios"):
        at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
        at.session_state[session.RESULT] = result
        at.session_state[session.ANALYSIS] = analysis
        at.session_state[session.INPUTS] = inputs
        at.run()
        assert not at.exception, (page, at.exception)
        assert at.title, page
