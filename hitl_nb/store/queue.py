"""The review queue's part of the log: table ``hitl_requests`` and reviewers' claims.

``hitl_requests`` is kept consistent by the session (``open`` -> ``decided`` ->
``applied``, or ``gone``), so listing every pending review across threads is one
indexed query, never a walk over the checkpointer. `hitl_nb.DecisionLog` owns one
`Queue` and delegates to it (``log.queue(...)``, ``log.claim_review(...)``).

Example::

    log = hitl_nb.DecisionLog("hitl.db")
    rows = log.queue(action="send_email", limit=50)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ..model import ClaimedByOther, HitlError, ReviewRequest
from .db import IntegrityError
from .jsonsafe import dumps
from .sql import Placeholders, dt, epoch

#: Columns of a queue row, as `queue` returns them (plus ``approvals_so_far``).
QUEUE_COLUMNS = ("thread_id", "interrupt_id", "action_index", "action", "requested_at",
                 "request", "state", "confidence", "risk_tier", "expires_at", "approvals",
                 "claimed_by", "claimed_until")
ROW_COLUMNS = (*QUEUE_COLUMNS, "approvals_so_far")

_ORDER = {"age": "requested_at ASC", "newest": "requested_at DESC",
          "confidence": "confidence ASC", "action": "action ASC",
          "deadline": "expires_at ASC", "thread": "thread_id ASC"}


Key = Sequence[Any]

#: The request fields the queue keeps for listing (a card re-reads the live interrupt).
SUMMARY_FIELDS = ("args", "description", "allowed", "format", "count", "node", "task",
                  "on_timeout", "rejections", "details", "expects")


#: Drops a reviewer's claim on one request: params (*key, reviewer). Run in the transaction
#: that records their vote (their part is done), or alone by `Queue.release`.
RELEASE_CLAIM = ("UPDATE hitl_requests SET claimed_by = NULL, claimed_until = NULL"
                 " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?"
                 " AND claimed_by = ?")
#: Marks one request ``decided`` (from ``open`` or ``gone``) and drops the deciding
#: reviewer's claim on it, in one statement: params (reviewer, reviewer, *key).
DECIDED = ("UPDATE hitl_requests SET"
           " state = CASE WHEN state IN ('open', 'gone') THEN 'decided' ELSE state END,"
           " claimed_by = CASE WHEN claimed_by = ? THEN NULL ELSE claimed_by END,"
           " claimed_until = CASE WHEN claimed_by = ? THEN NULL ELSE claimed_until END"
           " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?")

_DEFAULTS = {"count": 1, "on_timeout": "reject", "rejections": 1, "format": "plain",
             "details": {}}


def queue_summary(request: ReviewRequest) -> dict[str, Any]:
    """What the queue row stores about a request, without empty or default values:
    small, so 10,000 rows list fast."""
    data = {k: v for k in SUMMARY_FIELDS
            if (v := getattr(request, k)) is not None and _DEFAULTS.get(k) != v}
    data["allowed"] = list(request.allowed)
    if request.risk:
        data["risk"] = request.risk.to_dict()
    return data


class Queue:
    """The ``hitl_requests`` rows of one backend ``db``, with its placeholders ``q``."""

    def __init__(self, db: Any, q: Placeholders) -> None:
        self.db = db
        self.q = q

    # -- requests --------------------------------------------------------------------------
    def note(self, requests: Sequence[ReviewRequest], now: datetime,
             noted: dict | None = None) -> None:
        """Insert a queue row for each request not seen before (``now`` is its first-seen
        time); reopen one marked ``gone``. ``noted`` receives the first-seen time of each
        row inserted or reopened (key -> time); the others were open already."""
        with self.db.transaction() as cur:
            for r in requests:
                cur.execute(self.q(
                    "INSERT INTO hitl_requests (thread_id, interrupt_id, action_index, action,"
                    " requested_at, request, confidence, risk_tier, expires_at, approvals)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (thread_id, interrupt_id, action_index) DO UPDATE SET"
                    " state = 'open', resolved_at = NULL WHERE hitl_requests.state = 'gone'"
                    " RETURNING requested_at"),
                    (r.thread_id, r.interrupt_id, r.index, r.action, now.timestamp(),
                     dumps(queue_summary(r)), r.confidence, r.risk.tier if r.risk else None,
                     epoch(r.expires_at), r.approvals),
                )
                row = cur.fetchone()
                if row is not None and noted is not None:
                    noted[r.key] = dt(row[0])

    def first_seen(self, requests: Sequence[ReviewRequest]) -> dict:
        """(thread_id, interrupt_id, index) -> first-seen time, for the requests' rows (one
        query per thread and 500 interrupts)."""
        by_thread: dict[str, list[str]] = {}
        for r in requests:
            by_thread.setdefault(r.thread_id, []).append(r.interrupt_id)
        rows = []
        for thread, ids in by_thread.items():
            ids = list(dict.fromkeys(ids))
            for start in range(0, len(ids), 500):
                part = ids[start:start + 500]
                rows += self.db.query(self.q(
                    "SELECT thread_id, interrupt_id, action_index, requested_at FROM"
                    f" hitl_requests WHERE thread_id = ? AND interrupt_id IN"
                    f" ({', '.join('?' for _ in part)})"), (thread, *part))
        return {(t, i, n): dt(at) for t, i, n, at in rows}

    # -- consistency ---------------------------------------------------------------------
    def close_missing(self, thread_id: str, live: Sequence[str], before: datetime) -> int:
        """Mark ``gone`` the open rows of ``thread_id`` whose interrupt is not in ``live``
        (it was resumed elsewhere or the thread moved on). Rows first seen at or after
        ``before`` stay: another process may have noted them after our snapshot."""
        marks = ", ".join("?" for _ in live)
        where = (f"thread_id = ? AND state = 'open' AND requested_at <= ?"
                 f"{f' AND interrupt_id NOT IN ({marks})' if live else ''}")
        params = (thread_id, before.timestamp(), *live)
        if not self.db.query(self.q(f"SELECT 1 FROM hitl_requests WHERE {where} LIMIT 1"),
                             params):
            return 0  # the usual case: no write lock taken
        with self.db.transaction() as cur:
            cur.execute(self.q(f"UPDATE hitl_requests SET state = 'gone', resolved_at = ?"
                               f" WHERE {where}"), (time.time(), *params))
            return cur.rowcount or 0

    # -- listing ---------------------------------------------------------------------------
    def listing(self, *, state: str = "open", action: str | None = None,
                tier: str | None = None, older_than_s: float | None = None,
                reviewer: str | None = None, thread_id: str | None = None,
                order: str = "age", limit: int | None = None, offset: int = 0,
                now: datetime | None = None) -> list[dict[str, Any]]:
        """Queue rows (dicts) in one query: filter by action, risk tier, minimum age,
        claiming reviewer (``""`` = unclaimed) or thread; sort by ``order`` (age, newest,
        confidence, action, deadline, thread); page with ``limit``/``offset``."""
        return [dict(zip(ROW_COLUMNS, row, strict=True)) for row in self.rows(
            state=state, action=action, tier=tier, older_than_s=older_than_s,
            reviewer=reviewer, thread_id=thread_id, order=order, limit=limit, offset=offset,
            now=now)]

    def rows(self, *, state: str = "open", action: str | None = None,
             tier: str | None = None, older_than_s: float | None = None,
             reviewer: str | None = None, thread_id: str | None = None,
             order: str = "age", limit: int | None = None, offset: int = 0,
             now: datetime | None = None, due: bool = False,
             request: bool = True) -> list[tuple]:
        """`listing` as plain tuples in `ROW_COLUMNS` order (the fast path of `Inbox`);
        ``due=True`` keeps only requests whose deadline has passed at ``now``;
        ``request=False`` leaves the stored request out (None), for listings."""
        where, params = self._filters(state, action, tier, older_than_s, reviewer, thread_id,
                                      now)
        if due:
            where += " AND r.expires_at IS NOT NULL AND r.expires_at <= ?"
            params.append((now or datetime.now(timezone.utc)).timestamp())
        if order not in _ORDER:
            raise HitlError(f"unknown order {order!r}; use one of {', '.join(_ORDER)}")
        sql = ("SELECT " + ", ".join("NULL" if c == "request" and not request else f"r.{c}"
                                     for c in QUEUE_COLUMNS) +
               ", CASE WHEN r.approvals > 1 THEN (SELECT COUNT(*) FROM hitl_votes v WHERE"
               " v.thread_id = r.thread_id AND v.interrupt_id = r.interrupt_id AND"
               " v.action_index = r.action_index AND v.vote = 'approve') ELSE 0 END"
               " FROM hitl_requests r" + where +
               f" ORDER BY {_ORDER[order]}, r.thread_id, r.interrupt_id, r.action_index")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        return self.db.query(self.q(sql), params)

    def undecided(self) -> list[tuple]:
        """Every request seen (in any state) that has no decision row, as stored:
        (thread_id, interrupt_id, action_index, action, requested_at, request), oldest
        first, then by thread and action index."""
        return self.db.query(
            "SELECT r.thread_id, r.interrupt_id, r.action_index, r.action, r.requested_at,"
            " r.request FROM hitl_requests r WHERE NOT EXISTS (SELECT 1 FROM hitl_decisions d"
            " WHERE d.thread_id = r.thread_id AND d.interrupt_id = r.interrupt_id"
            " AND d.action_index = r.action_index)"
            " ORDER BY r.requested_at, r.thread_id, r.action_index")

    def count(self, *, state: str = "open", action: str | None = None,
              tier: str | None = None, older_than_s: float | None = None,
              reviewer: str | None = None, now: datetime | None = None) -> int:
        """How many queue rows `listing` would list without ``limit``."""
        where, params = self._filters(state, action, tier, older_than_s, reviewer, None, now)
        return int(self.db.query(self.q("SELECT COUNT(*) FROM hitl_requests r" + where),
                                 params)[0][0])

    def _filters(self, state: str, action: str | None, tier: str | None,
                 older_than_s: float | None, reviewer: str | None, thread_id: str | None,
                 now: datetime | None) -> tuple[str, list[Any]]:
        now_s = (now or datetime.now(timezone.utc)).timestamp()
        where, params = ["r.state = ?"], [state]
        for column, value in (("action", action), ("risk_tier", tier),
                              ("thread_id", thread_id)):
            if value is not None:
                where.append(f"r.{column} = ?")
                params.append(value)
        if older_than_s is not None:
            where.append("r.requested_at <= ?")
            params.append(now_s - older_than_s)
        if reviewer == "":
            where.append("(r.claimed_by IS NULL OR r.claimed_until <= ?)")
            params.append(now_s)
        elif reviewer is not None:
            where.append("r.claimed_by = ? AND r.claimed_until > ?")
            params += [reviewer, now_s]
        return " WHERE " + " AND ".join(where), params

    # -- reviewer claims ---------------------------------------------------------------------
    def claim(self, key: Key, reviewer: str, for_s: float = 600.0,
              take_over: bool = False) -> None:
        """Claim a request for ``reviewer`` for ``for_s`` seconds; raise `ClaimedByOther`
        when someone else holds a live claim (unless ``take_over``)."""
        now = time.time()
        lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
        with self.db.transaction() as cur:
            cur.execute(self.q(
                "SELECT claimed_by, claimed_until, state FROM hitl_requests WHERE thread_id = ?"
                f" AND interrupt_id = ? AND action_index = ?{lock}"), tuple(key))
            row = cur.fetchone()
            if row is None:
                raise HitlError(f"no review request {tuple(key)} in this log")
            holder, until, _state = row
            if holder and holder != reviewer and (until or 0) > now and not take_over:
                raise ClaimedByOther(
                    f"being reviewed by {holder} until {dt(until):%H:%M:%S} UTC; pass "
                    "take_over=True to take it over", holder)
            cur.execute(self.q(
                "UPDATE hitl_requests SET claimed_by = ?, claimed_until = ? WHERE thread_id = ?"
                " AND interrupt_id = ? AND action_index = ?"),
                (reviewer, now + for_s, *tuple(key)))

    def release(self, key: Key, reviewer: str) -> None:
        """Drop ``reviewer``'s claim on a request (no-op when they do not hold it)."""
        with self.db.transaction() as cur:
            cur.execute(self.q(RELEASE_CLAIM), (*tuple(key), reviewer))

    def claimant(self, key: Key) -> tuple[str, datetime] | None:
        """(reviewer, until) of the live claim on a request, or None."""
        rows = self.db.query(self.q(
            "SELECT claimed_by, claimed_until FROM hitl_requests WHERE thread_id = ?"
            " AND interrupt_id = ? AND action_index = ? AND claimed_by IS NOT NULL"
            " AND claimed_until > ?"), (*tuple(key), time.time()))
        return (rows[0][0], dt(rows[0][1])) if rows else None


__all__ = ["QUEUE_COLUMNS", "ROW_COLUMNS", "IntegrityError", "Queue", "queue_summary"]
