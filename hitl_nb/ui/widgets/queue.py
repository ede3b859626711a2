"""`ReviewQueue`: one card at a time, for a reviewer with many requests.

``hitl_nb.review_queue(session_or_inbox)`` shows the first pending request of a session
(or of an `Inbox`, across threads) with its progress ("3 of 12") and a Skip button; a
decision records and resumes as on any card, then the next request shows. It is ONE
widget for the whole queue, so it also works where only anywidgets display (marimo).

The undo window (``undo_s=5``, off by default) holds a decision for that many seconds:
the card says "approving in 5 s — Undo"; Undo records nothing, and when the window ends
the decision is recorded and the graph resumed, once, by the same path as a click
without a window. What it means for exactly-once: nothing is written during the window,
so a decision is either recorded once (when the window ends) or not at all (Undo, or the
kernel stopping first: the request then stays pending and is shown again). The window
delays the record; it never makes a second one.

Example::

    queue = hitl_nb.review_queue(inbox, undo_s=5)
    queue                          # in a notebook: one card, "1 of 12", Skip
    queue.click("Approve")         # held 5 s, then recorded; queue.click("Undo") cancels
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import traitlets as t

from ... import render
from ...engine.session import BaseSession
from ...model import AlreadyDecided, Decision, HitlError, ReviewRequest
from .card import ReviewCard

_VERB = {"approve": "approving", "reject": "rejecting", "edit": "editing",
         "respond": "answering"}
Timer = Callable[[float, Callable[[], None]], Any]


class ReviewQueue(ReviewCard):
    """The pending requests of ``source`` (a session, its view, or an `Inbox`), one
    at a time. ``undo_s``: seconds a decision is held before it is recorded (None: no
    undo window). ``timer(seconds, fn)`` starts the undo window (a `threading.Timer` by
    default; tests pass their own).

    Raises `TypeError` for a ``source`` that is neither a session nor an `Inbox`; its
    clicks raise what `ReviewCard`'s do.

    Example::

        queue = hitl_nb.ReviewQueue(inbox, undo_s=5)
        queue.click("Approve")      # held 5 s, then recorded and resumed once
        queue.remaining             # what is left, in order
    """

    queue = t.Dict().tag(sync=True)

    def __init__(self, source: Any, undo_s: float | None = None,
                 timer: Timer | None = None) -> None:
        inner = getattr(source, "session", None)   # a SessionView's session
        self.source = inner if isinstance(inner, BaseSession) else source
        if not hasattr(self.source, "pending") or not hasattr(self.source, "decide"):
            raise TypeError("review_queue() takes a session (hitl_nb.review's result) or a "
                            f"hitl_nb.Inbox, got {type(source).__name__}")
        self.undo_s = undo_s
        self.decided_count = 0
        self.skipped: list[tuple] = []
        self.held: Decision | None = None
        self._timer_factory = timer or _thread_timer
        self._timer: Any = None
        self._last = ""
        first = self._ordered()
        super().__init__(first[0] if first else _EMPTY, self.source.decide,
                         policy=getattr(self.source, "policy", None))
        self.add_class("hitl-queue")
        if not first:
            self._show_empty()

    # -- what is left, in order -----------------------------------------------------------
    def _ordered(self) -> list[ReviewRequest]:
        pending = list(self.source.pending)
        later = [r for key in self.skipped for r in pending if r.key == key]
        return [r for r in pending if r.key not in self.skipped] + later

    @property
    def remaining(self) -> list[ReviewRequest]:
        """The requests still to review, in the order the queue shows them."""
        return self._ordered()

    def show(self, request: ReviewRequest, decision: Decision | None = None) -> None:
        """Show ``request`` as the queue's current card, with its progress line."""
        self._submit = self.source.decide
        super().show(request, decision)
        self._progress()

    def _progress(self, undo: dict | None = None) -> None:
        left = len(self._ordered())
        self.queue = {"position": self.decided_count + 1, "total": self.decided_count + left,
                      "can_skip": left > 1 and undo is None, "undo": undo,
                      "message": self._last}

    def _show_empty(self) -> None:
        source = self.source
        if getattr(source, "done", False):   # a finished session: say so, with its result
            body = f"<b>The graph finished.</b><b>Result</b>{render.value_html(source.result)}"
        elif getattr(source, "error", None) is not None:
            body = render.error_html(source.error)
        else:
            body = "<i>Nothing is waiting for a review.</i>"
        with self.hold_sync():
            self.actions, self.title = [], "queue"
            self.html = f"<div class='hitl-queue-empty'>{body}</div>"
            self.queue = {"message": self._last or "Nothing is waiting for a review."}

    def _advance(self) -> None:
        upcoming = self._ordered()
        if upcoming:
            self.show(upcoming[0])
        else:
            self.decision = None
            self._show_empty()

    # -- clicks -------------------------------------------------------------------------------
    def _click(self, label: str) -> Any:
        if label == "Skip":
            if self.held is not None or len(self._ordered()) < 2:
                raise HitlError("nothing to skip to" if self.held is None else
                                "a decision is waiting: Undo it first")
            self.skipped = [k for k in self.skipped if k != self.request.key]
            self.skipped.append(self.request.key)
            return self._advance()
        if label == "Undo":
            return self.undo()
        return super()._click(label)

    def _decide(self, decision: Decision) -> Decision:
        if not self.undo_s:
            return self._commit(decision)
        if self.held is not None:
            raise HitlError("a decision is already waiting: Undo it or let it finish")
        self.held = decision
        self.busy = True
        self._progress({"verb": _VERB[decision.type], "seconds": self.undo_s})
        self._timer = self._timer_factory(self.undo_s, self.commit_held)
        return decision

    def undo(self) -> None:
        """Cancel the decision waiting in the undo window: nothing is recorded."""
        if self.held is None:
            raise HitlError("nothing to undo: no decision is waiting")
        if self._timer is not None and hasattr(self._timer, "cancel"):
            self._timer.cancel()
        self.held = self._timer = None
        self.busy = False
        self._progress()

    def commit_held(self) -> Decision | None:
        """End the undo window now: record the waiting decision (what the timer calls)."""
        decision, self.held = self.held, None
        if decision is None:
            return None
        try:
            return self._commit(decision)
        except Exception as exc:   # from a timer thread: keep it on the card
            self.show_error(exc)
            return None

    def _commit(self, decision: Decision) -> Decision:
        request = self.request
        try:
            result = super()._decide(decision)
        except AlreadyDecided as exc:
            self._done(request, exc.decision)
            raise
        self._done(request, self.decision)
        return result

    def _done(self, request: ReviewRequest, decision: Decision | None) -> None:
        self.decided_count += 1
        line = decision.summary() if decision else "decided elsewhere"
        self._last = f"{render.short(request.action, 60)}: {line}"
        self._advance()


_EMPTY = ReviewRequest("nothing to review", allowed=())


def _thread_timer(seconds: float, fn: Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, fn)
    timer.daemon = True
    timer.start()
    return timer


def review_queue(source: Any, undo_s: float | None = None) -> ReviewQueue:
    """One card at a time from a session (``hitl_nb.review``'s result) or an `Inbox`,
    with progress, Skip and an optional undo window (``undo_s`` seconds, off by default;
    see `ReviewQueue` for what it means for exactly-once). Raises `TypeError` for a
    ``source`` that is neither.

    Example::

        queue = hitl_nb.review_queue(hitl_nb.review(graph, inputs, thread_id="t1"))
        queue.click("Approve")
    """
    return ReviewQueue(source, undo_s=undo_s)
