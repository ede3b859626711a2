"""One database connection per log target per process, and one checkpointer.

`acquire` hands every `DecisionLog` that names the same SQLite file (the same inode: a
replaced file gets a new connection) or the same ``postgresql://`` URL, with the same
``read_only`` and ``busy_timeout``, the same backend; it counts its users and closes the
connection when the last one is closed or collected. `SAVERS` does the same for LangGraph
checkpointers (``hitl_nb.checkpointer``). Whatever is still open is closed at exit.

So a kernel holds at most two connections per log file or URL, however many sessions,
inboxes and policies name it: the log's and the checkpointer's.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from .db import BUSY_TIMEOUT, SQLite, is_postgres_url

_LOCK = threading.Lock()
_OPEN: dict[tuple, Any] = {}
#: Releases that came while this thread held `_LOCK`: garbage collection can run a log's
#: finalizer (which releases) in the middle of `acquire`; waiting for the lock there would
#: hang the thread on itself, so the release waits here for the next acquire or release.
_LATER: deque[Any] = deque()
_HOLDING = threading.local()


@contextmanager
def _locked() -> Iterator[list[Any]]:
    """Hold `_LOCK`; yields a list of backends to close once it is let go (closing can be
    slow: it happens outside the lock)."""
    to_close: list[Any] = []
    with _LOCK:
        _HOLDING.on = True
        try:
            while _LATER:
                _drop(_LATER.popleft(), to_close)
            yield to_close
        finally:
            _HOLDING.on = False
    for backend in to_close:
        with suppress(Exception):
            backend.close()


def _drop(backend: Any, to_close: list[Any]) -> None:
    """One user fewer (call with `_LOCK` held); the last one's backend goes to ``to_close``."""
    backend.users -= 1
    if backend.users > 0:
        return
    if _OPEN.get(backend.key) is backend:
        del _OPEN[backend.key]
    to_close.append(backend)


def file_key(path: str) -> tuple | None:
    """Which file ``path`` is right now (None when it does not exist): a replaced or
    deleted file gets a new connection."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return ("sqlite", os.path.realpath(path), st.st_dev, st.st_ino)


def _sqlite_key(path: str, read_only: bool, busy_timeout: float) -> tuple | None:
    key = file_key(path)
    return None if key is None else (*key, read_only, busy_timeout)


def acquire(target: Any, *, read_only: bool = False,
            busy_timeout: float = BUSY_TIMEOUT) -> Any:
    """The process's backend for a SQLite path or ``postgresql://`` URL (opened on first
    use, shared after); pair every call with one `release`."""
    opener: Callable[[], Any]
    if is_postgres_url(target):
        from .postgres import Postgres

        key: tuple | None = ("postgres", str(target), read_only, busy_timeout)
        opener = lambda: Postgres(str(target), read_only=read_only,  # noqa: E731
                                  busy_timeout=busy_timeout)
    else:
        path = os.fspath(target)
        key = _sqlite_key(path, read_only, busy_timeout)
        opener = lambda: SQLite(path, read_only=read_only,  # noqa: E731
                                busy_timeout=busy_timeout)
    with _locked():
        backend = _OPEN.get(key) if key else None
        if backend is None or not backend.alive():
            backend = opener()
            key = key or _sqlite_key(str(target), read_only, busy_timeout)
            if key is None:  # pragma: no cover - the file vanished right after opening
                key = ("unshared", id(backend))
            backend.key = key
            _OPEN[key] = backend
        backend.users += 1
        return backend


def release(backend: Any) -> None:
    """One user fewer; the last one closes the connection. Safe from a finalizer that
    garbage collection runs inside `acquire` (the release then waits for the next call)."""
    if getattr(_HOLDING, "on", False):
        _LATER.append(backend)
        return
    with _locked() as to_close:
        _drop(backend, to_close)


class Savers:
    """LangGraph checkpointers shared per target per process while anything (a compiled
    graph, a session) holds one: a loop that compiles a graph per iteration with
    ``checkpointer=hitl_nb.checkpointer(path)`` reuses one saver and its connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: weakref.WeakValueDictionary[tuple, Any] = weakref.WeakValueDictionary()

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        with self._lock:
            saver = self._cache.get(key)
            if saver is None or not _conn_alive(saver.conn):
                saver = make()
                self._cache[key] = saver
            return saver

    def close_all(self) -> None:
        with self._lock:
            savers = list(self._cache.values())
            self._cache.clear()
        for saver in savers:
            with suppress(Exception):
                saver.conn.close()


def _conn_alive(conn: Any) -> bool:
    if isinstance(conn, sqlite3.Connection):
        try:
            conn.total_changes  # noqa: B018 - raises once closed
        except sqlite3.ProgrammingError:
            return False
        return True
    return not (getattr(conn, "closed", False) or getattr(conn, "broken", False))


SAVERS = Savers()


@atexit.register
def close_all() -> None:
    """Close every shared connection and checkpointer (at interpreter exit)."""
    with _locked():
        backends = list(_OPEN.values())
        _OPEN.clear()
    for backend in backends:
        with suppress(Exception):
            backend.close()
    SAVERS.close_all()


def connect(target: Any, *, read_only: bool = False,
            busy_timeout: float = BUSY_TIMEOUT) -> tuple[Any, bool]:
    """A backend for a path, ``sqlite3.Connection`` or ``postgresql://`` URL, and whether
    it is shared (then give it back with `release`, not ``close``)."""
    if hasattr(target, "dialect") and hasattr(target, "transaction"):
        return target, False
    if isinstance(target, sqlite3.Connection) or str(target) == ":memory:":
        return SQLite(target, read_only=read_only, busy_timeout=busy_timeout), False
    return acquire(target, read_only=read_only, busy_timeout=busy_timeout), True
