"""Typed forms: `SchemaForm`, for responses and (in `ArgsEditor`) tool arguments.

Thin views over :mod:`hitl_nb.ui.forms`: one widget per field (text or textarea, numbers
with bounds, checkbox, dropdown for enums/Literals, date picker, one-item-per-line lists,
a nested object one level deep, JSON for anything else), descriptions as help text,
defaults pre-filled, and errors shown next to the field they concern.

Example::

    form = SchemaForm(MyModel)          # or a JSON Schema dict, a TypedDict, a dataclass
    form.fields["name"].widget.value = "Ana"
    form.validate()                     # -> {"name": "Ana", ...}, or raises InvalidForm
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ... import render
from ...model import InvalidForm
from ..forms import FieldSpec, Schema, parse_json
from ._fields import _convert

_MISSING = object()
_HELP = ("<div style='color:var(--jp-ui-font-color2,#757575);font-size:0.85em;"
         "line-height:1.3'>{}</div>")
_ERROR = "<div class='hitl-field-error' style='color:var(--jp-error-color1,#d32f2f)'>{}</div>"
_WIDE = w.Layout(width="95%")


class Field(w.VBox):
    """One labelled input with its help text and its error line."""

    def __init__(self, spec: FieldSpec, value: Any = _MISSING, nested: bool = False) -> None:
        self.spec = spec
        self.child: SchemaForm | None = None
        start = value if value is not _MISSING else spec.default if spec.has_default else None
        # A value that was there (even "" or null) stays there unless the reviewer changes it.
        self._given = value is not _MISSING or spec.has_default
        self._was_text = isinstance(start, str)
        self.widget = self._make(spec, start, nested)
        self._initial: Any = _MISSING
        if self.child is not None and start is None:
            with contextlib.suppress(InvalidForm):
                self._initial = self.child.value
        label = f"<b>{render.escape(spec.label)}</b>{' *' if spec.required else ''}"
        if spec.help:   # the description, as help under the label
            label += _HELP.format(render.escape(spec.help))
        self.label = w.HTML(label)
        self.error = w.HTML("", layout=w.Layout(display="none"))
        super().__init__([self.label, self.widget, self.error], layout=w.Layout(margin="2px 0"))
        self.add_class(f"hitl-field-{spec.kind}")

    def _make(self, spec: FieldSpec, start: Any, nested: bool) -> w.Widget:
        kind = spec.kind
        if kind == "object" and not nested:
            self.child = SchemaForm(spec.schema, start if isinstance(start, dict) else None,
                                    nested=True)
            self.child.layout.margin = "0 0 0 1.5em"
            return self.child
        if kind == "boolean":
            return w.Checkbox(value=bool(start), indent=False)
        if kind == "enum":
            options = [(render.short(o, 80), o) for o in spec.options]
            if spec.nullable or not (spec.required or spec.has_default):
                options.insert(0, ("—", None))
            value = start if start in spec.options else options[0][1]
            return w.Dropdown(options=options, value=value)
        if kind in ("integer", "number") and not spec.nullable and (spec.required
                                                                   or spec.has_default):
            return self._number(spec, start)
        if kind == "date":
            return w.DatePicker(value=_as_date(start))
        if kind == "list":
            if spec.item_kind == "enum":
                return w.SelectMultiple(options=spec.options,
                                        value=[v for v in (start or []) if v in spec.options])
            text = "\n".join(str(v) for v in start or [])
            return w.Textarea(value=text, placeholder="one item per line", layout=_WIDE)
        if kind in ("json", "object"):
            text = render.to_json(start) if start is not None or self._given else ""
            return w.Textarea(value=text, placeholder="JSON", layout=w.Layout(width="95%",
                                                                              height="6em"))
        text = "" if start is None else str(start)
        if kind == "textarea":
            return w.Textarea(value=text, layout=w.Layout(width="95%", height="6em"))
        return w.Text(value=text, layout=_WIDE)

    @staticmethod
    def _number(spec: FieldSpec, start: Any) -> w.Widget:
        integer = spec.kind == "integer"
        value = start if isinstance(start, (int, float)) and not isinstance(start, bool) else 0
        if spec.minimum is not None and spec.maximum is not None:
            cls = w.BoundedIntText if integer else w.BoundedFloatText
            return cls(value=value, min=spec.minimum, max=spec.maximum)
        return (w.IntText if integer else w.FloatText)(value=value)

    def get(self) -> Any:
        """The field's value (``_MISSING`` when left empty and optional)."""
        spec, value = self.spec, self.widget.value
        if self.child is not None:
            value = self.child.value
            # An optional object the reviewer left untouched stays absent (or null).
            return self._empty() if not spec.required and value == self._initial else value
        if spec.kind == "enum" and value is None and None not in spec.options:
            return self._empty()
        if spec.kind in ("boolean", "enum") or isinstance(self.widget, (w.IntText, w.FloatText,
                                                        w.BoundedIntText, w.BoundedFloatText)):
            return value
        if spec.kind == "date":
            return value.isoformat() if value else self._empty()
        if spec.kind == "list":
            if isinstance(value, tuple):
                return list(value)
            return [_convert(spec.item_kind, line) for line in value.splitlines() if line.strip()]
        if not str(value).strip() and spec.kind not in ("text", "textarea"):
            return self._empty()
        if spec.kind == "json":
            return parse_json(value)
        if spec.kind in ("integer", "number"):
            return _convert(spec.kind, value)
        return value if value != "" or self._was_text else self._empty()

    def _empty(self) -> Any:
        return None if self.spec.nullable else _MISSING

    def set(self, value: Any) -> None:
        """Show ``value`` in the field (what the reviewer would type to get it)."""
        spec, widget = self.spec, self.widget
        if self.child is not None:
            if isinstance(value, dict):
                self.child.set_values(value)
        elif spec.kind == "boolean":
            widget.value = bool(value)
        elif spec.kind == "enum":
            if value in spec.options or (value is None and None in [o[1] for o in
                                                                  widget.options]):
                widget.value = value
        elif spec.kind == "date":
            widget.value = _as_date(value)
        elif spec.kind == "list" and isinstance(value, list):
            if isinstance(widget, w.SelectMultiple):
                widget.value = [v for v in value if v in spec.options]
            else:
                widget.value = "\n".join(str(v) for v in value)
        elif isinstance(widget, (w.IntText, w.FloatText, w.BoundedIntText, w.BoundedFloatText)):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                widget.value = value
        elif spec.kind in ("json", "object", "list"):
            widget.value = render.to_json(value)
        else:
            widget.value = "" if value is None else str(value)

    def show_error(self, message: str | None) -> None:
        self.error.value = _ERROR.format(render.escape(message)) if message else ""
        self.error.layout.display = None if message else "none"

    def observe_value(self, callback: Callable[[Any], None]) -> None:
        if self.child is not None:
            self.child.observe_value(callback)
        else:
            self.widget.observe(callback, "value")


