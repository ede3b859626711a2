"""LangGraph checkpointers in a SQLite file: one shared sync saver per file per process,
and async savers that close (``async with``) or at least never keep the process alive.

`hitl_nb.checkpointer` and `hitl_nb.acheckpointer` (in ``_api``) call these; the
PostgreSQL twin is `postgres_checkpointer`;
the async one lives in `postgres`.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from .db import BUSY_TIMEOUT, require_folder, sqlite_errors
from .shared import SAVERS, file_key


def sqlite_checkpointer(path: str) -> Any:
    """The process's `SqliteSaver` for ``path`` (shared while anything holds it)."""
    require_folder(path, "create checkpoints in")
    key = file_key(path)
    if key is not None:
        return SAVERS.get(key, lambda: _new_saver(path))
    saver = _new_saver(path)  # a new file: its identity is known once it exists
    return SAVERS.get(file_key(path) or ("unshared", id(saver)), lambda: saver)


def postgres_checkpointer(url: str) -> Any:
    """LangGraph's `PostgresSaver` for ``url``, one per process while anything uses it (its
    own connection: autocommit, dict rows, no prepared statements, as the library
    expects), with its tables set up."""
    from .postgres import _new_saver as _new_postgres_saver

    return SAVERS.get(("postgres", url), lambda: _new_postgres_saver(url))


def _new_saver(path: str) -> Any:
    from langgraph.checkpoint.sqlite import SqliteSaver

    with sqlite_errors(f"the checkpoint file {path!r}"):
        conn = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            saver = SqliteSaver(conn)
            saver.setup()
        except BaseException:
            conn.close()
            raise
    return saver


async def open_async_sqlite(path: str) -> Any:
    """An `AsyncSqliteSaver` on its own aiosqlite connection, set up."""
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    require_folder(path, "create checkpoints in")
    with sqlite_errors(f"the checkpoint file {path!r}"):
        conn = await aiosqlite.connect(path, timeout=BUSY_TIMEOUT)
        _stop_at_exit(conn)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            saver = AsyncSqliteSaver(conn)
            await saver.setup()
        except BaseException:
            await conn.close()
            raise
    return saver


def _stop_at_exit(conn: Any) -> None:
    """aiosqlite runs each connection on a non-daemon thread, which keeps a script alive
    at exit until ``await conn.close()``. Stop a connection left open before the
    interpreter waits for its threads (the hook `concurrent.futures` uses)."""
    register = getattr(threading, "_register_atexit", None)
    if register is None:  # pragma: no cover - not CPython
        return
    ref = weakref.ref(conn)

    def stop() -> None:
        live = ref()
        if live is not None and getattr(live, "_running", False):
            live.stop()

    register(stop)


class AsyncCheckpointer:
    """What `hitl_nb.acheckpointer` returns: ``await`` it for the saver, or use it as
    ``async with hitl_nb.acheckpointer(path) as saver:`` to close its connection at the
    end of the block. An awaited saver left open is closed at exit."""

    def __init__(self, opener: Callable[[], Awaitable[Any]]) -> None:
        self._opener = opener
        self.saver: Any = None

    def __await__(self) -> Generator[Any, None, Any]:
        return self._opener().__await__()

    async def __aenter__(self) -> Any:
        self.saver = await self._opener()
        return self.saver

    async def __aexit__(self, *exc: object) -> None:
        saver, self.saver = self.saver, None
        if saver is not None:
            await saver.conn.close()
