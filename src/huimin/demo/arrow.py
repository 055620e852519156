"""Arrow types for the departmental source contract (huimin.engine.sources) and column builders."""

import numpy as np
import pyarrow as pa

from huimin.engine import sources as S

MONEY_TYPE = pa.decimal128(14, 2)
DECIMAL_TYPE = pa.decimal128(12, 2)
ARROW_TYPES = {
    S.STR: pa.string(),
    S.MONTH: pa.string(),
    S.DATE: pa.date32(),
    S.MONEY: MONEY_TYPE,
    S.DECIMAL: DECIMAL_TYPE,
    S.INT: pa.int16(),
}


def source_schema(code: str) -> pa.Schema:
    """The Parquet schema of one departmental source: its columns, in order, with the contract's types."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required) for c in S.SOURCES[code].columns])


def cents_to_decimal(cents: np.ndarray, type_: pa.DataType = MONEY_TYPE, mask: np.ndarray | None = None) -> pa.Array:
    """Integer 分 (or hundredths) → a decimal array with two places, built from the buffer (no Python loop)."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype="<i8")
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension into the high word
    validity = None
    if mask is not None and mask.any():
        validity = pa.array(~mask).buffers()[1]
    return pa.Array.from_buffers(type_, len(cents), [validity, pa.py_buffer(words.tobytes())])


def column(values, type_: pa.DataType) -> pa.Array:
    """numpy values → Arrow: money/decimal from integer hundredths, dates from datetime64 (NaT = null)."""
    if pa.types.is_decimal(type_):
        if isinstance(values, tuple):  # (cents, null mask)
            return cents_to_decimal(values[0], type_, values[1])
        return cents_to_decimal(values, type_)
    if pa.types.is_date32(type_):
        values = np.asarray(values, dtype="datetime64[D]")
        return pa.array(values, type=type_, mask=np.isnat(values))
    if pa.types.is_string(type_):
        values = np.asarray(values)
        if values.dtype == object:
            return pa.array(values, type=type_, from_pandas=True)
        return pa.array(values.astype(str), type=type_)
    return pa.array(np.asarray(values), type=type_)


def table(schema: pa.Schema, columns: dict) -> pa.Table:
    return pa.table([column(columns[f.name], f.type) for f in schema], schema=schema)
