"""Parquet, through pyarrow only (never rebuilding pandas objects from metadata stored in the file).
"""

from __future__ import annotations

import pandas as pd

from simulations.intake.columns import _check_duplicates, _check_width, _require_columns
from simulations.intake.errors import CorruptFileError

__all__: list[str] = []


def _read_parquet(data: bytes, name: str, columns: list[str] | None, nrows: int | None,
                  max_columns: int | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        names = list(pf.schema_arrow.names)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError variants for broken files
        raise CorruptFileError(f"'{name}' is not a readable Parquet file ({exc}).",
                               hint="Write it again with pandas or pyarrow, or upload it as CSV.") from exc
    _check_width(len(names), max_columns)
    _check_duplicates([str(n).strip() for n in names])
    if columns is not None:
        _require_columns(columns, names)
    try:
        if nrows is not None:
            batches = pf.iter_batches(batch_size=max(1, nrows), columns=columns)
            table = pa.Table.from_batches([next(batches)]) if pf.metadata.num_rows else pf.read(columns=columns)
        else:
            table = pf.read(columns=columns)
        # ignore_metadata: never rebuild pandas objects from metadata stored in the file.
        return table.to_pandas(ignore_metadata=True, date_as_object=False)
    except Exception as exc:
        raise CorruptFileError(f"'{name}' cannot be read as Parquet ({exc}).",
                               hint="Write it again with pandas or pyarrow, or upload it as CSV.") from exc
