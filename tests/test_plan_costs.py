"""The plan with unequal item costs: money to the target from the simulation's spend, one place for the money."""

from __future__ import annotations

import numpy as np
import pytest

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.costs import ItemCosts
from simulations.economics.from_results import money_at
from simulations.plan import PlanInputs, build_plan
from simulations.summary import Target

CFG = {"strategies": ("margin", "margin_per_cost"), "seeds": 3, "budget": 80, "initial_labels": 10}
TARGET = Target("share_of_ceiling", 0.9)


@pytest.fixture(scope="module")
def penguins():
    return Dataset.from_sample("penguins")


def _inputs(result, cost: float = 1.0, **kw) -> PlanInputs:
    return PlanInputs(cost_per_label=cost, value_per_point=0.0, production_pool=result.meta["n_pool"], target=TARGET,
                      strategy="margin", **kw)


def test_one_price_for_every_item_gives_the_plan_without_item_costs(penguins):
    classes = sorted(penguins.class_counts.index)
    priced = run_simulation(penguins, SimulationConfig(**CFG, costs=ItemCosts(by_class=tuple((c, 2.5)
                                                                                             for c in classes))))
    plain = run_simulation(penguins, SimulationConfig(**CFG))
    a, b = build_plan(priced, _inputs(priced, cost=99.0)), build_plan(plain, _inputs(plain, cost=2.5))
    # the cost per label the user typed is replaced by the items' price: 2.5, not 99
    for k in ("al_label_cost", "random_total_cost", "net_savings"):
        assert a.money[k].median == pytest.approx(b.money[k].median)
        assert a.money[k].low == pytest.approx(b.money[k].low)
    assert a.costs["money_saved"]["median"] == pytest.approx(b.money["label_cost_savings"].median)
    assert a.costs["per_label"]["min"] == a.costs["per_label"]["max"] == 2.5
    assert b.costs is None and b.to_dict()["costs"] is None


def test_money_to_target_is_each_seeds_spend(penguins):
    costs = ItemCosts(by_class=(("Adelie", 1.0), ("Chinstrap", 4.0), ("Gentoo", 0.5)))
    r = run_simulation(penguins, SimulationConfig(**CFG, costs=costs))
    plan = build_plan(r, _inputs(r))
    ps = plan.business.per_seed
    seeds = sorted(r.rounds["seed"].unique())
    for i, seed in enumerate(seeds):
        assert ps["al_label_cost"].iloc[i] == pytest.approx(money_at(r.rounds, "margin", seed, ps["labels_al"].iloc[i]))
        assert ps["random_label_cost"].iloc[i] == pytest.approx(
            money_at(r.rounds, "random", seed, ps["labels_random"].iloc[i]))
    d = plan.to_dict()["costs"]
    assert d["source"].startswith("by class") and d["varies"] is True
    saved = ps["random_label_cost"] - ps["al_label_cost"]
    assert d["money_saved"]["low"] <= np.median(saved) == pytest.approx(d["money_saved"]["median"])
    assert d["money_to_target"]["al"]["median"] == pytest.approx(plan.money["al_label_cost"].median)
    assert "$" in d["sentence"]


def test_money_at_reads_the_spend_and_extends_it_at_the_last_price():
    import pandas as pd

    rounds = pd.DataFrame({"strategy": "margin", "seed": 0, "labels": [10, 20], "spend": [5.0, 30.0]})
    assert money_at(rounds, "margin", 0, 15) == pytest.approx(17.5)
    assert money_at(rounds, "margin", 0, 20) == pytest.approx(30.0)
    assert money_at(rounds, "margin", 0, 40) == pytest.approx(60.0)  # 1.5 a label, the last round's average


def test_with_item_costs_the_plan_costs_the_strategy_that_saves_the_most_money():
    import pandas as pd

    from simulations.plan.build import cheapest_strategy

    # per label: random pays 1, 'fewer' buys few dear labels (3 each), 'cheaper' more cheap ones (0.5 each)
    rows = []
    for seed in (0, 1, 2):
        for name, price in (("random", 1.0), ("fewer", 3.0), ("cheaper", 0.5)):
            rows += [{"strategy": name, "seed": seed, "labels": n, "spend": n * price} for n in (10, 100, 200)]
    rounds = pd.DataFrame(rows)
    table = pd.DataFrame([{"strategy": s, "seed": seed, "labels_to_target": n, "censored": False}
                          for seed in (0, 1, 2) for s, n in (("random", 200), ("fewer", 50), ("cheaper", 150))])
    result = type("R", (), {"rounds": rounds})()
    # labels saved: fewer 150, cheaper 50; money saved: fewer 200 - 150 = 50, cheaper 200 - 75 = 125
    assert cheapest_strategy(result, table) == "cheaper"
    # a strategy that never reached the target spent at least everything: it ranks last
    table.loc[table["strategy"] == "cheaper", "censored"] = True
    assert cheapest_strategy(result, table) == "fewer"


@pytest.mark.parametrize("values, expected", [
    ([1.0, 3.0, 2.0], 2.0),                       # odd: the middle one
    ([1.0, 2.0, 3.0, 4.0], 2.5),                  # even: the mean of the two middle ones
    ([1.0, np.inf, np.inf, 5.0], np.inf),         # censored random: the saving is unbounded above
    ([-np.inf, -np.inf, 1.0, 2.0], -np.inf),      # lower middle infinite: -inf (no overflow to a huge float)
    ([-np.inf, -np.inf, np.inf, np.inf], 0.0),    # opposite infinite middles: a tie
    ([np.nan, 1.0, 2.0], 1.0),                    # nan (inf - inf) counts as the worst, -inf
])
def test_the_ranking_median_handles_infinite_savings_without_overflow(values, expected):
    import warnings

    from simulations.plan.build import _median_with_infinities

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _median_with_infinities(values) == expected
