"""A tiny database seam: SQLite by default, PostgreSQL for teams (``postgres`` extra).

SQL in this package is written once with ``?`` placeholders and ``ON CONFLICT``; the
PostgreSQL backend rewrites placeholders. Each backend serialises use of its connection
with a lock, like LangGraph's savers, so one log can serve a kernel's threads.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .model import HitlError


class LogUnavailable(HitlError):
    """The decision log's database cannot be opened or written."""


class IntegrityError(Exception):
    """A unique constraint refused a row (backend-neutral)."""


def require_folder(path: str, what: str) -> None:
    """Raise `LogUnavailable` when the folder of SQLite file ``path`` does not exist."""
    if path == ":memory:":
        return
    parent = Path(path).expanduser().resolve().parent
    if not parent.is_dir():
        raise LogUnavailable(f"cannot {what} {path!r}: folder {parent} does not exist; "
                             "create it or pass another path, e.g. 'hitl.db'")


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


class SQLite:
    """One SQLite connection in WAL mode, shared with a lock.

    In WAL mode, ``synchronous=NORMAL``: a commit survives a crash of the process
    (kernel restart, SIGKILL) at once, and reaches the disk with the next WAL sync: at
    the latest when the resumed graph's first checkpoint commits, if the checkpoints
    share the file.
    A full sync per decision cost more than the graph's own resume (README, Performance).
    """

    dialect = "sqlite"
    synchronous = "NORMAL"

    def __init__(self, target: str | os.PathLike[str] | sqlite3.Connection) -> None:
        if isinstance(target, sqlite3.Connection):
            self.conn = target
            self.path = None
        else:
            self.path = str(target)
            require_folder(self.path, "open the decision log")
            try:
                self.conn = sqlite3.connect(self.path, check_same_thread=False,
                                            isolation_level=None, timeout=30)
                self.conn.execute("PRAGMA schema_version")  # reads the header: is it SQLite?
                self.conn.execute("PRAGMA busy_timeout=30000")
            except sqlite3.DatabaseError as exc:
                raise LogUnavailable(
                    f"cannot open the decision log {self.path!r}: {exc}. Is it a SQLite file "
                    "you can write? Pass another path, e.g. log='hitl.db'") from exc
        self.lock = threading.RLock()

    def enable_wal(self) -> None:
        """WAL mode, so readers never wait for the writer. The log calls this once it knows
        the file is its own (a foreign file must stay exactly as it was)."""
        if self.path not in (None, ":memory:"):
            with self.lock:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute(f"PRAGMA synchronous={self.synchronous}")

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE ... COMMIT: writers queue up instead of failing late."""
        with self.lock:
            cur = self.conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                yield cur
            except sqlite3.IntegrityError as exc:
                cur.execute("ROLLBACK")
                raise IntegrityError(str(exc)) from exc
            except BaseException:
                if self.conn.in_transaction:
                    cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            cur = self.conn.execute(sql, params)
            try:
                return cur.fetchall()
            finally:
                cur.close()

    def columns(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self.lock:
            cur = self.conn.execute(sql, params)
            try:
                rows = cur.fetchall()
                return [d[0] for d in cur.description], rows
            finally:
                cur.close()

    def executescript(self, script: str) -> None:
        with self.lock:
            try:
                self.conn.executescript(script)
            except sqlite3.DatabaseError as exc:
                raise LogUnavailable(
                    f"cannot write the decision log {self.path or '(connection)'}: {exc}"
                ) from exc

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def connect(target: Any) -> Any:
    """A backend for a path, ``sqlite3.Connection`` or ``postgresql://`` URL."""
    if is_postgres_url(target):
        from ._postgres import Postgres

        return Postgres(target)
    if hasattr(target, "dialect") and hasattr(target, "transaction"):
        return target
    return SQLite(target)
