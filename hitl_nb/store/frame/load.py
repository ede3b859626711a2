"""``hitl_decisions`` -> a typed pandas DataFrame, fast.

Columns and dtypes (one row per decision, ordered by ``id``):

- ``requested_at``, ``decided_at``, ``applied_at``, ``lease_until``, ``outcome_at``:
  ``datetime64[us, UTC]``
- ``latency_s``, ``confidence``, ``risk_score``: ``float64`` (NaN when unknown)
- ``action``, ``decision``, ``reviewer``, ``risk_tier``, ``format``, ``status``: ``category``
- ``thread_id``, ``interrupt_id``, ``comment``, ``owner``, ``error``, ``outcome_detail``:
  ``string``; ``id``, ``action_index``: ``int64``; ``outcome_ok``: nullable ``boolean``
- ``args``, ``edited_args``, ``response``, ``resume_value``, ``context``, ``request``
  (the full request as the card showed it): JSON, parsed when read (dtype ``hitl_json``,
  see `hitl_nb.store.frame.jsonarray`: ``df.args.iloc[0]`` is a dict); ``flatten=True`` adds
  ``args.<key>`` / ``edited_args.<key>`` columns.

Speed (see benchmarks/bench_log.py): JSON cells are not parsed at load time (lazy
column). A file-backed SQLite log is read through Arrow when the ``data`` extra is
installed (`hitl_nb.store.frame.arrow`: ADBC's SQLite driver, no Python object per value;
strings and JSON text then stay in Arrow buffers). Otherwise, on SQLite each text/int
column comes back as ONE ``json_group_array`` string (times as integer microseconds, JSON
columns joined raw with a record separator), built by SQLite in C and split in C, instead
of a Python tuple per row; the three float columns come from a narrow plain fetch (exact),
in the same read transaction. Other backends (PostgreSQL) take the generic row path with
the same conversions. Every path gives the same columns, dtypes and values.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from ..fastjson import loads_strict as _fast_loads
from .columns import CATEGORIES, FLOATS, INTS, JSON, ORDER, STRINGS, TIMES
from .jsonarray import JSONArray

_NUMERIC = TIMES + FLOATS
_TEXTUAL = tuple(c for c in ORDER if c not in _NUMERIC)
#: Columns sent through json_group_array on SQLite (times as integer microseconds: SQLite
#: prints integers much faster than floats, and datetime64[us] keeps exactly that).
_AGGREGATED = _TEXTUAL + TIMES


@contextmanager
def _no_gc():
    """Millions of new containers would trigger many useless cyclic GC passes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(db: Any, q: Any, where: str = "", params: Sequence[Any] = (), *,
         flatten: bool = False, cache: bool = True) -> pd.DataFrame:
    """Read the decisions matching ``where`` (SQL with ``?`` marks) as a typed frame;
    ``cache``: use and keep a columnar copy of a large log (`hitl_nb.store.frame.cache`)."""
    with _no_gc():
        columns = None
        if db.dialect == "sqlite" and hasattr(db, "conn"):
            from . import arrow as _frame_arrow
            from . import cache as _frame_cache

            df = (_frame_cache if cache else _frame_arrow).load(db, where, params)
            if df is not None:
                return flatten_args(df) if flatten else df
            columns = _sqlite_columns(db, where, params)
        if columns is None:
            sql = f"SELECT {', '.join(ORDER)} FROM hitl_decisions {where} ORDER BY id"
            names, rows = db.columns(q(sql), params)
            columns = dict(zip(names, _transpose(rows, len(names)), strict=True))
        return _typed(columns, flatten)


