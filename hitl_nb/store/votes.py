"""The votes part of the log: table ``hitl_votes``, for requests that need M of N approvals.

Each reviewer votes once; the vote that meets the quorum records the final decision in
the same transaction (through the `Decisions` part), exactly once. `hitl_nb.DecisionLog`
owns one `Votes` and delegates to it (``log.vote``, ``log.tally``, ``log.votes_frame``)::

    votes = Votes(db, placeholders(db.dialect), Decisions(db, placeholders(db.dialect)))
    votes.vote(request, Decision("approve", reviewer="ana"))  # None until the quorum
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ..model import AlreadyDecided, Decision, HitlError, ReviewRequest, quote
from .decisions import Decisions
from .queue import RELEASE_CLAIM
from .sql import Placeholders, dt

__all__ = ["Votes"]


class Votes:
    """The ``hitl_votes`` rows of one backend ``db``; a quorum is recorded by
    ``decisions``."""

    def __init__(self, db: Any, q: Placeholders, decisions: Decisions) -> None:
        self.db = db
        self.q = q
        self.decisions = decisions

    def vote(self, request: ReviewRequest, decision: Decision, *, owner: str | None = None,
             lease_s: float = 300.0) -> Decision | None:
        """Record one reviewer's vote; return the final decision once the quorum is met
        (recorded in the same transaction, exactly once), else None.

        Raise `AlreadyDecided` when the request is decided or this reviewer voted already.
        """
        self.decisions.check_storable(decision)
        if decision.type not in ("approve", "reject"):
            raise HitlError(f"{quote(request.action)!r} needs {request.approvals} approvals: vote "
                            "approve or reject (an edit would need approving again)")
        key = tuple(request.key)
        with self.db.transaction() as cur:
            if self.db.dialect == "postgres":  # serialise voters of this request
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
            cur.execute(self.q(
                "INSERT INTO hitl_votes (thread_id, interrupt_id, action_index, reviewer, vote,"
                " comment, voted_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                (*key, decision.reviewer, decision.type, decision.comment,
                 (decision.decided_at or datetime.now(timezone.utc)).timestamp()))
            cur.execute(self.q(RELEASE_CLAIM), (*key, decision.reviewer))  # their part is done
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
            self.decisions.insert(cur, request, result, owner, lease_s)
        return result

    def tally(self, key: Sequence[Any]) -> dict[str, list[str]]:
        """Reviewers who voted ``approve`` and ``reject`` on one request, in order."""
        with self.db.transaction() as cur:
            return self._tally(cur, tuple(key))

    def _tally(self, cur: Any, key: tuple) -> dict[str, list[str]]:
        cur.execute(self.q(
            "SELECT reviewer, vote FROM hitl_votes WHERE thread_id = ? AND interrupt_id = ?"
            " AND action_index = ? ORDER BY voted_at"), key)
        out: dict[str, list[str]] = {"approve": [], "reject": []}
        for reviewer, vote in cur.fetchall():
            out.setdefault(vote, []).append(reviewer)
        return out

    def _comments(self, cur: Any, key: tuple, vote: str) -> list[str | None]:
        cur.execute(self.q(
            "SELECT comment FROM hitl_votes WHERE thread_id = ? AND interrupt_id = ?"
            " AND action_index = ? AND vote = ? ORDER BY voted_at"), (*key, vote))
        return [r[0] for r in cur.fetchall()]

    def _final(self, cur: Any, key: tuple) -> Decision | None:
        cur.execute(self.q(
            "SELECT decision, reviewer, comment, decided_at FROM hitl_decisions"
            " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?"), key)
        row = cur.fetchone()
        if row is None:
            return None
        return Decision(row[0], reviewer=row[1], comment=row[2], decided_at=dt(row[3]))

    def frame(self) -> Any:
        """Every individual vote as a DataFrame (``voted_at`` in UTC)."""
        import pandas as pd

        names, rows = self.db.columns(
            "SELECT thread_id, interrupt_id, action_index, reviewer, vote, comment, voted_at"
            " FROM hitl_votes ORDER BY voted_at")
        df = pd.DataFrame(rows, columns=names)
        df["voted_at"] = pd.to_datetime(df["voted_at"].astype(float), unit="s", utc=True)
        return df
