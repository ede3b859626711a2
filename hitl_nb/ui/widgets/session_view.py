"""`SessionView`: progress, one card per pending request, then the result.

This is the object `hitl_nb.review` returns. It shows a `Session` and forwards the
public contract (``pending``, ``cards``, ``done``, ``result``, ``error``) to it. A few
widgets, not dozens: a box holding the header (`SessionStatus`, one anywidget) and one
`ReviewCard` per request. Their comms open when the view is shown (`OpensOnDisplay`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import traitlets as t

from ... import render
from ...engine.session import Session
from ...model import Decision, HitlError, ReviewRequest, UnserializableValue
from ._front import FrontEnd, OpensOnDisplay
from .card import ReviewCard
from .queue import ReviewQueue


class SessionStatus(FrontEnd):
    """The session's header in one widget: thread, progress, error, result, "Resume now"."""

    can_resume = t.Bool(False).tag(sync=True)
    front_end_writes = ()

    def __init__(self, view: SessionView) -> None:
        self._view = view
        super().__init__(kind="session")

    def click(self, label: str) -> Any:
        """"Resume now" (shown while only some requests are decided)."""
        if label != "Resume now" or not self.can_resume:
            raise HitlError(f"no button {label!r} here now")
        return self._view.resume_now()


class SessionView(OpensOnDisplay, w.VBox):
    """The live view of one reviewed thread: a header widget, then one widget per card;
    a card object stays valid until decided.

    ``session``: the `Session` (or `AsyncSession`) it shows; the view listens to it and
    forwards the public contract (``pending``, ``cards``, ``decide``, ``done``,
    ``result``, ``error``) to it. `hitl_nb.review` builds and displays one. Its methods
    raise what the session's raise.

    Example::

        view = hitl_nb.review(graph, {"task": "send the Q3 numbers"}, thread_id="t1")
        view.cards[0].approve()
        view.done, view.result
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cards: dict[tuple, ReviewCard] = {}
        self.history: list[ReviewCard] = []      # decided cards whose interrupt resumed
        self.status = SessionStatus(self)
        self._state = ""   # the header's status words: "running draft", "done", ...
        super().__init__([self.status])
        self.add_class("hitl-session")
        self.display_handle: Any = None   # set by hitl_nb.review when it displays the view
        self._queue: ReviewQueue | None = None
        session.listen(self._on_event)
        self._sync()

    # -- the public contract --------------------------------------------------------
    @property
    def thread_id(self) -> str:
        """The reviewed thread's id (generated when none was given)."""
        return self.session.thread_id

    @property
    def pending(self) -> list[ReviewRequest]:
        """Requests awaiting a decision, in the graph's order."""
        return self.session.pending

    @property
    def cards(self) -> list[ReviewCard]:
        """One card per pending (undecided) request."""
        return [self._card(r) for r in self.session.pending]

    @property
    def done(self) -> bool:
        """True once the graph has finished (no interrupt left)."""
        return self.session.done

    @property
    def result(self) -> Any:
        """The graph's final state once ``done`` (None before)."""
        return self.session.result

    @property
    def error(self) -> BaseException | None:
        """The last resume's error (shown in the header), or None; see `retry`."""
        return self.session.error

    @property
    def log(self) -> Any:
        """The session's `DecisionLog`."""
        return self.session.log

    def decide(self, request: ReviewRequest, decision: Decision) -> Decision:
        """Record ``decision`` for ``request`` and resume once all are decided (what a
        card's click does); raises as `Session.decide`."""
        return self.session.decide(request, decision)

    def resume_now(self) -> Any:
        """Resume with the interrupts decided so far ("Resume now"); raises `HitlError`
        when none is fully decided. With an `AsyncSession`, returns its task."""
        return self.session.resume_now()  # a task with an AsyncSession

    def retry(self) -> Any:
        """Apply decisions recorded but not applied, after fixing what made the resume
        fail; raises `ResumeFailed` when it fails again."""
        return self.session.retry()

    # -- rendering ------------------------------------------------------------------
    def _card(self, request: ReviewRequest) -> ReviewCard:
        card = self._cards.get(request.key)
        if card is None:
            card = ReviewCard(request, self.session.decide, self.session.decided.get(request.key),
                              policy=self.session.policy)
            self._cards[request.key] = card
        return card

    @property
    def header(self) -> str:
        """The header's HTML: thread, status, steps."""
        s = self.session
        thread = render.escape(s.thread_id)
        note = " (generated: pass thread_id= to pick it up later)" if s.generated_thread_id else ""
        steps = f" · steps: {render.escape(' → '.join(s.steps[-8:]))}" if s.steps else ""
        return (f"<div class='hitl-header'><b>thread</b> <code>{thread}</code>{note} · "
                f"<span class='hitl-status'>{render.escape(self._state)}</span>{steps}</div>")

    @property
    def error_html(self) -> str:
        """The header's error line as HTML ("" when there is no error)."""
        error = self.session.error
        if error is None:
            return ""
        return render.error_html(error, "" if isinstance(error, UnserializableValue) else
                                 "<br>The decision is recorded; fix the cause and call "
                                 "<code>session.retry()</code>.")

    def _status_html(self) -> str:
        s = self.session
        result = f"<b>Result</b>{render.value_html(s.result)}" if s.done else ""
        return self.header + self.error_html + result

    def _on_event(self, event: str, payload: Any) -> None:
        if event == "progress":
            self._state = str(payload)
            self.status.show_later(self._status_html)   # rendered now if shown, else when read
            return
        if event == "changed" and payload in self._cards:   # one request: its card only
            self._show(payload, self._cards[payload])
            self._sync_header()
        else:
            self._sync()
        if not self.session.busy:
            self.refresh_display()

    def refresh_display(self) -> None:
        """Re-send the displayed output so its static text/html matches the live view."""
        if self.display_handle is not None:
            self.display_handle.update(self)

    def _sync(self) -> None:
        s = self.session
        live = {r.key for r in s.requests}
        self.history += [c for k, c in self._cards.items() if k not in live and c.decision]
        self._cards = {k: c for k, c in self._cards.items() if k in live}
        cards = [*self.history, *(self._card(r) for r in s.requests)]
        if list(self.children[1:]) != cards:
            self.children = [self.status, *cards]
        for r in s.requests:
            self._show(r.key, self._cards[r.key])
        self._sync_header()

    def _show(self, key: tuple, card: ReviewCard) -> None:
        """Bring one card up to date: its decision, or its queue note while undecided."""
        decision = self.session.decided.get(key)
        if decision is not None and card.decision is None:
            card.show_decision(decision)
        note = self.session.queue_note(card.request) if decision is None else ""
        note = f"<i>{render.escape(note)}</i>" if note else ""
        if card.note != note:
            card.note = note

    def _sync_header(self) -> None:
        s = self.session
        waiting = len(s.pending)
        if s.done:
            self._state = "done"
        elif s.error is not None:
            self._state = "error"
        elif waiting:
            self._state = f"waiting for {waiting} review{'s' if waiting != 1 else ''}"
        else:
            self._state = "paused"
        can_resume = s.resumable
        if self.status.can_resume != can_resume:
            self.status.can_resume = can_resume
        self.status.show_later(self._status_html)

    def _display_(self) -> Any:
        """What marimo shows for this view (it draws anywidgets, not ipywidgets boxes): the
        session as its review queue, one widget with every request in turn, then the
        result. Called by marimo only."""
        import marimo as mo

        if self._queue is None:
            self._queue = ReviewQueue(self)
        self._queue.open()   # marimo reads the comm's id off the widget
        return mo.ui.anywidget(self._queue)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        s = self.session
        cards = "".join([*(render.card_html(c.request, c.decision) for c in self.history),
                         *(render.card_html(r, s.decided.get(r.key)) for r in s.requests)])
        result = render.value_html(s.result) if s.done else ""
        data["text/html"] = (f"<div class='hitl-session'>{self.header}{cards}"
                             f"{self.error_html}{result}</div>")
        return bundle
