"""The decision log: every decision, durable first, one call away from a DataFrame.

A decision row is ``recorded`` before the graph resumes, ``applying`` while one process
holds a short lease on it, and ``applied`` once the resume returned. One decision per
(thread_id, interrupt_id, action_index) is enforced by a UNIQUE constraint, so a double
click or a second kernel cannot decide twice.

Example::

    log = hitl_nb.DecisionLog("hitl.db")
    df = log.to_pandas()
    df.groupby("action").decision.value_counts()
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._faults import fault, owner_alive
from ..model import (
    AlreadyDecided,
    Decision,
    HitlError,
    InvalidResponse,
    ReviewRequest,
    quote,
)
from ._logdata import LogData
from .db import BUSY_TIMEOUT, IntegrityError, LogBusy, LogReadOnly, LogUnavailable
from .fastjson import loads as _safe_loads
from .jsonsafe import dumps as _dumps
from .migrate import IncompatibleLog, _check, ensure
from .queue import QueueLog, queue_summary
from .schema import VERSION
from .shared import connect, release

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DecisionLog", "LogBusy", "LogReadOnly", "LogUnavailable"]


def _loads(text: str | None) -> Any:
    """A stored JSON cell (see `hitl_nb.store.jsonsafe` for what odd values became)."""
    return None if text is None else _safe_loads(text)


def _epoch(dt: datetime | None) -> float | None:
    return None if dt is None else dt.timestamp()


def _dt(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


class DecisionLog(QueueLog, LogData):
    """Durable store of review decisions (a SQLite path, a connection, or a PostgreSQL URL).

    ``setup()`` is lazy and idempotent: the tables are created on first use.
    ``frame_cache``: a SQLite log of 100,000 decisions or more keeps a columnar copy next
    to it (``<log>-frame.arrow``) so `to_pandas` reads only what changed since; False
    writes and reads none (see :mod:`hitl_nb.store.frame.cache`).
    ``read_only``: open it for analysis without writing anything (SQLite ``mode=ro``; no
    tables created, no WAL switch); recording raises `LogReadOnly`. A log whose file or
    folder cannot be written is read the same way, found out on first use.
    ``busy_timeout``: seconds a write waits for another process's write lock (PostgreSQL:
    ``lock_timeout``) before `LogBusy`; nothing is written then, so the card stays
    decidable.

    Every log naming the same file or URL (with the same options) in one process shares one
    connection, closed when the last such log is closed or collected, or at exit.
    """

    def __init__(self, target: Any = "hitl.db", *, frame_cache: bool = True,
                 read_only: bool = False, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.target = target
        self.read_only = read_only
        self.frame_cache = frame_cache and not read_only
        self._db, shared = connect(target, read_only=read_only, busy_timeout=busy_timeout)
        self._release = weakref.finalize(self, release, self._db) if shared else None
        self._ready = False

    def __repr__(self) -> str:
        where = self.target if isinstance(self.target, (str, os.PathLike)) else self._db.dialect
        return f"DecisionLog({str(where)!r})"

    # -- set-up ---------------------------------------------------------------------------
    def setup(self) -> None:
        """Create the tables if they are missing, or upgrade an older log in place (one
        transaction). Raise `hitl_nb.IncompatibleLog` for a foreign or newer database."""
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

    def close(self) -> None:
        """Give back this log's share of the connection (closed with the last user)."""
        if self._release is not None:
            self._release()
        else:
            self._db.close()

    # -- requests ----------------------------------------------------------------------
    def note_requests(self, requests: Iterable[ReviewRequest], now: datetime) -> dict:
        """Remember when each request was first seen; return key -> first-seen time.

        The first time survives restarts, so latency counts from the real request.
        """
        self.setup()
        requests = list(requests)
        if not requests:
            return {}
        if not self.read_only:
            try:
                self._note(requests, now)
            except LogReadOnly:  # the file or folder cannot be written: read on
                self.read_only = True
        threads = {r.thread_id for r in requests}
        rows = []
        for thread in threads:
            rows += self._db.query(
                self._q("SELECT thread_id, interrupt_id, action_index, requested_at"
                        " FROM hitl_requests WHERE thread_id = ?"), (thread,))
        return {(t, i, n): _dt(at) for t, i, n, at in rows}

    def _note(self, requests: list[ReviewRequest], now: datetime) -> None:
        with self._db.transaction() as cur:
            for r in requests:
                cur.execute(self._q(
                    "INSERT INTO hitl_requests (thread_id, interrupt_id, action_index, action,"
                    " requested_at, request, confidence, risk_tier, expires_at, approvals)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (thread_id, interrupt_id, action_index) DO UPDATE SET"
                    " state = 'open', resolved_at = NULL WHERE hitl_requests.state = 'gone'"),
                    (r.thread_id, r.interrupt_id, r.index, r.action, now.timestamp(),
                     _dumps(queue_summary(r)), r.confidence, r.risk.tier if r.risk else None,
                     _epoch(r.expires_at), r.approvals),
                )

    def close_missing(self, thread_id: str, live: Sequence[str], before: datetime) -> int:
        """`QueueLog.close_missing`; a read-only log keeps its queue as it is."""
        if self.read_only:
            return 0
        try:
            return super().close_missing(thread_id, live, before)
        except LogReadOnly:
            self.read_only = True
            return 0

    # -- decisions ---------------------------------------------------------------------
    def record(self, request: ReviewRequest, decision: Decision, *, owner: str | None = None,
               lease_s: float = 300.0, status: str = "recorded") -> int:
        """Commit one decision (status ``recorded``). Raise `AlreadyDecided` if one exists.

        With ``owner`` the row is born under that owner's lease, so no other process's
        recovery can take it between the record and the resume. A policy or a timeout
        records its decision the same way, naming itself as the reviewer
        (``Decision("approve", reviewer="policy:read_only")``, ``"timeout"``);
        ``status="applied"`` for one that never needs a resume.
        """
        self.setup()
        self.check_storable(decision)
        try:
            with self._db.transaction() as cur:
                rowid = self._insert_decision(cur, request, decision, owner, lease_s, status)
                fault("before_record_commit")
        except IntegrityError:
            first = self.get(*request.key)
            who = first.summary() if first else "decided already"
            raise AlreadyDecided(
                f"{quote(request.action, 100)!r} (thread {request.thread_id}, interrupt "
                f"{request.interrupt_id}) was {who}; nothing was changed", first) from None
        return int(rowid or 0)

    def vote(self, request: ReviewRequest, decision: Decision, **lease: Any) -> Decision | None:
        """`QueueLog.vote`, after `check_storable`."""
        self.check_storable(decision)
        return super().vote(request, decision, **lease)

    def check_storable(self, decision: Decision) -> None:
        """Raise `InvalidResponse` (before anything is recorded) when this log's database
        cannot store the decision's text (NUL characters on PostgreSQL)."""
        for name, value in (("comment", decision.comment), ("reviewer", decision.reviewer)):
            problem = isinstance(value, str) and self._db.unstorable(value)
            if problem:
                raise InvalidResponse(f"the {name} {problem}")
        for name, value in (("edited arguments", decision.args),
                            ("response", decision.response)):
            problem = value is not None and self._db.unstorable(_dumps(value) or "")
            if problem:
                raise InvalidResponse(f"the {name} {problem}")

    def _insert_decision(self, cur: Any, request: ReviewRequest, decision: Decision,
                         owner: str | None = None, lease_s: float = 300.0,
                         status: str = "recorded") -> Any:
        """Insert the decision row and mark its queue row ``decided`` (one transaction)."""
        decided = decision.decided_at or datetime.now(timezone.utc)
        latency = (decided - request.requested_at).total_seconds() if request.requested_at \
            else None
        values = {
            "thread_id": request.thread_id,
            "interrupt_id": request.interrupt_id,
            "action_index": request.index,
            "action": request.action or "(unnamed)",
            "decision": decision.type,
            "comment": decision.comment,
            "reviewer": decision.reviewer or "unknown",
            "requested_at": _epoch(request.requested_at),
            "decided_at": decided.timestamp(),
            "latency_s": latency,
            "confidence": request.confidence,
            "risk_score": request.risk.score if request.risk else None,
            "risk_tier": request.risk.tier if request.risk else None,
            "args": _dumps(request.args),
            "edited_args": _dumps(decision.args) if decision.type == "edit" else None,
            "response": _dumps(decision.response),
            "request": _dumps(request.to_dict()),
            "format": request.format,
            "status": status,
            "owner": owner,
            "lease_until": time.time() + lease_s if owner else None,
            "context": _dumps(_context(request)),
        }
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur.execute(self._q(f"INSERT INTO hitl_decisions ({cols}) VALUES ({marks})"),
                    tuple(values.values()))
        rowid = cur.lastrowid if self._db.dialect == "sqlite" else None
        cur.execute(self._q(
            "UPDATE hitl_requests SET state = 'decided' WHERE thread_id = ? AND interrupt_id = ?"
            " AND action_index = ? AND state IN ('open', 'gone')"), request.key)
        return rowid

    def get(self, thread_id: str, interrupt_id: str, index: int = 0) -> Decision | None:
        """The decision recorded for one request, if any."""
        self.setup()
        rows = self._db.query(self._q(
            "SELECT decision, edited_args, comment, response, reviewer, decided_at"
            " FROM hitl_decisions WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?"),
            (thread_id, interrupt_id, index))
        return _decision(rows[0]) if rows else None

    def decisions(self, thread_id: str, interrupt_id: str) -> dict[int, Decision]:
        """Action index -> decision, for one interrupt."""
        self.setup()
        rows = self._db.query(self._q(
            "SELECT decision, edited_args, comment, response, reviewer, decided_at, action_index"
            " FROM hitl_decisions WHERE thread_id = ? AND interrupt_id = ?"),
            (thread_id, interrupt_id))
        return {row[6]: _decision(row) for row in rows}

    def status(self, thread_id: str, interrupt_id: str) -> set[str]:
        self.setup()
        rows = self._db.query(self._q(
            "SELECT DISTINCT status FROM hitl_decisions WHERE thread_id = ? AND interrupt_id = ?"),
            (thread_id, interrupt_id))
        return {r[0] for r in rows}

    def unapplied(self, thread_id: str) -> list[str]:
        """Interrupt ids of the thread with decisions recorded but not yet applied."""
        self.setup()
        rows = self._db.query(self._q(
            "SELECT DISTINCT interrupt_id FROM hitl_decisions WHERE thread_id = ?"
            " AND status != 'applied'"), (thread_id,))
        return [r[0] for r in rows]

    # -- applying (a lease, so two processes never resume the same decision) --------------
    def take_resume_lease(self, thread_id: str, interrupt_ids: Sequence[str], owner: str,
                          lease_s: float = 300.0) -> bool:
        """Take the lease on these interrupts' decisions, to resume the graph with them;
        False if another owner holds it. (Not a reviewer's claim: `claim_review`.)"""
        self.setup()
        now = time.time()
        marks = ", ".join("?" for _ in interrupt_ids)
        lock = " FOR UPDATE" if self._db.dialect == "postgres" else ""
        with self._db.transaction() as cur:
            cur.execute(self._q(
                f"SELECT status, owner, lease_until FROM hitl_decisions WHERE thread_id = ?"
                f" AND interrupt_id IN ({marks}){lock}"), (thread_id, *interrupt_ids))
            for status, holder, until in cur.fetchall():
                if status == "applied" or (holder and holder != owner
                                           and (until or 0) > now and owner_alive(holder)):
                    return False
            cur.execute(self._q(
                f"UPDATE hitl_decisions SET status = 'applying', owner = ?, lease_until = ?"
                f" WHERE thread_id = ? AND interrupt_id IN ({marks})"),
                (owner, now + lease_s, thread_id, *interrupt_ids))
        return True

    def renew_resume_lease(self, thread_id: str, interrupt_ids: Sequence[str], owner: str,
                           lease_s: float = 300.0) -> int:
        """Extend ``owner``'s lease on decisions it is applying; how many rows it held."""
        marks = ", ".join("?" for _ in interrupt_ids)
        with self._db.transaction() as cur:
            cur.execute(self._q(
                f"UPDATE hitl_decisions SET lease_until = ? WHERE thread_id = ? AND owner = ?"
                f" AND status = 'applying' AND interrupt_id IN ({marks})"),
                (time.time() + lease_s, thread_id, owner, *interrupt_ids))
            return cur.rowcount or 0

    def mark_applied(self, thread_id: str, interrupt_ids: Sequence[str],
                     resume_values: dict[str, Any]) -> None:
        self.setup()
        now = time.time()
        with self._db.transaction() as cur:
            for iid in interrupt_ids:
                cur.execute(self._q(
                    "UPDATE hitl_decisions SET status = 'applied', applied_at = ?,"
                    " resume_value = ?, error = NULL, lease_until = NULL"
                    " WHERE thread_id = ? AND interrupt_id = ?"),
                    (now, _dumps(resume_values.get(iid)), thread_id, iid))
                cur.execute(self._q(
                    "UPDATE hitl_requests SET state = 'applied', resolved_at = ?"
                    " WHERE thread_id = ? AND interrupt_id = ?"), (now, thread_id, iid))

    def release_resume_lease(self, thread_id: str, interrupt_ids: Sequence[str],
                             error: str | None) -> None:
        """Give the resume lease back after a failed resume; the decisions stay recorded."""
        self.setup()
        marks = ", ".join("?" for _ in interrupt_ids)
        with self._db.transaction() as cur:
            cur.execute(self._q(
                f"UPDATE hitl_decisions SET status = 'recorded', owner = NULL,"
                f" lease_until = NULL, error = ? WHERE thread_id = ? AND interrupt_id IN"
                f" ({marks}) AND status = 'applying'"), (error, thread_id, *interrupt_ids))

    #: The names before the resume lease said what it locks: kept for existing code.
    claim = take_resume_lease
    renew = renew_resume_lease
    release = release_resume_lease

    # -- analysis ----------------------------------------------------------------------
    def to_pandas(self, since: datetime | None = None, thread_id: str | None = None,
                  action: str | None = None, *, flatten: bool = False) -> pd.DataFrame:
        """One row per decision, typed: UTC datetimes, categoricals, floats, parsed JSON.

        ``flatten=True`` adds ``args.<key>`` and ``edited_args.<key>`` columns. See
        :mod:`hitl_nb.store.frame` for the columns and ``df.hitl`` for the analysis helpers.
        """
        from .frame.load import load

        self.setup()
        where, params = [], []
        if since is not None:
            if since.tzinfo is None:
                raise HitlError("since must be timezone-aware, e.g. "
                                "datetime(2026, 1, 1, tzinfo=timezone.utc)")
            where.append("decided_at >= ?")
            params.append(since.timestamp())
        if thread_id is not None:
            where.append("thread_id = ?")
            params.append(thread_id)
        if action is not None:
            where.append("action = ?")
            params.append(action)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        with self._db.errors():
            return load(self._db, self._q, clause, params, flatten=flatten,
                        cache=self.frame_cache)

    def opinions(self) -> pd.DataFrame:
        """Every vote on requests that got a second opinion (`Inbox(second_opinion=...)`):
        the real decision (``shadow`` False) and the shadow votes (``shadow`` True), for
        ``log.opinions().hitl.agreement(by="action")``. See :mod:`hitl_nb.store.opinions`."""
        from .opinions import Opinions

        return Opinions(self).frame()

    def __len__(self) -> int:
        self.setup()
        return int(self._db.query("SELECT COUNT(*) FROM hitl_decisions")[0][0])

    # -- helpers -----------------------------------------------------------------------
    def _q(self, sql: str) -> str:
        return sql if self._db.dialect == "sqlite" else self._pg(sql)

    @staticmethod
    def _pg(sql: str) -> str:
        return sql.replace("?", "%s")


def _context(request: ReviewRequest) -> dict[str, Any]:
    """What the agent knew when it asked: kept so a row can become training data."""
    return {"task": request.task, "steps": request.steps, "description": request.description,
            "node": request.node}


def _decision(row: Sequence[Any]) -> Decision:
    kind, edited, comment, response, reviewer, decided = row[:6]
    return Decision(type=kind, args=_loads(edited), comment=comment, response=_loads(response),
                    reviewer=reviewer, decided_at=_dt(decided))
