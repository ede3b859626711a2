"""The resume steps of a session: apply what is decided, exactly once.

`Applying` is a mixin of `BaseSession` (``base``): ``_apply`` takes the log's lease,
resumes the graph once with an id-keyed ``Command`` and marks the rows applied;
``_recover`` applies what a crash or a failed resume left recorded; ``_settle`` applies
what a resume elsewhere left waiting only on this session's decisions. Like every step,
each is a generator its driver runs (`steps`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langgraph.types import Command

from ..._faults import fault
from ...errors import ResumeFailed
from ...model import AlreadyDecided, HitlError
from ..lease import keep_lease
from .resume import ready_interrupts, rerun_nodes, resume_values
from .snapshot import split
from .steps import ReadState, Steps

if TYPE_CHECKING:
    from ...analysis.log import DecisionLog
    from ...formats import ResumeMapper
    from ...model import Decision, ReviewRequest

__all__ = ["Applying"]


class Applying:
    """The resume steps; `BaseSession` holds the state they read and write."""

    log: DecisionLog
    thread_id: str
    owner: str
    lease_s: float
    mapper: ResumeMapper | None
    requests: list[ReviewRequest]
    decided: dict[tuple, Decision]
    error: BaseException | None
    busy: bool
    _rerun: set[str]
    _resuming: bool
    _values: dict[str, Any]

    if TYPE_CHECKING:  # the session's own steps, in `BaseSession`
        pending: list[ReviewRequest]

        def _emit(self, event: str, payload: Any = None) -> None: ...
        def _run(self, graph_input: Any, *, absorb: bool = True) -> Steps: ...
        def _refresh(self) -> Steps: ...
        def _take(self, snapshot: Any) -> None: ...
        def _auto_decide(self) -> Steps: ...

    def _resume_now(self) -> Steps:
        """Resume with the interrupts decided so far; the others stay pending."""
        ready = ready_interrupts(self.requests, self.decided)
        if not ready:
            raise HitlError("no interrupt is fully decided yet; decide a card first")
        yield from self._apply(ready)

    def _retry(self) -> Steps:
        """Apply decisions that are recorded but not applied (after a failed resume)."""
        self.error = None
        yield from self._refresh()
        yield from self._recover()

    def _settle(self) -> Steps:
        """With nothing left to decide here, apply what is decided and ready (a resume by
        hand elsewhere may have left this session's decisions as the last ones)."""
        if self.requests and not self.pending:
            yield from self._recover()

    def _apply(self, interrupt_ids: list[str], pending: set[str] | None = None,
               leased: bool = False) -> Steps:
        """Lease, re-check, resume once with ``Command(resume={id: value})``, mark applied.

        ``pending``: the interrupts pending as read by the caller in the same locked step,
        before the lease (`_decide`: its check that the request is pending); unless it
        holds all of ``interrupt_ids``, the thread is read again after the lease is taken.
        ``leased``: every decision row of ``interrupt_ids`` was born under this session's
        lease (`_record`: the last decision of a one-request interrupt), none to take.

        Decisions whose interrupt is gone were resumed before a crash: the run is
        finished (``stream(None)``) when it stopped mid-step, then they are marked. Any
        failure releases the lease and leaves every decision ``recorded`` (`ResumeFailed`),
        so this or any other process applies them once the cause is fixed.
        """
        if not interrupt_ids:
            return
        if not leased and not self.log.take_resume_lease(self.thread_id, interrupt_ids,
                                                         self.owner, self.lease_s):
            yield from self._refresh()
            raise AlreadyDecided(
                f"interrupts {', '.join(interrupt_ids)} of thread {self.thread_id} are being "
                "resumed by another process; nothing was changed")
        values: dict[str, Any] = {}
        left = None   # the thread as the resume left it
        try:  # from here on, any failure lets go of the lease
            if pending is not None and pending.issuperset(interrupt_ids):
                gone, live, finish = [], list(interrupt_ids), False  # what split would say
            else:
                gone, live, finish = split((yield ReadState()), interrupt_ids)
            values = self._values_for(live)
            self._rerun.update(rerun_nodes(self.requests, live))
            self._resuming = True
            with keep_lease(self.log, self.thread_id, interrupt_ids, self.owner, self.lease_s):
                if finish:  # died mid-step (some writes saved, no new checkpoint)
                    yield from self._run(None)
                if gone:  # resumed before a crash: never resume it twice
                    self.log.mark_applied(self.thread_id, gone, {})
                if live:
                    left = yield from self._run(Command(resume=values), absorb=False)
        except Exception as exc:
            self.log.release_resume_lease(self.thread_id, interrupt_ids,
                                          f"{type(exc).__name__}: {exc}", values)
            self.error = exc
            yield from self._refresh()
            self._fail(exc)
        finally:
            self._resuming = False
        if live:
            fault("after_resume")
            with self.log.batch():   # one commit: these applied, the requests left noted
                self.log.mark_applied(self.thread_id, live, values)
                self._take(left)
            self._emit("changed")
        if live or finish:  # `_run` has read the thread as the resume left it
            yield from self._auto_decide()
        else:
            yield from self._refresh()

    def _values_for(self, live: list[str]) -> dict[str, Any]:
        """Interrupt id -> the value to resume it with, in the graph's order (those worked
        out when their decision was recorded are not worked out again)."""
        known = {i: self._values.pop(i) for i in live if i in self._values}
        values = resume_values(self.requests, self.decided,
                               [i for i in live if i not in known], self.mapper)
        return {i: known[i] if i in known else values[i] for i in live}

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
            ready = set(ready_interrupts(self.requests, self.decided))
            yield from self._apply([i for i in unapplied if i in ready])
        except AlreadyDecided as exc:  # another live process holds the lease
            self._emit("progress", str(exc))
