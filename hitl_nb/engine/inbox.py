"""`Inbox`: every pending review across all threads of a shared log, in one query.

Sessions keep the log's queue table consistent (a request is ``open`` until decided,
resumed, or gone from the graph), so listing 10,000 pending threads never loads a
thread's state. With a ``graph`` the inbox also decides: each decision goes through a
`Session` of its thread, so it is logged and resumed exactly once.

Example::

    inbox = hitl_nb.Inbox("hitl.db", graph=graph, reviewer="ana")
    for request in inbox.pending:
        print(request.thread_id, request.action, request.extra["claimed_by"])
    inbox.claim(inbox.pending[0], for_s=600)           # others see "being reviewed by ana"
    inbox.decide(inbox.pending[0], hitl_nb.Decision("approve"))
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from .. import formats
from ..analysis.log import DecisionLog
from ..errors import ResumeFailed
from ..model import (
    AlreadyDecided,
    Decision,
    HitlError,
    ReviewRequest,
    Risk,
    StaleRequest,
    default_reviewer,
    quote,
    utcnow,
)
from ..store.fastjson import loads, loads_strict
from ..store.opinions import selected
from . import queue as _queue
from ._inbox_table import approvals_text, table
from .session import Session, check_graph


def open_log(target: Any) -> DecisionLog:
    """The decision log behind a path, URL, `DecisionLog`, checkpointer or graph."""
    if isinstance(target, DecisionLog):
        return target
    if isinstance(target, (str, os.PathLike)):
        return DecisionLog(target)
    saver = getattr(target, "checkpointer", target)  # a compiled graph
    if getattr(saver, "hitl_url", None):              # hitl_nb.checkpointer(postgres URL)
        return DecisionLog(saver.hitl_url)
    conn = getattr(saver, "conn", None)
    if isinstance(conn, sqlite3.Connection):           # SqliteSaver: the same file
        path = conn.execute("PRAGMA database_list").fetchone()[2]
        return DecisionLog(path or conn)
    raise HitlError(
        f"cannot find a review queue in {type(target).__name__}; pass the log's path or "
        "postgresql:// URL, e.g. hitl_nb.Inbox('hitl.db', graph=graph)")


def requests_from_rows(rows: list[tuple], now: float | None = None) -> list[ReviewRequest]:
    """Queue rows (`DecisionLog.queue_rows`) as `ReviewRequest` objects with the queue's
    details in ``extra``: state, claimed_by, claimed_until, approvals_so_far. They carry
    what the queue keeps (`queue_summary`); a card re-reads the live interrupt."""
    now = utcnow().timestamp() if now is None else now
    gc_was_on = gc.isenabled()
    gc.disable()  # only new, acyclic objects here: skip collections while building them
    try:
        return _build(rows, now)
    finally:
        if gc_was_on:
            gc.enable()


def _summaries(rows: list[tuple]) -> list[dict[str, Any]]:
    """The stored requests as dicts: one parse of them all, or, when one of them is not
    valid JSON, one parse each (that one reads as a marked ``unreadable`` stand-in)."""
    try:
        out = loads_strict("[" + ",".join(r[5] or "{}" for r in rows) + "]")
        if len(out) == len(rows) and all(type(d) is dict for d in out):
            return out
    except ValueError:
        pass
    return [_summary(r[5]) for r in rows]


def _summary(text: str | None) -> dict[str, Any]:
    data = loads(text) if text else {}
    if isinstance(data, dict) and data.get("$hitl") != "unreadable":
        return data
    return {"args": data, "description": "(this request's stored summary is unreadable)"}


def _risk(data: Any) -> Risk | None:
    try:
        return Risk(data["tier"], data["score"], tuple(data["reasons"]))
    except (KeyError, TypeError):  # written by hand, or by another version
        return Risk.from_dict(data)


def _build(rows: list[tuple], now: float) -> list[ReviewRequest]:
    summaries = _summaries(rows)
    stamp, utc = datetime.fromtimestamp, timezone.utc
    out = []
    append = out.append
    for (thread, iid, index, action, requested, _, state, confidence, _tier, expires,
         approvals, holder, until, so_far), data in zip(rows, summaries, strict=True):
        get = data.get
        risk = get("risk")
        claimed = until is not None and until > now
        append(ReviewRequest(
            action, get("args"), get("description"),
            tuple(get("allowed") or ("approve", "reject")), get("format") or "plain",
            thread, iid, index, get("count") or 1, get("node"), task=get("task"),
            confidence=confidence,
            risk=_risk(risk) if risk else None,
            requested_at=None if requested is None else stamp(requested, utc),
            expires_at=None if expires is None else stamp(expires, utc),
            on_timeout=get("on_timeout") or "reject", approvals=approvals or 1,
            rejections=get("rejections") or 1, details=get("details") or {},
            expects=get("expects"),
            extra={"state": state, "approvals_so_far": so_far,
                   "claimed_by": holder if claimed else None,
                   "claimed_until": stamp(until, utc) if claimed else None}))
    return out


class Inbox:
    """Pending reviews across every thread that shares ``target``'s log.

    ``target`` is the log's SQLite path or ``postgresql://`` URL, a `DecisionLog`, or the
    checkpointer (or graph) whose database holds it. Opening the inbox applies expired
    requests' timeout actions; with a ``graph`` it can also decide and recover.

    - ``reviewer``: the name claims and decisions are logged under (default: the OS user).
    - ``clock``: returns the current time, timezone-aware (tests pass a fake one).
    - ``resume``: maps a request and its decision to the resume value (as for `Session`).
    - ``expire``: apply overdue requests' timeout actions on opening (default True).
    - ``second_opinion``: the share (0 to 1) of decided requests picked for a blind second
      review (`awaiting_second_opinion`), for measuring agreement.

    Raises `HitlError` when ``target`` holds no log it can find, `MissingCheckpointer` /
    `TypeError` for a ``graph`` that cannot be reviewed, `ValueError` for a share outside
    0..1, and `LogUnavailable` (or a subclass) when the log cannot be opened.

    Example::

        inbox = hitl_nb.Inbox("hitl.db", graph=graph, reviewer="ana")
        request = inbox.list(tier="always", order="deadline")[0]
        inbox.claim(request, for_s=600)
        inbox.decide(request, hitl_nb.Decision("approve"))
    """

    def __init__(self, target: Any = "hitl.db", graph: Any = None, *,
                 reviewer: str | None = None, clock: Callable[[], datetime] = utcnow,
                 resume: formats.ResumeMapper | None = None, expire: bool = True,
                 second_opinion: float = 0.0) -> None:
        if graph is not None:
            check_graph(graph)
        self.log = open_log(graph if target is None else target)
        self.log.setup()
        self.graph = graph
        self.reviewer = reviewer or default_reviewer()
        self.clock = clock
        self.resume = resume
        self.second_opinion_share = second_opinion
        selected(("", "", 0), second_opinion)  # validates the share
        if expire:
            self.expire()

    def __repr__(self) -> str:
        return f"Inbox({self.log!r}, {self.count()} pending)"

    # -- listing --------------------------------------------------------------------------
    @property
    def pending(self) -> list[ReviewRequest]:
        """Every open request, oldest first (one SQL query)."""
        return self.list()

    def list(self, *, action: str | None = None, tier: str | None = None,
             older_than_s: float | None = None, reviewer: str | None = None,
             order: str = "age", limit: int | None = None, offset: int = 0,
             state: str = "open", due: bool = False) -> list[ReviewRequest]:
        """Open requests filtered by action, risk tier, minimum age, claiming reviewer
        (``""`` for unclaimed), deadline passed (``due=True``), sorted (age, newest,
        confidence, action, deadline, thread) and paged with ``limit``/``offset``."""
        rows = self.log.queue_rows(state=state, action=action, tier=tier,
                                   older_than_s=older_than_s, reviewer=reviewer, order=order,
                                   limit=limit, offset=offset, now=self.clock(), due=due)
        return requests_from_rows(rows)

    def count(self, **filters: Any) -> int:
        """How many open requests match ``filters`` (those of `list`)."""
        filters.pop("order", None)
        return self.log.queue_count(now=self.clock(), **filters)

    def actions(self) -> list[str]:
        """The distinct actions of open requests (for filters)."""
        return sorted({r["action"] for r in self.log.queue()})

    def to_pandas(self, **filters: Any) -> Any:
        """The open requests (filtered as in `list`) as a DataFrame: thread_id,
        interrupt_id, index, action, tier, confidence, requested_at, age_s, expires_at,
        approvals ("1 of 2 approvals") and claimed_by, read from the queue's columns
        alone (no request is parsed), so 10,000 rows take a few tens of milliseconds."""
        now = self.clock()
        rows = self.log.queue_rows(now=now, request=False, **filters)
        return table(rows, now.timestamp())

    @staticmethod
    def approvals_text(request: ReviewRequest) -> str:
        """"1 of 2 approvals", or "" for a single-approval request."""
        return approvals_text(request.approvals, request.extra.get("approvals_so_far"))

    # -- claims -----------------------------------------------------------------------------
    def claim(self, request: ReviewRequest, reviewer: str | None = None,
              for_s: float = 600.0, take_over: bool = False) -> None:
        """Claim ``request`` for ``for_s`` seconds: others see "being reviewed by X" and
        cannot decide it unless they take it over (``take_over=True``). Raises
        `ClaimedByOther` when another reviewer holds it and ``take_over`` is False."""
        self.log.claim_review(request.key, reviewer or self.reviewer, for_s, take_over)

    def release(self, request: ReviewRequest, reviewer: str | None = None) -> None:
        """Give up one's claim on ``request``."""
        self.log.release_review(request.key, reviewer or self.reviewer)

    # -- deciding ---------------------------------------------------------------------------
    def session(self, thread_id: str, reviewer: str | None = None) -> Session:
        """A `Session` on one thread, picked up where it stands (never re-run). Raises
        `HitlError` when the inbox has no graph, and what `Session.start` raises."""
        if self.graph is None:
            raise HitlError("this inbox has no graph: pass graph= to decide or open threads")
        return Session(self.graph, thread_id=thread_id, log=self.log,
                       reviewer=reviewer or self.reviewer, clock=self.clock,
                       resume=self.resume).start(None)

    def decide(self, request: ReviewRequest, decision: Decision) -> Decision:
        """Log ``decision`` for ``request`` and resume its thread (exactly once).

        Raises what `Session.decide` raises: `AlreadyDecided` / `StaleRequest` naming the
        first decision, `ClaimedByOther`, `Expired`, `InvalidResponse`, `ResumeFailed`.
        """
        session = self.session(request.thread_id, decision.reviewer or None)
        live = next((r for r in session.requests if r.key == request.key), None)
        if live is None:
            first = self.log.get(*request.key)
            was = first.summary() if first else "resumed"
            raise StaleRequest(f"{quote(request.action)!r} in thread {request.thread_id} is"
                               f" no longer pending: it was {was}. Nothing was changed.", first)
        return session.decide(live, decision)

    def decide_many(self, requests: Iterable[ReviewRequest], kind: str = "approve",
                    comment: str | None = None) -> list[tuple[ReviewRequest, Any]]:
        """Bulk approve/reject: each request logged and resumed one by one. Returns
        (request, Decision or the HitlError it raised) pairs; one failure stops nothing."""
        out: list[tuple[ReviewRequest, Any]] = []
        for request in requests:
            try:
                out.append((request, self.decide(request, Decision(kind, comment=comment))))
            except HitlError as exc:
                out.append((request, exc))
        return out

    # -- second opinions (shadow votes: never resume the graph, see `hitl_nb.store.opinions`) --
    def awaiting_second_opinion(self, reviewer: str | None = None, *,
                                opinions: int = 1) -> list[ReviewRequest]:
        """Requests picked for a second opinion (``second_opinion`` share) that still need
        one from ``reviewer``: open or already decided, never decided by ``reviewer``. The
        requests carry nothing of the first decision; oldest first."""
        who = reviewer or self.reviewer
        rows = [row for state in ("open", "decided", "applied")
                for row in self.log.queue_rows(state=state, now=self.clock())]
        rows = self.log.awaiting_second_opinion(rows, self.second_opinion_share, who, opinions)
        return requests_from_rows(sorted(rows, key=lambda r: (r[4], r[0], r[1], r[2])))

    def second_opinion(self, request: ReviewRequest, decision: Decision) -> Decision:
        """Log ``decision`` as a shadow vote on ``request`` (reviewer: the decision's, else
        the inbox's). It never resumes the graph and never becomes the real decision."""
        return self.log.second_opinion(request, decision, decision.reviewer or self.reviewer,
                                       self.clock())

    # -- deadlines and recovery -------------------------------------------------------------
    def expire(self) -> list[ReviewRequest]:
        """Apply the timeout action of every open request whose deadline passed.

        Logged with reviewer ``timeout``; with a graph the threads resume now, without
        one they resume when a session or a graph-holding inbox next opens them.
        """
        now = self.clock()
        due = self.list(order="deadline", due=True)  # in SQL: opening stays one cheap query
        for thread in dict.fromkeys(r.thread_id for r in due):
            if self.graph is not None:
                self.session(thread)
                continue
            for request in (r for r in due if r.thread_id == thread):
                with contextlib.suppress(AlreadyDecided):  # expired by another process
                    self.log.record(request, _queue.timeout_decision(request, now))
        return due

    def recover(self) -> list[str]:
        """Apply, once, every decision recorded but not applied (after a crash or a failed
        resume); return the threads applied.

        Every thread is tried. Where the graph still raises, the decision stays recorded
        (a later ``recover()`` applies it once the cause is fixed), and after the others
        are applied `ResumeFailed` names those threads; its ``recovered`` lists the
        applied ones and ``failed`` maps each failed thread to its error.
        """
        recovered: list[str] = []
        failed: dict[str, ResumeFailed] = {}
        for thread in self.log.threads_to_recover():
            try:
                self.session(thread)
            except ResumeFailed as exc:
                failed[thread] = exc
            else:
                recovered.append(thread)
        if failed:
            first = next(iter(failed.values()))
            err = ResumeFailed(
                f"{len(failed)} thread(s) still fail while resuming and stay recorded: "
                f"{', '.join(failed)}; first error: {first.__cause__!r}. "
                f"{len(recovered)} other thread(s) were applied. Fix the cause and call "
                "recover() again.")
            err.recovered, err.failed = recovered, failed
            raise err from first.__cause__
        return recovered

    def sync(self, thread_ids: Iterable[str] | None = None) -> int:
        """Add to the queue the pending reviews of threads run outside hitl_nb (one
        ``get_state`` per thread: a one-off import, not the way to list). Returns how
        many threads were read. Raises `HitlError` when the inbox has no graph."""
        if self.graph is None:
            raise HitlError("sync() reads threads from the graph: pass graph= to the Inbox")
        if thread_ids is None:
            saver = self.graph.checkpointer
            thread_ids = dict.fromkeys(t.config["configurable"]["thread_id"]
                                       for t in saver.list(None))
        n = 0
        for thread in thread_ids:
            Session(self.graph, thread_id=thread, log=self.log, reviewer=self.reviewer,
                    clock=self.clock, resume=self.resume).refresh()
            n += 1
        return n
