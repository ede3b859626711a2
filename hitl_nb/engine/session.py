"""Drive one graph thread: run -> pending requests -> decide -> resume, exactly once.

One engine, two drivers. `BaseSession` holds the state and every step of deciding and
resuming, written once as generators that *yield* what they need from the graph
(`ReadState`: ``get_state``; `Stream`: a run) and get the answer back. `Session` drives
them with ``stream`` / ``get_state``, `AsyncSession` (``aio.py``) with ``astream`` /
``aget_state``: the checks, the crash points, the lease and the durability are the same
code for both (as httpx shares one base between ``Client`` and ``AsyncClient``).

No widgets here: `hitl_nb.review` wraps a `Session` in a `SessionView`. The path of one
decision reads top to bottom: ``_decide`` validates it, checks that its interrupt is
pending right now, commits it to the log, and once every pending request is decided
``_apply`` takes the log's lease, resumes the graph with an id-keyed ``Command`` and
marks the rows applied.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from langgraph.types import Command

from .. import formats
from .._faults import fault, owner_id
from ..analysis.log import DecisionLog
from ..errors import ResumeFailed
from ..model import (
    AlreadyDecided,
    ClaimedByOther,
    Decision,
    HitlError,
    MissingCheckpointer,
    ReviewRequest,
    StaleRequest,
    default_reviewer,
    quote,
    utcnow,
)
from ..render import context
from ..store.effects import LOG_KEY, bind
from . import queue as _queue
from . import tools as _tools
from . import unsaved as _unsaved
from .autopass import AutoPass
from .lease import keep_lease
from .reads import with_reads

if TYPE_CHECKING:
    from ..policy.core import RiskPolicy

Listener = Callable[[str, Any], None]


@dataclass(frozen=True)
class ReadState:
    """A step asks the driver for ``graph.get_state(config, subgraphs=...)``."""

    subgraphs: bool = False


@dataclass(frozen=True)
class Stream:
    """A step asks the driver to run the graph: every ``(mode, chunk)`` goes to
    ``session._progress`` and every "updates" chunk into ``seen``."""

    graph_input: Any
    config: dict[str, Any]
    options: dict[str, Any]
    seen: list[Any] = field(default_factory=list)


#: What a step yields to its driver, what it gets back, what it returns.
Steps = Generator["ReadState | Stream", Any, Any]

#: How a resume saves its checkpoints (LangGraph's ``durability``): "sync" writes each
#: step's checkpoint before the next step starts, so recovery never re-runs a step whose
#: checkpoint was committed; "async" (LangGraph's default) writes it while the next step
#: runs; "exit" only at the end. README, Reliability.
DURABILITY = ("sync", "async", "exit")


def check_graph(graph: Any) -> None:
    """Raise `MissingCheckpointer` (with the fix) when ``graph`` cannot pause and resume."""
    if not hasattr(graph, "get_state") or not hasattr(graph, "stream"):
        raise TypeError(f"review() needs a compiled LangGraph graph, got {type(graph).__name__}")
    if getattr(graph, "checkpointer", None) in (None, False):
        raise MissingCheckpointer(
            "this graph was compiled without a checkpointer, so it cannot pause for a review "
            "and resume. Compile it with one, e.g.\n"
            "    graph = builder.compile(checkpointer=hitl_nb.checkpointer('hitl.db'))")


def is_async_graph(graph: Any) -> bool:
    """True when some node (or a subgraph's node) only has an async implementation."""
    for node in getattr(graph, "nodes", {}).values():
        bound = getattr(node, "bound", None)
        if hasattr(bound, "nodes") and is_async_graph(bound):
            return True
        if getattr(bound, "func", 1) is None and getattr(bound, "afunc", None) is not None:
            return True
    return False


class BaseSession:
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
        self._lock = threading.RLock()
        self._resuming = False  # during a resume: the ``during_resume`` crash point
        self.autopass = AutoPass()  # remembered choices, one pass at a time
        self._listeners: list[Listener] = []

    # -- public view of the state -----------------------------------------------------
    @property
    def pending(self) -> list[ReviewRequest]:
        """Requests awaiting a decision, in the graph's order."""
        return [r for r in self.requests if r.key not in self.decided]

    def listen(self, listener: Listener) -> None:
        """Call ``listener(event, payload)`` on "progress", "changed" and "error"."""
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
            yield from self._refresh()
            self._expire_due()
            yield from self._recover()
            return self
        waiting = (yield ReadState()).interrupts
        if waiting:
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

    def _run(self, graph_input: Any) -> Steps:
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
        self._absorb((yield ReadState(subgraphs=True)))  # _apply marks first

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
        nodes = _locate(snapshot)
        requests: list[ReviewRequest] = []
        for intr in getattr(snapshot, "interrupts", ()):
            node, namespace = nodes.get(intr.id, (None, ()))
            for r in formats.parse(intr.value, getattr(intr, "response_schema", None),
                                   thread_id=self.thread_id, interrupt_id=intr.id,
                                   node=node, namespace=namespace):
                r = r if r.action else r.replace(action=node or "review")
                requests.append(context.enrich(r, getattr(snapshot, "values", None)))
        requests = _tools.with_tool_schemas(requests, self.graph)  # edits checked in every mode
        if self.mapper is None:  # resume plain interrupts with what their code reads
            requests = with_reads(requests, self.graph)
        if self.policy is not None:
            requests = [r if r.risk else r.replace(risk=self.policy.assess(
                r.action, r.args, r.confidence, {"uncertainty": r.uncertainty}))
                for r in requests]
        now = self.clock()
        first_seen = self.log.note_requests(requests, now)
        self.log.close_missing(self.thread_id, [r.interrupt_id for r in requests], now)
        self.requests = [r.replace(requested_at=first_seen.get(r.key)) for r in requests]
        self.decided = {}
        for iid in dict.fromkeys(r.interrupt_id for r in self.requests):
            for index, decision in self.log.decisions(self.thread_id, iid).items():
                self.decided[(self.thread_id, iid, index)] = decision
        errors = [t.error for t in getattr(snapshot, "tasks", ()) if getattr(t, "error", None)]
        self.done = not self.requests and not getattr(snapshot, "next", ()) and not errors \
            and not getattr(snapshot, "tasks", ())  # tasks without interrupts: cut short
        if not self.done and not self.requests and not errors:  # a refused value, noted?
            self.error = _unsaved.stuck(self.log, self.thread_id, snapshot) or self.error
        self.result = snapshot.values if self.done else None
        self._emit("changed")

    def _pending_ids(self) -> Steps:
        return {i.id for i in (yield ReadState()).interrupts}

    # -- deciding -------------------------------------------------------------------
    def _decide(self, request: ReviewRequest, decision: Decision) -> Steps:
        """Record ``decision`` for ``request``; resume once every pending request is decided.

        Raises `InvalidResponse` (nothing recorded), `AlreadyDecided` / `StaleRequest`
        (nothing changed), or `ResumeFailed` (recorded, not applied; see `retry`).
        """
        decision = self._stamp(decision)
        formats.validate(request, decision)
        live = yield from self._pending_ids()
        if not (yield from self._record(request, decision, live)):
            return decision
        fault("after_record")
        if not self.pending:
            yield from self._apply(self._ready_interrupts())
        else:
            yield from self._auto_decide()
        return decision

    def _record(self, request: ReviewRequest, decision: Decision, live: set[str]) -> Steps:
        """Check the request is pending, on time and not claimed by another reviewer, then
        commit the decision (or one vote of several). True when it is final."""
        self._check_pending(request, live)
        if _queue.overdue(request, self.clock()):
            yield from self._expire()  # records the timeout action and resumes with it
            raise _queue.expired(self.log, request)
        _queue.check_claim(self.log, request, decision)
        last = all(r.key == request.key for r in self.pending)
        lease = {"owner": self.owner, "lease_s": self.lease_s} if last else {}
        final = _queue.commit(self.log, request, decision, lease)
        if final is not None:  # None: one vote of several needed approvals
            self.decided[request.key] = final
        self._emit("changed")
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

    def _resume_now(self) -> Steps:
        """Resume with the interrupts decided so far; the others stay pending."""
        ready = self._ready_interrupts()
        if not ready:
            raise HitlError("no interrupt is fully decided yet; decide a card first")
        yield from self._apply(ready)

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

    def _retry(self) -> Steps:
        """Apply decisions that are recorded but not applied (after a failed resume)."""
        self.error = None
        yield from self._refresh()
        yield from self._recover()

    def _stamp(self, decision: Decision) -> Decision:
        if not decision.reviewer:
            decision.reviewer = self.reviewer
        if decision.decided_at is None:
            decision.decided_at = self.clock()
        return decision

    def _check_pending(self, request: ReviewRequest, live: set[str]) -> None:
        """Raise `StaleRequest` unless the request's interrupt is pending right now.

        (LangGraph would apply a resume keyed by a task's first interrupt id to that
        task's next interrupt, so a stale card must never reach ``Command``.)
        """
        if request.interrupt_id in live:
            return
        first = self.log.get(*request.key)
        who = first.summary() if first else "resumed by someone else"
        raise StaleRequest(
            f"{quote(request.action)!r} (interrupt {request.interrupt_id}) is no longer pending in "
            f"thread {request.thread_id}: it was {who}. Nothing was changed.", first)

    def _ready_interrupts(self) -> list[str]:
        by_id: dict[str, list[ReviewRequest]] = {}
        for r in self.requests:
            by_id.setdefault(r.interrupt_id, []).append(r)
        return [iid for iid, rs in by_id.items() if all(r.key in self.decided for r in rs)]

    def _resume_map(self, interrupt_ids: Iterable[str]) -> dict[str, Any]:
        out = {}
        for iid in interrupt_ids:
            reqs = [r for r in self.requests if r.interrupt_id == iid]
            self._rerun.update(r.namespace[0].split(":")[0] if r.namespace else r.node
                               for r in reqs if r.node)
            decs = [self.decided[r.key] for r in reqs]
            decs = [bind(r, d) for r, d in zip(reqs, decs, strict=True)]
            out[iid] = formats.resume_value(reqs, decs, self.mapper)
        return out

    def _apply(self, interrupt_ids: list[str]) -> Steps:
        """Lease, re-check, resume once with ``Command(resume={id: value})``, mark applied.

        Decisions whose interrupt is gone were resumed before a crash: the run is
        finished (``stream(None)``) when it stopped mid-step, then they are marked. Any
        failure releases the lease and leaves every decision ``recorded`` (`ResumeFailed`),
        so this or any other process applies them once the cause is fixed.
        """
        if not interrupt_ids:
            return
        if not self.log.take_resume_lease(self.thread_id, interrupt_ids, self.owner, self.lease_s):
            yield from self._refresh()
            raise AlreadyDecided(
                f"interrupts {', '.join(interrupt_ids)} of thread {self.thread_id} are being "
                "resumed by another process; nothing was changed")
        snapshot = yield ReadState()
        gone, live, finish = _split(snapshot, interrupt_ids)
        values = self._resume_map(live)
        try:
            self._resuming = True
            with keep_lease(self.log, self.thread_id, interrupt_ids, self.owner, self.lease_s):
                if finish:  # died mid-step (some writes saved, no new checkpoint)
                    yield from self._run(None)
                if gone:  # resumed before a crash: never resume it twice
                    self.log.mark_applied(self.thread_id, gone, {})
                if live:
                    yield from self._run(Command(resume=values))
        except Exception as exc:
            self.log.release_resume_lease(self.thread_id, interrupt_ids,
                                          f"{type(exc).__name__}: {exc}")
            self.error = exc
            yield from self._refresh()
            self._fail(exc)
        finally:
            self._resuming = False
        if live:
            fault("after_resume")
            self.log.mark_applied(self.thread_id, live, values)
        if live or finish:  # `_run` has read the thread as the resume left it
            yield from self._auto_decide()
        else:
            yield from self._refresh()

    def _fail(self, exc: BaseException) -> None:
        self.error = exc
        self.busy = False
        self._emit("error", exc)
        raise ResumeFailed(
            f"the graph raised {type(exc).__name__} while resuming thread {self.thread_id}: "
            f"{exc}. The decision is recorded; fix the cause and call session.retry() to "
            "apply it once.") from exc

    def _recover(self) -> Steps:
        """Apply, once, decisions recorded before a crash whose interrupts are still pending."""
        unapplied = self.log.unapplied(self.thread_id)
        if not unapplied:
            return
        pending = {r.interrupt_id for r in self.requests}
        stale = [i for i in unapplied if i not in pending]
        try:
            yield from self._apply(stale)  # resumed before a crash: mark, or finish a run
            ready = set(self._ready_interrupts())
            yield from self._apply([i for i in unapplied if i in ready])
        except AlreadyDecided as exc:  # another live process holds the lease
            self._emit("progress", str(exc))


class Session(BaseSession):
    """One thread of one graph under review (the logic behind `SessionView`): the steps
    of `BaseSession` driven with ``graph.stream`` and ``graph.get_state``.

    - ``graph``: a compiled LangGraph graph with a checkpointer.
    - ``thread_id``: the thread to run or pick up (default: a new generated id).
    - ``log``: a `DecisionLog`, or a path or URL for one (default ``hitl.db``).
    - ``reviewer``: the name written to the log with each decision (default: the OS user).
    - ``clock``: returns the current time, timezone-aware (tests pass a fake one).
    - ``resume``: maps a request and its decision to the resume value, for payloads of
      your own shape.
    - ``config``: the graph's run config (the thread id is added to it).
    - ``lease_s``: seconds this session holds the log's lease on decisions it is applying,
      renewed while the graph runs; another process takes over after it lapses.
    - ``policy``: a `RiskPolicy`: every card shows its risk, and remembered choices
      ("Always allow") decide alone.
    - ``durability``: LangGraph's for every resume, ``"sync"`` (default: a step's
      checkpoint is saved before the next step starts), ``"async"`` or ``"exit"``.

    Nodes it resumes find its log with `hitl_nb.once` (the run's config carries it).

    Raises `TypeError` for a graph that is not a compiled graph, `MissingCheckpointer`
    when it has no checkpointer, `ValueError` for an unknown ``durability``, and
    `LogUnavailable` (or a subclass) when the log cannot be opened.

    Example (no notebook needed)::

        s = Session(graph, thread_id="t1", log=DecisionLog("hitl.db"), reviewer="ana")
        s.start({"task": "send the Q3 numbers"})
        s.decide(s.pending[0], Decision("approve"))
        assert s.done
    """

    def start(self, input: Any = None) -> Session:
        """Run the graph with ``input``; with None, pick up the thread where it stands.

        ``None`` never re-runs the thread: it reads its pending interrupts and applies,
        once, decisions recorded before a crash but not yet applied. Raises `HitlError`
        when ``input`` is given but the thread already has pending reviews (running it
        again would drop them), `UnserializableValue` when the checkpointer refuses a
        value of the state, and `ResumeFailed` when applying a recorded decision fails.
        """
        return self._drive(self._start(input))

    def decide(self, request: ReviewRequest, decision: Decision) -> Decision:
        """Record ``decision`` for ``request``; resume once every pending request is decided.

        Raises `InvalidResponse` or its `NotAllowed` / `InvalidForm` (nothing recorded),
        `AlreadyDecided` / `StaleRequest` (nothing changed), `Expired` (its deadline
        passed: the timeout action was recorded instead), `ClaimedByOther` (another
        reviewer holds it), `SameReviewer` (a second vote by the same person), `LogBusy`
        / `LogReadOnly` (nothing recorded), or `ResumeFailed` (recorded, not applied; see
        `retry`).

        Example::

            s.decide(s.pending[0], Decision("edit", args={"to": "cfo@acme.com"}))
        """
        return self._drive(self._decide(request, decision))

    def resume_now(self) -> None:
        """Resume with the interrupts decided so far; the others stay pending.

        Raises `HitlError` when no interrupt is fully decided yet, `ResumeFailed` when the
        graph raises while resuming (the decisions stay recorded; see `retry`).
        """
        self._drive(self._resume_now())

    def expire(self) -> list[ReviewRequest]:
        """Decide every pending request whose deadline passed with its timeout action
        (reviewer ``timeout``) and resume once all are decided. Returns those requests."""
        return self._drive(self._expire())

    def retry(self) -> None:
        """Apply decisions that are recorded but not applied (after a failed resume).

        Raises `ResumeFailed` again when the graph raises again, `AlreadyDecided` when
        another process is applying them.
        """
        self._drive(self._retry())

    def refresh(self) -> None:
        """Read the thread's pending interrupts (or its result) again; remembered choices
        apply. Nothing recorded before is applied (that is `start(None)` / `retry`)."""
        self._drive(self._refresh())

    def _drive(self, steps: Steps) -> Any:
        """Run ``steps`` to the end under the session's lock, answering each request."""
        with self._lock:
            try:
                op = next(steps)
                while True:
                    try:
                        answer = self._answer(op)
                    except BaseException as exc:  # the step handles it (or it propagates)
                        op = steps.throw(exc)
                    else:
                        op = steps.send(answer)
            except StopIteration as stop:
                return stop.value

    def _answer(self, op: ReadState | Stream) -> Any:
        if isinstance(op, ReadState):
            return self.graph.get_state(self.config, subgraphs=op.subgraphs)
        for mode, chunk in self.graph.stream(op.graph_input, op.config, **op.options):
            if mode == "updates":
                op.seen.append(chunk)
            self._progress(mode, chunk)
        return None


def _split(snapshot: Any, interrupt_ids: list[str]) -> tuple[list[str], list[str], bool]:
    """(gone, live, finish): the decided interrupts no longer pending (resumed before a
    crash), those still pending, and whether the thread stopped mid-step (tasks left, no
    interrupt) so its run must be finished before the gone ones count as applied."""
    pending = {i.id for i in snapshot.interrupts}
    gone = [i for i in interrupt_ids if i not in pending]
    live = [i for i in interrupt_ids if i in pending]
    finish = bool(gone) and bool(snapshot.next or snapshot.tasks) and not snapshot.interrupts
    return gone, live, finish


def _locate(snapshot: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Interrupt id -> (name of the node that raised it, its subgraph namespace).

    Walks a ``get_state(..., subgraphs=True)`` snapshot; the deepest task wins.
    """
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    config = getattr(snapshot, "config", None) or {}
    ns = config.get("configurable", {}).get("checkpoint_ns", "")
    namespace = tuple(p for p in ns.split("|") if p)
    for task in getattr(snapshot, "tasks", ()):
        for intr in getattr(task, "interrupts", ()):
            out[intr.id] = (task.name, namespace)
        if hasattr(task.state, "tasks"):
            out.update(_locate(task.state))
    return out
