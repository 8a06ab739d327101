import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, cohen_kappa_score, f1_score

from simulations.config import label_schedule
from simulations.features import fit_features
from simulations.loop import cohen_kappa, make_split, run_strategy, score_predictions, stratified_sample
from simulations.strategies import make_strategy


def test_score_predictions_matches_sklearn():
    rng = np.random.default_rng(0)
    classes = np.arange(4)
    y = rng.choice(classes[:3], 200)  # class 3 absent from the truth
    p = rng.choice(classes, 200)
    got = score_predictions(y, p, classes)
    assert got["accuracy"] == pytest.approx(accuracy_score(y, p))
    assert got["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, p))
    assert got["macro_f1"] == pytest.approx(f1_score(y, p, average="macro", labels=classes[:3]))


@pytest.mark.parametrize("k", [2, 5])
def test_kappa_matches_sklearn_and_handles_constant_predictions(k):
    rng = np.random.default_rng(k)
    a = rng.integers(0, k, 300)
    b = np.where(rng.random(300) < 0.7, a, rng.integers(0, k, 300))
    assert cohen_kappa(a, b, k) == pytest.approx(cohen_kappa_score(a, b))
    # two identical one-class prediction sets: no information, so 0 (was 1.0, which let stabilizing predictions
    # stop a run whose model predicts one class)
    assert cohen_kappa(np.zeros(50, int), np.zeros(50, int), k) == 0.0
    assert cohen_kappa(np.zeros(50, int), np.ones(50, int), k) == 0.0
    assert cohen_kappa(a, a.copy(), k) == 1.0  # identical and using several classes: perfect agreement


def test_stratified_sample_has_every_class_and_the_right_size():
    y = np.array(["a"] * 90 + ["b"] * 8 + ["c"] * 2)
    idx = stratified_sample(y, 10, np.random.default_rng(0), np.unique(y))
    assert len(idx) == len(set(idx)) == 10
    assert set(y[idx]) == {"a", "b", "c"}


def test_split_is_stratified_and_disjoint(separable):
    X, _ = fit_features(separable)
    split = make_split(X, codes(separable), seed=1, test_share=0.2, max_test_rows=250, initial_labels=12,
                       stop_set_rows=100)
    assert len(split.y_test) == 250 and len(split.y_pool) == 1250
    assert len(split.initial) == 12 and len(split.stop) == 100
    shares = {c: np.mean(split.y_test == c) for c in split.classes}
    assert all(abs(v - 1 / 3) < 0.02 for v in shares.values())


@pytest.fixture
def small_split(separable):
    X, _ = fit_features(separable)
    return make_split(X, codes(separable), seed=0, test_share=0.2, max_test_rows=300, initial_labels=10,
                      stop_set_rows=200)


def codes(ds):
    return np.unique(ds.y, return_inverse=True)[1]


def make_logreg(rs):
    return LogisticRegression(max_iter=500, random_state=rs)


def test_rounds_follow_the_schedule_and_never_relabel(small_split):
    schedule = label_schedule(10, 60, batch_size=10)
    records = run_strategy(small_split, make_strategy("margin"), make_logreg, schedule, strategy_seed=1)
    assert [r["labels"] for r in records] == schedule.tolist()
    assert np.isnan(records[0]["kappa"]) and np.isnan(records[0]["changed_share"])
    assert np.isnan(records[-1]["query_max_entropy"])
    for r in records[1:]:
        assert -1 <= r["kappa"] <= 1 and 0 <= r["changed_share"] <= 1
        assert 0 <= r["mean_entropy"] <= 1 and 1 / 3 <= r["self_accuracy"] <= 1
    # multiclass: predicted change of F is binary-only
    assert all(np.isnan(r["delta_f"]) for r in records)


def test_margin_queries_rows_the_model_is_less_sure_about_than_random(small_split):
    schedule = label_schedule(10, 60, batch_size=10)
    m = run_strategy(small_split, make_strategy("margin"), make_logreg, schedule, strategy_seed=1)
    r = run_strategy(small_split, make_strategy("random"), make_logreg, schedule, strategy_seed=1)
    assert np.mean([x["query_min_confidence"] for x in m[:-1]]) < np.mean([x["query_min_confidence"] for x in r[:-1]])


def test_binary_runs_record_delta_f(text_frame):
    from simulations import Dataset

    ds = Dataset.from_frame(text_frame, "kind")
    X, _ = fit_features(ds)
    split = make_split(X, codes(ds), seed=0, test_share=0.25, max_test_rows=100, initial_labels=6, stop_set_rows=100)
    records = run_strategy(split, make_strategy("entropy"), make_logreg, label_schedule(6, 30, batch_size=8),
                           strategy_seed=3)
    assert all(0 <= r["delta_f"] <= 1 for r in records[1:])


def test_identical_rows_never_straddle_pool_and_test():
    from scipy import sparse

    from simulations.loop import duplicate_groups

    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 4))
    X = np.vstack([base, base[:60], base[:60]])  # 60 rows three times each, like repeated texts
    y = np.r_[rng.integers(0, 3, 300), np.zeros(120, int)]
    y[120 + np.arange(60)] = y[:60]
    y[180 + np.arange(60)] = y[:60]
    groups = duplicate_groups(X)
    assert groups is not None and len(np.unique(groups)) == 300
    assert np.array_equal(duplicate_groups(sparse.csr_matrix(X)) == duplicate_groups(sparse.csr_matrix(X))[0],
                          groups == groups[0])
    assert duplicate_groups(base) is None
    for seed in range(5):
        for matrix in (X, sparse.csr_matrix(X)):
            split = make_split(matrix, y, seed=seed, test_share=0.25, max_test_rows=1000, initial_labels=10,
                               stop_set_rows=50)
            pool = {tuple(r) for r in np.asarray(sparse.csr_matrix(split.X_pool).todense())}
            test = {tuple(r) for r in np.asarray(sparse.csr_matrix(split.X_test).todense())}
            assert not pool & test, seed
            assert abs(len(split.y_test) - 105) <= 60 and set(split.y_pool) == {0, 1, 2}
    # data without duplicates gets the draws it always had
    a = make_split(base, y[:300], seed=3, test_share=0.25, max_test_rows=1000, initial_labels=10, stop_set_rows=50)
    b = make_split(base, y[:300], seed=3, test_share=0.25, max_test_rows=1000, initial_labels=10, stop_set_rows=50,
                   groups=None)
    assert np.array_equal(a.X_test, b.X_test) and np.array_equal(a.initial, b.initial)


