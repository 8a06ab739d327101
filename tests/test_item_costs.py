"""Unequal item costs in the engine: where costs come from, bad cost input, the loop's spend, cost-aware strategies.

Without item costs every answer must be bit-identical to before they existed (a fixed-seed fingerprint).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.costs import ItemCostError, ItemCosts, parse_class_costs
from simulations.features import fit_features
from simulations.results import TIMING_COLUMNS, results_from_dict, results_to_dict
from simulations.strategies import make_strategy
from simulations.strategies._common import per_cost
from simulations.strategies.base import PoolView


def _frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.array(["a", "b"] * (n // 2))
    words = {"a": "apple banana cherry", "b": "delta echo foxtrot"}
    text = [(" ".join([words[c]] * int(k))) for c, k in zip(y, rng.integers(1, 4, n), strict=True)]
    return pd.DataFrame({"note": text, "x": rng.normal(size=n) + (y == "a"), "price": rng.uniform(0.1, 2.0, n),
                         "label": y})


def _fingerprint(result) -> str:
    # the confusion counts (cm_i_j, recorded for error costs) came later: the answers are the columns before them
    rounds = result.rounds.drop(columns=list(TIMING_COLUMNS) + [c for c in result.rounds if c.startswith("cm_")])
    # floats to 6 decimals: their last bits move with numpy / scikit-learn releases, which is not what this guards
    return hashlib.sha256(rounds.to_csv(float_format="%.6f").encode()).hexdigest()[:16]


def test_without_item_costs_every_number_is_what_it_was():
    # the fingerprint main's engine gives for this run (before item costs existed; re-taken to 6 decimals with
    # pandas 3.1, scikit-learn 1.9, numpy 2.4): a default run must not move
    r = run_simulation(Dataset.from_sample("penguins"),
                       SimulationConfig(strategies=("margin", "entropy"), seeds=2, budget=50))
    assert _fingerprint(r) == "c4c6a23e1e414adb"
    assert "spend" not in r.rounds.columns and "item_costs" not in r.meta
    assert "costs" not in r.config.to_dict()  # the saved config is as before too


def test_costs_from_text_length_class_and_base():
    ds = Dataset.from_frame(_frame(), "label", roles={"note": "text"})
    words = ds.frame["note"].str.split().str.len().to_numpy(float)
    chars = ds.frame["note"].str.len().to_numpy(float)
    np.testing.assert_allclose(ItemCosts(per_word=0.1).row_costs(ds), 0.1 * words)
    np.testing.assert_allclose(ItemCosts(per_word=0.1, base=1.0).row_costs(ds), 1.0 + 0.1 * words)
    np.testing.assert_allclose(ItemCosts(per_character=0.01).row_costs(ds), 0.01 * chars)
    by_class = ItemCosts(by_class=parse_class_costs("a=2,b=0.5")).row_costs(ds)
    np.testing.assert_allclose(by_class, np.where(ds.y == "a", 2.0, 0.5))
    # a class not listed costs the base
    np.testing.assert_allclose(ItemCosts(by_class=(("a", 2.0),), base=0.3).row_costs(ds),
                               np.where(ds.y == "a", 2.0, 0.3))
    np.testing.assert_allclose(ItemCosts(column="price").row_costs(ds), ds.frame["price"].to_numpy())


def test_class_costs_read_inline_and_as_csv_lines():
    assert parse_class_costs("spam=0.5, ham=0.2") == (("ham", 0.2), ("spam", 0.5))
    assert parse_class_costs("class,cost\nspam,0.5\nham,0.2\n") == (("ham", 0.2), ("spam", 0.5))
    with pytest.raises(ItemCostError, match="not a number"):
        parse_class_costs("spam=cheap")
    with pytest.raises(ItemCostError, match="two costs"):
        parse_class_costs("spam=1,spam=2")


@pytest.mark.parametrize(("values", "message"), [
    ([1.0, -0.01], "negative"),
    ([1.0, "two dollars"], "holds text"),
    ([1.0, None], "missing value"),
    ([1.0, np.inf], "negative or infinite"),
])
def test_a_bad_cost_column_is_refused_naming_the_fix(values, message):
    f = _frame(12)
    f["price"] = pd.Series(list(values) * 6, dtype=object)
    ds = Dataset.from_frame(f, "label", roles={"note": "text"})
    with pytest.raises(ItemCostError, match=message) as exc:
        ItemCosts(column="price").row_costs(ds)
    assert exc.value.field == "column" and exc.value.hint


def test_a_zero_cost_is_allowed_just_below_is_not():
    f = _frame(12)
    f["price"] = [0.0, 1.0] * 6
    ds = Dataset.from_frame(f, "label", roles={"note": "text"})
    assert ItemCosts(column="price").row_costs(ds).min() == 0.0
    f["price"] = [-1e-9, 1.0] * 6
    with pytest.raises(ItemCostError, match="negative"):
        ItemCosts(column="price").row_costs(Dataset.from_frame(f, "label", roles={"note": "text"}))
    assert ItemCosts(per_word=0.0).per_word == 0.0
    with pytest.raises(ItemCostError) as exc:
        ItemCosts(per_word=-0.001)
    assert exc.value.field == "per_word" and "--" not in exc.value.hint  # the engine names no front end's control
    with pytest.raises(ItemCostError):
        ItemCosts(by_class=(("a", -0.5),))


def test_missing_column_unknown_class_and_no_text_are_refused():
    ds = Dataset.from_frame(_frame(), "label", roles={"note": "text"})
    with pytest.raises(ItemCostError, match="not in the data") as exc:
        ItemCosts(column="cost").row_costs(ds)
    assert "price" in exc.value.hint
    with pytest.raises(ItemCostError, match="label column"):
        ItemCosts(column="label").row_costs(ds)
    with pytest.raises(ItemCostError, match="does not have: c") as exc:
        ItemCosts(by_class=(("a", 1.0), ("c", 2.0))).row_costs(ds)
    assert exc.value.field == "by_class" and "a, b" in exc.value.hint
    with pytest.raises(ItemCostError, match="No cost for class"):
        ItemCosts(by_class=(("a", 1.0),)).row_costs(ds)
    no_text = Dataset.from_frame(_frame().drop(columns=["note"]), "label")
    with pytest.raises(ItemCostError, match="needs text"):
        ItemCosts(per_word=0.1).row_costs(no_text)
    with pytest.raises(ItemCostError, match="one way"):
        ItemCosts(column="price", per_word=0.1)
    with pytest.raises(ItemCostError, match="No source"):
        ItemCosts(base=1.0)


def test_the_cost_column_never_becomes_a_feature():
    # a cost column that gives the label away: if it leaked into the features the model would score 100%
    f = _frame(80)
    f["price"] = np.where(f["label"] == "a", 5.0, 1.0)
    f["x"] = np.random.default_rng(1).normal(size=80)  # no signal besides the leak
    ds = Dataset.from_frame(f, "label", roles={"note": "constant"})
    assert "price" in ds.feature_columns
    costs = ItemCosts(column="price")
    stripped = costs.strip(ds)
    assert "price" not in stripped.feature_columns and "price" not in stripped.frame.columns
    X, pre = fit_features(stripped)
    assert X.shape[1] == 1 and not any("price" in str(n) for n in pre.get_feature_names_out())
    r = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=1, budget=30, costs=costs))
    assert r.meta["n_features"] == 1 and "price" not in r.meta["roles"]
    assert r.ceilings["accuracy"].iloc[0] < 0.8
    assert r.meta["fingerprint"] == ds.fingerprint()  # the data the user gave, not the stripped copy


def test_spend_is_the_sum_of_the_labeled_items_costs():
    ds = Dataset.from_frame(_frame(), "label", roles={"note": "text"})
    same = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=2, budget=30,
                                               costs=ItemCosts(by_class=(("a", 0.5), ("b", 0.5)))))
    # one price for every item: spend is labels x price in every round
    np.testing.assert_allclose(same.rounds["spend"], same.rounds["labels"] * 0.5)
    costs = ItemCosts(column="price")
    r = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=2, budget=30, costs=costs))
    base = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=2, budget=30))
    spend = r.rounds["spend"].to_numpy()
    for _, g in r.rounds.groupby(["strategy", "seed"]):
        assert np.all(np.diff(g["spend"].to_numpy()) > 0)  # every label bought costs more than nothing here
    prices = ds.frame["price"].to_numpy()
    assert spend.min() >= 20 * prices.min() and spend.max() <= 30 * prices.max()
    # margin (cost-blind) picks what it always did: the cost column is not a feature and costs do not steer it
    cols = ["strategy", "seed", "labels", "accuracy"]
    pd.testing.assert_frame_equal(r.rounds[cols], base.rounds[cols])
    assert r.meta["item_costs"]["source"] == "column 'price'"
    assert r.meta["item_costs"]["min"] == pytest.approx(prices.min())
    back = results_from_dict(results_to_dict(r))
    assert back.config.costs == costs and "spend" in back.rounds.columns


def _view(costs: np.ndarray | None) -> tuple[PoolView, np.ndarray]:
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-2, 1, (20, 2)), rng.normal(2, 1, (20, 2)), rng.normal(0, 0.3, (20, 2))]
    y = np.r_[np.zeros(20, int), np.ones(20, int), rng.integers(0, 2, 20)]
    labeled = np.r_[0:5, 20:25]
    model = LogisticRegression().fit(X[labeled], y[labeled])
    candidates = np.setdiff1d(np.arange(60), labeled)
    view = PoolView(X=X, candidates=candidates, labeled=labeled, y_labeled=y[labeled], classes=np.array([0, 1]),
                    model=model, make_model=lambda rs: LogisticRegression(), costs=costs)
    return view, candidates


@pytest.mark.parametrize(("cost_aware", "blind"), [("margin_per_cost", "margin"), ("entropy_per_cost", "entropy")])
def test_cost_aware_strategies_equal_their_cost_blind_version_without_costs(cost_aware, blind):
    view, _ = _view(None)
    a = make_strategy(cost_aware).select(view, 8, np.random.default_rng(3))
    b = make_strategy(blind).select(view, 8, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    # with one price for every item the picks are the same items too (information per dollar ranks as information)
    view, _ = _view(np.full(60, 2.0))
    assert set(make_strategy(cost_aware).select(view, 8, np.random.default_rng(3))) == set(b)


@pytest.mark.parametrize("name", ["margin_per_cost", "entropy_per_cost"])
def test_cost_aware_strategies_buy_more_uncertainty_per_dollar(name):
    view, candidates = _view(None)
    blind = make_strategy(name.replace("_per_cost", ""))
    expensive = blind.select(view, 8, np.random.default_rng(0))
    costs = np.ones(60)
    costs[expensive] = 100.0  # the blind strategy's picks become the dearest items
    view, _ = _view(costs)
    picks = make_strategy(name).select(view, 8, np.random.default_rng(0))
    assert not set(picks) & set(expensive)
    gain = make_strategy(name).gain(view.proba())
    order = np.argsort(-per_cost(gain, costs[candidates]))
    assert set(picks) == set(candidates[order[:8]])


def test_per_cost_scores_free_items_first_and_zero_gain_last():
    np.testing.assert_array_equal(per_cost(np.array([0.5, 0.0, 0.5]), np.array([0.0, 0.0, 2.0])),
                                  [np.inf, 0.0, 0.25])


def test_the_test_rows_costs_never_matter():
    from simulations.features import fit_features
    from simulations.loop import make_split, run_strategy
    from simulations.models import model_factory

    ds = Dataset.from_frame(_frame(80), "label", roles={"note": "text"})
    X, _ = fit_features(ds)
    _, y = np.unique(ds.y, return_inverse=True)
    costs = ds.frame["price"].to_numpy()
    kw = {"seed": 3, "test_share": 0.25, "max_test_rows": 100, "initial_labels": 6, "stop_set_rows": 20}
    split = make_split(X, y, costs=costs, **kw)
    # the pool rows, found by their price (prices are drawn uniformly: no two rows share one)
    in_pool = np.isin(costs, split.costs)
    other = np.where(in_pool, costs, 1e6)  # only rows outside the pool change (the test rows)
    split2 = make_split(X, y, costs=other, **kw)
    np.testing.assert_array_equal(split.costs, split2.costs)
    assert len(split.costs) == split.n_pool and not np.any(split.costs == 1e6)
    make_model = model_factory("logreg", X, None)
    a = run_strategy(split, make_strategy("margin_per_cost"), make_model, np.array([6, 10, 14]), strategy_seed=1)
    b = run_strategy(split2, make_strategy("margin_per_cost"), make_model, np.array([6, 10, 14]), strategy_seed=1)
    assert [r["spend"] for r in a] == [r["spend"] for r in b]


def test_with_majority_of_three_every_item_is_paid_three_times():
    """Item costs and re-labeling together: spend counts every paid annotation (3 a label under majority3)."""
    from simulations.annotators import NoiseConfig

    ds = Dataset.from_frame(_frame(), "label", roles={"note": "text"})
    costs = ItemCosts(by_class=(("a", 0.5), ("b", 0.5)))
    one = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=1, budget=30, costs=costs,
                                              noise=NoiseConfig(error_rates=(0.1,), relabel="none")))
    three = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=1, budget=30, costs=costs,
                                                noise=NoiseConfig(error_rates=(0.1,), relabel="majority3")))
    np.testing.assert_array_equal(one.rounds["labels_paid"], one.rounds["labels"])
    np.testing.assert_allclose(one.rounds["spend"], one.rounds["labels"] * 0.5)
    np.testing.assert_array_equal(three.rounds["labels_paid"], three.rounds["labels"] * 3)
    np.testing.assert_allclose(three.rounds["spend"], three.rounds["labels"] * 3 * 0.5)
