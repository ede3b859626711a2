"""`ArgsEditor`: edit a tool's arguments in a form or as JSON, with a live diff.

The form comes from the tool's argument schema when the graph exposes one (LangChain
tools carry one), else it is inferred from the proposed values; a JSON mode covers
anything a form cannot. The diff between the proposed and the edited arguments is
recomputed on every keystroke.

Example::

    editor = ArgsEditor({"to": "cfo@example.com", "subject": "Q3"})
    editor.form.fields["to"].widget.value = "ceo@example.com"
    editor.diff.value        # HTML: to changed cfo@... -> ceo@...
    editor.validate()        # the edited arguments (checked against the schema, if any)
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ... import render
from ...model import InvalidForm
from ..forms import Schema, infer_schema, parse_json
from .form import SchemaForm


class ArgsEditor(w.VBox):
    """Edit a tool's arguments: a form (from ``args_schema``, else inferred from the
    values) or raw JSON, with a live diff between the proposed and the edited args."""

    def __init__(self, args: Any, args_schema: dict[str, Any] | None = None) -> None:
        self.proposed = args
        self.schema = Schema(args_schema) if args_schema else None
        form_ok = isinstance(args, dict)
        self.form = SchemaForm(self.schema or infer_schema(args), args) if form_ok else None
        # With a form, the JSON box is filled when the reviewer switches to it.
        self.json = w.Textarea(value="" if form_ok else render.to_json(args),
                               layout=w.Layout(width="95%", height="10em"))
        self.mode = w.ToggleButtons(options=["Form", "JSON"] if form_ok else ["JSON"],
                                    style={"button_width": "5em"})
        self.diff = w.HTML(render.diff_html(args, args, "Your changes"))
        self.diff.add_class("hitl-live-diff")
        parts = [self.mode, *([self.form] if self.form else []), self.json, self.diff]
        super().__init__(parts)
        self._show_mode()
        self.mode.observe(lambda _: self._switch(), "value")
        if self.form is not None:
            self.form.observe_value(lambda _: self.refresh())
        self.json.observe(lambda _: self.refresh(), "value")

    def _switch(self) -> None:
        """Carry the current edit over to the other mode, then show it."""
        if self.form is not None:
            try:
                if self.mode.value == "JSON":
                    self.json.value = render.to_json(self.form.value)
                else:
                    parsed = parse_json(self.json.value) if self.json.value.strip() else None
                    if isinstance(parsed, dict):
                        self.form.set_values(parsed)
            except (InvalidForm, ValueError):
                pass   # unreadable: the other mode keeps its own last good state
        self._show_mode()
        self.refresh()

    def _show_mode(self) -> None:
        if self.form is not None:
            self.form.layout.display = None if self.mode.value == "Form" else "none"
        self.json.layout.display = None if self.mode.value == "JSON" else "none"

    @property
    def value(self) -> Any:
        """The edited arguments (raises `InvalidForm` when the JSON or a field is unreadable)."""
        if self.mode.value == "Form" and self.form is not None:
            return self.form.value
        try:
            return parse_json(self.json.value)
        except ValueError as exc:
            raise InvalidForm(f"the edited arguments are {exc}", {"json": str(exc)}) from None

    @value.setter
    def value(self, new: Any) -> None:
        """Set the edit as JSON text (a string) or as a value; switches to the JSON mode."""
        self.mode.value = "JSON"
        self.json.value = new if isinstance(new, str) else render.to_json(new)

    def validate(self) -> Any:
        """The edited arguments, checked against ``args_schema`` when there is one."""
        value = self.value
        if self.schema is not None:
            if self.form is not None and self.mode.value == "Form":
                return self.form.validate(value)
            return self.schema.validate(value)
        return value

    def refresh(self) -> None:
        """Recompute the live diff (called on every keystroke)."""
        try:
            edited = self.value
        except InvalidForm as exc:
            self.diff.value = (f"<div class='hitl-field-error' style='color:var(--jp-error-color1,"
                               f"#d32f2f)'>{render.escape(str(exc))}</div>")
            return
        self.diff.value = render.diff_html(self.proposed, edited, "Your changes")
