"""Feature preprocessing as one scikit-learn ColumnTransformer built from column roles.

Text makes the output sparse and it stays sparse end to end; tabular data stays dense, with one-hot
width bounded by grouping rare categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import FunctionTransformer, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from simulations.datasets import Dataset

#: A category seen in fewer rows than this is grouped with the other rare ones.
RARE_CATEGORY_MIN_ROWS = 5
#: Upper bound of one-hot columns per categorical column (the rest grouped as infrequent).
MAX_CATEGORIES = 50
TEXT_MAX_FEATURES = 20_000


def _as_category_strings(X: pd.DataFrame) -> np.ndarray:
    # One dtype for the encoder; missing is its own category because absence often carries signal.
    return X.astype(object).where(X.notna(), "(missing)").astype(str).to_numpy()


def _as_numbers(X: pd.DataFrame) -> np.ndarray:
    return X.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def _datetime_parts(X: pd.DataFrame) -> np.ndarray:
    parts = []
    for col in X.columns:
        d = pd.to_datetime(X[col], errors="coerce", format="mixed")
        parts += [d.dt.year, d.dt.month, d.dt.day_of_week, d.dt.day_of_year]
    return np.column_stack([p.to_numpy(dtype=float) for p in parts])


def _text_column(X: pd.Series | pd.DataFrame) -> np.ndarray:
    col = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else X
    return col.fillna("").astype(str).to_numpy()


def build_preprocessor(dataset: Dataset) -> ColumnTransformer:
    """An unfitted ColumnTransformer for the dataset's feature roles.

    Returns
    -------
    ColumnTransformer
        Output shape (n_rows, n_features); a CSR matrix when any text column exists, else a dense array.
    """
    roles = dataset.roles
    by_role = {r: [c for c, rr in roles.items() if rr == r] for r in ("numeric", "categorical", "datetime", "text")}
    transformers = []
    if by_role["numeric"]:
        transformers.append((
            "numeric",
            make_pipeline(
                FunctionTransformer(_as_numbers, feature_names_out="one-to-one"),
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                StandardScaler(),
            ),
            by_role["numeric"],
        ))
    if by_role["categorical"]:
        transformers.append((
            "categorical",
            make_pipeline(
                FunctionTransformer(_as_category_strings, feature_names_out="one-to-one"),
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=RARE_CATEGORY_MIN_ROWS,
                    max_categories=MAX_CATEGORIES,
                    sparse_output=dataset.has_text,
                ),
            ),
            by_role["categorical"],
        ))
    if by_role["datetime"]:
        transformers.append((
            "datetime",
            make_pipeline(
                FunctionTransformer(_datetime_parts),
                SimpleImputer(strategy="median", keep_empty_features=True),
                StandardScaler(),
            ),
            by_role["datetime"],
        ))
    for col in by_role["text"]:
        transformers.append((
            f"text:{col}",
            make_pipeline(
                FunctionTransformer(_text_column),
                TfidfVectorizer(sublinear_tf=True, min_df=2, max_features=TEXT_MAX_FEATURES, dtype=np.float64),
            ),
            [col],
        ))
    return ColumnTransformer(
        transformers,
        remainder="drop",
        sparse_threshold=1.0 if dataset.has_text else 0.0,
    )


def fit_features(dataset: Dataset):
    """Fit the preprocessing on all rows (labels unused) and return the feature matrix.

    The pipeline is unsupervised, so fitting it on every row leaks no label: in a real project these
    rows are all available unlabeled before the first label is bought.

    Returns
    -------
    X : ndarray or CSR matrix, shape (n_rows, n_features)
    preprocessor : fitted ColumnTransformer
    """
    pre = build_preprocessor(dataset)
    X = pre.fit_transform(dataset.frame[dataset.feature_columns])
    if hasattr(X, "tocsr"):
        X = X.tocsr()
    else:
        X = np.ascontiguousarray(X, dtype=float)
    return X, pre
