"""An open decision log: its backend, its tables (created or upgraded on first use), its
parts.

`LogHandle` is what every `hitl_nb.store.log.DecisionLog` is before its public methods:
it connects (one shared connection per file or URL in a process), runs `setup` once,
falls back to reading when the log cannot be written, and owns the `LogParts`, each
with one job over the same backend. The log's methods delegate to them; the policy's
part and the engine's notes are handed out as they are (``log.choices``, ``log.notes``).

Example::

    handle = LogHandle("hitl.db")
    handle.setup()
    handle.close()
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from typing import Any

from .choices import Choices
from .db import BUSY_TIMEOUT, LogReadOnly, LogUnavailable
from .decisions import Decisions
from .migrate import IncompatibleLog, _check, ensure
from .notes import Notes
from .opinions import Opinions
from .outcome_rows import Outcomes
from .queue import Queue
from .resume import ResumeLeases
from .schema import VERSION
from .shared import connect, release
from .sql import placeholders
from .votes import Votes

__all__ = ["LogHandle", "LogParts"]


@dataclass(frozen=True)
class LogParts:
    """The parts of one log, each over the same backend: one job each."""

    decisions: Decisions
    queue: Queue
    votes: Votes
    resume: ResumeLeases
    outcomes: Outcomes
    opinions: Opinions
    choices: Choices
    notes: Notes

    @classmethod
    def over(cls, db: Any) -> LogParts:
        """The parts of a log stored in backend ``db``."""
        q = placeholders(db.dialect)
        decisions = Decisions(db, q)
        return cls(decisions, Queue(db, q), Votes(db, q, decisions), ResumeLeases(db, q),
                   Outcomes(db, q), Opinions(db, q, decisions), Choices(db, q), Notes(db, q))


class LogHandle:
    """A connection to a decision log and its parts (see `hitl_nb.store.log.DecisionLog`
    for the options)."""

    def __init__(self, target: Any = "hitl.db", *, frame_cache: bool = True,
                 read_only: bool = False, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.target = target
        self.read_only = read_only
        self.frame_cache = frame_cache and not read_only
        self._db, shared = connect(target, read_only=read_only, busy_timeout=busy_timeout)
        self._q = placeholders(self._db.dialect)
        self._release = weakref.finalize(self, release, self._db) if shared else None
        self._ready = False
        self._all = LogParts.over(self._db)  # use `_parts`: it runs `setup` first

    def __repr__(self) -> str:
        where = self.target if isinstance(self.target, (str, os.PathLike)) else self._db.dialect
        return f"{type(self).__name__}({str(where)!r})"

    @property
    def backend(self) -> Any:
        """The storage backend this log reads and writes through (`hitl_nb.store.db.SQLite`
        or `hitl_nb.store.postgres.Postgres`), for SQL of your own on the log's tables;
        its statements take the backend's placeholders (``?`` on SQLite, ``%s`` on
        PostgreSQL).

        Example::

            with log.backend.transaction() as cur:
                cur.execute("UPDATE hitl_decisions SET comment = 'checked' WHERE id = 1")
        """
        return self._db

    @property
    def choices(self) -> Choices:
        """The policies' remembered choices and first verdicts (`hitl_nb.store.choices`).
        Like `backend`, it works while its log is open: keep the log, not only this."""
        return self._parts.choices

    @property
    def notes(self) -> Notes:
        """hitl_nb's own notes by key, e.g. why a thread is stuck (`hitl_nb.store.notes`).
        Like `backend`, it works while its log is open: keep the log, not only this."""
        return self._parts.notes

    @property
    def _parts(self) -> LogParts:
        """The parts, once the tables exist (`setup`)."""
        self.setup()
        return self._all

    # -- set-up ---------------------------------------------------------------------------
    def setup(self) -> None:
        """Create the tables if they are missing, or upgrade an older log in place (one
        transaction). Every other method calls it first; calling it again does nothing.

        Raises `hitl_nb.IncompatibleLog` for a foreign or newer database, or an older one
        that is read-only; `LogUnavailable` for a read-only place that holds no log yet.
        """
        if self._ready or getattr(self._db, "ready", False):
            self._ready = True
            return
        where = f"the decision log {self!r}"
        with self._db.snapshot() as cur:  # a read: never waits for another writer
            version = _check(cur, self._db.dialect, self._q, where)
        if version != VERSION and not self._db.read_only:
            try:
                ensure(self._db, self._q, where)
                version = VERSION
            except LogReadOnly:  # a read-only file or folder: read what is there
                pass
        if version != VERSION:
            self._readable_only(version, where)
        elif hasattr(self._db, "enable_wal") and not self._db.read_only:
            with suppress(LogUnavailable):  # a read-only file, or a writer holding it
                self._db.enable_wal()
        self._db.ready = self._ready = True

    def _readable_only(self, version: int | None, where: str) -> None:
        """Raise unless a log that cannot be written holds a current log to read."""
        if version is None:
            raise LogUnavailable(f"{where} holds no decision log yet, and it is read-only, "
                                 "so none was created")
        if version < VERSION:
            raise IncompatibleLog(
                f"{where} was written by an older hitl_nb (schema version {version}) and is "
                "read-only, so it cannot be upgraded; open it once with write access (without"
                " read_only) to upgrade it in place")
        self.read_only = True
        self.frame_cache = False

    def batch(self) -> AbstractContextManager[None]:
        """One transaction for every write of this log inside the block: they commit
        together, once, or not at all (a session marks a resume applied and notes the
        requests it left in one commit). Raises `LogReadOnly` on a read-only log.

        Example::

            with log.batch():
                log.mark_applied("t1", [iid], {iid: value})
                log.note_requests(session.pending, now)
        """
        self.setup()
        return self._db.batch()

    def close(self) -> None:
        """Give back this log's share of the connection (closed with the last user)."""
        if self._release is not None:
            self._release()
        else:
            self._db.close()

    def _write(self, change: Callable[..., int | None], *args: Any) -> int:
        """Run a bookkeeping write unless the log is read-only (found out on the way)."""
        self.setup()
        if self.read_only:
            return 0
        try:
            return change(*args) or 0
        except LogReadOnly:  # the file or folder cannot be written: read on
            self.read_only = True
            return 0
