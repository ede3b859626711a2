"""`Session`: the steps of `BaseSession` driven with ``graph.stream`` and ``get_state``."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from ...model import Decision, ReviewRequest
from .base import BaseSession
from .steps import ReadState, Steps, Stream

__all__ = ["Session"]


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
        again would drop them) or when it is None for a thread never run (a mistyped
        id), `UnserializableValue` when the checkpointer refuses a value of the state, and
        `ResumeFailed` when applying a recorded decision fails.
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
            saver = self.graph.checkpointer
            if op.reads_tuple and isinstance(saver, BaseCheckpointSaver):
                answered, answer = op.from_tuple(saver.get_tuple(self.config))
                if answered:
                    return answer
            return op.from_snapshot(self.graph.get_state(self.config, subgraphs=op.subgraphs))
        for mode, chunk in self.graph.stream(op.graph_input, op.config, **op.options):
            if mode == "updates":
                op.seen.append(chunk)
            self._progress(mode, chunk)
        return None
