"""End-to-end honesty checks on small real simulations."""

from simulations import Dataset, SimulationConfig, Target, run_simulation, summarize


def test_margin_beats_random_where_it_clearly_should(separable):
    cfg = SimulationConfig(strategies=("margin",), seeds=6, initial_labels=9, budget=300, growth=0.25,
                           max_test_rows=400)
    s = summarize(run_simulation(separable, cfg, n_jobs=2), Target("share_of_ceiling", 0.97))
    m = s.strategies["margin"]
    assert m.verdict == "beats random", s.to_dict()
    assert m.savings_vs_random.low > 0
    assert m.p_worse_than_random < 0.05


def test_pure_noise_labels_give_no_evidence(noise_frame):
    ds = Dataset.from_frame(noise_frame, "label")
    cfg = SimulationConfig(strategies=("margin",), seeds=6, initial_labels=10, budget=200, growth=0.3)
    s = summarize(run_simulation(ds, cfg, n_jobs=2))
    m = s.strategies["margin"]
    assert m.verdict == "no evidence", s.to_dict()
    assert "No evidence" in m.sentence