def test_a_few_distinct_rows_keep_the_plain_split_and_say_so():
    # one 4-valued column: every row is a duplicate, and whole groups would empty or swamp the test set
    rng = np.random.default_rng(1)
    X = np.eye(4)[rng.integers(0, 4, 60)]
    y = rng.integers(0, 2, 60)
    for seed in range(10):
        split = make_split(X, y, seed=seed, test_share=0.25, max_test_rows=100, initial_labels=4, stop_set_rows=20)
        assert len(split.y_test) > 0 and split.duplicates_apart in (True, False)
        if not split.duplicates_apart:
            assert len(split.y_test) == 15  # the plain stratified split
    unique = make_split(rng.normal(size=(60, 3)), y, seed=0, test_share=0.25, max_test_rows=100, initial_labels=4,
                        stop_set_rows=20)
    assert unique.duplicates_apart is None


def test_every_round_records_the_test_confusion_matrix(small_split):
    """The recorded counts are the test set's confusion: rows sum to the class counts, the diagonal to accuracy."""
    from sklearn.metrics import confusion_matrix

    from simulations.loop import confusion_record

    schedule = label_schedule(10, 30, batch_size=10)
    records = run_strategy(small_split, make_strategy("margin"), make_logreg, schedule, strategy_seed=1)
    k = len(small_split.classes)
    n = len(small_split.y_test)
    for r in records:
        cm = np.array([[r[f"cm_{i}_{j}"] for j in range(k)] for i in range(k)])
        assert cm.sum() == n
        assert (cm.sum(axis=1) == np.bincount(small_split.y_test, minlength=k)).all()
        assert np.trace(cm) / n == pytest.approx(r["accuracy"], abs=1e-12)
    y, p = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2])
    rec = confusion_record(y, p, 3, prefix="baseline_")
    want = confusion_matrix(y, p, labels=[0, 1, 2])
    assert all(rec[f"baseline_cm_{i}_{j}"] == want[i, j] for i in range(3) for j in range(3))