def _transpose(rows: Sequence[Sequence[Any]], width: int) -> list[Sequence[Any]]:
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _sqlite_columns(db: Any, where: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """Columns as lists, read in one snapshot; None when SQLite lacks JSON1 or a JSON
    cell is malformed (the caller then takes the generic path)."""
    import sqlite3

    with db.lock:
        conn = db.conn
        own = not conn.in_transaction
        try:
            if own:
                conn.execute("BEGIN")  # one snapshot for both queries (WAL: no writer waits)
            texts = _aggregates(conn, _AGGREGATED, where, params)
            numbers = conn.execute(
                f"SELECT {', '.join(FLOATS)} FROM hitl_decisions {where} ORDER BY id",
                params).fetchall()
        except sqlite3.OperationalError:
            return None
        finally:
            if own and conn.in_transaction:
                conn.execute("COMMIT")
    columns: dict[str, Any] = {}
    for col in _AGGREGATED:
        columns[col] = _split(col, texts.pop(col))  # free each big string once split
    for col in TIMES:
        columns[col] = pd.to_datetime(_floats(columns[col]), unit="us", utc=True).as_unit("us")
    columns.update(zip(FLOATS, _transpose(numbers, len(FLOATS)), strict=True))
    return columns


def _aggregates(conn: Any, cols: Sequence[str], where: str, params: Sequence[Any]
                ) -> dict[str, str | None]:
    aggs = ", ".join(_aggregate(c) for c in cols)
    # The subquery fixes the order and copies only these columns (``SELECT *`` there
    # would decode every column of every row once more).
    row = conn.execute(f"SELECT {aggs} FROM (SELECT {', '.join(cols)} FROM hitl_decisions"
                       f" {where} ORDER BY id)", params).fetchone()
    return dict(zip(cols, row, strict=True))


_SEP = "\x1e"  # ASCII record separator: JSON text never holds it unescaped


def _aggregate(col: str) -> str:
    """One SQL aggregate returning the whole column as one string."""
    if col in TIMES:
        return f"json_group_array(CAST(ROUND({col} * 1000000) AS INTEGER))"
    if col in JSON:  # JSON text joined as is: no escaping in SQLite, no parsing here
        return f"group_concat(ifnull({col}, ''), char(30))"
    return f"json_group_array({col})"


def _split(col: str, text: str | None) -> list[Any]:
    if col not in JSON:
        return _fast_loads(text)
    if not text:  # no rows, or one row without JSON
        return [] if text is None else [None]
    return [t or None for t in text.split(_SEP)]


def _floats(values: Sequence[Any]) -> np.ndarray:
    return np.array(values, dtype="float64") if len(values) else np.empty(0, "float64")


def _objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _typed(columns: dict[str, Sequence[Any]], flatten: bool) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for col in ORDER:
        values = columns.pop(col)  # drop the Python list once its array exists
        if isinstance(values, pd.DatetimeIndex):
            data[col] = values
        elif col in TIMES:
            data[col] = pd.to_datetime(_floats(values), unit="s", utc=True).as_unit("us")
        elif col in FLOATS:
            data[col] = _floats(values)
        elif col in CATEGORIES:
            data[col] = pd.Categorical(_objects(values))
        elif col in STRINGS:
            data[col] = pd.array(_objects(values), dtype="string")
        elif col in INTS:
            data[col] = np.array(values, dtype="int64") if len(values) else np.empty(0, "int64")
        elif col == "outcome_ok":
            data[col] = pd.array([None if v is None else bool(v) for v in values],
                                 dtype="boolean")
        else:
            data[col] = JSONArray.from_text(values)
    df = pd.DataFrame(data)
    if flatten:
        df = flatten_args(df)
    return df


def flatten_args(df: pd.DataFrame, columns: Sequence[str] = ("args", "edited_args")
                 ) -> pd.DataFrame:
    """Add one column per top-level key of dict cells: ``args.to``, ``edited_args.to``...

    Example::

        flatten_args(log.to_pandas())["args.to"].value_counts()
    """
    parts = [df]
    for col in columns:
        if col not in df:
            continue
        dicts = [v if isinstance(v, dict) else {} for v in df[col]]
        wide = pd.DataFrame.from_records(dicts, index=df.index) if dicts else pd.DataFrame()
        parts.append(wide.add_prefix(f"{col}."))
    return pd.concat(parts, axis=1)


def decisions_frame(names: Sequence[str], rows: Sequence[Sequence[Any]], *,
                    flatten: bool = False) -> pd.DataFrame:
    """Typed frame from plain rows (any backend); JSON columns hold JSON text."""
    columns = dict(zip(names, _transpose(rows, len(names)), strict=True))
    for col in ORDER:
        columns.setdefault(col, [None] * len(rows))
    return _typed(columns, flatten)
