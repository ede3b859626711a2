"""Queue rules a `Session` applies on top of record -> resume: reviewer claims, deadlines
(the timeout action, decided by the reviewer ``timeout``) and M-of-N approvals (votes).

Kept apart from ``session.py`` so the path of one ordinary decision there stays short.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

from ..model import AlreadyDecided, ClaimedByOther, Decision, Expired, ReviewRequest
from ..render.text import duration

if TYPE_CHECKING:
    from .session import Session

TIMEOUT_REVIEWER = "timeout"


def check_claim(session: Session, request: ReviewRequest, decision: Decision) -> None:
    """Raise `ClaimedByOther` when another reviewer holds a live claim on ``request``."""
    held = session.log.claimant(request.key)
    if held and held[0] != decision.reviewer:
        raise ClaimedByOther(
            f"{request.action!r} is being reviewed by {held[0]} until "
            f"{held[1]:%H:%M:%S} UTC; take it over with inbox.claim(request, "
            f"{decision.reviewer!r}, take_over=True) first. Nothing was recorded.", held[0])


def commit(session: Session, request: ReviewRequest, decision: Decision) -> Decision | None:
    """Record ``decision``; for a request needing several approvals record a vote and
    return the final decision only once the quorum is met (else None).

    When it is the last pending decision, the row is born under the session's lease:
    the session resumes right away, and no other process may recover it meanwhile.
    """
    last = all(r.key == request.key for r in session.pending)
    lease = {"owner": session.owner, "lease_s": session.lease_s} if last else {}
    final: Decision | None = decision
    if request.approvals > 1 or request.rejections > 1:
        final = session.log.vote(request, decision, **lease)
    else:
        session.log.record(request, decision, **lease)
    session.log.release_review(request.key, decision.reviewer)  # their part is done
    return final


def timeout_decision(request: ReviewRequest, now: datetime) -> Decision:
    kind = request.on_timeout if request.on_timeout in request.allowed else "reject"
    when = request.expires_at or now
    return Decision(kind, reviewer=TIMEOUT_REVIEWER, decided_at=now,
                    comment=f"no decision before the deadline {when:%Y-%m-%d %H:%M:%S} UTC")


def expire_due(session: Session) -> list[ReviewRequest]:
    """Record the timeout decision of every pending request whose deadline has passed.

    Two processes expiring the same request record it once (the log's UNIQUE key).
    Returns the requests that expired; applying them is the caller's job.
    """
    now = session.clock()
    due = [r for r in session.pending if r.expires_at is not None and r.expires_at <= now]
    for request in due:
        with contextlib.suppress(AlreadyDecided):  # another process expired it first
            session.log.record(request, timeout_decision(request, now))
        first = session.log.get(*request.key)
        if first is not None:
            session.decided[request.key] = first
    return due


def check_deadline(session: Session, request: ReviewRequest) -> None:
    """Raise `Expired` (after recording the timeout action) when the deadline passed."""
    if request.expires_at is None or session.clock() < request.expires_at:
        return
    session.expire()
    first = session.log.get(*request.key)
    raise Expired(f"{request.action!r} expired at {request.expires_at:%H:%M:%S} UTC and was "
                  f"{first.summary() if first else 'timed out'}; your decision was not recorded",
                  first)


def note(session: Session, request: ReviewRequest) -> str:
    """One line of plain text about the request's place in the queue (or "")."""
    parts = []
    if request.approvals > 1:
        tally = session.log.tally(request.key)
        names = f" ({', '.join(tally['approve'])})" if tally["approve"] else ""
        parts.append(f"{len(tally['approve'])} of {request.approvals} approvals{names}")
    if request.expires_at is not None:
        left = (request.expires_at - session.clock()).total_seconds()
        parts.append("expired" if left <= 0 else f"{duration(left)} left")
    held = session.log.claimant(request.key)
    if held and held[0] != session.reviewer:
        parts.append(f"being reviewed by {held[0]}")
    return " · ".join(parts)

