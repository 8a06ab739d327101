"""The labeling calendar: working days of both plans and the schedule of active-learning rounds."""

from __future__ import annotations

import csv
from itertools import pairwise

import pytest

from simulations.cli import main
from simulations.config import label_schedule
from simulations.errors import ConfigError
from simulations.plan.calendar import CalendarInputs, labeling_calendar

MONEY = ["--cost-per-label", "2", "--setup-cost", "50", "--value-per-point", "100"]


def test_days_follow_the_schedule_the_throughput_and_the_retraining():
    inputs = CalendarInputs(labels_per_hour=50, annotators=2, retrain_minutes=60, hours_per_day=8)
    cal = labeling_calendar(labels_al=100, labels_random=800, initial_labels=20, growth=0.2, batch_size=None,
                            cost_per_label=2.0, setup_cost=50.0, inputs=inputs)
    counts = list(label_schedule(20, 100, growth=0.2))
    assert [r["labels"] for r in cal["rounds"]] == counts and cal["rounds"][-1]["labels"] == 100
    assert [r["batch"] for r in cal["rounds"]] == [counts[0]] + [b - a for a, b in pairwise(counts)]
    # 100 labels at 100 an hour = 1 h, plus one hour of retraining between each of the rounds after the first
    rounds_after_first = len(counts) - 1
    assert cal["al_days"] == pytest.approx((1.0 + rounds_after_first) / 8)
    assert cal["random_days"] == pytest.approx(800 / 100 / 8)  # one go, no retraining
    assert cal["days_saved"] == pytest.approx(cal["random_days"] - cal["al_days"])
    assert cal["rounds"][-1]["spend"] == pytest.approx(100 * 2.0 + 50.0)
    assert cal["rounds"][-1]["day"] == pytest.approx(cal["al_days"])
    # retraining time is the only difference a longer retrain makes
    slow = labeling_calendar(labels_al=100, labels_random=800, initial_labels=20, growth=0.2, batch_size=None,
                             cost_per_label=2.0, setup_cost=50.0,
                             inputs=CalendarInputs(labels_per_hour=50, annotators=2, retrain_minutes=120))
    assert slow["al_days"] - cal["al_days"] == pytest.approx(rounds_after_first / 8)


@pytest.mark.parametrize(("field", "value"), [("labels_per_hour", 0), ("labels_per_hour", -1), ("annotators", 0),
                                              ("annotators", 1.5), ("retrain_minutes", -0.1), ("hours_per_day", 0),
                                              ("hours_per_day", 24.5)])
def test_bad_calendar_inputs_are_refused(field, value):
    with pytest.raises(ConfigError):
        CalendarInputs(**{"labels_per_hour": 60, field: value})
    assert CalendarInputs(labels_per_hour=0.01, annotators=1, retrain_minutes=0, hours_per_day=24)


def test_plan_cli_writes_the_schedule_and_the_json_calendar(tmp_path, capsys):
    out = tmp_path / "rounds.csv"
    code = main(["plan", "--data", "penguins", "--strategies", "margin", "--seeds", "3", "--initial", "6",
                 "--budget", "60", "--max-labels", "60", *MONEY, "--throughput", "30", "--annotators", "2",
                 "--retrain-minutes", "20", "--schedule-out", str(out), "--json", "--quiet"])
    assert code == 0
    import json

    d = json.loads(capsys.readouterr().out)
    cal = d["calendar"]
    assert cal["al_days"] > 0 and cal["random_days"] > 0
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["labels"]) for r in rows] == [r["labels"] for r in cal["rounds"]]
    assert list(rows[0]) == ["round", "batch", "labels", "spend", "day"]


@pytest.mark.parametrize("flags", [["--throughput", "0"], ["--schedule-out", "x.csv"],
                                   ["--throughput", "10", "--retrain-minutes", "-5"]])
def test_bad_calendar_flags_exit_2_before_anything_runs(flags, capsys, monkeypatch):
    import simulations.cli as base

    def boom(*a, **k):
        raise AssertionError("data read or simulated")

    monkeypatch.setattr(base, "_load_for_cli", boom)
    assert main(["plan", "--data", "penguins", *MONEY, *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "hint: " in err


def test_business_page_shows_the_calendar_and_its_rounds():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from dashboard import session, state
    from dashboard.testing import small_run

    result, _, inputs = small_run()
    inputs["economics"].update(labels_per_hour=30.0, annotators=2, retrain_minutes=20.0)
    a = state.analyse(result, inputs)
    cal = a["plan"]["calendar"]
    assert cal and cal["al_days"] > 0
    page = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "business.py"
    at = AppTest.from_file(str(page), default_timeout=60)
    at.session_state[session.ANALYSIS] = a
    at.run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert f"{cal['al_days']:,.1f} working days" in text and f"{cal['random_days']:,.1f}" in text
    rounds = [d.value for d in at.dataframe if "batch" in d.value.columns]
    assert len(rounds) == 1 and list(rounds[0]["labels"]) == [r["labels"] for r in cal["rounds"]]


def test_plan_page_refuses_negative_minutes_between_rounds_beside_the_field():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    plan = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "plan.py"
    at = AppTest.from_file(str(plan), default_timeout=60).run()
    at.selectbox(key="sample_name").set_value("penguins")
    at.number_input(key="retrain_minutes").set_value(-5.0)
    at.button[0].click().run()
    assert not at.exception
    assert any("minutes between rounds cannot be negative" in e.value for e in at.error)
