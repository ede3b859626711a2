"""The resume lease: which process may resume the graph with recorded decisions.

A decision row is ``recorded``, then ``applying`` while one process holds the lease on
it (``owner``, ``lease_until``), then ``applied`` once the resume returned. Two processes
never resume the same decision: the second finds the lease held by a live owner.
`hitl_nb.DecisionLog` owns one `ResumeLeases` and delegates to it::

    leases = ResumeLeases(db, placeholders(db.dialect))
    if leases.take("thread-1", ["interrupt-1"], owner="host:1234"):
        ...  # resume, then leases.mark_applied(...)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .._faults import owner_alive
from .jsonsafe import dumps
from .sql import Placeholders, dt

__all__ = ["ResumeLeases"]


class ResumeLeases:
    """The resume lease on the ``hitl_decisions`` rows of one backend ``db``."""

    def __init__(self, db: Any, q: Placeholders) -> None:
        self.db = db
        self.q = q

    def take(self, thread_id: str, interrupt_ids: Sequence[str], owner: str,
             lease_s: float = 300.0) -> bool:
        """Take the lease on these interrupts' decisions; False if another live owner
        holds it or they are applied already."""
        now = time.time()
        marks = ", ".join("?" for _ in interrupt_ids)
        lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
        with self.db.transaction() as cur:
            cur.execute(self.q(
                f"SELECT status, owner, lease_until FROM hitl_decisions WHERE thread_id = ?"
                f" AND interrupt_id IN ({marks}){lock}"), (thread_id, *interrupt_ids))
            for status, holder, until in cur.fetchall():
                if status == "applied" or (holder and holder != owner
                                           and (until or 0) > now and owner_alive(holder)):
                    return False
            cur.execute(self.q(
                f"UPDATE hitl_decisions SET status = 'applying', owner = ?, lease_until = ?"
                f" WHERE thread_id = ? AND interrupt_id IN ({marks})"),
                (owner, now + lease_s, thread_id, *interrupt_ids))
        return True

    def renew(self, thread_id: str, interrupt_ids: Sequence[str], owner: str,
              lease_s: float = 300.0) -> int:
        """Extend ``owner``'s lease on decisions it is applying; how many rows it held."""
        marks = ", ".join("?" for _ in interrupt_ids)
        with self.db.transaction() as cur:
            cur.execute(self.q(
                f"UPDATE hitl_decisions SET lease_until = ? WHERE thread_id = ? AND owner = ?"
                f" AND status = 'applying' AND interrupt_id IN ({marks})"),
                (time.time() + lease_s, thread_id, owner, *interrupt_ids))
            return cur.rowcount or 0

    def release(self, thread_id: str, interrupt_ids: Sequence[str], error: str | None,
                resume_values: dict[str, Any] | None = None) -> None:
        """Give the lease back after a failed resume; the decisions stay ``recorded``,
        each keeping the value it was sent with (``resume_values``), which the graph may
        have consumed before it failed."""
        marks = ", ".join("?" for _ in interrupt_ids)
        with self.db.transaction() as cur:
            cur.execute(self.q(
                f"UPDATE hitl_decisions SET status = 'recorded', owner = NULL,"
                f" lease_until = NULL, error = ? WHERE thread_id = ? AND interrupt_id IN"
                f" ({marks}) AND status = 'applying'"), (error, thread_id, *interrupt_ids))
            for iid, value in (resume_values or {}).items():
                cur.execute(self.q(
                    "UPDATE hitl_decisions SET resume_value = ? WHERE thread_id = ?"
                    " AND interrupt_id = ? AND status = 'recorded'"),
                    (dumps(value), thread_id, iid))

    def mark_applied(self, thread_id: str, interrupt_ids: Sequence[str],
                     resume_values: dict[str, Any]) -> None:
        """Mark the decisions and their queue rows ``applied``, keeping each interrupt's
        resume value (one not given keeps the value stored when an earlier try failed);
        the lease ends."""
        now = time.time()
        with self.db.transaction() as cur:
            for iid in interrupt_ids:
                cur.execute(self.q(
                    "UPDATE hitl_decisions SET status = 'applied', applied_at = ?,"
                    " resume_value = COALESCE(?, resume_value), error = NULL,"
                    " lease_until = NULL"
                    " WHERE thread_id = ? AND interrupt_id = ?"),
                    (now, dumps(resume_values.get(iid)), thread_id, iid))
                cur.execute(self.q(
                    "UPDATE hitl_requests SET state = 'applied', resolved_at = ?"
                    " WHERE thread_id = ? AND interrupt_id = ?"), (now, thread_id, iid))

    def holder(self, thread_id: str, interrupt_id: str) -> tuple[str, datetime] | None:
        """(owner, until) of the lease on one interrupt's decisions, even if it ran out;
        None when none was taken or it ended (applied, released)."""
        rows = self.db.query(self.q(
            "SELECT owner, lease_until FROM hitl_decisions WHERE thread_id = ?"
            " AND interrupt_id = ? AND lease_until IS NOT NULL ORDER BY lease_until DESC"),
            (thread_id, interrupt_id))
        return (rows[0][0], dt(rows[0][1])) if rows else None

    def unapplied(self, thread_id: str) -> list[str]:
        """Interrupt ids of the thread with decisions recorded but not yet applied."""
        rows = self.db.query(self.q(
            "SELECT DISTINCT interrupt_id FROM hitl_decisions WHERE thread_id = ?"
            " AND status != 'applied'"), (thread_id,))
        return [r[0] for r in rows]

    def threads_to_recover(self) -> list[str]:
        """Threads with a decision recorded but not applied (a crash, a failed resume)."""
        return [r[0] for r in self.db.query(
            "SELECT DISTINCT thread_id FROM hitl_decisions WHERE status != 'applied'")]
