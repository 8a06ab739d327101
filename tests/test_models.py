import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from simulations.config import SimulationConfig
from simulations.errors import ConfigError
from simulations.models import model_factory, resolve_class_weight


@pytest.mark.parametrize("setting, metric, spec, expected", [
    ("auto", "balanced_accuracy", "logreg", "balanced"),
    ("auto", "accuracy", "logreg", None),
    ("auto", "balanced_accuracy", LogisticRegression(), None),  # an estimator passed in is used as configured
    ("none", "balanced_accuracy", "random_forest", None),
    ("balanced", "accuracy", "logreg", "balanced"),
    ("balanced", "accuracy", LogisticRegression(), "balanced"),
])
def test_resolve_class_weight(setting, metric, spec, expected):
    weight, reason = resolve_class_weight(setting, metric, spec)
    assert weight == expected
    assert reason.startswith("Classes are weighted" if expected else "Classes are not weighted")


def test_auto_says_why_it_weights():
    _, reason = resolve_class_weight("auto", "balanced_accuracy", "logreg")
    assert "imbalanced" in reason and "balanced accuracy" in reason


def test_auto_says_when_a_requested_metric_decides_against_weights():
    weight, reason = resolve_class_weight("auto", "accuracy", "logreg", requested=True)
    assert weight is None and "scored by accuracy, as requested" in reason
    assert resolve_class_weight("auto", "balanced_accuracy", "logreg", requested=True)[0] == "balanced"


def test_bad_class_weight_settings_are_config_errors():
    with pytest.raises(ConfigError, match="Unknown class_weight 'heavy'"):
        resolve_class_weight("heavy", "accuracy")
    with pytest.raises(ConfigError, match="GaussianNB has no class_weight"):
        resolve_class_weight("balanced", "accuracy", GaussianNB())
    with pytest.raises(ConfigError, match="Unknown class_weight"):
        SimulationConfig(class_weight="Balanced")


@pytest.mark.parametrize("spec", ["logreg", "random_forest", "hist_gradient_boosting"])
def test_presets_get_the_weighting(spec):
    X = np.random.default_rng(0).random((20, 3))
    assert model_factory(spec, X, "balanced")(0).get_params()["class_weight"] == "balanced"
    assert model_factory(spec, X)(0).get_params()["class_weight"] is None


def test_naive_bayes_balances_through_uniform_priors_and_estimators_through_their_parameter():
    X = np.random.default_rng(0).random((20, 3))
    assert model_factory("naive_bayes", X, "balanced")(0).fit_prior is False
    assert model_factory("naive_bayes", X)(0).fit_prior is True
    est = model_factory(LogisticRegression(C=3.0), X, "balanced")(7)
    assert (est.C, est.class_weight, est.random_state) == (3.0, "balanced", 7)


def test_balanced_weights_lift_the_minority_recall_on_imbalanced_data():
    # 5% minority that overlaps the majority: unweighted, the model mostly predicts the majority class.
    rng = np.random.default_rng(1)
    n = 2000
    y = (rng.random(n) < 0.05).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None] * 1.2
    recalls = {}
    for weight in (None, "balanced"):
        model = model_factory("logreg", X, weight)(0).fit(X[:1000], y[:1000])
        pred = model.predict(X[1000:])
        recalls[weight] = pred[y[1000:] == 1].mean()
    assert recalls["balanced"] > recalls[None] + 0.3


def _imbalanced_frame(n=1200, share=0.06, seed=3):
    import pandas as pd

    rng = np.random.default_rng(seed)
    y = (rng.random(n) < share).astype(int)
    X = rng.normal(size=(n, 3)) + y[:, None] * 1.0
    return pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "label": np.where(y == 1, "rare", "common")})


def test_runner_weights_classes_on_imbalanced_data_and_records_why():
    from simulations.datasets import Dataset
    from simulations.runner import run_simulation

    ds = Dataset.from_frame(_imbalanced_frame(), "label")
    runs = {}
    for setting in ("auto", "none"):
        cfg = SimulationConfig(strategies=("random",), seeds=2, budget=60, initial_labels=10, class_weight=setting)
        runs[setting] = run_simulation(ds, cfg)
    auto, none = runs["auto"], runs["none"]
    assert auto.meta["metric"] == "balanced_accuracy"
    assert auto.meta["class_weight"] == "balanced" and "imbalanced" in auto.meta["class_weight_reason"]
    assert none.meta["class_weight"] is None
    # Unweighted, the whole-pool model mostly predicts the common class; weighted, it finds the rare one.
    assert auto.ceilings["balanced_accuracy"].median() > none.ceilings["balanced_accuracy"].median() + 0.1


