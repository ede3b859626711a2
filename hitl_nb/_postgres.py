"""The PostgreSQL backend (``postgres`` extra): the decision log and LangGraph's checkpoints
on a ``postgresql://`` URL, so reviewers on several machines share one queue.

One psycopg 3 connection per log, in autocommit mode, serialised with a lock like the
SQLite backend; ``transaction()`` opens an explicit transaction. Schema creation and the
checkpointer's ``setup()`` run under an advisory lock, so processes starting together do
not race on ``CREATE TABLE IF NOT EXISTS``.

Example::

    log = hitl_nb.DecisionLog("postgresql://hitl:hitl@127.0.0.1:5432/hitl")
    graph = builder.compile(checkpointer=hitl_nb.checkpointer(log.target))
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ._db import IntegrityError, LogUnavailable

_SETUP_LOCK = 0x6869746C  # "hitl": advisory lock key for schema creation


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise LogUnavailable(
            "a postgresql:// log needs the postgres extra: pip install 'hitl_nb[postgres]'"
        ) from exc
    return psycopg


def _open(url: str, **kwargs: Any) -> Any:
    psycopg = _psycopg()
    try:
        return psycopg.connect(url, autocommit=True, **kwargs)
    except psycopg.OperationalError as exc:
        where = url.split("@")[-1]
        raise LogUnavailable(
            f"cannot connect to PostgreSQL at {where}: {str(exc).strip()}. Is the server "
            "running and the URL right (postgresql://user:password@host:port/db)?") from exc


class Postgres:
    """One autocommit psycopg connection shared with a lock (same interface as `SQLite`)."""

    dialect = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = None
        self.conn = _open(url, prepare_threshold=None)
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """An explicit transaction; a unique violation becomes `IntegrityError`."""
        psycopg = _psycopg()
        with self.lock:
            try:
                with self.conn.transaction(), self.conn.cursor() as cur:
                    yield cur
            except psycopg.errors.UniqueViolation as exc:
                raise IntegrityError(str(exc)) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock, self.conn.cursor() as cur:
            cur.execute(sql, tuple(params) or None)
            return cur.fetchall()

    def columns(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self.lock, self.conn.cursor() as cur:
            cur.execute(sql, tuple(params) or None)
            rows = cur.fetchall()
            return [d.name for d in cur.description], rows

    def executescript(self, script: str) -> None:
        psycopg = _psycopg()
        with self.lock:
            try:
                with self.conn.transaction(), self.conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
                    cur.execute(script)
            except psycopg.Error as exc:
                raise LogUnavailable(f"cannot write the decision log on PostgreSQL: {exc}") \
                    from exc

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _try_lock(conn: Any, key: int, timeout_s: float = 120.0) -> None:
    """Take a session advisory lock by polling ``pg_try_advisory_lock``.

    A blocking ``pg_advisory_lock`` would wait inside a transaction, and the holder's
    ``CREATE INDEX CONCURRENTLY`` (in ``PostgresSaver.setup``) waits for every open
    transaction: a deadlock. Each try is a transaction that ends at once.
    """
    deadline = time.monotonic() + timeout_s
    while not conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (key,)).fetchone()["ok"]:
        if time.monotonic() > deadline:
            raise LogUnavailable("timed out waiting for another process to set up the "
                                 "PostgreSQL checkpoint tables")
        time.sleep(0.05)


def postgres_checkpointer(url: str) -> Any:
    """LangGraph's `PostgresSaver` on its own connection (autocommit, dict rows, no
    prepared statements, as the library expects), with its tables set up."""
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise LogUnavailable(
            "a postgresql:// checkpointer needs the postgres extra: "
            "pip install 'hitl_nb[postgres]'") from exc
    conn = _open(url, row_factory=dict_row, prepare_threshold=0)
    _try_lock(conn, _SETUP_LOCK + 1)
    try:
        saver = PostgresSaver(conn)
        saver.setup()
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK + 1,))
    saver.hitl_url = url  # lets `Inbox(checkpointer)` find the shared queue
    return saver


async def apostgres_checkpointer(url: str) -> Any:
    """LangGraph's `AsyncPostgresSaver` for `areview`, set up like `postgres_checkpointer`."""
    import asyncio

    try:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg import AsyncConnection
        from psycopg.rows import dict_row
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise LogUnavailable(
            "a postgresql:// checkpointer needs the postgres extra: "
            "pip install 'hitl_nb[postgres]'") from exc
    psycopg = _psycopg()
    try:
        conn = await AsyncConnection.connect(url, autocommit=True, row_factory=dict_row,
                                             prepare_threshold=0)
    except psycopg.OperationalError as exc:
        raise LogUnavailable(f"cannot connect to PostgreSQL at {url.split('@')[-1]}: "
                             f"{str(exc).strip()}") from exc
    deadline = time.monotonic() + 120.0
    while not (await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok",
                                         (_SETUP_LOCK + 1,))).fetchone())["ok"]:
        if time.monotonic() > deadline:
            raise LogUnavailable("timed out waiting for another process to set up the "
                                 "PostgreSQL checkpoint tables")
        await asyncio.sleep(0.05)
    try:
        saver = AsyncPostgresSaver(conn)
        await saver.setup()
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK + 1,))
    saver.hitl_url = url
    return saver
