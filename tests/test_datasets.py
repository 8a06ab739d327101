import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from simulations import SAMPLES, DataError, Dataset
from simulations.datasets import infer_role
from simulations.features import fit_features


def test_roles_are_inferred_for_each_kind():
    n = 60
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "row_id": np.arange(n),
        "amount": rng.normal(size=n),
        "colour": rng.choice(["red", "green", "blue"], n),
        "note": [f"the customer wrote message number {i} about a late parcel" for i in range(n)],
        "when": pd.date_range("2024-01-01", periods=n).astype(str),
        "same": ["x"] * n,
        "empty": [None] * n,
        "emb_0": rng.normal(size=n),
        "label": rng.choice(["a", "b"], n),
    })
    ds = Dataset.from_frame(df, "label")
    assert ds.roles == {
        "row_id": "id", "amount": "numeric", "colour": "categorical", "note": "text", "when": "datetime",
        "same": "constant", "empty": "constant", "emb_0": "numeric",
    }
    assert set(ds.feature_columns) == {"amount", "colour", "note", "when", "emb_0"}
    table = ds.roles_table()
    assert not table.loc[table.column == "row_id", "used"].item()


def test_unique_floats_are_numeric_not_ids():
    assert infer_role(pd.Series(np.linspace(0, 1, 50), name="score")) == "numeric"
    assert infer_role(pd.Series(np.arange(100, 150) * 3, name="customer_id")) == "id"
    assert infer_role(pd.Series(np.arange(100, 150) * 3, name="price")) == "numeric"


def test_role_override_and_bad_override():
    df = pd.DataFrame({"zip": np.tile([10115, 10117, 20095], 20), "label": ["a", "b"] * 30})
    ds = Dataset.from_frame(df, "label", roles={"zip": "categorical"})
    assert ds.roles["zip"] == "categorical" and ds.inferred_roles["zip"] == "numeric"
    with pytest.raises(DataError, match="no such feature column"):
        Dataset.from_frame(df, "label", roles={"nope": "numeric"})
    with pytest.raises(DataError, match="Unknown column role"):
        Dataset.from_frame(df, "label", roles={"zip": "banana"})


def test_missing_labels_are_counted_and_left_out():
    df = pd.DataFrame({"x": range(30), "label": (["a", "b", None, ""] * 8)[:30]})
    ds = Dataset.from_frame(df, "x" if False else "label")
    assert ds.n_missing_labels == 14
    assert len(ds.frame) == 16
    assert set(ds.y) == {"a", "b"}


def test_numeric_labels_become_clean_strings():
    df = pd.DataFrame({"x": np.arange(30.0) % 7, "label": [1.0, 2.0, np.nan] * 10})
    ds = Dataset.from_frame(df, "label")
    assert set(ds.y) == {"1", "2"}


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"x": range(10), "label": ["a"] * 10}), "at least 2"),
    (pd.DataFrame({"x": range(12), "label": ["a"] * 10 + ["b"] * 2}), "'b' \\(2 rows\\)"),
    (pd.DataFrame({"x": [1] * 10, "label": ["a", "b"] * 5}), "No usable feature columns"),
])
def test_unusable_data_gets_a_specific_error(bad, message):
    with pytest.raises(DataError, match=message):
        Dataset.from_frame(bad, "label")


def test_missing_label_column_lists_columns():
    with pytest.raises(DataError) as err:
        Dataset.from_frame(pd.DataFrame({"a": [1], "b": [2]}), "target")
    assert "target" in err.value.message and "a, b" in err.value.hint


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_sample_loads_and_featurizes(name):
    ds = Dataset.from_sample(name)
    X, _ = fit_features(ds)
    assert X.shape[0] == len(ds.frame) > 300
    assert len(ds.class_counts) >= 2
    values = X.data if sp.issparse(X) else X
    assert np.isfinite(values).all()


def test_text_stays_sparse_and_tabular_is_dense(text_frame, separable):
    X_text, _ = fit_features(Dataset.from_frame(text_frame, "kind"))
    assert sp.issparse(X_text)
    X_tab, _ = fit_features(separable)
    assert isinstance(X_tab, np.ndarray)


def test_rare_categories_are_grouped():
    n = 200
    cats = ["common"] * 150 + ["also_common"] * 44 + [f"rare{i}" for i in range(6)]
    df = pd.DataFrame({"c": cats, "label": ["a", "b"] * 100})
    X, _ = fit_features(Dataset.from_frame(df, "label"))
    # two frequent categories plus one column for all the rare ones
    assert X.shape == (n, 3)


def test_fingerprint_tracks_content(separable_frame):
    a = Dataset.from_frame(separable_frame, "label").fingerprint()
    b = Dataset.from_frame(separable_frame.copy(), "label").fingerprint()
    changed = separable_frame.copy()
    changed.loc[0, "f0"] += 1
    assert a == b != Dataset.from_frame(changed, "label").fingerprint()


def test_the_sms_sample_is_the_published_collection_one_message_a_row():
    """The shipped file once fused 737 messages into 8 rows (an unbalanced quote): no row may hold another record."""
    ds = Dataset.from_sample("sms_spam")
    text = ds.frame["text"].astype(str)
    assert len(ds.y) == 5574 and pd.Series(ds.y).value_counts().to_dict() == {"ham": 4827, "spam": 747}
    assert not text.str.contains(r"\n(?:ham|spam)\t").any()
    assert text.str.len().max() == 910  # the collection's longest message
