"""The decision log: every decision, durable first, one call away from a DataFrame.

A decision row is ``recorded`` before the graph resumes, ``applying`` while one process
holds a short lease on it (the decision a resume waits for is committed ``applying`` at
once, under that lease), and ``applied`` once the resume returned. One decision per
(thread_id, interrupt_id, action_index) is enforced by a UNIQUE constraint, so a double
click or a second kernel cannot decide twice.

Example::

    log = hitl_nb.DecisionLog("hitl.db")
    df = log.to_pandas()
    df.groupby("action").decision.value_counts()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..model import Decision, ReviewRequest, Risk
from .db import LogBusy, LogReadOnly, LogUnavailable
from .handle import LogHandle, LogParts
from .queue import Key

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DecisionLog", "LogBusy", "LogParts", "LogReadOnly", "LogUnavailable"]


class DecisionLog(LogHandle):
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

    # -- the review queue (`hitl_nb.store.queue`) -------------------------------------------
    def note_requests(self, requests: Iterable[ReviewRequest], now: datetime) -> dict:
        """Remember when each request was first seen (a queue row, state ``open``); return
        (thread_id, interrupt_id, index) -> first-seen time for the requests.

        The first time survives restarts, so latency counts from the real request. A
        read-only log notes nothing and returns what it holds.
        """
        requests = list(requests)
        noted: dict = {}
        if requests:
            self._write(self._all.queue.note, requests, now, noted)
        rest = [r for r in requests if r.key not in noted]   # open already: read them
        return {**self._parts.queue.first_seen(rest), **noted} if rest else noted

    def close_missing(self, thread_id: str, live: Sequence[str], before: datetime) -> int:
        """Mark ``gone`` the open queue rows of ``thread_id`` whose interrupt is not in
        ``live`` (resumed elsewhere, or the thread moved on); rows first seen at or after
        ``before`` stay. Returns how many; a read-only log keeps its queue as it is."""
        return self._write(self._all.queue.close_missing, thread_id, live, before)

    def queue(self, **filters: Any) -> list[dict[str, Any]]:
        """Queue rows as dicts, in one query: filter by ``state`` (default ``open``),
        ``action``, ``tier``, ``older_than_s``, ``reviewer`` (``""`` = unclaimed) or
        ``thread_id``; sort by ``order`` (age, newest, confidence, action, deadline,
        thread); page with ``limit`` / ``offset``. Raises `HitlError` for an unknown order.

        Example::

            log.queue(action="send_email", reviewer="", order="deadline", limit=50)
        """
        return self._parts.queue.listing(**filters)

    def queue_rows(self, **filters: Any) -> list[tuple]:
        """`queue` as plain tuples in `hitl_nb.store.queue.ROW_COLUMNS` order (the fast
        path of `Inbox`); also ``due=True`` (only requests past their deadline at ``now``)
        and ``request=False`` (the stored request left out, for listings)."""
        return self._parts.queue.rows(**filters)

    def queue_count(self, **filters: Any) -> int:
        """How many rows `queue` would list with these filters and no ``limit``."""
        return self._parts.queue.count(**filters)

    def undecided(self) -> list[tuple]:
        """Every request seen, in any state, that has no decision yet: (thread_id,
        interrupt_id, action_index, action, requested_at, request) as stored (epoch
        seconds, JSON text), oldest first (what the reviewer app lists)."""
        return self._parts.queue.undecided()

    def claim_review(self, key: Key, reviewer: str, for_s: float = 600.0,
                     take_over: bool = False) -> None:
        """Claim the request with ``key`` (thread_id, interrupt_id, index) for ``reviewer``
        for ``for_s`` seconds, so other reviewers see it is taken. (Not the resume lease:
        `take_resume_lease`.)

        Raises `ClaimedByOther` when someone else holds a live claim (unless
        ``take_over``), `HitlError` when the log has no such request.
        """
        self._parts.queue.claim(key, reviewer, for_s, take_over)

    def release_review(self, key: Key, reviewer: str) -> None:
        """Drop ``reviewer``'s claim on a request (nothing happens when they hold none)."""
        self._parts.queue.release(key, reviewer)

    def claimant(self, key: Key) -> tuple[str, datetime] | None:
        """(reviewer, until) of the live claim on the request with ``key``, or None."""
        return self._parts.queue.claimant(key)

    # -- decisions (`hitl_nb.store.decisions`) ---------------------------------------------
    def record(self, request: ReviewRequest, decision: Decision, *, owner: str | None = None,
               lease_s: float = 300.0, status: str = "recorded",
               resume_value: Any = None) -> int:
        """Commit one decision (status ``recorded``), mark its queue row ``decided`` and end
        its reviewer's claim on it, in one transaction.

        With ``owner`` the row is born ``applying`` under that owner's resume lease, so no
        other process's recovery can take it between the record and the resume. A policy or a
        timeout records its decision the same way, naming itself as the reviewer
        (``Decision("approve", reviewer="policy:read_only")``, ``"timeout"``);
        ``status="applied"`` for one that never needs a resume. ``resume_value``: what the
        graph will be resumed with, when known at once (a one-request interrupt), so the
        row keeps it even if the process dies during the resume. Returns the SQLite rowid
        (0 on PostgreSQL).

        Raises `AlreadyDecided` (naming the first decision) if the request has one, and
        `InvalidResponse` for text the database cannot store; nothing is written then.
        """
        return self._parts.decisions.record(request, decision, owner=owner, lease_s=lease_s,
                                            status=status, resume_value=resume_value)

    def record_auto(self, action: str, args: Any = None, *, decision: str = "approve",
                    reviewer: str = "policy", comment: str | None = None,
                    thread_id: str = "", task: str | None = None, steps: Any = None,
                    confidence: float | None = None, risk: Risk | None = None,
                    when: datetime | None = None) -> int:
        """Log a decision taken without a human, for an action that never became an
        interrupt (a policy let it through or blocked it). It is ``applied`` at once.

        Example::

            log.record_auto("read_file", {"path": "a.txt"}, reviewer="policy:read_only")
        """
        return self._parts.decisions.record_auto(
            action, args, decision=decision, reviewer=reviewer, comment=comment,
            thread_id=thread_id, task=task, steps=steps, confidence=confidence, risk=risk,
            when=when)

    def check_storable(self, decision: Decision) -> None:
        """Check, before anything is recorded, that this log's database can store the
        decision's text. Raises `InvalidResponse` when it cannot (NUL characters on
        PostgreSQL)."""
        self._all.decisions.check_storable(decision)

    def get(self, thread_id: str, interrupt_id: str, index: int = 0) -> Decision | None:
        """The decision recorded for one request (action ``index`` of an interrupt), if any.

        Example::

            log.get("thread-1", interrupt_id).type  # 'approve'
        """
        return self._parts.decisions.get(thread_id, interrupt_id, index)

    def decisions(self, thread_id: str, interrupt_id: str) -> dict[int, Decision]:
        """Action index -> decision, for one interrupt (empty when none is recorded)."""
        return self._parts.decisions.of_interrupt(thread_id, interrupt_id)

    def decisions_in(self, thread_id: str, interrupt_ids: Sequence[str]
                     ) -> dict[tuple[str, int], Decision]:
        """(interrupt id, action index) -> decision, for the given interrupts of a thread
        (those without one left out).

        Example::

            log.decisions_in("t1", [r.interrupt_id for r in session.pending])
        """
        return self._parts.decisions.of_interrupts(thread_id, interrupt_ids)

    def decisions_on(self, action: str, excluding: Sequence[str] = ()) -> list[tuple]:
        """(args, decision, reviewer, edited_args) of every decision on ``action``, oldest
        first, leaving out reviewers whose name starts with one of ``excluding``.

        Example::

            log.decisions_on("send_email", excluding=["policy:"])  # people's decisions
        """
        return self._parts.decisions.of_action(action, excluding)

    def count_decided(self, since: datetime, excluding: Sequence[str] = ()) -> int:
        """How many decisions were taken at or after ``since``, leaving out reviewers whose
        name starts with one of ``excluding`` (e.g. ``["policy:", "timeout"]``)."""
        return self._parts.decisions.count_since(since, excluding)

    def status(self, thread_id: str, interrupt_id: str) -> set[str]:
        """The statuses of one interrupt's decision rows: a subset of ``recorded``,
        ``applying`` (a process holds the resume lease) and ``applied``; empty when
        nothing is recorded.

        Example::

            if log.status(thread_id, interrupt_id) == {"applied"}:
                ...  # the graph was resumed with these decisions
        """
        return self._parts.decisions.status(thread_id, interrupt_id)

    # -- M-of-N votes (`hitl_nb.store.votes`) ------------------------------------------------
    def vote(self, request: ReviewRequest, decision: Decision, *, owner: str | None = None,
             lease_s: float = 300.0) -> Decision | None:
        """Record one reviewer's vote on a request that needs ``approvals`` approvals;
        return the final decision once the quorum is met (recorded in the same
        transaction, exactly once), else None.

        Raises `AlreadyDecided` when the request is decided or this reviewer voted
        already, `HitlError` for a vote other than approve or reject, `InvalidResponse`
        for text the database cannot store.
        """
        return self._parts.votes.vote(request, decision, owner=owner, lease_s=lease_s)

    def tally(self, key: Key) -> dict[str, list[str]]:
        """Reviewers who voted ``approve`` and ``reject`` on one request, in order."""
        return self._parts.votes.tally(key)

    def votes_frame(self) -> pd.DataFrame:
        """Every individual vote as a DataFrame (``voted_at`` in UTC)."""
        return self._parts.votes.frame()

    # -- the resume lease (`hitl_nb.store.resume`) --------------------------------------------
    def take_resume_lease(self, thread_id: str, interrupt_ids: Sequence[str], owner: str,
                          lease_s: float = 300.0) -> bool:
        """Take the lease on these interrupts' decisions (status ``applying``), to resume
        the graph with them; False if they are applied or another live owner holds it.
        (Not a reviewer's claim: `claim_review`.)"""
        return self._parts.resume.take(thread_id, interrupt_ids, owner, lease_s)

    def renew_resume_lease(self, thread_id: str, interrupt_ids: Sequence[str], owner: str,
                           lease_s: float = 300.0) -> int:
        """Extend ``owner``'s lease on decisions it is applying; how many rows it held."""
        return self._parts.resume.renew(thread_id, interrupt_ids, owner, lease_s)

    def release_resume_lease(self, thread_id: str, interrupt_ids: Sequence[str],
                             error: str | None,
                             resume_values: dict[str, Any] | None = None) -> None:
        """Give the resume lease back after a failed resume, keeping ``error`` and the
        values sent (``resume_values``); the decisions stay recorded, for a later resume
        or recovery."""
        self._parts.resume.release(thread_id, interrupt_ids, error, resume_values)

    def resume_lease(self, thread_id: str, interrupt_id: str) -> tuple[str, datetime] | None:
        """(owner, until) of the resume lease on one interrupt's decisions, also once
        ``until`` has passed; None when none was taken or it ended (applied, released)."""
        return self._parts.resume.holder(thread_id, interrupt_id)

    #: The names before the resume lease said what it locks: kept for existing code.
    claim = take_resume_lease
    renew = renew_resume_lease
    release = release_resume_lease

    def mark_applied(self, thread_id: str, interrupt_ids: Sequence[str],
                     resume_values: dict[str, Any]) -> None:
        """Mark these interrupts' decisions and queue rows ``applied`` once the graph was
        resumed with them, keeping each interrupt's resume value (``resume_values``:
        interrupt id -> value); the resume lease ends. Recovery never applies them again.

        Example::

            log.mark_applied("thread-1", [iid], {iid: {"type": "accept"}})
            log.status("thread-1", iid)  # {'applied'}
        """
        self._parts.resume.mark_applied(thread_id, interrupt_ids, resume_values)

    def unapplied(self, thread_id: str) -> list[str]:
        """Interrupt ids of the thread with decisions recorded but not yet applied."""
        return self._parts.resume.unapplied(thread_id)

    def threads_to_recover(self) -> list[str]:
        """Threads with a decision recorded but not applied (a crash, a failed resume)."""
        return self._parts.resume.threads_to_recover()

    # -- outcomes and second opinions ------------------------------------------------------
    def record_outcome(self, interrupt_id: str | None = None, *, ok: bool | None,
                       detail: Any = None, thread_id: str | None = None,
                       index: int | None = None, when: datetime | None = None) -> int:
        """Record what happened after a decision (tool result or error, a later human fix).

        Without ``interrupt_id`` the outcome belongs to the thread's latest decision. The
        decision row keeps the latest outcome (``outcome_ok``, ``outcome_detail``,
        ``outcome_at``); table ``hitl_outcomes`` keeps them all. Returns the rows updated.
        Raises `HitlError` when no decision matches.

        Example::

            log.record_outcome(iid, ok=False, detail="SMTP 550: mailbox unavailable")
        """
        return self._parts.outcomes.record(interrupt_id, ok=ok, detail=detail,
                                           thread_id=thread_id, index=index, when=when)

    def outcomes(self) -> pd.DataFrame:
        """Every recorded outcome (several per decision are possible), oldest first."""
        return self._parts.outcomes.frame()

    def second_opinion(self, request: ReviewRequest, decision: Decision, reviewer: str,
                       now: datetime | None = None) -> Decision:
        """Store ``reviewer``'s shadow vote on ``request`` (`hitl_nb.store.opinions`); it
        never becomes nor blocks the real decision. Returns it as logged.

        Raises `SameReviewer` when ``reviewer`` took the real decision, `NotAllowed` for a
        decision the request does not allow, `AlreadyDecided` when ``reviewer`` gave one.
        """
        return self._parts.opinions.record(request, decision, reviewer, now)

    def awaiting_second_opinion(self, rows: Iterable[tuple], share: float, reviewer: str,
                                wanted: int = 1) -> list[tuple]:
        """The queue rows (`queue_rows`) selected by ``share`` that still await
        ``reviewer``'s second opinion (fewer than ``wanted``, not decided by them)."""
        return self._parts.opinions.awaiting(rows, share, reviewer, wanted)

    def opinions(self) -> pd.DataFrame:
        """Every vote on requests that got a second opinion (`Inbox(second_opinion=...)`):
        the real decision (``shadow`` False) and the shadow votes (``shadow`` True), for
        ``log.opinions().hitl.agreement(by="action")``. See :mod:`hitl_nb.store.opinions`."""
        return self._parts.opinions.frame()

    # -- analysis ----------------------------------------------------------------------
    def to_pandas(self, since: datetime | None = None, thread_id: str | None = None,
                  action: str | None = None, *, flatten: bool = False) -> pd.DataFrame:
        """One row per decision, typed: UTC datetimes, categoricals, floats, parsed JSON.

        ``flatten=True`` adds ``args.<key>`` and ``edited_args.<key>`` columns. See
        :mod:`hitl_nb.store.frame` for the columns and ``df.hitl`` for the analysis helpers.
        Raises `HitlError` for a naive ``since``.
        """
        return self._parts.decisions.frame(since, thread_id, action, flatten=flatten,
                                           cache=self.frame_cache)

    def __len__(self) -> int:
        return self._parts.decisions.count()
