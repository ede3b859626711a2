"""`ReviewCard`: one request as ONE widget (an ``anywidget.AnyWidget``). A thin view.

``card.approve()`` / ``reject()`` / ``edit()`` / ``respond()`` are what the buttons do,
and ``card.click("Approve")`` is exactly a browser click on that button (tests and docs
use it; the browser sends the same label). The body is `render.request_html`; the
front end (``_card.js``) adds buttons, the comment box, forms drawn from the request's
JSON Schema (`_fields`), the live diff of an edit, collapsing once decided, and keys.
Every value it sends is read and validated here, then by the session, before anything
is recorded. Errors of a click show on the card and stay in ``card.error``.

Example::

    card = session.cards[0]
    card.click("Reject"); card.comment = "wrong quarter"; card.click("Send rejection")
    card.click("Edit"); card.fill({"to": "ceo@example.com"}); card.click("Submit edit")
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import traitlets as t

from ... import render
from ...model import AlreadyDecided, Decision, HitlError, ReviewRequest, quote
from . import _boxes
from ._front import FrontEnd

Submit = Callable[[ReviewRequest, Decision], Any]

LABELS = {"approve": "Approve", "reject": "Reject", "edit": "Edit", "respond": "Respond"}
#: The button that sends each box (what Enter does while it is open).
SEND = {"reject": "Send rejection", "edit": "Submit edit", "respond": "Send response"}


class ReviewCard(FrontEnd):
    """A review card for ``request``; ``submit(request, decision)`` records and resumes.

    ``decision``: show it already decided (collapsed to its summary).
    ``policy``: a `RiskPolicy`; with one, the card offers "Always allow/reject <tool>"
    (remembered choices). The methods (``approve``, ``reject``, ``edit``, ``respond``,
    ``click``) take the same path as the browser's buttons and raise what ``submit``
    raises (`InvalidResponse`, `AlreadyDecided`, `ResumeFailed`, ...), after showing the
    message on the card (kept in ``card.error``).

    Example::

        card = session.cards[0]
        card.edit({"to": "cfo@acme.com"}, comment="not the whole company")
        card.decision.summary()
    """

    title = t.Unicode("").tag(sync=True)
    key = t.Unicode("").tag(sync=True)         # thread/interrupt/index (keys move focus)
    actions = t.List().tag(sync=True)          # [[kind, label], ...] in button order
    mode = t.Unicode("").tag(sync=True)        # the open box: "", reject, edit, respond
    comment = t.Unicode("").tag(sync=True)
    persist = t.Bool(False).tag(sync=True)     # "remember across sessions"
    form = t.Dict().tag(sync=True)             # the open box's fields (built on opening)
    draft = t.Dict().tag(sync=True)            # what the reviewer typed in it
    diff = t.Unicode("").tag(sync=True)        # live diff of an edit
    errors = t.Dict().tag(sync=True)           # field -> message
    status = t.Unicode("").tag(sync=True)      # error and decision lines
    decided = t.Unicode("").tag(sync=True)     # one-line summary once decided
    busy = t.Bool(False).tag(sync=True)
    expanded = t.Bool(False).tag(sync=True)    # a decided card shows its body again
    note = t.Unicode("").tag(sync=True)        # "1 of 2 approvals · 4 min left"
    front_end_writes = ("comment", "persist", "draft")

    def __init__(self, request: ReviewRequest, submit: Submit,
                 decision: Decision | None = None, policy: Any = None) -> None:
        self.decision: Decision | None = None
        self.policy = policy
        self._submit = submit
        self._specs: Any = None     # the open box's form fields (`_boxes`)
        self._schema: Any = None
        super().__init__()
        self.observe(lambda change: self._open(change["new"]), "mode")
        self.observe(lambda _change: self._refresh_diff(), "draft")
        self._fresh = True   # nothing shown yet: no trait to clear
        self.show(request, decision)

    def show(self, request: ReviewRequest, decision: Decision | None = None) -> None:
        """Show ``request`` (a queue reuses one card for the next request)."""
        self.request = request
        self.decision = None
        self.error = None
        with self.hold_sync():
            if not self.__dict__.pop("_fresh", False):   # what the last request left
                self._clear("mode", "form", "draft", "diff", "errors", "status", "decided",
                            "busy", "expanded", "comment", "persist")
            self.show_later(lambda: render.request_html(request))   # when first read or shown
            self.title = render.title(request)
            self.key = "/".join(map(str, request.key))
            self.actions = self._actions(request)
        if decision is not None:
            self.show_decision(decision)

    def _clear(self, *names: str) -> None:
        """Empty each trait named ("", {}, False: their defaults) that is not empty; a
        new card's are, and setting them again would only validate and compare."""
        for name in names:
            value = getattr(self, name)
            if value:
                setattr(self, name, type(value)())

    def _actions(self, request: ReviewRequest) -> list[list[str]]:
        out = [[kind, LABELS[kind]] for kind in request.allowed if kind in LABELS]
        if self.policy is not None:
            risk = request.risk
            if "approve" in request.allowed and not (risk and risk.tier == "always"):
                out.append(["always-allow", f"Always allow {request.action}"])
            if "reject" in request.allowed:
                out.append(["always-reject", f"Always reject {request.action}"])
        return out

    @property
    def buttons(self) -> list[str]:
        """The labels of the buttons a click may name right now."""
        labels = [label for _kind, label in self.actions]
        if self.mode:
            labels += [SEND[self.mode], "Cancel", *self.form.get("views", [])]
        return labels + (["details"] if self.decision is not None else [])

    # -- what a click does --------------------------------------------------------------
    def click(self, label: str) -> Any:
        """Do what a browser click on the button ``label`` does (the same path)."""
        try:
            return self._click(label)
        except BaseException as exc:
            self.show_error(exc)
            raise

    def _click(self, label: str) -> Any:
        kind = next((k for k, text in self.actions if text == label), None)
        if self.decision is not None:   # a decided card: its buttons are off
            if label != "details":
                return self._refuse(self.request, Decision("approve"))
            self.expanded = not self.expanded
        elif kind == "approve":
            return self.approve(self.comment or None)
        elif kind == "reject":   # opens the comment box; with it open or a comment, rejects
            if self.mode == "reject" or self.comment:
                return self.reject(self.comment or None)
            self.mode = "reject"
        elif kind in ("edit", "respond"):
            self.mode = "" if self.mode == kind else kind
        elif kind in ("always-allow", "always-reject"):
            choice = "allow" if kind == "always-allow" else "reject"
            self.policy.remember(self.request.action, choice, persist=self.persist)
            return (self.approve if choice == "allow" else self.reject)(self.comment or None)
        elif self.mode and label == SEND[self.mode]:
            return self._send_box()
        elif self.mode and label == "Cancel":
            self.mode = ""
        elif self.mode and label in self.form.get("views", ()):
            self.form = _boxes.switch(self, label)
        else:
            raise HitlError(f"no button {label!r} on this card now; buttons: "
                            f"{', '.join(map(repr, self.buttons))}")
        return None

    def fill(self, values: Any = None, *, json: str | None = None,
             text: str | None = None) -> None:
        """Type into the open box as a reviewer would: ``values`` by field name (what
        the inputs hold: text, bools, numbers), or ``json`` / ``text`` for those views."""
        self.draft = _boxes.typed(self, values, json, text)

    def box_value(self) -> Any:
        """What the open box holds, read as sending it would (`InvalidForm` if unreadable)."""
        return _boxes.read(self)

    def _send_box(self) -> Decision:
        if self.mode == "reject":
            return self.reject(self.comment or None)
        if self.mode == "edit":  # the box holds every argument: sent as it is
            return self._decide(Decision("edit", args=_boxes.read(self),
                                         comment=self.comment or None))
        return self.respond(_boxes.read(self))

    # -- the four decisions -------------------------------------------------------------
    def approve(self, comment: str | None = None) -> Decision:
        """Approve the action as proposed."""
        return self._decide(Decision("approve", comment=comment))

    def reject(self, comment: str | None = None) -> Decision:
        """Reject the action, with an optional comment for the agent and the log."""
        return self._decide(Decision("reject", comment=comment))

    def edit(self, args: Any, comment: str | None = None) -> Decision:
        """Approve with changed arguments: a dict of those that change, the others keep
        their proposed values (checked against the tool's schema as a whole). Arguments
        that are not a dict (a text, a list) replace the proposal."""
        proposed = self.request.args
        if isinstance(args, dict) and isinstance(proposed, dict):
            args = {**proposed, **args}
        return self._decide(Decision("edit", args=args, comment=comment))

    def respond(self, value: Any) -> Decision:
        """Answer instead of the tool: text, or a value matching the request's schema
        (validated by the schema's library first; `InvalidForm` names the bad fields)."""
        try:
            value = _boxes.checked_response(self, value)
        except HitlError as exc:
            self.show_error(exc)
            raise
        return self._decide(Decision("respond", response=value))

    # -- plumbing -----------------------------------------------------------------------
    def _open(self, mode: str) -> None:
        """Build the box the front end (or a click) opened: its fields, its live diff. A
        box closed unsent (Cancel, Esc) drops its comment: an Approve never carries it."""
        self.form, self.errors, self.diff = _boxes.build(self, mode), {}, ""
        self.draft = {}
        if not mode and self.decision is None:
            self.comment = ""

    def _refresh_diff(self) -> None:
        if self.mode == "edit" and self.draft:
            self.diff, self.errors = _boxes.live_diff(self)

    def _decide(self, decision: Decision) -> Decision:
        self.busy = True
        try:
            result = self._submit(self.request, decision)
        except HitlError as exc:
            self.show_error(exc)
            first = getattr(exc, "decision", None)
            if first is not None:
                self.show_decision(first)
            raise
        except BaseException:
            self.busy = False
            raise
        if isinstance(result, asyncio.Future):      # an async session: resumes in the loop
            result.add_done_callback(self._settled)
            return result  # type: ignore[return-value]
        final = result if isinstance(result, Decision) else decision
        if final is not self.decision:  # the session view may have shown it already
            self.show_decision(final)
        return decision

    def _settled(self, future: asyncio.Future) -> None:
        exc = future.exception()
        if exc is not None:
            self.show_error(exc)
        first = getattr(exc, "decision", None) if exc else future.result()
        if isinstance(first, Decision):
            self.show_decision(first)

    def show_error(self, exc: BaseException) -> None:
        """Keep ``exc`` in ``card.error`` and show it on the card; controls come back."""
        self.error = exc
        text = quote(exc, 600, "full message in card.error")
        if getattr(exc, "fields", None):
            self.errors = dict(exc.fields)
        self.status = f"<div class='hitl-error'>{render.escape(text)}</div>"
        self.busy = False

    def show_decision(self, decision: Decision) -> None:
        """Collapse to the decision's one-line summary (expandable); controls stay off."""
        self.decision = decision
        with self.hold_sync():
            self.busy = True
            self._clear("mode", "form", "draft", "diff")
            line = render.decision_line_html(decision)
            self.decided = f"<b>{render.escape(render.short(self.title, 80))}</b> — {line}"
            decided = render.decision_html(decision, self.request, line)
            if decided not in self.status:   # shown once, after any error message
                self.status += decided
        self._submit = self._refuse   # let go of the session (its graph and log)

    def _refuse(self, request: ReviewRequest, _decision: Decision) -> Decision:
        first = self.decision
        raise AlreadyDecided(f"{quote(request.action, 100)!r} (thread {request.thread_id}) "
                             f"was {first.summary() if first else 'decided'}; nothing was "
                             "changed", first)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self._bundle(render.card_html(self.request, self.decision),
                            render.card_text(self.request, self.decision), **kwargs)
