"""`ReviewCard`: one request as a widget. A thin view: every handler is one line.

``card.approve()`` / ``reject()`` / ``edit()`` / ``respond()`` are what the buttons
call, so tests and users take the same path as a click (like ``Button.click()``).
The body is `render.request_html` (context, plain-language sentence, arguments, diff,
confidence, risk); Reject opens a comment box (Enter submits), Edit a form with a live
diff, Respond a typed form when the request has a response schema. Once decided, the
card collapses to a one-line summary that expands again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ... import render
from ...model import AlreadyDecided, Decision, HitlError, InvalidForm, ReviewRequest, quote
from .args_editor import ArgsEditor
from .form import SchemaForm
from .remember import RememberBox

Submit = Callable[[ReviewRequest, Decision], Any]

_STYLE = {"approve": "success", "reject": "danger", "edit": "warning", "respond": "info"}
_LABEL = {"approve": "Approve", "reject": "Reject", "edit": "Edit", "respond": "Respond"}
#: Formats whose response schema describes the reviewer's answer (not a decision union).
_TYPED_RESPONSE_FORMATS = ("plain", "hitl_nb")


def _hidden(*children: w.Widget) -> w.VBox:
    return w.VBox(list(children), layout=w.Layout(display="none"))


class ReviewCard(w.VBox):
    """A review card for ``request``; ``submit(request, decision)`` records and resumes."""

    def __init__(self, request: ReviewRequest, submit: Submit,
                 decision: Decision | None = None, policy: Any = None) -> None:
        self.request = request
        self.decision: Decision | None = None
        self.error: BaseException | None = None
        self._submit = submit
        self._mode: str | None = None     # which box is open: reject, edit, respond
        self.body = w.HTML(render.request_html(request))
        self.buttons = {kind: w.Button(description=_LABEL[kind], button_style=_STYLE[kind],
                                       tooltip=f"{_LABEL[kind]} {request.action}")
                        for kind in request.allowed}
        for kind, button in self.buttons.items():
            button.add_class(f"hitl-{kind}")
        self.comment = w.Text(placeholder="Comment (optional) — Enter submits",
                              layout=w.Layout(width="70%"))
        self.comment.add_class("hitl-comment")
        self.send_reject = w.Button(description="Send rejection", button_style="danger")
        self.reject_box = _hidden(w.HBox([self.comment, self.send_reject]))
        self._editor: ArgsEditor | None = None   # built on first use (big payloads)
        self.submit_edit = w.Button(description="Submit edit", button_style="warning")
        self.edit_box = _hidden(self.submit_edit)
        self.form = self._response_form(request)
        self.answer = w.Textarea(placeholder="Your response (text or JSON)",
                                 layout=w.Layout(width="95%", height="4em"))
        self.submit_answer = w.Button(description="Send response", button_style="info")
        self.answer_box = _hidden(self.form or self.answer, self.submit_answer)
        self.status = w.HTML("")
        self.remember = RememberBox(self, policy) if policy is not None else None
        self.summary = w.HTML("")
        self.expand = w.ToggleButton(description="details", icon="chevron-down",
                                     layout=w.Layout(width="auto"))
        self.summary_row = w.HBox([self.summary, self.expand],
                                  layout=w.Layout(display="none", align_items="center"))
        self.full = w.VBox([self.body, w.HBox(list(self.buttons.values())),
                            *([self.remember] if self.remember is not None else []),
                            self.reject_box, self.edit_box, self.answer_box, self.status])
        self._wire()
        super().__init__([self.summary_row, self.full])
        self.add_class("hitl-card")
        self.layout.border = "1px solid var(--jp-border-color1, #bdbdbd)"
        self.layout.padding = "6px 10px"
        self.layout.margin = "4px 0"
        if decision is not None:
            self.show_decision(decision)

    @staticmethod
    def _response_form(request: ReviewRequest) -> SchemaForm | None:
        """A typed form when the response schema describes the answer (else free text:
        also when the schema is one no form can be built from)."""
        if request.response_schema and request.format in _TYPED_RESPONSE_FORMATS \
                and "respond" in request.allowed:
            try:
                return SchemaForm(request.response_schema)
            except Exception:  # a broken schema: answer as text; the session still validates
                return None
        return None

    @property
    def editor(self) -> ArgsEditor | None:
        """The edit form (built when Edit is first clicked), None when edit is not allowed."""
        if self._editor is None and "edit" in self.request.allowed and self.decision is None:
            self._editor = self._args_editor(self.request)
            self.edit_box.children = (self._editor, self.submit_edit)
            self.set_busy(False)   # the new controls follow the card (disabled once decided)
        return self._editor

    @staticmethod
    def _args_editor(request: ReviewRequest) -> ArgsEditor:
        """The edit form from the tool's argument schema, else from the values."""
        try:
            return ArgsEditor(request.args, request.args_schema)
        except Exception:  # a schema no form can be built from
            return ArgsEditor(request.args)

    def _wire(self) -> None:
        b = self.buttons
        if "approve" in b:
            b["approve"].on_click(lambda _: self.approve(self.comment.value or None))
        if "reject" in b:
            b["reject"].on_click(lambda _: self._reject_clicked())
        if "edit" in b:
            b["edit"].on_click(lambda _: self._open("edit"))
        if "respond" in b:
            b["respond"].on_click(lambda _: self._open("respond"))
        self.send_reject.on_click(lambda _: self.reject(self.comment.value or None))
        self.submit_edit.on_click(lambda _: self._edit_from_form())
        self.submit_answer.on_click(lambda _: self.respond(self._answer_value()))
        self.comment.on_msg(self._comment_msg)
        self.expand.observe(lambda ch: self._show_full(ch["new"]), "value")

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
        """Answer instead of the tool: text, or a value matching the request's schema
        (validated by the schema's library first; `InvalidForm` names the bad fields)."""
        if self.form is not None:
            try:
                value = self.form.validate(value)
            except InvalidForm as exc:
                self.show_error(exc)
                raise
        return self._decide(Decision("respond", response=value))

    # -- plumbing -----------------------------------------------------------------------
    def _reject_clicked(self) -> Decision | None:
        """First click opens the comment box; with a comment typed (or the box open) it
        rejects."""
        if self._mode == "reject" or self.comment.value:
            return self.reject(self.comment.value or None)
        self._open("reject")
        return None

    def _comment_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if content.get("event") == "submit":   # Enter pressed in the comment box
            self._enter()

    def _enter(self) -> Decision | None:
        if self.decision is not None:
            return None
        if self._mode == "edit":
            return self._edit_from_form()
        if "reject" in self.buttons:
            return self.reject(self.comment.value or None)
        return None

    def _open(self, mode: str) -> None:
        """Show the box of ``mode`` (click again to close it); the comment goes along."""
        if mode == "edit":
            _ = self.editor
        self._mode = None if self._mode == mode else mode
        self.reject_box.layout.display = None if self._mode in ("reject", "edit") else "none"
        self.send_reject.layout.display = None if self._mode == "reject" else "none"
        self.edit_box.layout.display = None if self._mode == "edit" else "none"
        self.answer_box.layout.display = None if self._mode == "respond" else "none"

    def _edit_from_form(self) -> Decision:
        try:
            args = self.editor.validate() if self.editor else self.request.args
        except InvalidForm as exc:
            self.show_error(exc)
            raise
        return self.edit(args, self.comment.value or None)

    def _answer_value(self) -> Any:
        if self.form is not None:
            try:
                return self.form.value
            except InvalidForm as exc:
                self.show_error(exc)
                raise
        text = self.answer.value
        if text.strip()[:1] in ("{", "["):   # a JSON object or list, else the text as it is
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return text
        return text

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

    def _controls(self) -> list[w.Widget]:
        found: list[w.Widget] = []
        stack: list[w.Widget] = [self.full]
        while stack:
            widget = stack.pop()
            if isinstance(widget, w.Box):
                stack.extend(widget.children)
            elif hasattr(widget, "disabled"):
                found.append(widget)
        return found

    def set_busy(self, busy: bool) -> None:
        """Disable every control while resuming (and for good after a decision)."""
        for control in self._controls():
            control.disabled = busy or self.decision is not None

    def show_error(self, exc: BaseException) -> None:
        self.error = exc
        text = quote(exc, 600, "full message in card.error")
        self.status.value = (f"<div class='hitl-error' style='color:var(--jp-error-color1,"
                             f"#d32f2f)'>{render.escape(text)}</div>")
        self.set_busy(False)

    def show_decision(self, decision: Decision) -> None:
        """Collapse to the decision's one-line summary (expandable); controls stay disabled."""
        self.decision = decision
        self.set_busy(True)
        self._mode = "decided"
        for box in (self.reject_box, self.edit_box, self.answer_box):
            box.layout.display = "none"
        self.summary.value = (f"<b>{render.escape(render.short(render.title(self.request), 80))}"
                              f"</b> — {render.decision_line_html(decision)}")
        decided = render.decision_html(decision, self.request)
        if decided not in self.status.value:   # shown once, after any error message
            self.status.value += decided
        self.summary_row.layout.display = None
        self._show_full(self.expand.value)
        self._let_go()

    def _let_go(self) -> None:
        """A decided card keeps only what it shows: no session (its graph and log), no
        edit form. Another click is refused here, naming the decision."""
        self._submit = self._refuse
        if self._editor is not None:
            self.edit_box.children = ()
            self._editor.close()
            self._editor = None

    def _refuse(self, request: ReviewRequest, _decision: Decision) -> Decision:
        first = self.decision
        raise AlreadyDecided(f"{quote(request.action, 100)!r} (thread {request.thread_id}) "
                             f"was {first.summary() if first else 'decided'}; nothing was "
                             "changed", first)

    def _show_full(self, shown: bool) -> None:
        if self.decision is None:
            return
        self.full.layout.display = None if shown else "none"
        self.expand.icon = "chevron-up" if shown else "chevron-down"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = render.card_html(self.request, self.decision)
        data["text/plain"] = render.card_text(self.request, self.decision)
        return bundle
