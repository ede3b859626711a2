"""`ReviewCard`: one request as a widget. A thin view: every handler is one line.

``card.approve()`` / ``reject()`` / ``edit()`` / ``respond()`` are what the buttons
call, so tests and users take the same path as a click (like ``Button.click()``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from .. import render
from ..model import Decision, HitlError, InvalidResponse, ReviewRequest
from .remember import RememberBox

Submit = Callable[[ReviewRequest, Decision], Any]

_STYLE = {"approve": "success", "reject": "danger", "edit": "warning", "respond": "info"}
_LABEL = {"approve": "Approve", "reject": "Reject", "edit": "Edit", "respond": "Respond"}


class ReviewCard(w.VBox):
    """A review card for ``request``; ``submit(request, decision)`` records and resumes."""

    def __init__(self, request: ReviewRequest, submit: Submit,
                 decision: Decision | None = None, policy: Any = None) -> None:
        self.request = request
        self.decision: Decision | None = None
        self.error: BaseException | None = None
        self._submit = submit
        self.body = w.HTML(render.request_html(request))
        self.comment = w.Text(placeholder="Comment (optional)", layout=w.Layout(width="60%"))
        self.buttons = {kind: w.Button(description=_LABEL[kind], button_style=_STYLE[kind],
                                       tooltip=f"{_LABEL[kind]} {request.action}")
                        for kind in request.allowed}
        for kind, button in self.buttons.items():
            button.add_class(f"hitl-{kind}")
        self.editor = w.Textarea(value=render.to_json(request.args),
                                 layout=w.Layout(width="95%", height="8em"))
        self.submit_edit = w.Button(description="Submit edit", button_style="warning")
        self.answer = w.Textarea(placeholder="Your response (text or JSON)",
                                 layout=w.Layout(width="95%", height="4em"))
        self.submit_answer = w.Button(description="Send response", button_style="info")
        self.edit_box = w.VBox([self.editor, self.submit_edit], layout={"display": "none"})
        self.answer_box = w.VBox([self.answer, self.submit_answer], layout={"display": "none"})
        self.status = w.HTML(placeholder="")
        self.remember = RememberBox(self, policy) if policy is not None else None
        self._wire()
        super().__init__([self.body, self.comment, w.HBox(list(self.buttons.values())),
                          *([self.remember] if self.remember is not None else []),
                          self.edit_box, self.answer_box, self.status])
        self.add_class("hitl-card")
        self.layout.border = "1px solid var(--jp-border-color1, #ccc)"
        self.layout.padding = "6px"
        self.layout.margin = "4px 0"
        if decision is not None:
            self.show_decision(decision)

    def _wire(self) -> None:
        b = self.buttons
        if "approve" in b:
            b["approve"].on_click(lambda _: self.approve(self.comment.value or None))
        if "reject" in b:
            b["reject"].on_click(lambda _: self.reject(self.comment.value or None))
        if "edit" in b:
            b["edit"].on_click(lambda _: self._toggle(self.edit_box))
        if "respond" in b:
            b["respond"].on_click(lambda _: self._toggle(self.answer_box))
        self.submit_edit.on_click(lambda _: self.edit(self._editor_args(), self.comment.value
                                                      or None))
        self.submit_answer.on_click(lambda _: self.respond(self._answer_value()))

    # -- the four decisions -------------------------------------------------------------
    def approve(self, comment: str | None = None) -> Decision:
        """Approve the action as proposed."""
        return self._decide(Decision("approve", comment=comment))

    def reject(self, comment: str | None = None) -> Decision:
        """Reject the action, with an optional comment for the agent and the log."""
        return self._decide(Decision("reject", comment=comment))

    def edit(self, args: Any, comment: str | None = None) -> Decision:
        """Approve with changed arguments (a dict; checked against the tool's schema)."""
        return self._decide(Decision("edit", args=args, comment=comment))

    def respond(self, value: Any) -> Decision:
        """Answer instead of the tool: text, or a value matching the request's schema."""
        return self._decide(Decision("respond", response=value))

    # -- plumbing -----------------------------------------------------------------------
    def _decide(self, decision: Decision) -> Decision:
        self.set_busy(True)
        try:
            result = self._submit(self.request, decision)
        except HitlError as exc:
            self.show_error(exc)
            first = getattr(exc, "decision", None)
            if first is not None:
                self.show_decision(first)
            raise
        except BaseException:
            self.set_busy(False)
            raise
        if isinstance(result, asyncio.Future):      # an async session: resumes in the loop
            result.add_done_callback(self._settled)
            return result  # type: ignore[return-value]
        self.show_decision(result if isinstance(result, Decision) else decision)
        return decision

    def _settled(self, future: asyncio.Future) -> None:
        exc = future.exception()
        if exc is not None:
            self.show_error(exc)
        first = getattr(exc, "decision", None) if exc else future.result()
        if isinstance(first, Decision):
            self.show_decision(first)

    def _toggle(self, box: w.Box) -> None:
        box.layout.display = None if box.layout.display == "none" else "none"

    def _editor_args(self) -> Any:
        try:
            return json.loads(self.editor.value)
        except json.JSONDecodeError as exc:
            self.show_error(InvalidResponse(f"the edited arguments are not valid JSON: {exc}"))
            raise InvalidResponse(f"the edited arguments are not valid JSON: {exc}") from exc

    def _answer_value(self) -> Any:
        """The typed answer: JSON when it parses as an object or list (or the request has a
        schema), else the text as it is."""
        text = self.answer.value
        if self.request.response_schema or text.strip()[:1] in ("{", "["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return text
        return text

    def set_busy(self, busy: bool) -> None:
        """Disable every control while resuming (and for good after a decision)."""
        for control in (*self.buttons.values(), self.submit_edit, self.submit_answer,
                        self.comment, self.editor, self.answer):
            control.disabled = busy or self.decision is not None
        if self.remember is not None:
            self.remember.set_disabled(busy or self.decision is not None)

    def show_error(self, exc: BaseException) -> None:
        self.error = exc
        self.status.value = (f"<div class='hitl-error' style='color:var(--jp-error-color1,"
                             f"#c62828)'>{render.escape(str(exc))}</div>")
        self.set_busy(False)

    def show_decision(self, decision: Decision) -> None:
        """Collapse to the decision's one-line summary; controls stay disabled."""
        self.decision = decision
        self.set_busy(True)
        for box in (self.edit_box, self.answer_box):
            box.layout.display = "none"
        self.status.value += render.decision_html(decision)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = render.card_html(self.request, self.decision)
        data["text/plain"] = render.summary_text(self.request)
        return bundle
