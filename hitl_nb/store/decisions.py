"""The decisions part of the log: table ``hitl_decisions``, one row per decided action.

`Decisions` writes and reads decision rows and nothing else: the queue, the votes and
the resume lease are other parts (`hitl_nb.store.queue`, `.votes`, `.resume`).
`hitl_nb.DecisionLog` owns one and delegates to it; build one alone from a backend::

    decisions = Decisions(db, placeholders(db.dialect))  # the tables must exist
    decisions.get("thread-1", "interrupt-1")
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._faults import fault
from ..model import (
    AlreadyDecided,
    Decision,
    HitlError,
    InvalidResponse,
    ReviewRequest,
    Risk,
    quote,
)
from .db import IntegrityError
from .jsonsafe import dumps
from .queue import DECIDED
from .sql import Placeholders, dt, epoch, loads

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Decisions"]

_COLUMNS = "decision, edited_args, comment, response, reviewer, decided_at"


class Decisions:
    """The ``hitl_decisions`` rows of one backend ``db``, with its placeholders ``q``."""

    def __init__(self, db: Any, q: Placeholders) -> None:
        self.db = db
        self.q = q

    def record(self, request: ReviewRequest, decision: Decision, *, owner: str | None = None,
               lease_s: float = 300.0, status: str = "recorded",
               resume_value: Any = None) -> int:
        """Commit one decision and drop its reviewer's claim on the request; raise
        `AlreadyDecided` (naming the first) if one exists."""
        self.check_storable(decision)
        try:
            with self.db.transaction() as cur:
                rowid = self.insert(cur, request, decision, owner, lease_s, status,
                                    release=decision.reviewer, resume_value=resume_value)
                fault("before_record_commit")
        except IntegrityError:
            first = self.get(*request.key)
            who = first.summary() if first else "decided already"
            raise AlreadyDecided(
                f"{quote(request.action, 100)!r} (thread {request.thread_id}, interrupt "
                f"{request.interrupt_id}) was {who}; nothing was changed", first) from None
        return int(rowid or 0)

    def record_auto(self, action: str, args: Any = None, *, decision: str = "approve",
                    reviewer: str = "policy", comment: str | None = None,
                    thread_id: str = "", task: str | None = None, steps: Any = None,
                    confidence: float | None = None, risk: Risk | None = None,
                    when: datetime | None = None) -> int:
        """Record, ``applied`` at once, a decision taken without a human on an action
        that never became an interrupt."""
        when = when or datetime.now(timezone.utc)
        request = ReviewRequest(action=action, args=args if args is not None else {},
                                thread_id=thread_id, interrupt_id=f"auto-{uuid.uuid4().hex}",
                                task=task, steps=list(steps or []), confidence=confidence,
                                risk=risk, requested_at=when, format="auto")
        return self.record(request, Decision(decision, args=args if decision == "edit" else None,
                                             comment=comment, reviewer=reviewer,
                                             decided_at=when), status="applied")

    def check_storable(self, decision: Decision) -> None:
        """Raise `InvalidResponse` when the backend cannot store the decision's text."""
        if getattr(self.db, "stores_any_text", False):
            return
        for name, value in (("comment", decision.comment), ("reviewer", decision.reviewer)):
            problem = isinstance(value, str) and self.db.unstorable(value)
            if problem:
                raise InvalidResponse(f"the {name} {problem}")
        for name, value in (("edited arguments", decision.args),
                            ("response", decision.response)):
            problem = value is not None and self.db.unstorable(dumps(value) or "")
            if problem:
                raise InvalidResponse(f"the {name} {problem}")

    def insert(self, cur: Any, request: ReviewRequest, decision: Decision,
               owner: str | None = None, lease_s: float = 300.0,
               status: str = "recorded", release: str | None = None,
               resume_value: Any = None) -> Any:
        """Insert the decision row and mark its queue row ``decided`` (ending the claim of
        reviewer ``release`` on it, in the same statement), inside the caller's
        transaction ``cur``; the SQLite rowid (None on PostgreSQL).

        With ``owner``, the row is born ``applying`` under that owner's resume lease (the
        owner resumes the graph with it next; `hitl_nb.store.resume`). ``resume_value``:
        what the graph will be resumed with, when it is known already (kept if the process
        dies during the resume)."""
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
            "requested_at": epoch(request.requested_at),
            "decided_at": decided.timestamp(),
            "latency_s": latency,
            "confidence": request.confidence,
            "risk_score": request.risk.score if request.risk else None,
            "risk_tier": request.risk.tier if request.risk else None,
            "args": dumps(request.args),
            "edited_args": dumps(decision.args) if decision.type == "edit" else None,
            "response": dumps(decision.response),
            "request": dumps(request.to_dict()),
            "resume_value": dumps(resume_value),
            "format": request.format,
            "status": "applying" if owner and status == "recorded" else status,
            "owner": owner,
            "lease_until": time.time() + lease_s if owner else None,
            "context": dumps(_context(request)),
        }
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur.execute(self.q(f"INSERT INTO hitl_decisions ({cols}) VALUES ({marks})"),
                    tuple(values.values()))
        rowid = cur.lastrowid if self.db.dialect == "sqlite" else None
        cur.execute(self.q(DECIDED), (release, release, *request.key))
        return rowid

    def get(self, thread_id: str, interrupt_id: str, index: int = 0) -> Decision | None:
        """The decision recorded for one request, if any."""
        rows = self.db.query(self.q(
            f"SELECT {_COLUMNS} FROM hitl_decisions WHERE thread_id = ? AND interrupt_id = ?"
            " AND action_index = ?"), (thread_id, interrupt_id, index))
        return _decision(rows[0]) if rows else None

    def of_interrupt(self, thread_id: str, interrupt_id: str) -> dict[int, Decision]:
        """Action index -> decision, for one interrupt."""
        rows = self.db.query(self.q(
            f"SELECT {_COLUMNS}, action_index FROM hitl_decisions WHERE thread_id = ?"
            " AND interrupt_id = ?"), (thread_id, interrupt_id))
        return {row[6]: _decision(row) for row in rows}

    def of_interrupts(self, thread_id: str, interrupt_ids: Sequence[str]
                      ) -> dict[tuple[str, int], Decision]:
        """(interrupt id, action index) -> decision, for several interrupts of a thread
        (one query per 500 ids)."""
        ids = list(dict.fromkeys(interrupt_ids))
        out: dict[tuple[str, int], Decision] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ", ".join("?" for _ in part)
            rows = self.db.query(self.q(
                f"SELECT {_COLUMNS}, action_index, interrupt_id FROM hitl_decisions"
                f" WHERE thread_id = ? AND interrupt_id IN ({marks})"), (thread_id, *part))
            out.update({(row[7], row[6]): _decision(row) for row in rows})
        return out

    def status(self, thread_id: str, interrupt_id: str) -> set[str]:
        """The statuses of one interrupt's decision rows."""
        rows = self.db.query(self.q(
            "SELECT DISTINCT status FROM hitl_decisions WHERE thread_id = ? AND interrupt_id = ?"),
            (thread_id, interrupt_id))
        return {r[0] for r in rows}

    def count(self) -> int:
        """How many decisions the log holds."""
        return int(self.db.query("SELECT COUNT(*) FROM hitl_decisions")[0][0])

    def of_action(self, action: str, excluding: Sequence[str] = ()) -> list[tuple]:
        """(args, decision, reviewer, edited_args) of every decision on ``action``, oldest
        first, the arguments parsed; rows whose reviewer starts with one of ``excluding``
        are left out (case-sensitive, on SQLite and PostgreSQL alike)."""
        where, params = _not_starting("reviewer", excluding)
        rows = self.db.query(self.q(
            f"SELECT args, decision, reviewer, edited_args FROM hitl_decisions"
            f" WHERE action = ?{where} ORDER BY id"), (action, *params))
        return [(loads(args), kind, who, loads(edited)) for args, kind, who, edited in rows]

    def count_since(self, since: datetime, excluding: Sequence[str] = ()) -> int:
        """How many decisions were taken at or after ``since``, leaving out those whose
        reviewer starts with one of ``excluding`` (as in `of_action`)."""
        where, params = _not_starting("reviewer", excluding)
        return int(self.db.query(self.q(
            f"SELECT COUNT(*) FROM hitl_decisions WHERE decided_at >= ?{where}"),
            (since.timestamp(), *params))[0][0])

    def frame(self, since: datetime | None = None, thread_id: str | None = None,
              action: str | None = None, *, flatten: bool = False,
              cache: bool = True) -> pd.DataFrame:
        """One row per decision, typed (see :mod:`hitl_nb.store.frame`), filtered in SQL."""
        from .frame.load import load

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
        with self.db.errors():
            return load(self.db, self.q, clause, params, flatten=flatten, cache=cache)


def _not_starting(column: str, prefixes: Sequence[str]) -> tuple[str, list[str]]:
    """`` AND substr(column, 1, n) <> ?`` per prefix: taken literally and case-sensitively,
    the same on SQLite and PostgreSQL (``LIKE`` ignores case on SQLite only)."""
    clause = "".join(f" AND substr({column}, 1, {len(p)}) <> ?" for p in prefixes)
    return clause, list(prefixes)


def _context(request: ReviewRequest) -> dict[str, Any]:
    """What the agent knew when it asked: kept so a row can become training data."""
    return {"task": request.task, "steps": request.steps, "description": request.description,
            "node": request.node}


def _decision(row: Sequence[Any]) -> Decision:
    kind, edited, comment, response, reviewer, decided = row[:6]
    return Decision(type=kind, args=loads(edited), comment=comment, response=loads(response),
                    reviewer=reviewer, decided_at=dt(decided))
