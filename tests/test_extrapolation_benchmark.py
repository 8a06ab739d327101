"""The scoring of benchmarks/extrapolation.py (issue 3): projections, last1 baseline, skill and coverage.

The benchmark's figures are quoted in docs/stopping-and-projection.md, so its arithmetic is tested here on
small synthetic curves (no simulation), and the committed result file must agree with its own rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulations.config import label_schedule
from simulations.curves import FAMILIES
from simulations.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmark imports its sibling _common as a top-level module
import extrapolation as ex  # noqa: E402

LABELS = np.arange(20, 401, 10, dtype=float)  # the benchmark's schedule for N = 100
POW3 = [0.92, 1.5, 0.5]  # a - b * x^-c: rises from 0.58 at 20 labels to 0.85 at 400


def _pow3(x: np.ndarray) -> np.ndarray:
    return FAMILIES["pow3"].value(x, POW3)


def test_a_rising_curve_is_projected_better_than_last1_and_inside_its_interval():
    y = _pow3(LABELS) + np.random.default_rng(0).normal(0, 0.002, len(LABELS))
    rows, fit = ex.evaluate_curve(LABELS, y, 100)
    assert fit.labels[-1] == 100  # the fit saw nothing beyond N
    assert [r["labels"] for r in rows] == [200, 400]
    for r in rows:
        i = int(np.flatnonzero(LABELS == r["labels"])[0])
        assert r["truth"] == pytest.approx(y[i])
        assert r["last1"] == pytest.approx(y[LABELS == 100][0])
        assert r["abs_err_last1"] == pytest.approx(abs(y[LABELS == 100][0] - y[i]))
        # last1 misses the rise (about 0.03 and 0.05); the fitted curve must do much better.
        assert r["abs_err"] < 0.5 * r["abs_err_last1"]
        assert r["in80"] and r["in95"]
        assert r["lo95"] <= r["lo80"] <= r["pred"] <= r["hi80"] <= r["hi95"]


def test_mean_curve_truth_and_baseline_are_means_over_seeds():
    rng = np.random.default_rng(1)
    values = np.vstack([_pow3(LABELS) + rng.normal(0, 0.01, len(LABELS)) for _ in range(4)])
    rows, fit = ex.evaluate_curve(LABELS, values, 100)
    mean = values.mean(axis=0)
    assert fit.seed_fits is not None and len(fit.seed_fits) == 4
    assert rows[0]["truth"] == pytest.approx(mean[LABELS == 200][0])
    assert rows[1]["last1"] == pytest.approx(mean[LABELS == 100][0])
    runs = ex.per_run_coverage(fit, LABELS, values, 100)
    assert len(runs) == 2 * 4
    assert sorted(r["truth"] for r in runs if r["labels"] == 400) == pytest.approx(sorted(values[:, -1]))
    # The per-seed interval is wider than the mean curve's: it adds the spread of single runs.
    assert runs[0]["hi80"] - runs[0]["lo80"] > rows[0]["hi80"] - rows[0]["lo80"]


def test_a_horizon_missing_from_the_schedule_is_an_error_with_a_hint():
    with pytest.raises(ConfigError) as err:
        ex.evaluate_curve(LABELS[LABELS != 400], _pow3(LABELS[LABELS != 400]), 100)
    assert "400" in err.value.message and err.value.hint


def _rows(kind: str, abs_err: list[float], base: list[float], inside: list[bool], models: list[str]) -> pd.DataFrame:
    n = len(abs_err)
    return pd.DataFrame({"kind": kind, "dataset": "d", "strategy": "s", "repeat": 0,
                         "seed": [i // 2 for i in range(n)] if kind == "seed" else -1,
                         "horizon": [2, 4] * (n // 2), "model": models, "abs_err": abs_err,
                         "err": [-e for e in abs_err], "abs_err_last1": base, "in80": inside,
                         "in95": [True] * n})


def test_aggregate_pools_errors_and_counts_each_fitted_curve_once():
    t = _rows("seed", [0.01, 0.03, 0.02, 0.02], [0.02, 0.04, 0.01, 0.01], [True, False, True, True],
              ["pow3", "pow3", "last1", "last1"])
    a = ex.aggregate(t)
    assert a["mae"] == pytest.approx(0.02) and a["mae_last1"] == pytest.approx(0.02)
    assert a["skill"] == pytest.approx(0.0)
    assert a["bias"] == pytest.approx(-0.02)
    assert a["coverage80"] == pytest.approx(0.75) and a["coverage95"] == 1.0
    assert a["models"] == {"pow3": 1, "last1": 1}  # two curves, two horizons each
    worse = ex.aggregate(t.assign(abs_err=t["abs_err"] * 2))
    assert worse["skill"] == pytest.approx(-1.0)
    # mean->run rows: one mean fit scored against several runs is still one fitted curve
    runs = _rows("mean->run", [0.01] * 4, [np.nan] * 4, [True] * 4, ["exp3"] * 4)
    b = ex.aggregate(runs)
    assert b["models"] == {"exp3": 1} and np.isnan(b["skill"])


def test_pass_needs_positive_skill_and_coverage_within_target_for_both_kinds():
    def fig(seed_skill: float, seed_cov: float, mean_skill: float, mean_cov: float) -> dict:
        return {"overall": {"seed": {"skill": seed_skill, "coverage80": seed_cov},
                            "mean": {"skill": mean_skill, "coverage80": mean_cov}}}

    assert ex.passes(fig(0.1, 0.8, 0.2, 0.85)) == {"seed": True, "mean": True}
    assert ex.passes(fig(-0.01, 0.8, 0.2, 0.85))["seed"] is False
    assert ex.passes(fig(0.1, 0.95, 0.2, 0.85))["seed"] is False
    assert ex.passes(fig(0.1, 0.8, 0.2, 0.6))["mean"] is False


@pytest.mark.parametrize("plan", list(ex.PLANS.values()), ids=lambda p: p.dataset)
def test_every_plan_lands_on_n_2n_4n_with_at_least_six_points_up_to_n(plan):
    schedule = label_schedule(20, plan.budget, batch_size=plan.batch_size)
    for h in (1, *ex.HORIZONS):
        assert h * plan.n in schedule
    assert (schedule <= plan.n).sum() >= 6


def test_committed_results_agree_with_their_rows():
    path = ROOT / "benchmarks" / "results" / "extrapolation.json"
    if not path.exists():
        pytest.skip("benchmarks/results/extrapolation.json not written yet")
    data = json.loads(path.read_text())
    table = pd.DataFrame(data["rows"])
    for kind in ("seed", "mean"):
        again = ex.aggregate(table[table["kind"] == kind])
        quoted = data["figures"]["overall"][kind]
        for key in ("n", "mae", "mae_last1", "skill", "coverage80", "coverage95"):
            assert again[key] == pytest.approx(quoted[key]), (kind, key)
    assert data["pass"] == ex.passes(data["figures"])
