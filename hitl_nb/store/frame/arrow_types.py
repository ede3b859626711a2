"""Arrow columns of ``hitl_decisions`` -> the typed frame, in Arrow compute and C++.

Exactly the stdlib path's dtypes and values (`hitl_nb.store.frame`): strings stay Arrow strings
(pandas' ``string`` dtype is Arrow-backed), JSON columns keep their Arrow text
(`JSONArray.from_arrow`), categoricals are codes against the sorted values, times are
rounded to microseconds as SQLite's ``ROUND(x * 1e6)`` rounds them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...errors import Unsupported
from .columns import CATEGORIES, FLOATS, INTS, ORDER, STRINGS, TIMES
from .jsonarray import JSONArray, JSONDtype


class _JSONFromArrow(JSONDtype):
    """``hitl_json`` for ``to_pandas(types_mapper=...)``: wraps the Arrow text as is. (Not
    on `JSONDtype` itself: a Parquet file read back keeps giving JSON text, as before.)"""

    def __from_arrow__(self, array: Any) -> JSONArray:
        return JSONArray.from_arrow(array)


# -- typing ---------------------------------------------------------------------------------
def schema() -> Any:
    """The Arrow schema of a typed table (`typed`): what `to_frame` converts."""
    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in INTS:
            return pa.int64()
        if name in TIMES:
            return pa.timestamp("us", tz="UTC")
        if name in FLOATS:
            return pa.float64()
        if name in CATEGORIES:
            return pa.dictionary(pa.int32(), pa.string())
        if name in STRINGS:
            return pa.large_string()
        return pa.bool_() if name == "outcome_ok" else pa.string()  # JSON text

    return pa.schema([(name, kind(name)) for name in ORDER])


def typed(table: Any, threads: int = 1) -> Any:
    """The read columns typed by Arrow compute (several columns at once on a large log):
    a table of `schema`. Raise `Unsupported` for a column of another Arrow type."""
    import pyarrow as pa

    want = {c: pa.int64() for c in (*INTS, "outcome_ok")}
    want.update({c: pa.float64() for c in (*TIMES, *FLOATS)})
    for name in ORDER:
        kind = table.column(name).type
        if kind != want.get(name, pa.string()):
            raise Unsupported(f"{name} was read as {kind}")
    if threads > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:  # Arrow compute releases the GIL
            columns = list(pool.map(lambda name: _column(name, table.column(name)), ORDER))
    else:
        columns = [_column(name, table.column(name)) for name in ORDER]
    return pa.table(columns, schema=schema())


def to_frame(table: Any) -> pd.DataFrame:
    """A typed table as the frame, with exactly the stdlib path's dtypes and values;
    Arrow converts it in C++, strings and JSON text without copies."""
    import pyarrow as pa

    mapper = {pa.large_string(): pd.StringDtype(), pa.string(): _JSONFromArrow(),
              pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapper.get)


def _column(name: str, col: Any) -> Any:
    """One column in the Arrow type that converts to its pandas dtype (strings become
    ``large_string`` -> ``string``; JSON stays ``string`` -> ``hitl_json``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if name in INTS:
        if col.null_count:
            raise Unsupported(f"{name} holds NULL")
        return col
    if name in TIMES:
        return _times(col)
    if name in CATEGORIES:
        return _categorical(col)
    if name in STRINGS:
        return col.cast(pa.large_string())
    if name == "outcome_ok":
        return pc.not_equal(col, 0)  # bool(v), NULL stays missing
    return col  # floats (NULL -> NaN), JSON text


def _times(col: Any) -> Any:
    """Epoch seconds -> timestamp[us, UTC], rounded as SQLite's ROUND(x * 1e6) rounds (add
    one half away from zero, then truncate), like the stdlib path."""
    import pyarrow as pa
    import pyarrow.compute as pc

    micros = pc.multiply(col, 1_000_000.0)
    rounded = pc.trunc(pc.add(micros, 0.5))
    if (pc.min(micros).as_py() or 0.0) < 0:
        down = pc.negate(pc.trunc(pc.add(pc.negate(micros), 0.5)))
        rounded = pc.if_else(pc.greater_equal(micros, 0.0), rounded, down)
    return rounded.cast(pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def _categorical(col: Any) -> Any:
    """Dictionary-encoded, the dictionary sorted (as ``pd.Categorical`` sorts it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.unique(col).drop_null()
    values = values.take(pc.array_sort_indices(values))
    codes = pc.index_in(col, value_set=values)
    kind = pa.dictionary(pa.int32(), pa.string())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(c, values) for c in codes.chunks],
                            type=kind)
