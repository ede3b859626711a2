"""Second opinions: a share of requests is also shown to a second, independent reviewer.

Their vote is a *shadow decision*: stored in its own table (``hitl_opinions``, created on
first use, SQLite and PostgreSQL), never in ``hitl_decisions``, and never resumes the
graph. So a shadow vote can neither become nor block the real decision, whose
exactly-once rules are untouched. Each reviewer votes at most once per request (UNIQUE
per (thread_id, interrupt_id, action_index, reviewer)); the person who took the real
decision cannot also give its second opinion.

Which requests get one is decided by the request alone (`selected`: a hash of its key
against the share), so every process with the same share picks the same requests.

Example::

    inbox = hitl_nb.Inbox("hitl.db", reviewer="bo", second_opinion=0.1)
    for request in inbox.awaiting_second_opinion():
        inbox.second_opinion(request, hitl_nb.Decision("reject", comment="too broad"))
    log.opinions().hitl.agreement(by="action")
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import SameReviewer
from ..humans import is_automatic
from ..model import AlreadyDecided, Decision, HitlError, NotAllowed, ReviewRequest, quote
from .db import IntegrityError
from .decisions import Decisions
from .sql import Placeholders

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Opinions", "SameReviewer", "selected"]

def selected(key: tuple[str, str, int], share: float) -> bool:
    """True when the request with ``key`` (thread_id, interrupt_id, index) is one of the
    ``share`` (0..1) that get a second opinion: the first 8 bytes of the SHA-256 of the key,
    read as a number in [0, 1), fall below ``share``. The same in every process."""
    if not 0 <= share <= 1:
        raise ValueError(f"second_opinion must be a share between 0 and 1, got {share}")
    text = "\x1f".join(str(part) for part in key)
    draw = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2 ** 64
    return draw < share


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False)


class Opinions:
    """The ``hitl_opinions`` rows of one backend ``db`` (placeholders ``q``); ``decisions``
    tells who took the real decision. `hitl_nb.DecisionLog` owns one."""

    def __init__(self, db: Any, q: Placeholders, decisions: Decisions) -> None:
        self.db = db
        self.q = q
        self.decisions = decisions

    def record(self, request: ReviewRequest, decision: Decision, reviewer: str,
               now: datetime | None = None) -> Decision:
        """Store ``reviewer``'s shadow vote on ``request``; return it as logged.

        Raises `SameReviewer` when ``reviewer`` took the real decision, `NotAllowed` for a
        decision the request does not allow, `AlreadyDecided` (naming the first vote)
        when ``reviewer`` already gave one. Never touches the real decision.
        """

        if not reviewer or is_automatic(reviewer):
            raise HitlError(f"a second opinion comes from a person; reviewer {reviewer!r} "
                            "names a policy or a timeout: pass reviewer='your name'")
        if decision.type not in request.allowed:
            raise NotAllowed(f"{quote(request.action)!r} allows {', '.join(request.allowed)}; "
                             f"a second opinion of {decision.type!r} is not one of them")
        real = self.decisions.get(*request.key)
        if real is not None and real.reviewer == reviewer:
            raise SameReviewer(f"{reviewer} took the real decision on {quote(request.action)!r} "
                               f"(thread {request.thread_id}); a second opinion must come "
                               "from another reviewer")
        decided = decision.decided_at or now or datetime.now(timezone.utc)
        db = self.db
        try:
            with db.transaction() as cur:
                cur.execute(self.q(
                    "INSERT INTO hitl_opinions (thread_id, interrupt_id, action_index, action,"
                    " reviewer, decision, comment, edited_args, response, decided_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                    (*request.key, request.action or "(unnamed)", reviewer, decision.type,
                     decision.comment, _dumps(decision.args) if decision.type == "edit"
                     else None, _dumps(decision.response), decided.timestamp()))
        except IntegrityError:
            first = self.get(request.key, reviewer)
            raise AlreadyDecided(
                f"{reviewer} already gave a second opinion on {quote(request.action)!r} (thread "
                f"{request.thread_id}): {first.summary() if first else 'recorded'}; nothing "
                "was changed", first) from None
        return Decision(decision.type, args=decision.args, comment=decision.comment,
                        response=decision.response, reviewer=reviewer, decided_at=decided)

    def get(self, key: tuple[str, str, int], reviewer: str) -> Decision | None:
        """``reviewer``'s shadow vote on the request with ``key``, if any."""
        rows = self.db.query(self.q(
            "SELECT decision, edited_args, comment, response, decided_at FROM hitl_opinions"
            " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ? AND reviewer = ?"),
            (*key, reviewer))
        if not rows:
            return None
        kind, edited, comment, response, at = rows[0]
        return Decision(kind, args=None if edited is None else json.loads(edited),
                        comment=comment, response=None if response is None
                        else json.loads(response), reviewer=reviewer,
                        decided_at=datetime.fromtimestamp(at, timezone.utc))

    def awaiting(self, rows: Iterable[tuple], share: float, reviewer: str,
                 wanted: int = 1) -> list[tuple]:
        """The queue rows (``DecisionLog.queue_rows``) that await ``reviewer``'s second
        opinion: selected by ``share``, with fewer than ``wanted`` second opinions, not
        voted on by ``reviewer``, and not decided by ``reviewer`` or by a policy/timeout."""
        rows = [r for r in rows if selected((r[0], r[1], r[2]), share)]
        if not rows:
            return []
        db = self.db
        votes: dict[tuple, set[str]] = {}
        for t, i, n, who in db.query("SELECT thread_id, interrupt_id, action_index, reviewer"
                                     " FROM hitl_opinions"):
            votes.setdefault((t, i, n), set()).add(who)
        deciders = {(t, i, n): who for t, i, n, who in db.query(
            "SELECT thread_id, interrupt_id, action_index, reviewer FROM hitl_decisions")}

        out = []
        for row in rows:
            key = (row[0], row[1], row[2])
            who = deciders.get(key)
            mine = votes.get(key, set())
            if reviewer in mine or len(mine) >= wanted or who == reviewer:
                continue
            if who is not None and is_automatic(who):
                continue
            out.append(row)
        return out

    def frame(self) -> pd.DataFrame:
        """Every vote on the requests that got a second opinion: their real (logged)
        decision with ``shadow`` False, and each shadow vote with ``shadow`` True."""
        import pandas as pd

        db = self.db
        shared = ("thread_id, interrupt_id, action_index, action, reviewer, decision, comment,"
                  " decided_at")
        names, rows = db.columns(
            f"SELECT {shared}, 0 AS shadow FROM hitl_decisions d WHERE EXISTS (SELECT 1 FROM"
            " hitl_opinions o WHERE o.thread_id = d.thread_id AND o.interrupt_id ="
            " d.interrupt_id AND o.action_index = d.action_index)"
            f" UNION ALL SELECT {shared}, 1 AS shadow FROM hitl_opinions"
            " ORDER BY decided_at")
        df = pd.DataFrame(rows, columns=names)
        df["decided_at"] = pd.to_datetime(df["decided_at"].astype(float), unit="s", utc=True)
        df["shadow"] = df["shadow"].astype(bool)
        df["action_index"] = df["action_index"].astype("int64")
        for column in ("action", "reviewer", "decision"):
            df[column] = df[column].astype("category")
        for column in ("thread_id", "interrupt_id", "comment"):
            df[column] = df[column].astype("string")
        return df