class SchemaForm(w.VBox):
    """A form from a schema (JSON Schema dict, pydantic model, TypedDict or dataclass)."""

    def __init__(self, schema: Any, value: Any = None, *, nested: bool = False) -> None:
        self.schema = schema if isinstance(schema, Schema) else Schema(schema)
        start = value if isinstance(value, dict) else {} if self.schema.is_object else \
            {"value": value} if value is not None else {}
        self.fields: dict[str, Field] = {
            spec.name: Field(spec, start.get(spec.name, _MISSING), nested)
            for spec in self.schema.fields()}
        self.error = w.HTML("")
        super().__init__([*self.fields.values(), self.error])
        self.add_class("hitl-form")

    @property
    def value(self) -> Any:
        """What the fields hold now, converted; raises `InvalidForm` for unreadable fields."""
        out, errors = {}, {}
        for name, f in self.fields.items():
            try:
                got = f.get()
            except (ValueError, InvalidForm) as exc:
                errors[name] = str(exc)
                continue
            if got is not _MISSING:
                out[name] = got
        if errors:
            raise InvalidForm("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
        return out if self.schema.is_object else out.get("value")

    def validate(self, value: Any = _MISSING) -> Any:
        """Validate ``value`` (default: the fields) with the schema's library; errors are
        shown next to their fields and raised as `InvalidForm`."""
        try:
            checked = self.schema.validate(self.value if value is _MISSING else value)
        except InvalidForm as exc:
            self.show_errors(exc.fields, str(exc))
            raise
        self.show_errors({})
        return checked

    def show_errors(self, errors: dict[str, str], message: str = "") -> None:
        for name, f in self.fields.items():
            f.show_error(errors.get(name))
        stray = {k: v for k, v in errors.items() if k not in self.fields}
        text = "; ".join(f"{k}: {v}" for k, v in stray.items())
        if errors and not text and not any(name in errors for name in self.fields):
            text = message
        self.error.value = _ERROR.format(render.escape(text)) if text else ""

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill the fields named in ``values`` (other keys are ignored)."""
        for name, value in values.items():
            if name in self.fields:
                self.fields[name].set(value)

    def observe_value(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(change)`` whenever any field changes (as the reviewer types)."""
        for f in self.fields.values():
            f.observe_value(callback)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
