"""A tiny database seam: SQLite by default, PostgreSQL for teams (``postgres`` extra).

SQL in this package is written once with ``?`` placeholders and ``ON CONFLICT``; the
PostgreSQL backend rewrites placeholders. Each backend serialises use of its connection
with a lock, like LangGraph's savers, so one log can serve a kernel's threads.

One connection per log target per process: see `hitl_nb.store.shared`.

Driver errors become hitl_nb errors here, once (`sqlite_errors`; `_postgres` for
PostgreSQL): `LogBusy` (another process holds the write lock), `LogReadOnly` (reading
works, writing cannot), `LogUnavailable` (damaged, missing, closed, disk full).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import IntegrityError, LogBusy, LogReadOnly, LogUnavailable
from ..model import HitlError

#: Seconds a write waits for another process's write lock before `LogBusy`.
BUSY_TIMEOUT = 30.0


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


def sqlite_error(exc: sqlite3.Error, where: str, busy_timeout: float) -> HitlError | None:
    """The hitl_nb error for a SQLite driver error about ``where`` (None: a bug, re-raise)."""
    name, msg = getattr(exc, "sqlite_errorname", "") or "", str(exc)
    if isinstance(exc, sqlite3.ProgrammingError):
        if "closed" not in msg:
            return None
        return LogUnavailable(f"{where} was closed (log.close()); open it again with "
                              "hitl_nb.DecisionLog(path)")
    if isinstance(exc, (sqlite3.IntegrityError, sqlite3.InterfaceError)):
        return None
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in msg:
        return LogBusy(
            f"{where} is busy: another process holds its write lock and kept it longer than "
            f"the busy timeout ({busy_timeout:g} s). Nothing was written; try again once it "
            "is done, or wait longer with DecisionLog(path, busy_timeout=60)")
    if name.startswith("SQLITE_READONLY") or "readonly" in msg:
        return LogReadOnly(
            f"{where} is read-only ({msg}): reading works, but nothing can be recorded. "
            "Make the file and its folder writable to decide, or open it for analysis with "
            "hitl_nb.DecisionLog(path, read_only=True)")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in msg \
            or "not a database" in msg:
        return LogUnavailable(
            f"{where} is damaged ({msg}); hitl_nb changed nothing in it. Restore it from a "
            "backup (or try `sqlite3 FILE .recover`), or pass another path, e.g. "
            "log='hitl.db'")
    if name.startswith("SQLITE_FULL") or "disk is full" in msg:
        return LogUnavailable(f"{where}: the disk is full ({msg}); nothing was written. "
                              "Free some space and try again")
    return LogUnavailable(f"{where}: {msg}. Is it a SQLite file you can read and write? "
                          "Pass another path, e.g. log='hitl.db'")


@contextmanager
def sqlite_errors(where: str, busy_timeout: float = BUSY_TIMEOUT) -> Iterator[None]:
    """Turn SQLite driver errors raised inside the block into hitl_nb errors."""
    try:
        yield
    except sqlite3.Error as exc:
        mapped = sqlite_error(exc, where, busy_timeout)
        if mapped is None:
            raise
        raise mapped from exc


class SQLite:
    """One SQLite connection in WAL mode, shared with a lock.

    In WAL mode, ``synchronous=NORMAL``: a commit survives a crash of the process
    (kernel restart, SIGKILL) at once, and reaches the disk with the next WAL sync: at
    the latest when the resumed graph's first checkpoint commits, if the checkpoints
    share the file.
    A full sync per decision cost more than the graph's own resume (README, Performance).

    ``read_only``: opened with SQLite's ``mode=ro`` (``immutable=1`` in a folder that
    cannot hold the WAL's side files): nothing is ever written, not even the WAL switch.
    """

    dialect = "sqlite"
    synchronous = "NORMAL"
    #: SQLite stores any text (`unstorable` never objects): nothing to check first.
    stores_any_text = True

    def __init__(self, target: str | os.PathLike[str] | sqlite3.Connection, *,
                 read_only: bool = False, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.read_only = read_only
        self.busy_timeout = busy_timeout
        self.lock = threading.RLock()
        self.ready = False          # the log's tables were checked on this connection
        self.users = 0
        self.key: tuple | None = None
        self._batch: Any = None     # the cursor of the open `batch` transaction
        if isinstance(target, sqlite3.Connection):
            self.conn, self.path = target, None
            return
        self.path = str(target)
        require_folder(self.path, "open the decision log")
        with sqlite_errors(self.where, busy_timeout):
            self.conn = self._connect()
            self.conn.execute("PRAGMA schema_version")  # reads the header: is it SQLite?

    @property
    def where(self) -> str:
        return f"the decision log {self.path!r}" if self.path else "the decision log"

    def _connect(self) -> sqlite3.Connection:
        opts = {"check_same_thread": False, "isolation_level": None,
                "timeout": self.busy_timeout}
        if not self.read_only or self.path == ":memory:":
            return sqlite3.connect(self.path, **opts)
        path = Path(self.path).expanduser().resolve()
        if not path.is_file():
            raise LogUnavailable(f"{self.where} does not exist (opened read-only, nothing "
                                 "was created)")
        uri = f"file:{quote(str(path))}?mode=ro"
        if not os.access(path.parent, os.W_OK):  # no -wal/-shm can be made: read as is
            uri += "&immutable=1"
        return sqlite3.connect(uri, uri=True, **opts)

    def alive(self) -> bool:
        try:
            self.conn.total_changes  # noqa: B018 - raises once closed
        except sqlite3.ProgrammingError:
            return False
        return True

    def errors(self) -> Any:
        """A context that turns this connection's driver errors into hitl_nb errors."""
        return sqlite_errors(self.where, self.busy_timeout)

    def enable_wal(self) -> None:
        """WAL mode, so readers never wait for the writer. The log calls this once it knows
        the file is its own (a foreign file must stay exactly as it was)."""
        if self.path not in (None, ":memory:") and not self.read_only:
            with self.lock, self.errors():
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute(f"PRAGMA synchronous={self.synchronous}")

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A read transaction (one consistent view; never takes the write lock)."""
        with self.lock, self.errors():
            if self._batch is not None:   # inside `batch`: read in its transaction
                yield self._batch
                return
            cur = self.conn.cursor()
            try:
                cur.execute("BEGIN")
                yield cur
            finally:
                if self.conn.in_transaction:
                    cur.execute("COMMIT")
                cur.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE ... COMMIT: writers queue up (for ``busy_timeout`` seconds, then
        `LogBusy`) instead of failing late; any failure rolls the whole transaction back."""
        if self.read_only:
            raise LogReadOnly(f"{self.where} was opened read-only (read_only=True): nothing "
                              "can be recorded. Open it without read_only to decide")
        with self.lock, self.errors():
            if self._batch is not None:   # inside `batch` (this thread holds the lock)
                try:
                    yield self._batch
                except sqlite3.IntegrityError as exc:
                    raise IntegrityError(str(exc)) from exc
                return
            cur = self.conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                yield cur
                cur.execute("COMMIT")
            except sqlite3.IntegrityError as exc:
                self._rollback(cur)
                raise IntegrityError(str(exc)) from exc
            except BaseException:
                self._rollback(cur)
                raise
            finally:
                cur.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction for every write (and read) inside the block: they commit
        together, once, or roll back together. Other threads wait for the block."""
        if self._batch is not None:
            yield
            return
        with self.transaction() as cur:
            self._batch = cur
            try:
                yield
            finally:
                self._batch = None

    def _rollback(self, cur: Any) -> None:
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                cur.execute("ROLLBACK")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock, self.errors():
            cur = self.conn.execute(sql, params)
            try:
                return cur.fetchall()
            finally:
                cur.close()

    def columns(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self.lock, self.errors():
            cur = self.conn.execute(sql, params)
            try:
                rows = cur.fetchall()
                return [d[0] for d in cur.description], rows
            finally:
                cur.close()

    def executescript(self, script: str) -> None:
        with self.lock, self.errors():
            if self._batch is None:
                self.conn.executescript(script)
                return
            for statement in _statements(script):   # executescript would commit the batch
                self._batch.execute(statement)

    def unstorable(self, text: str) -> str | None:
        """Why ``text`` cannot be stored here (None: it can). SQLite stores any text."""
        return None

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _statements(script: str) -> list[str]:
    """The complete statements of an SQL script, in order (a trigger's body keeps its
    ``;``: SQLite's own `sqlite3.complete_statement` says where each one ends)."""
    out, part = [], ""
    for piece in script.split(";"):
        part += piece + ";"
        if sqlite3.complete_statement(part):
            if part.strip(" \t\n;"):
                out.append(part.strip())
            part = ""
    return out
