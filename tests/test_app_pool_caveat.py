"""AppTest: the quick-estimate caveat appears on Results and Business case only when the production pool is larger."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import charts, session, state, tables
from dashboard.testing import small_run

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages"


def _page(name: str, pool_factor: int) -> tuple[AppTest, dict]:
    result, _, inputs = small_run()
    n_pool = int(result.meta["n_pool"])
    inputs["economics"]["production_pool"] = pool_factor * n_pool
    analysis = state.analyse(result, inputs)
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    at.session_state[session.RESULT] = result
    at.session_state[session.ANALYSIS] = analysis
    at.session_state[session.INPUTS] = inputs
    return at.run(), analysis


@pytest.mark.parametrize("page", ["results", "business"])
def test_caveat_shown_when_production_pool_is_ten_times_the_simulated_pool(page):
    at, a = _page(page, 10)
    assert not at.exception, at.exception
    cav = a["business"]["pool_caveat"]
    assert cav is not None and cav["production_pool"] == 10 * cav["simulated_pool"]
    warnings = [w.value for w in at.warning]
    assert cav["sentence"] in warnings
    assert "10.0x" in cav["sentence"]
    # the simulated and corrected pair is shown in a table
    pair = [t.value for t in at.table if "Corrected for your pool" in t.value.columns]
    assert len(pair) == 1
    table = pair[0]
    assert table.loc["Pool size (items)", "Corrected for your pool"] == f"{10 * cav['simulated_pool']:,}"
    # one number for one thing: the caveat and its table give the plan's labels, not a curve fit's other estimate
    plan = a["plan"]
    for who, key in (("random", "random"), (plan["strategy"], "al")):
        labels = f"{plan['labels_to_target'][key]['median']:,.0f}"
        assert labels in cav["sentence"]
        row = table.loc[f"Labels to target: {charts.strategy_label(who)}", "Corrected for your pool"]
        assert row.split(" ")[0] == labels


@pytest.mark.parametrize("page", ["results", "business"])
def test_no_caveat_when_the_pools_are_equal(page):
    at, a = _page(page, 1)
    assert not at.exception, at.exception
    assert a["business"]["pool_caveat"] is None
    big, b = _page(page, 10)
    # exactly the 10x page's warnings less its caveat and what the pilot can tell, whatever their wording
    assert a["plan"]["pilot"] is None and b["plan"]["pilot"] is not None
    pilot = tables.pilot_text(b["plan"])[0]
    assert [w.value for w in at.warning] == [w.value for w in big.warning
                                             if w.value not in (b["business"]["pool_caveat"]["sentence"], pilot)]
    assert not any("Corrected for your pool" in t.value.columns for t in at.table)


def test_roi_heat_map_leaves_out_pools_the_engine_refuses():
    result, _, inputs = small_run()
    n_pool = int(result.meta["n_pool"])
    inputs["economics"]["production_pool"] = 2 * n_pool  # x0.1 and x0.3 fall below the simulated pool
    grid = state.analyse(result, inputs)["roi_grid"]
    pools = sorted({int(r["production_pool"]) for r in grid})
    assert pools and min(pools) >= n_pool
    assert 2 * n_pool in pools and 20 * n_pool in pools  # x1 .. x10 stay


@pytest.mark.parametrize("factor", [1, 10])
def test_projection_table_names_the_whole_pool_score_as_such(factor):
    at, a = _page("business", factor)
    assert not at.exception
    frames = [d.value for d in at.dataframe if "Curve model" in d.value.columns]
    assert len(frames) == 1
    cols = [c for c in frames[0].columns if c.startswith("Score")]
    assert cols == [f"Score labeling the whole pool ({factor * int(a['projection']['simulated_pool']):,} items)"], cols
    assert any("same for every strategy" in c.value for c in at.caption)


def test_projection_reuses_the_caveats_fits_and_equals_a_fresh_projection(monkeypatch):
    import json

    import simulations.curves.pool as pool_module
    from simulations.curves import projection_curves

    result, _, inputs = small_run()
    inputs["economics"]["production_pool"] = 10 * int(result.meta["n_pool"])
    calls = []
    real = pool_module.pool_fits
    monkeypatch.setattr(pool_module, "pool_fits", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    a = state.analyse(result, inputs)
    assert calls == [inputs["economics"]["production_pool"]]  # the caveat fitted once; the chart reused it
    names = ["random"] + [s for s in [a["business"]["strategy"]] if s != "random"]
    pool = inputs["economics"]["production_pool"]
    fresh = projection_curves(result, names, pool, state.target_from(inputs["target"]))
    assert len(calls) == 2  # a fresh projection fits again, and gets the same answer
    assert json.dumps(state._clean(fresh), sort_keys=True) == json.dumps(a["projection"], sort_keys=True)


def test_projection_table_gives_the_plans_labels_for_the_strategies_it_costs():
    at, a = _page("business", 10)
    assert not at.exception, at.exception
    plan = a["plan"]
    tables_ = [d.value for d in at.dataframe if "Labels to target" in d.value.columns and "Curve model" in
               d.value.columns]
    assert len(tables_) == 1
    rows = dict(zip(tables_[0]["Strategy"], tables_[0]["Labels to target"], strict=True))
    for name, key in (("random", "random"), (plan["strategy"], "al")):
        shown = rows[charts.strategy_label(name)]
        assert shown.split(" ")[0] == f"{plan['labels_to_target'][key]['median']:,.0f}" and "(fit)" not in shown
