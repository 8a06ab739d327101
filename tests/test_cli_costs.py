"""Item-cost flags of `labelwise simulate` and `labelwise plan`: bad input exits 2 with the fix, nothing run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_checks import refused

from simulations.cli import main

SIM = ["simulate", "--strategies", "margin_per_cost", "--seeds", "2", "--initial", "10", "--budget", "30",
       "--quiet"]
PLAN = ["plan", "--strategies", "margin", "--seeds", "3", "--initial", "10", "--budget", "30", "--max-labels", "30",
        "--value-per-point", "0", "--quiet"]


@pytest.fixture(scope="module")
def tickets(tmp_path_factory) -> str:
    """A small text file with a price column (set by class, so intake would call it a leak as a feature)."""
    rng = np.random.default_rng(0)
    n = 120
    y = np.array(["billing", "outage"] * (n // 2))
    words = {"billing": "invoice charge refund payment", "outage": "down offline error timeout"}
    text = [" ".join(rng.choice(words[c].split(), size=int(k))) for c, k in zip(y, rng.integers(2, 30, n),
                                                                                   strict=True)]
    path = tmp_path_factory.mktemp("costs") / "tickets.csv"
    pd.DataFrame({"text": text, "price": np.where(y == "billing", 0.4, 1.5), "label": y}).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def nothing_runs(monkeypatch):
    import simulations.cli as base
    import simulations.plan.cli as plan_cli

    def boom(*a, **k):
        raise AssertionError("simulated despite a refused input")

    monkeypatch.setattr(base, "run_simulation", boom)
    monkeypatch.setattr(plan_cli, "simulate_for_plan", boom)




def _with_price(tmp_path, tickets, values) -> str:
    f = pd.read_csv(tickets)
    f["price"] = pd.Series(values * (len(f) // len(values)), dtype=object)
    path = tmp_path / "bad.csv"
    f.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(("values", "says"), [
    ([0.4, -0.01], "negative"), ([0.4, "n/a dollars"], "holds text"), ([0.4, None], "missing value"),
])
@pytest.mark.parametrize("command", ["simulate", "plan"])
def test_a_bad_cost_column_is_refused_before_anything_runs(capsys, nothing_runs, tmp_path, tickets, values, says,
                                                            command):
    base = SIM if command == "simulate" else PLAN
    error, hint = refused(capsys, [*base, "--data", _with_price(tmp_path, tickets, values), "--label", "label",
                                   "--cost-column", "price"])
    assert says in error and "'price'" in error
    assert hint.endswith("(--cost-column)")


def test_a_cost_column_that_does_not_exist_is_named(capsys, nothing_runs, tickets):
    error, hint = refused(capsys, [*SIM, "--data", tickets, "--label", "label", "--cost-column", "cost"])
    assert error == "error: The cost column 'cost' is not in the data."
    assert "price" in hint and hint.endswith("(--cost-column)")
    error, _ = refused(capsys, [*SIM, "--data", "penguins", "--cost-column", "cost"])
    assert "'cost' is not in the data" in error


@pytest.mark.parametrize(("flags", "says", "flag"), [
    (["--cost-per-word", "-0.001"], "must be zero or more", "--cost-per-word"),
    (["--cost-per-character", "-1"], "must be zero or more", "--cost-per-character"),
    (["--cost-by-class", "billing=1,refunds=2"], "does not have: refunds", "--cost-by-class"),
    (["--cost-by-class", "billing=-1,outage=2"], "must be zero or more", "--cost-by-class"),
    (["--cost-by-class", "missing.csv"], "no file", "--cost-by-class"),
    (["--cost-column", "price", "--cost-per-word", "0.1"], "one way", "--cost-column"),
    (["--cost-text-column", "body", "--cost-per-word", "0.1"], "'body'", "--cost-text-column"),
])
def test_bad_cost_settings_name_their_flag(capsys, nothing_runs, tickets, flags, says, flag):
    # (the file's price column, set by class, is dropped as a leak unless it is the cost column)
    error, hint = refused(capsys, [*SIM, "--data", tickets, "--label", "label", "--leakage", "drop", *flags])
    assert says in error
    assert flag in hint


def test_zero_costs_are_allowed_for_the_simulation(capsys, tickets):
    # a cost of exactly 0 per word is allowed (just below, -0.001, is refused above)
    assert main([*SIM, "--data", tickets, "--label", "label", "--leakage", "drop", "--cost-per-word", "0",
                 "--cost-base", "0.1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["config"]["costs"]["per_word"] == 0.0


def test_plan_with_a_cost_column_gives_money_to_target(capsys, tickets, tmp_path):
    by_class = tmp_path / "classes.csv"
    by_class.write_text("class,cost\nbilling,0.4\noutage,1.5\n")
    assert main([*PLAN, "--data", tickets, "--label", "label", "--cost-column", "price", "--json"]) == 0
    a = json.loads(capsys.readouterr().out)
    assert a["costs"]["source"] == "column 'price'"
    assert a["inputs"]["cost_per_label"] == pytest.approx(0.95)  # the items' average price, not a typed one
    assert a["costs"]["money_to_target"]["al"]["median"] > 0
    # the same prices by class give the same money (the price column is not a feature either way)
    assert main([*PLAN, "--data", tickets, "--label", "label", "--leakage", "drop", "--cost-by-class", str(by_class),
                 "--json"]) == 0
    b = json.loads(capsys.readouterr().out)
    assert b["costs"]["money_to_target"] == a["costs"]["money_to_target"]


def test_plan_wants_one_price(capsys, nothing_runs, tickets):
    error, _ = refused(capsys, [*PLAN, "--data", tickets, "--label", "label", "--cost-column", "price",
                                "--cost-per-label", "1"])
    assert "one way" in error
    error, hint = refused(capsys, [*PLAN, "--data", tickets, "--label", "label"])
    assert "cost of a label is missing" in error and "--cost-column" in hint
    error, _ = refused(capsys, [*PLAN, "--data", tickets, "--label", "label", "--leakage", "drop", "--cost-per-word",
                                "0"])
    assert "Every item costs nothing" in error