def test_sweep_tasks_carry_the_weighting_in_their_keys_only_when_weighted():
    from simulations.datasets import Dataset
    from simulations.sweep import sweep_config_from_dict
    from simulations.sweep.tasks import plan_tasks

    grid = {"datasets": ["breast_cancer", "seattle_weather"], "strategies": ["margin"], "seeds": 1}
    cfg = sweep_config_from_dict(grid)
    data = {n: Dataset.from_sample(n) for n in ("breast_cancer", "seattle_weather")}
    tasks = plan_tasks(cfg, data)
    weights = {t.dataset.name: t.class_weight for t in tasks}
    assert weights == {"breast_cancer": None, "seattle_weather": "balanced"}  # only the imbalanced one
    unweighted = plan_tasks(sweep_config_from_dict({**grid, "class_weight": "none"}), data)
    keys = {(t.dataset.name, t.strategy): t.key for t in tasks}
    other = {(t.dataset.name, t.strategy): t.key for t in unweighted}
    assert all(keys[k] == other[k] for k in keys if k[0] == "breast_cancer")  # same work, same key (resume keeps it)
    assert all(keys[k] != other[k] for k in keys if k[0] == "seattle_weather")  # different work, new key
    # a sweep scored by plain accuracy trains unweighted models, as simulate --metric accuracy does
    plain = plan_tasks(sweep_config_from_dict({**grid, "metric": "accuracy"}), data)
    assert {t.class_weight for t in plain} == {None}
    assert {t.key for t in plain} == {t.key for t in unweighted}
    scored_balanced = plan_tasks(sweep_config_from_dict({**grid, "metric": "balanced_accuracy"}), data)
    assert {t.class_weight for t in scored_balanced} == {"balanced"}


def test_gaussian_naive_bayes_records_that_it_cannot_weight_classes():
    from simulations.datasets import Dataset
    from simulations.runner import run_simulation

    frame = _imbalanced_frame()  # normal features: negative values, so naive_bayes is the Gaussian variant
    cfg = SimulationConfig(strategies=("random",), seeds=1, budget=40, initial_labels=10, model="naive_bayes")
    res = run_simulation(Dataset.from_frame(frame, "label"), cfg)
    assert res.meta["metric"] == "balanced_accuracy"  # auto would weight, but Gaussian NB has no weights
    assert res.meta["class_weight"] is None and "Gaussian naive Bayes" in res.meta["class_weight_reason"]
    # on text (TF-IDF, non-negative) the multinomial variant applies the weighting (uniform priors)
    import pandas as pd

    rng = np.random.default_rng(0)
    rare = rng.random(600) < 0.08
    words = np.array(["alpha", "beta", "gamma", "delta", "omega", "sigma"])
    text = [" ".join(rng.choice(words[:4] if not r else words[2:], size=6)) for r in rare]
    texts = pd.DataFrame({"text": text, "label": np.where(rare, "rare", "common")})
    res = run_simulation(Dataset.from_frame(texts, "label", roles={"text": "text"}), cfg)
    assert res.meta["class_weight"] == "balanced"


def test_a_sweep_task_records_the_weighting_its_model_really_applied():
    from simulations.datasets import Dataset
    from simulations.sweep import sweep_config_from_dict
    from simulations.sweep.tasks import execute_task, plan_tasks

    cfg = sweep_config_from_dict({"datasets": ["seattle_weather"], "models": ["naive_bayes", "logreg"],
                                  "strategies": ["margin"], "seeds": 1})
    tasks = [t for t in plan_tasks(cfg, {"seattle_weather": Dataset.from_sample("seattle_weather")})
             if t.is_ceiling]
    recorded = {t.model: (t.class_weight, execute_task(t)["meta"]["class_weight"]) for t in tasks}
    # planned as balanced (imbalanced data), but numeric features make naive_bayes Gaussian: no weights applied
    assert recorded == {"naive_bayes": ("balanced", None), "logreg": ("balanced", "balanced")}
