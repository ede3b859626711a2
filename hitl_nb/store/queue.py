"""The review queue's part of the decision log: queue rows, votes, reviewer claims.

`DecisionLog` inherits these methods. ``hitl_requests`` is kept consistent by the session
(``open`` -> ``decided`` -> ``applied``, or ``gone``), so listing every pending review
across threads is one indexed query, never a walk over the checkpointer.

Example::

    log = hitl_nb.DecisionLog("hitl.db")
    rows = log.queue(action="send_email", limit=50)
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ..model import AlreadyDecided, ClaimedByOther, Decision, HitlError, ReviewRequest, quote
from .db import IntegrityError

#: Columns of a queue row, as `queue` returns them (plus ``approvals_so_far``).
QUEUE_COLUMNS = ("thread_id", "interrupt_id", "action_index", "action", "requested_at",
                 "request", "state", "confidence", "risk_tier", "expires_at", "approvals",
                 "claimed_by", "claimed_until")
ROW_COLUMNS = (*QUEUE_COLUMNS, "approvals_so_far")

_ORDER = {"age": "requested_at ASC", "newest": "requested_at DESC",
          "confidence": "confidence ASC", "action": "action ASC",
          "deadline": "expires_at ASC", "thread": "thread_id ASC"}


def _dt(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


Key = Sequence[Any]

#: The request fields the queue keeps for listing (a card re-reads the live interrupt).
SUMMARY_FIELDS = ("args", "description", "allowed", "format", "count", "node", "task",
                  "on_timeout", "rejections", "details")


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


class QueueLog:
    """Mixin for `DecisionLog`: needs ``self._db``, ``self._q`` and ``self.setup``."""

    _db: Any

    def _q(self, sql: str) -> str:  # pragma: no cover - DecisionLog defines it
        raise NotImplementedError

    def setup(self) -> None:  # pragma: no cover - DecisionLog defines it
        raise NotImplementedError

    def _insert_decision(self, cur: Any, request: ReviewRequest, decision: Decision,
                         owner: str | None = None,
                         lease_s: float = 300.0) -> Any:  # pragma: no cover
        raise NotImplementedError

    # -- consistency ---------------------------------------------------------------------
    def close_missing(self, thread_id: str, live: Sequence[str], before: datetime) -> int:
        """Mark ``gone`` the open rows of ``thread_id`` whose interrupt is not in ``live``
        (it was resumed elsewhere or the thread moved on). Rows first seen at or after
        ``before`` stay: another process may have noted them after our snapshot."""
        self.setup()
        marks = ", ".join("?" for _ in live)
        where = (f"thread_id = ? AND state = 'open' AND requested_at <= ?"
                 f"{f' AND interrupt_id NOT IN ({marks})' if live else ''}")
        params = (thread_id, before.timestamp(), *live)
        if not self._db.query(self._q(f"SELECT 1 FROM hitl_requests WHERE {where} LIMIT 1"),
                              params):
            return 0  # the usual case: no write lock taken
        with self._db.transaction() as cur:
            cur.execute(self._q(f"UPDATE hitl_requests SET state = 'gone', resolved_at = ?"
                                f" WHERE {where}"), (time.time(), *params))
            return cur.rowcount or 0

    # -- listing ---------------------------------------------------------------------------
    def queue(self, *, state: str = "open", action: str | None = None,
              tier: str | None = None, older_than_s: float | None = None,
              reviewer: str | None = None, thread_id: str | None = None,
              order: str = "age", limit: int | None = None, offset: int = 0,
              now: datetime | None = None) -> list[dict[str, Any]]:
        """Queue rows (dicts) in one query: filter by action, risk tier, minimum age,
        claiming reviewer (``""`` = unclaimed) or thread; sort by ``order`` (age, newest,
        confidence, action, deadline, thread); page with ``limit``/``offset``."""
        return [dict(zip(ROW_COLUMNS, row, strict=True)) for row in self.queue_rows(
            state=state, action=action, tier=tier, older_than_s=older_than_s,
            reviewer=reviewer, thread_id=thread_id, order=order, limit=limit, offset=offset,
            now=now)]

    def queue_rows(self, *, state: str = "open", action: str | None = None,
                   tier: str | None = None, older_than_s: float | None = None,
                   reviewer: str | None = None, thread_id: str | None = None,
                   order: str = "age", limit: int | None = None, offset: int = 0,
                   now: datetime | None = None, due: bool = False,
                   request: bool = True) -> list[tuple]:
        """`queue` as plain tuples in `ROW_COLUMNS` order (the fast path of `Inbox`);
        ``due=True`` keeps only requests whose deadline has passed at ``now``;
        ``request=False`` leaves the stored request out (None), for listings."""
        self.setup()
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
        return self._db.query(self._q(sql), params)

    def queue_count(self, *, state: str = "open", action: str | None = None,
                    tier: str | None = None, older_than_s: float | None = None,
                    reviewer: str | None = None, now: datetime | None = None) -> int:
        """How many queue rows `queue` would list without ``limit``."""
        self.setup()
        where, params = self._filters(state, action, tier, older_than_s, reviewer, None, now)
        return int(self._db.query(self._q("SELECT COUNT(*) FROM hitl_requests r" + where),
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

    def threads_to_recover(self) -> list[str]:
        """Threads with a decision recorded but not applied (a crash, a failed resume)."""
        self.setup()
        return [r[0] for r in self._db.query(
            "SELECT DISTINCT thread_id FROM hitl_decisions WHERE status != 'applied'")]

    # -- M-of-N votes ----------------------------------------------------------------------
    def vote(self, request: ReviewRequest, decision: Decision, *, owner: str | None = None,
             lease_s: float = 300.0) -> Decision | None:
        """Record one reviewer's vote; return the final decision once the quorum is met
        (recorded in the same transaction, exactly once), else None.

        Raise `AlreadyDecided` when the request is decided or this reviewer voted already.
        """
        if decision.type not in ("approve", "reject"):
            raise HitlError(f"{quote(request.action)!r} needs {request.approvals} approvals: vote "
                            "approve or reject (an edit would need approving again)")
        self.setup()
        key = tuple(request.key)
        with self._db.transaction() as cur:
            if self._db.dialect == "postgres":  # serialise voters of this request
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (json.dumps(key),))
            first = self._final(cur, key)
            if first is not None:
                raise AlreadyDecided(f"{quote(request.action)!r} was {first.summary()}; your vote "
                                     "was not counted", first)
            tally = self._tally(cur, key)
            for kind, names in tally.items():
                if decision.reviewer in names:
                    raise AlreadyDecided(
                        f"{decision.reviewer} already voted {kind} on {quote(request.action)!r};"
                        " each reviewer votes once", None)
            cur.execute(self._q(
                "INSERT INTO hitl_votes (thread_id, interrupt_id, action_index, reviewer, vote,"
                " comment, voted_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                (*key, decision.reviewer, decision.type, decision.comment,
                 (decision.decided_at or datetime.now(timezone.utc)).timestamp()))
            tally[decision.type].append(decision.reviewer)
            final = None
            if len(tally["reject"]) >= request.rejections:
                final = "reject"
            elif len(tally["approve"]) >= request.approvals:
                final = "approve"
            if final is None:
                return None
            comments = [c for c in self._comments(cur, key, final) if c]
            result = Decision(final, comment="; ".join(comments) or None,
                              reviewer=", ".join(tally[final]),
                              decided_at=decision.decided_at)
            self._insert_decision(cur, request, result, owner, lease_s)
        return result

    def tally(self, key: Key) -> dict[str, list[str]]:
        """Reviewers who voted ``approve`` and ``reject`` on one request, in order."""
        self.setup()
        with self._db.transaction() as cur:
            return self._tally(cur, tuple(key))

    def _tally(self, cur: Any, key: tuple) -> dict[str, list[str]]:
        cur.execute(self._q(
            "SELECT reviewer, vote FROM hitl_votes WHERE thread_id = ? AND interrupt_id = ?"
            " AND action_index = ? ORDER BY voted_at"), key)
        out: dict[str, list[str]] = {"approve": [], "reject": []}
        for reviewer, vote in cur.fetchall():
            out.setdefault(vote, []).append(reviewer)
        return out

    def _comments(self, cur: Any, key: tuple, vote: str) -> list[str | None]:
        cur.execute(self._q(
            "SELECT comment FROM hitl_votes WHERE thread_id = ? AND interrupt_id = ?"
            " AND action_index = ? AND vote = ? ORDER BY voted_at"), (*key, vote))
        return [r[0] for r in cur.fetchall()]

    def _final(self, cur: Any, key: tuple) -> Decision | None:
        cur.execute(self._q(
            "SELECT decision, reviewer, comment, decided_at FROM hitl_decisions"
            " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?"), key)
        row = cur.fetchone()
        if row is None:
            return None
        return Decision(row[0], reviewer=row[1], comment=row[2], decided_at=_dt(row[3]))

    def votes_frame(self) -> Any:
        """Every individual vote as a DataFrame (``voted_at`` in UTC)."""
        import pandas as pd

        self.setup()
        names, rows = self._db.columns(
            "SELECT thread_id, interrupt_id, action_index, reviewer, vote, comment, voted_at"
            " FROM hitl_votes ORDER BY voted_at")
        df = pd.DataFrame(rows, columns=names)
        df["voted_at"] = pd.to_datetime(df["voted_at"].astype(float), unit="s", utc=True)
        return df

    # -- reviewer claims ---------------------------------------------------------------------
    def claim_review(self, key: Key, reviewer: str, for_s: float = 600.0,
                     take_over: bool = False) -> None:
        """Claim a request for ``reviewer`` for ``for_s`` seconds; raise `ClaimedByOther`
        when someone else holds a live claim (unless ``take_over``)."""
        self.setup()
        now = time.time()
        lock = " FOR UPDATE" if self._db.dialect == "postgres" else ""
        with self._db.transaction() as cur:
            cur.execute(self._q(
                "SELECT claimed_by, claimed_until, state FROM hitl_requests WHERE thread_id = ?"
                f" AND interrupt_id = ? AND action_index = ?{lock}"), tuple(key))
            row = cur.fetchone()
            if row is None:
                raise HitlError(f"no review request {tuple(key)} in this log")
            holder, until, _state = row
            if holder and holder != reviewer and (until or 0) > now and not take_over:
                raise ClaimedByOther(
                    f"being reviewed by {holder} until {_dt(until):%H:%M:%S} UTC; pass "
                    "take_over=True to take it over", holder)
            cur.execute(self._q(
                "UPDATE hitl_requests SET claimed_by = ?, claimed_until = ? WHERE thread_id = ?"
                " AND interrupt_id = ? AND action_index = ?"),
                (reviewer, now + for_s, *tuple(key)))

    def release_review(self, key: Key, reviewer: str) -> None:
        """Drop ``reviewer``'s claim on a request (no-op when they do not hold it)."""
        self.setup()
        with self._db.transaction() as cur:
            cur.execute(self._q(
                "UPDATE hitl_requests SET claimed_by = NULL, claimed_until = NULL"
                " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?"
                " AND claimed_by = ?"), (*tuple(key), reviewer))

    def claimant(self, key: Key) -> tuple[str, datetime] | None:
        """(reviewer, until) of the live claim on a request, or None."""
        self.setup()
        rows = self._db.query(self._q(
            "SELECT claimed_by, claimed_until FROM hitl_requests WHERE thread_id = ?"
            " AND interrupt_id = ? AND action_index = ? AND claimed_by IS NOT NULL"
            " AND claimed_until > ?"), (*tuple(key), time.time()))
        return (rows[0][0], _dt(rows[0][1])) if rows else None


__all__ = ["QUEUE_COLUMNS", "ROW_COLUMNS", "IntegrityError", "QueueLog", "queue_summary"]
