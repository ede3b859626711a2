"""The state of one thread under review, and every step of deciding and resuming it.

The steps are generators that yield what they need from the graph (`ReadState`,
`Stream`; see `steps`) and get the answer back, so the sync and async drivers share them.
The path of one decision reads top to bottom: ``_decide`` validates it, checks that its
interrupt is pending right now, commits it to the log, and once every pending request is
decided ``_apply`` (in `applying`, a mixin of `BaseSession`) takes the log's lease,
resumes the graph with an id-keyed ``Command`` and marks the rows applied.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from langgraph.types import Command

from ... import formats
from ..._faults import fault, owner_id
from ...analysis.log import DecisionLog
from ...errors import ResumeFailed
from ...model import (
    AlreadyDecided,
    ClaimedByOther,
    Decision,
    HitlError,
    ReviewRequest,
    StaleRequest,
    default_reviewer,
    utcnow,
)
from ...store.effects import LOG_KEY
from .. import queue as _queue
from .. import unsaved as _unsaved
from ..autopass import AutoPass
from .applying import Applying
from .resume import check_pending, ready_interrupts, resume_values
from .snapshot import At, check_graph, requests_in, where
from .steps import DURABILITY, ReadState, Steps, Stream

if TYPE_CHECKING:
    from ...policy.core import RiskPolicy

__all__ = ["BaseSession", "Listener"]

Listener = Callable[[str, Any], None]


class BaseSession(Applying):
    """The state of one thread under review and the steps on it, shared by `Session`
    and `AsyncSession`; each step is a generator its driver runs (module docstring).

    Example (no notebook needed)::

        s = Session(graph, thread_id="t1", log=DecisionLog("hitl.db"))
        s.start({"task": "send the Q3 numbers"})
        s.decide(s.pending[0], Decision("approve"))
        assert s.done

    ``durability`` is LangGraph's for every resume ("sync": a step's checkpoint is saved
    before the next step starts; see `DURABILITY`). Nodes it resumes find its log with
    `hitl_nb.once` (the run's config carries it).
    """

    def __init__(
        self,
        graph: Any,
        *,
        thread_id: str | None = None,
        log: DecisionLog | str | os.PathLike[str] | None = "hitl.db",
        reviewer: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        resume: formats.ResumeMapper | None = None,
        config: dict[str, Any] | None = None,
        lease_s: float = 300.0,
        policy: RiskPolicy | None = None,
        durability: str = "sync",
    ) -> None:
        check_graph(graph)
        if durability not in DURABILITY:
            raise ValueError(f"durability must be one of {', '.join(DURABILITY)}, "
                             f"got {durability!r}")
        self.graph = graph
        self.thread_id = thread_id or f"hitl-{uuid.uuid4().hex[:12]}"
        self.generated_thread_id = thread_id is None
        self.log = log if isinstance(log, DecisionLog) else DecisionLog(log or ":memory:")
        self.log.setup()
        self.reviewer = reviewer or default_reviewer()
        self.clock = clock
        self.mapper = resume
        self.lease_s = lease_s
        self.durability = durability  # of every resume (the first run keeps LangGraph's)
        self.policy = policy  # a RiskPolicy: risk on every card, remembered choices applied
        self.owner = owner_id(uuid.uuid4().hex[:8])
        base = dict(config or {})
        self.config = {**base, "configurable": {**base.get("configurable", {}),
                                                "thread_id": self.thread_id}}
        self.requests: list[ReviewRequest] = []     # every request pending in the graph
        self.decided: dict[tuple, Decision] = {}    # key -> decision, for those requests
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.busy = False
        self.steps: list[str] = []
        self._rerun: set[str] = set()  # nodes a resume re-runs (already in steps)
        self._values: dict[str, Any] = {}  # interrupt id -> resume value, worked out on record
        self._at: At | None = None  # where the last snapshot read stood (`where`)
        self._lock = threading.RLock()
        self._resuming = False  # during a resume: the ``during_resume`` crash point
        self.autopass = AutoPass()  # remembered choices, one pass at a time
        self._listeners: list[Listener] = []

    # -- public view of the state -----------------------------------------------------
    @property
    def pending(self) -> list[ReviewRequest]:
        """Requests awaiting a decision, in the graph's order."""
        return [r for r in self.requests if r.key not in self.decided]

    @property
    def resumable(self) -> bool:
        """Whether `resume_now` has something to send: an interrupt fully decided while
        other requests wait (one action of a batched request is not enough)."""
        return bool(self.pending) and bool(ready_interrupts(self.requests, self.decided))

    def listen(self, listener: Listener) -> None:
        """Call ``listener(event, payload)`` on "progress", "changed" and "error".
        A "changed" whose payload is a request's key says only that request changed
        (decided, or one vote of several recorded); without one, anything may have."""
        self._listeners.append(listener)

    def _emit(self, event: str, payload: Any = None) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    # -- running --------------------------------------------------------------------
    def _start(self, input: Any = None) -> Steps:
        """Run the graph with ``input``; with None, pick up the thread where it stands.

        ``None`` never re-runs the thread: it reads its pending interrupts and applies,
        once, decisions recorded before a crash but not yet applied.
        """
        if input is None:
            if (yield ReadState(none_if_new=True)) is None:
                raise HitlError(
                    f"thread {self.thread_id!r} has no checkpoint in this graph's "
                    "checkpointer, so there is nothing to pick up: check the thread_id "
                    "(and that the checkpointer is the same file or database), or pass an "
                    "input to start the thread")
            yield from self._refresh()
            self._expire_due()
            yield from self._recover()
            return self
        snapshot = yield ReadState(none_if_new=True)
        if waiting := (snapshot.interrupts if snapshot is not None else ()):
            raise HitlError(
                f"thread {self.thread_id} already has {len(waiting)} pending review(s); "
                "running it again would drop them. Pick them up with "
                f"hitl_nb.review(graph, None, thread_id={self.thread_id!r}), or pass a new "
                "thread_id")
        yield from self._run(input)
        yield from self._auto_decide()
        if self._expire_due():
            yield from self._recover()
        return self

    def _stream_args(self, graph_input: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The run's config (with the log, for `hitl_nb.once` inside nodes) and options:
        a resume (a ``Command`` or None) saves with ``self.durability``."""
        config = {**self.config, "configurable": {**self.config["configurable"],
                                                  LOG_KEY: self.log}}
        options: dict[str, Any] = {"stream_mode": ["tasks", "updates"]}
        if graph_input is None or isinstance(graph_input, Command):
            options["durability"] = self.durability
        return config, options

    def _run(self, graph_input: Any, *, absorb: bool = True) -> Steps:
        """Run the graph with ``graph_input``; read the thread as the run left it and, with
        ``absorb``, take it in (else the caller does). Returns that snapshot."""
        self.busy = True
        self._emit("progress", "running")
        config, options = self._stream_args(graph_input)
        run = Stream(graph_input, config, options)  # seen: to name a refused value
        try:
            yield run
        except TypeError as exc:
            if (err := _unsaved.refusal(exc, run.seen, self.graph, self.thread_id,
                                        graph_input)) is None:
                raise
            self._refused(err, (yield ReadState()))
            raise err from exc
        finally:
            self.busy = False
        snapshot = yield ReadState(subgraphs=True)
        if absorb:
            self._absorb(snapshot)
        return snapshot

    def _refused(self, err: BaseException, snapshot: Any) -> None:
        """Note in the log why the thread is stuck (re-opening it says so), show it."""
        _unsaved.note(self.log, self.thread_id, snapshot, err)
        self.error = err
        self._emit("error", err)

    def _progress(self, mode: str, chunk: Any) -> None:
        if mode == "updates" and self._resuming:
            fault("during_resume")
        if mode == "tasks" and isinstance(chunk, dict) and "result" not in chunk \
                and "error" not in chunk:
            rerun = chunk.get("name") in self._rerun  # a resume re-runs the node
            self._rerun.discard(chunk.get("name"))
            if rerun and chunk.get("name") in self.steps:  # listed once
                return
            self.steps.append(str(chunk.get("name")))
            self._emit("progress", f"running {chunk.get('name')}")

    def _refresh(self) -> Steps:
        """Read the thread's pending interrupts (or its result), then apply remembered
        choices (`_auto_decide`)."""
        self._absorb((yield ReadState(subgraphs=True)))
        yield from self._auto_decide()

    def _absorb(self, snapshot: Any) -> None:
        """Take in ``snapshot`` (`_take`) and tell the listeners."""
        self._take(snapshot)
        self._emit("changed")

    def _take(self, snapshot: Any) -> None:
        """The thread's requests, decisions and result as ``snapshot`` shows them; the
        log's queue rows follow (first-seen times kept, rows of gone interrupts closed)."""
        requests = requests_in(snapshot, self.graph, self.thread_id, policy=self.policy,
                               read_code=self.mapper is None)
        self._at = where(snapshot, self.graph, self.config)
        now = self.clock()
        first_seen = self.log.note_requests(requests, now)
        self.log.close_missing(self.thread_id, [r.interrupt_id for r in requests], now)
        self.requests = [r.replace(requested_at=first_seen.get(r.key)) for r in requests]
        self.decided = self._logged(self.requests)
        if self._values:  # resume values worked out for interrupts no longer pending: gone
            self._values = {r.interrupt_id: self._values[r.interrupt_id]
                            for r in self.requests if r.interrupt_id in self._values}
        errors = [t.error for t in getattr(snapshot, "tasks", ()) if getattr(t, "error", None)]
        self.done = not self.requests and not getattr(snapshot, "next", ()) and not errors \
            and not getattr(snapshot, "tasks", ())  # tasks without interrupts: cut short
        if not self.done and not self.requests and not errors:  # a refused value, noted?
            self.error = _unsaved.stuck(self.log, self.thread_id, snapshot) or self.error
        self.result = snapshot.values if self.done else None

    # -- deciding -------------------------------------------------------------------
    def _decide(self, request: ReviewRequest, decision: Decision) -> Steps:
        """Record ``decision`` for ``request``; resume once every pending request is decided.

        Raises `InvalidResponse` (nothing recorded), `AlreadyDecided` / `StaleRequest`
        (nothing changed), or `ResumeFailed` (recorded, not applied; see `retry`).
        """
        decision = self._stamp(decision)
        formats.validate(request, decision)
        # the interrupts pending right now, under the session's lock
        live = yield ReadState(ids=True, at=self._at)
        try:
            if not (yield from self._record(request, decision, live)):
                return decision
        except StaleRequest:  # resumed elsewhere: show the thread as it is, and go on
            yield from self._refresh()  # with what is decided there (`_settle`)
            # a failure there is kept in ``error`` (the view's header shows it): this
            with contextlib.suppress(ResumeFailed):  # click's own answer is that its
                yield from self._settle()  # request was resumed elsewhere
            raise
        fault("after_record")
        if self.pending:  # others may have decided them meanwhile (the log knows)
            self._reread_decisions()
        if not self.pending:  # nothing ran since the read: resume from it
            ready = ready_interrupts(self.requests, self.decided)
            only = [r.key for r in self.requests if r.interrupt_id in ready] == [request.key]
            try:
                yield from self._apply(ready, live, leased=only)  # born under our lease
            except AlreadyDecided as exc:  # another reviewer's process resumes them all,
                self._emit("progress", str(exc))  # this decision with them
        else:
            yield from self._auto_decide()
        return decision

    def _reread_decisions(self) -> None:
        """Take in the decisions other reviewers recorded for the requests still pending
        here. Each reviewer reads after its own commit, so the last to commit sees them
        all and resumes: two reviewers deciding a thread's requests at once never leave
        it waiting with every request decided."""
        found = self._logged(self.pending)
        if found.keys() - self.decided.keys():
            self.decided.update(found)
            self._emit("changed")   # their cards show those decisions

    def _logged(self, requests: list[ReviewRequest]) -> dict[tuple, Decision]:
        """The decisions the log holds for ``requests``' interrupts, by request key."""
        if not requests:
            return {}
        found = self.log.decisions_in(self.thread_id, [r.interrupt_id for r in requests])
        return {(self.thread_id, iid, index): d for (iid, index), d in found.items()}

    def _record(self, request: ReviewRequest, decision: Decision, live: set[str]) -> Steps:
        """Check the request is pending, on time and not claimed by another reviewer, then
        commit the decision (or one vote of several). True when it is final."""
        check_pending(self.log, request, live)
        if _queue.overdue(request, self.clock()):
            yield from self._expire()  # records the timeout action and resumes with it
            raise _queue.expired(self.log, request)
        _queue.check_claim(self.log, request, decision)
        last = all(r.key == request.key for r in self.pending)
        lease = {"owner": self.owner, "lease_s": self.lease_s} if last else {}
        value = None  # a one-request interrupt's resume value is known now: logged with it
        if request.count == 1 and request.approvals <= 1 and request.rejections <= 1:
            value = resume_values([request], {request.key: decision}, [request.interrupt_id],
                                  self.mapper)
        final = _queue.commit(self.log, request, decision, lease,
                              value[request.interrupt_id] if value else None)
        if final is not None:  # None: one vote of several needed approvals
            self.decided[request.key] = final
            if value:
                self._values.update(value)   # `_apply` resumes with it
        self._emit("changed", request.key)  # only this request changed
        return final is not None

    def _auto_decide(self) -> Steps:
        """Decide alone the pending requests whose tool has a remembered choice (policy:
        "always allow/reject this tool"); logged with reviewer ``policy:remembered-...``.
        Stops when another process decided one; leaves one claimed by a reviewer."""
        with self.autopass.over(self.policy, lambda: self.pending) as picks:
            for found in picks:
                try:
                    yield from self._decide(*found)  # may resume; next requests come next
                except ClaimedByOther:
                    continue  # left to the reviewer who claimed it
                except AlreadyDecided:  # another process decided (or resumes) it
                    yield from self._refresh()
                    return

    def _expire(self) -> Steps:
        """Decide every pending request whose deadline passed with its timeout action
        (reviewer ``timeout``) and resume once all are decided. Returns those requests."""
        due = self._expire_due()
        if due:
            self._emit("changed")
            yield from self._recover()
        return due

    def _expire_due(self) -> list[ReviewRequest]:
        """Record the timeout action of every overdue pending request; keep its first
        decision as decided. Returns those requests (applying them is the caller's job)."""
        due = _queue.expire_due(self.log, self.pending, self.clock())
        for key, first in due.items():
            if first is not None:
                self.decided[key] = first
        return [r for r in self.requests if r.key in due]

    def queue_note(self, request: ReviewRequest) -> str:
        """"1 of 2 approvals (ana) · 4 min 10 s left · being reviewed by bob", or ""."""
        return _queue.note(self.log, request, self.clock(), self.reviewer)

    def _stamp(self, decision: Decision) -> Decision:
        if not decision.reviewer:
            decision.reviewer = self.reviewer
        if decision.decided_at is None:
            decision.decided_at = self.clock()
        return decision
