"""Queue rules a session applies on top of record -> resume: reviewer claims, deadlines
(the timeout action, decided by the reviewer ``timeout``) and M-of-N approvals (votes).

Functions over the log, a request and the time: they never see the session, which calls
them and keeps its own state (`Session._record`, `Session.expire`).

Example::

    check_claim(log, request, decision)          # raises ClaimedByOther
    final = commit(log, request, decision, {})   # None until a quorum of votes is met
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..model import AlreadyDecided, ClaimedByOther, Decision, Expired, ReviewRequest, quote
from ..render.text import duration

if TYPE_CHECKING:
    from ..store.log import DecisionLog

TIMEOUT_REVIEWER = "timeout"


def check_claim(log: DecisionLog, request: ReviewRequest, decision: Decision) -> None:
    """Raise `ClaimedByOther` when another reviewer holds a live claim on ``request``."""
    held = log.claimant(request.key)
    if held and held[0] != decision.reviewer:
        raise ClaimedByOther(
            f"{quote(request.action)!r} is being reviewed by {held[0]} until "
            f"{held[1]:%H:%M:%S} UTC; take it over with inbox.claim(request, "
            f"{decision.reviewer!r}, take_over=True) first. Nothing was recorded.", held[0])


def commit(log: DecisionLog, request: ReviewRequest, decision: Decision,
           lease: dict[str, Any], resume_value: Any = None) -> Decision | None:
    """Record ``decision``; for a request needing several approvals record a vote and
    return the final decision only once the quorum is met (else None).

    ``lease`` (``owner``, ``lease_s``) is given for the last pending decision: the row is
    born ``applying`` under the session's lease, so the session resumes right away and no
    other process may recover it meanwhile. The reviewer's claim on the request ends in
    the same transaction (their part is done). ``resume_value`` (what the graph will be
    resumed with, when the request is its interrupt's only one) is kept with a decision,
    not with a vote.
    """
    if request.approvals > 1 or request.rejections > 1:
        return log.vote(request, decision, **lease)
    log.record(request, decision, **lease, resume_value=resume_value)
    return decision


def timeout_decision(request: ReviewRequest, now: datetime) -> Decision:
    kind = request.on_timeout if request.on_timeout in request.allowed else "reject"
    when = request.expires_at or now
    return Decision(kind, reviewer=TIMEOUT_REVIEWER, decided_at=now,
                    comment=f"no decision before the deadline {when:%Y-%m-%d %H:%M:%S} UTC")


def overdue(request: ReviewRequest, now: datetime) -> bool:
    """True when ``request`` has a deadline and it has passed."""
    return request.expires_at is not None and request.expires_at <= now


def expire_due(log: DecisionLog, pending: Iterable[ReviewRequest], now: datetime
               ) -> dict[tuple, Decision | None]:
    """Record the timeout decision of every ``pending`` request whose deadline passed.

    Two processes expiring the same request record it once (the log's UNIQUE key).
    Returns each expired request's key with its first recorded decision; applying them
    is the caller's job.
    """
    due: dict[tuple, Decision | None] = {}
    for request in [r for r in pending if overdue(r, now)]:
        with contextlib.suppress(AlreadyDecided):  # another process expired it first
            log.record(request, timeout_decision(request, now))
        due[request.key] = log.get(*request.key)
    return due


def expired(log: DecisionLog, request: ReviewRequest) -> Expired:
    """The `Expired` error for ``request`` once its timeout decision is recorded."""
    first = log.get(*request.key)
    was = first.summary() if first else "timed out"
    return Expired(f"{quote(request.action)!r} expired at {request.expires_at:%H:%M:%S} UTC"
                   f" and was {was}; your decision was not recorded", first)


def note(log: DecisionLog, request: ReviewRequest, now: datetime, reviewer: str) -> str:
    """One line of plain text about the request's place in the queue (or "")."""
    parts = []
    if request.approvals > 1:
        tally = log.tally(request.key)
        names = f" ({', '.join(tally['approve'])})" if tally["approve"] else ""
        parts.append(f"{len(tally['approve'])} of {request.approvals} approvals{names}")
    if request.expires_at is not None:
        left = (request.expires_at - now).total_seconds()
        parts.append("expired" if left <= 0 else f"{duration(left)} left")
    held = log.claimant(request.key)
    if held and held[0] != reviewer:
        parts.append(f"being reviewed by {held[0]}")
    return " · ".join(parts)
