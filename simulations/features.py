"""Feature preprocessing as one scikit-learn ColumnTransformer built from column roles.

Text makes the output sparse and it stays sparse end to end; tabular data stays dense, with one-hot
width bounded by grouping rare categories.

The engine guards itself against values the intake warns about but a caller of the Python API may pass
directly: numbers of magnitude 1e100 or more (and infinities) become missing, and a text column where no
word appears in two rows keeps every word instead of failing (see :func:`build_preprocessor`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import FunctionTransformer, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from simulations.datasets import Dataset
from simulations.errors import DataError

#: A category seen in fewer rows than this is grouped with the other rare ones.
RARE_CATEGORY_MIN_ROWS = 5
#: Upper bound of one-hot columns per categorical column (the rest grouped as infrequent).
MAX_CATEGORIES = 50
TEXT_MAX_FEATURES = 20_000
#: Numbers at least this large in magnitude are treated as missing: squaring them for the scaler's variance
#: overflows float64 (1e155 ** 2 is inf), and such values are sentinels or parse errors far more often than data.
MAX_ABS_NUMBER = 1e100
#: A word must appear in this many rows to become a TF-IDF feature (1 when no word does; see TextFeatures).
TEXT_MIN_DF = 2


def _as_category_strings(X: pd.DataFrame) -> np.ndarray:
    # One dtype for the encoder; missing is its own category because absence often carries signal.
    return X.astype(object).where(X.notna(), "(missing)").astype(str).to_numpy()


def _as_numbers(X: pd.DataFrame) -> np.ndarray:
    """Numbers as float; text, infinities and magnitudes of :data:`MAX_ABS_NUMBER` or more become NaN."""
    values = X.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    # A new array (pandas may hand out a read-only view); the comparison is False for +-inf and NaN.
    return np.where(np.abs(values) < MAX_ABS_NUMBER, values, np.nan)


def _datetime_parts(X: pd.DataFrame) -> np.ndarray:
    parts = []
    for col in X.columns:
        d = pd.to_datetime(X[col], errors="coerce", format="mixed")
        parts += [d.dt.year, d.dt.month, d.dt.day_of_week, d.dt.day_of_year]
    return np.column_stack([p.to_numpy(dtype=float) for p in parts])


def _text_column(X: pd.Series | pd.DataFrame) -> np.ndarray:
    col = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else X
    return col.fillna("").astype(str).to_numpy()


class FastMedianImputer(SimpleImputer):
    """``SimpleImputer`` whose dense median fit uses ``np.nanmedian``: identical ``statistics_``, many times faster.

    scikit-learn computes dense medians with ``numpy.ma.median``, which argsorts masked copies of the data:
    4.9 of the 5.6 s the features of a 1M x 20 table took, and the memory peak of the whole run, also when
    nothing is missing. Anything but a dense float median fit with NaN as the missing marker goes to
    ``SimpleImputer`` unchanged. (It overrides scikit-learn's private ``_dense_fit`` hook; the tests compare
    its statistics with ``SimpleImputer``'s, so a changed hook fails loudly.)
    """

    def _dense_fit(self, X, strategy, missing_values, fill_value, *args, **kwargs):  # sklearn hook
        if strategy != "median" or not (isinstance(missing_values, float) and np.isnan(missing_values)) \
                or X.dtype.kind != "f":
            return super()._dense_fit(X, strategy, missing_values, fill_value, *args, **kwargs)
        missing_mask = np.isnan(X)
        self._fit_indicator(missing_mask)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: handled below
            median = np.asarray(np.nanmedian(X, axis=0), dtype=float)
        median[missing_mask.all(axis=0)] = 0 if self.keep_empty_features else np.nan
        return median


class TextFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF of one text column, keeping words seen in :data:`TEXT_MIN_DF` rows, or every word when none is.

    A column where no word repeats across rows (few rows, or unique codes read as text) would make
    ``TfidfVectorizer(min_df=2)`` fail with "no terms remain"; keeping every word then is the useful
    answer (each word still separates its rows). ``min_df_`` records the value used. A column without any
    word at all raises :class:`~simulations.errors.DataError`, naming the column.

    Parameters
    ----------
    column : str
        The column's name, for messages.
    """

    def __init__(self, column: str = "") -> None:
        self.column = column

    def _vectorizer(self, min_df: int) -> TfidfVectorizer:
        return TfidfVectorizer(sublinear_tf=True, min_df=min_df, max_features=TEXT_MAX_FEATURES, dtype=np.float64)

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        docs = _text_column(X)
        try:
            self.vectorizer_ = self._vectorizer(TEXT_MIN_DF)
            out = self.vectorizer_.fit_transform(docs)
            self.min_df_ = TEXT_MIN_DF
        except ValueError:  # "no terms remain" (no word in 2+ rows) or min_df above the number of rows
            try:
                self.vectorizer_ = self._vectorizer(1)
                out = self.vectorizer_.fit_transform(docs)
            except ValueError as exc:  # "empty vocabulary": not a single word
                raise DataError(
                    f"The text column '{self.column}' holds no words (only blanks, punctuation or one-letter "
                    "tokens).",
                    hint=f"Give '{self.column}' the role 'categorical', or drop it (role 'constant').",
                ) from exc
            self.min_df_ = 1
        return out

    def fit(self, X: Any, y: Any = None) -> TextFeatures:
        self.fit_transform(X)
        return self

    def transform(self, X: Any) -> sp.csr_matrix:
        return self.vectorizer_.transform(_text_column(X))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.vectorizer_.get_feature_names_out()


def build_preprocessor(dataset: Dataset) -> ColumnTransformer:
    """An unfitted ColumnTransformer for the dataset's feature roles.

    Numeric values of magnitude :data:`MAX_ABS_NUMBER` or more, and infinities, become missing before the
    median imputation (the intake warns about them; here they are handled so the Python API cannot crash
    on them). Missing values get the column median and a missing-indicator column.

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
                FastMedianImputer(strategy="median", add_indicator=True, keep_empty_features=True),
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
                FastMedianImputer(strategy="median", keep_empty_features=True),
                StandardScaler(),
            ),
            by_role["datetime"],
        ))
    for col in by_role["text"]:
        transformers.append((f"text:{col}", TextFeatures(col), [col]))
    return ColumnTransformer(
        transformers,
        remainder="drop",
        sparse_threshold=1.0 if dataset.has_text else 0.0,
    )


def feature_rows(dataset: Dataset) -> pd.DataFrame:
    """The rows features are built from: the labeled rows, then the extra unlabeled pool rows (if any).

    Returns
    -------
    DataFrame, shape (n_rows + n_extra_pool, n_feature_columns)
    """
    rows = dataset.frame[dataset.feature_columns]
    if dataset.n_extra_pool:
        rows = pd.concat([rows, dataset.extra_pool[dataset.feature_columns]], ignore_index=True)
    return rows


def fit_features(dataset: Dataset) -> tuple[Any, ColumnTransformer]:
    """Fit the preprocessing on all rows (labels unused) and return the feature matrix.

    The pipeline is unsupervised, so fitting it on every row leaks no label: in a real project these
    rows are all available unlabeled before the first label is bought. That includes the extra pool
    (``dataset.extra_pool``, rows whose label is unknown): its rows follow the labeled ones.

    Returns
    -------
    X : ndarray or CSR matrix, shape (n_rows + n_extra_pool, n_features)
        Rows in the order of :func:`feature_rows`.
    preprocessor : fitted ColumnTransformer
    """
    pre = build_preprocessor(dataset)
    X = pre.fit_transform(feature_rows(dataset))
    if hasattr(X, "tocsr"):
        X = X.tocsr()
    else:
        X = np.ascontiguousarray(X, dtype=float)
    return X, pre


def as_float32(X: Any) -> Any:
    """Dense or sparse features as float32: half the memory, results differ in the last bits (default on sparse)."""
    if sp.issparse(X):
        return X.astype(np.float32)
    return np.ascontiguousarray(X, dtype=np.float32)
