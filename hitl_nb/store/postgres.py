"""The PostgreSQL backend (``postgres`` extra): the decision log and LangGraph's checkpoints
on a ``postgresql://`` URL, so reviewers on several machines share one queue.

One psycopg 3 connection per log URL per process (`hitl_nb.store.db.acquire` shares it), in
autocommit mode, serialised with a lock like the SQLite backend; ``transaction()`` opens
an explicit transaction. `checkpointer` likewise shares one `PostgresSaver` (one more
connection) per URL per process: two connections per URL in all. Schema creation and the
checkpointer's ``setup()`` run under an advisory lock, so processes starting together do
not race on ``CREATE TABLE IF NOT EXISTS``. Driver errors become hitl_nb errors in
`pg_errors` (`LogBusy` after ``lock_timeout``, `LogReadOnly`, `LogUnavailable`,
`InvalidResponse` for text PostgreSQL cannot store).

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

from ..model import HitlError, InvalidResponse
from .db import BUSY_TIMEOUT, IntegrityError, LogBusy, LogReadOnly, LogUnavailable

_SETUP_LOCK = 0x6869746C  # "hitl": advisory lock key for schema creation
NUL_PROBLEM = ("contains a NUL character (\\x00), which PostgreSQL cannot store in text; "
               "remove it and decide again. Nothing was recorded")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise LogUnavailable(
            "a postgresql:// log needs the postgres extra: pip install 'hitl_nb[postgres]'"
        ) from exc
    return psycopg


def server(url: str) -> str:
    """``host:port/db`` of a URL, without the credentials (for messages)."""
    return url.split("@")[-1].split("?")[0]


def pg_error(exc: Exception, url: str, busy_timeout: float) -> HitlError | None:
    """The hitl_nb error for a psycopg error on ``url`` (None: not a storage failure)."""
    psycopg = _psycopg()
    errors, where = psycopg.errors, f"the decision log on PostgreSQL at {server(url)}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, (errors.LockNotAvailable, errors.QueryCanceled)):
        return LogBusy(
            f"{where} is busy: another session holds a lock it needs for longer than the "
            f"busy timeout ({busy_timeout:g} s). Nothing was written; try again once it is "
            "done, or wait longer with DecisionLog(url, busy_timeout=60)")
    if isinstance(exc, errors.ReadOnlySqlTransaction):
        return LogReadOnly(f"{where} is read-only ({text}): reading works, but nothing can "
                           "be recorded. Connect to a writable server (the primary) to decide")
    if isinstance(exc, psycopg.DataError):
        if "NUL" in text:
            return InvalidResponse(f"a value {NUL_PROBLEM}")
        return InvalidResponse(f"PostgreSQL at {server(url)} cannot store a value: {text}. "
                               "Nothing was recorded")
    if isinstance(exc, psycopg.OperationalError):
        return LogUnavailable(f"{where} is unreachable ({text}). Is the server running and "
                              "the URL right? Nothing more was written; try again")
    if isinstance(exc, (psycopg.InternalError, psycopg.ProgrammingError)) and \
            not isinstance(exc, errors.SyntaxError):
        return LogUnavailable(f"{where}: {text}")
    return None


@contextmanager
def pg_errors(url: str, busy_timeout: float = BUSY_TIMEOUT) -> Iterator[None]:
    """Turn psycopg errors raised inside the block into hitl_nb errors."""
    psycopg = _psycopg()
    try:
        yield
    except psycopg.Error as exc:
        mapped = pg_error(exc, url, busy_timeout)
        if mapped is None:
            raise
        raise mapped from exc


def _open(url: str, busy_timeout: float | None = None, read_only: bool = False,
          **kwargs: Any) -> Any:
    psycopg = _psycopg()
    try:
        conn = psycopg.connect(url, autocommit=True, **kwargs)
    except psycopg.OperationalError as exc:
        raise LogUnavailable(
            f"cannot connect to PostgreSQL at {server(url)}: {str(exc).strip()}. Is the "
            "server running and the URL right (postgresql://user:password@host:port/db)?"
        ) from exc
    if busy_timeout is not None:  # a lock waited for longer raises LockNotAvailable
        conn.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
    if read_only:
        conn.execute("SET default_transaction_read_only = on")
    return conn


class Postgres:
    """One autocommit psycopg connection shared with a lock (same interface as `SQLite`)."""

    dialect = "postgres"

    def __init__(self, url: str, *, read_only: bool = False,
                 busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.url = url
        self.path = None
        self.read_only = read_only
        self.busy_timeout = busy_timeout
        self.ready = False
        self.users = 0
        self.key: tuple | None = None
        self.conn = _open(url, busy_timeout, read_only, prepare_threshold=None)
        self.lock = threading.RLock()

    def alive(self) -> bool:
        return not (self.conn.closed or self.conn.broken)

    def errors(self) -> Any:
        return pg_errors(self.url, self.busy_timeout)

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A read-only transaction (one consistent view)."""
        with self.lock, self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            yield cur

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """An explicit transaction; a unique violation becomes `IntegrityError`, a lock
        waited for longer than ``busy_timeout`` `LogBusy` (rolled back either way)."""
        psycopg = _psycopg()
        if self.read_only:
            raise LogReadOnly(f"the decision log on PostgreSQL at {server(self.url)} was "
                              "opened read-only (read_only=True): nothing can be recorded")
        with self.lock, self.errors():
            try:
                with self.conn.transaction(), self.conn.cursor() as cur:
                    yield cur
            except psycopg.errors.UniqueViolation as exc:
                raise IntegrityError(str(exc)) from exc

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction for every write inside the block (each part's own transaction
        becomes a savepoint of it): they commit together, once, or not at all."""
        with self.transaction():
            yield

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock, self.errors(), self.conn.cursor() as cur:
            cur.execute(sql, tuple(params) or None)
            return cur.fetchall()

    def columns(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self.lock, self.errors(), self.conn.cursor() as cur:
            cur.execute(sql, tuple(params) or None)
            rows = cur.fetchall()
            return [d.name for d in cur.description], rows

    def executescript(self, script: str) -> None:
        with self.lock, self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
            cur.execute(script)

    def unstorable(self, text: str) -> str | None:
        """Why ``text`` cannot be stored in a PostgreSQL text column (None: it can)."""
        return NUL_PROBLEM if "\x00" in text else None

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


def _new_saver(url: str) -> Any:
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
        with pg_errors(url):
            saver.setup()
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK + 1,))
    saver.hitl_url = url  # lets `Inbox(checkpointer)` find the shared queue
    return saver


async def apostgres_checkpointer(url: str) -> Any:
    """LangGraph's `AsyncPostgresSaver` for `areview`, set up like
    `savers.postgres_checkpointer`."""
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
        raise LogUnavailable(f"cannot connect to PostgreSQL at {server(url)}: "
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
