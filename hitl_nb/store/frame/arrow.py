"""``hitl_decisions`` -> Arrow -> pandas, with no Python object per value (``data`` extra).

ADBC's SQLite driver (``adbc-driver-sqlite``) steps the query in C and appends each value
to Arrow buffers; `hitl_nb.store.frame.arrow_types` then types the columns with Arrow compute
and hands them to pandas mostly without copies. `_frame.load` takes this path for a
file-backed SQLite log when ``adbc_driver_sqlite`` imports, and its own (stdlib) path
otherwise or on any error here.

- **Types.** The driver infers each column's type from its first batch and refuses a
  value of another kind later (a column NULL in its first rows would become int64 and then
  refuse text). The query therefore starts with a typed sentinel row (``UNION ALL``
  under one ``ORDER BY id``: SQLite merges, it does not sort), dropped after reading;
  a column whose type still differs (a BLOB, text in a time column) raises `Unsupported`.
- **Snapshot.** The log's own connection must be outside a transaction (its uncommitted
  writes would be invisible). Each ADBC connection reads in one transaction, read-only.
  Large logs are read in `parts` id ranges, one connection and thread each (SQLite and
  Arrow release the GIL); the parts are one snapshot only if no other connection committed
  while they began, which ``PRAGMA data_version`` on the log's connection tells; else the
  first connection reads everything alone. (The SQLite inside the driver rewrites the WAL
  index header on its first read after a write, which changes ``data_version`` without a
  commit: the connection that asks for the id range reads first and takes that change.)
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Any

import pandas as pd

from .arrow_types import Unsupported, to_frame, typed
from .columns import FLOATS, INTS, ORDER, TIMES

#: Tests switch this off to compare both paths.
ENABLED = True
#: Rows per Arrow batch: larger batches cost fewer chunks; a batch of one string column
#: must stay under 2 GiB (int32 offsets), else the read fails and the stdlib path runs.
BATCH_ROWS = 65_536
#: Below this many ids, one connection reads everything (a thread costs more than it saves).
PARALLEL_MIN_ROWS = 100_000
#: Connections reading a large log at once; None: one per core, at most four.
PARTS: int | None = None


@functools.cache
def available() -> bool:
    """True when ``adbc_driver_sqlite`` and ``pyarrow`` import (the ``data`` extra)."""
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401
        import pyarrow.compute  # noqa: F401
    except ImportError:
        return False
    return True


def load(db: Any, where: str, params: tuple[Any, ...] | list[Any]) -> pd.DataFrame | None:
    """The typed frame of the decisions matching ``where``; None when this path does not
    apply (no extra, in-memory log, open transaction) or failed (the caller falls back)."""
    got = read(db, where, params)
    if got is None:
        return None
    try:
        return to_frame(got[0])
    except errors():
        return None


def read(db: Any, where: str, params: tuple[Any, ...] | list[Any]) -> tuple[Any, int] | None:
    """(typed Arrow table, the log's highest change ``rev`` when the read began), or None
    as for `load`. The ``rev`` is what a copy of a whole log records (`_frame_cache`)."""
    if not (ENABLED and available()):
        return None
    try:
        got = _read(db, where, list(params))
        if got is None:
            return None
        table, rev = got
        return typed(table, parts() if table.num_rows >= PARALLEL_MIN_ROWS else 1), rev
    except errors():
        return None


def parts() -> int:
    """How many connections read a large log at once (`PARTS`)."""
    if PARTS is not None:
        return max(1, PARTS)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def errors() -> tuple[type[BaseException], ...]:
    """What a failed read on this path raises (the caller then falls back)."""
    import adbc_driver_manager
    import pyarrow as pa

    return adbc_driver_manager.Error, pa.ArrowException, Unsupported


# -- reading --------------------------------------------------------------------------------
def _file(conn: Any) -> str | None:
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main":
            return path or None  # '' for an in-memory or temporary database
    return None  # pragma: no cover - SQLite always lists main


def connect(path: str) -> Any:
    """A read-only ADBC connection to the log file; its queries share one snapshot, which
    the first of them begins."""
    import adbc_driver_sqlite.dbapi as dbapi

    conn = dbapi.connect(Path(path).resolve().as_uri() + "?mode=ro")  # autocommit off:
    try:                                                             # one transaction
        cur = conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.fetchall()
        cur.close()
    except BaseException:
        conn.close()
        raise
    return conn


def query(conn: Any, sql: str, params: list[Any]) -> Any:
    """The rows of ``sql`` as an Arrow table."""
    cur = conn.cursor()
    try:
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
        cur.execute(sql, params or None)
        return cur.fetch_arrow_table()
    finally:
        cur.close()


def _sentinel(col: str) -> str:
    if col == "id":
        return "NULL AS id"  # sorts first; every real id is a positive integer
    if col in TIMES or col in FLOATS:
        return f"0.0 AS {col}"
    if col in INTS or col == "outcome_ok":
        return f"0 AS {col}"
    return f"'' AS {col}"


_SENTINEL = "SELECT " + ", ".join(_sentinel(c) for c in ORDER)


def select(conn: Any, where: str, params: list[Any], lo: int | None = None,
            hi: int | None = None) -> Any:
    """The typed rows with ``lo <= id < hi`` (bounds optional), sentinel row dropped."""
    clauses, args = ([f"({where.removeprefix('WHERE ')})"] if where else []), list(params)
    if lo is not None:
        clauses.append("id >= ?")
        args.append(lo)
    if hi is not None:
        clauses.append("id < ?")
        args.append(hi)
    body = f"SELECT {', '.join(ORDER)} FROM hitl_decisions"
    if clauses:
        body += " WHERE " + " AND ".join(clauses)
    table = query(conn, f"{_SENTINEL} UNION ALL {body} ORDER BY id", args)
    _check_first_batch(table)
    return table.slice(1)


def _check_first_batch(table: Any) -> None:
    """The driver fills its first batch without checking that a string column's int32
    offsets stay under 2 GiB (later batches are checked): refuse wrapped offsets."""
    import numpy as np
    import pyarrow as pa

    for col in table.itercolumns():
        if col.type == pa.string() and col.num_chunks:
            first = col.chunk(0)
            if _wrapped(np.frombuffer(first.buffers()[1], dtype=np.int32,
                                      count=len(first) + 1, offset=4 * first.offset)):
                raise Unsupported("a string column passed 2 GiB in the driver's first batch")


def _wrapped(offsets: Any) -> bool:
    """Whether int32 offsets went negative or backwards (no int32 arithmetic: it wraps)."""
    return bool(offsets[0] < 0 or (offsets[1:] < offsets[:-1]).any())


def own_file(db: Any) -> str | None:
    """The log's file, if it is one and the log's own connection is outside a transaction
    (its uncommitted writes would be invisible to another connection). Hold ``db.lock``."""
    return None if db.conn.in_transaction else _file(db.conn)


def _read(db: Any, where: str, params: list[Any]) -> tuple[Any, int] | None:
    """(the matching rows as one Arrow table, from one snapshot; the highest ``rev`` when
    it began); None if not applicable."""
    import pyarrow as pa

    conns: list[Any] = []
    try:
        with db.lock:
            own, path = db.conn, own_file(db)
            if path is None:
                return None
            conns.append(connect(path))
            lo, hi, rev = query(conns[0], "SELECT min(id), max(id), (SELECT ifnull(max(rev), 0)"
                                 " FROM hitl_changes) FROM hitl_decisions",
                                 []).to_pylist()[0].values()  # this starts its snapshot
            n = parts() if lo is not None and hi - lo + 1 >= PARALLEL_MIN_ROWS else 1
            if n > 1:
                conns.pop().close()
                conns += _snapshots(own, path, n)
        if len(conns) == 1:
            return select(conns[0], where, params), rev
        step = (hi - lo + 1) // len(conns) + 1
        bounds = [(lo + i * step if i else None, lo + (i + 1) * step if i < len(conns) - 1
                   else None) for i in range(len(conns))]
        return pa.concat_tables(_in_threads(conns, where, params, bounds)), rev
    finally:
        for conn in conns:
            conn.close()


def _snapshots(own: Any, path: str, n: int) -> list[Any]:
    """``n`` connections in one snapshot, or one connection if another connection
    committed while they began (``PRAGMA data_version`` of the log's own connection then
    changed; it can also change without a commit, which only costs the parallelism)."""
    conns: list[Any] = []
    try:
        before = own.execute("PRAGMA data_version").fetchone()[0]
        for _ in range(n):
            conns.append(connect(path))
            query(conns[-1], "SELECT 1 FROM hitl_decisions LIMIT 1", [])  # begins it
        if own.execute("PRAGMA data_version").fetchone()[0] != before:
            while len(conns) > 1:
                conns.pop().close()
    except BaseException:
        for conn in conns:
            conn.close()
        raise
    return conns


def _in_threads(conns: list[Any], where: str, params: list[Any],
                bounds: list[tuple[int | None, int | None]]) -> list[Any]:
    results: list[Any] = [None] * len(conns)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = select(conns[i], where, params, *bounds[i])
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True)
               for i in range(1, len(conns))]
    for t in threads:
        t.start()
    run(0)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
