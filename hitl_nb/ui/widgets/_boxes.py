"""The card's boxes (edit, respond) in plain Python: what the front end draws, and what
it sends back, read and validated.

A box is a dict the front end draws (``card.form``): its ``view`` ("form", "json" or
"text"), the ``views`` the reviewer may switch between, the form's ``fields`` (drawn
from the request's JSON Schema: ``args_schema`` for an edit, ``response_schema`` for a
typed response, else inferred from the proposed values), and the JSON text. A schema no
form can be drawn from falls back to the JSON editor. What the reviewer typed comes back
in ``card.draft``: ``{"values": {field: raw}}``, ``{"json": text}`` or ``{"text": text}``.
"""

from __future__ import annotations

import json as _json
from typing import Any

from ... import render
from ...model import InvalidForm
from ..forms import Schema, infer_schema, parse_json
from . import _fields

#: Formats whose response schema describes the reviewer's answer (not a decision union).
TYPED_RESPONSE_FORMATS = ("plain", "hitl_nb")
#: Characters of JSON beyond which arguments are not offered for editing in the page.
EDIT_LIMIT = 2_000_000


def build(card: Any, mode: str) -> dict[str, Any]:
    """The box for ``mode`` ("" closes it)."""
    card._specs = None
    request = card.request
    if mode == "edit":
        args = request.args
        text = render.to_json(args, limit=EDIT_LIMIT)
        if len(text) >= EDIT_LIMIT:
            return {"kind": "edit", "view": "big", "views": [], "json": "",
                    "note": "These arguments are too big to edit here: call "
                            "card.edit(new_args) in a cell."}
        schema = _schema(request.args_schema) if request.args_schema else None
        if isinstance(args, dict):
            schema = schema or _schema(infer_schema(args))
        return _box(card, "edit", schema, args, text)
    if mode == "respond":
        schema = None
        if request.response_schema and request.format in TYPED_RESPONSE_FORMATS:
            schema = _schema(request.response_schema)
            if schema is None:   # a schema no form can be drawn from: the JSON editor
                return {"kind": "respond", "view": "json", "views": ["JSON"], "json": ""}
        if schema is None:
            return {"kind": "respond", "view": "text", "views": [], "json": ""}
        return _box(card, "respond", schema, None, "")
    return {}


def _schema(source: Any) -> Schema | None:
    try:
        schema = Schema(source)
        schema.fields()
        return schema
    except Exception:  # a schema the form cannot read: JSON editor (the session validates)
        return None


def _box(card: Any, kind: str, schema: Schema | None, value: Any, text: str) -> dict:
    if schema is None:
        return {"kind": kind, "view": "json", "views": ["JSON"], "json": text}
    card._specs = schema.fields()
    card._schema = schema
    start = value if schema.is_object else None if value is None else {"value": value}
    return {"kind": kind, "view": "form", "views": ["Form", "JSON"], "json": "",
            "fields": _fields.fields(card._specs, start)}


def switch(card: Any, label: str) -> dict[str, Any]:
    """Carry what was typed over to the other view (Form <-> JSON)."""
    form = dict(card.form)
    if label == "JSON" and form.get("view") != "json":
        try:
            value = read(card)
        except (InvalidForm, ValueError):
            value = card.request.args if form.get("kind") == "edit" else None
        form.update(view="json", json="" if value is None else render.to_json(value))
        card.draft = {"json": form["json"]}
    elif label == "Form" and card._specs is not None and form.get("view") != "form":
        try:
            parsed = parse_json(card.draft.get("json", "")) if card.draft.get("json") else None
        except ValueError:
            parsed = None
        start = parsed if card._schema.is_object else {"value": parsed}
        form.update(view="form", fields=_fields.fields(card._specs, start))
        card.draft = {"values": _fields.raws(form["fields"])}
    return form


def typed(card: Any, values: Any, json: str | None, text: str | None) -> dict[str, Any]:
    """The draft a reviewer typing ``values`` (by field), ``json`` or ``text`` leaves."""
    if json is not None:
        return {"json": json}
    if text is not None:
        return {"text": text}
    if not card._specs:
        raise InvalidForm("this box has no form fields: fill(json=...) or fill(text=...)")
    values = values if card._schema.is_object or values is None else {"value": values}
    unknown = set(values or {}) - {s.name for s in card._specs}
    if unknown:
        raise InvalidForm(f"no field {', '.join(sorted(unknown))} in this form",
                          dict.fromkeys(unknown, "no such field"))
    base = dict(card.draft.get("values") or _fields.raws(card.form.get("fields", [])))
    chosen = [s for s in card._specs if s.name in (values or {})]
    base.update(_fields.raws(_fields.fields(chosen, values)))
    return {"values": base}


def read(card: Any) -> Any:
    """The value of the open box (raises `InvalidForm` naming what cannot be read)."""
    view, draft = card.form.get("view"), card.draft
    if view == "form":
        raws = draft.get("values") or _fields.raws(card.form.get("fields", []))
        value = _fields.read(card._specs, raws)
        if card.form.get("kind") == "edit" and card.request.args_schema:
            value = card._schema.validate(value)
        return value if card._schema.is_object else value.get("value")
    if view == "json":
        try:
            return parse_json(draft.get("json", card.form.get("json", "")))
        except ValueError as exc:
            raise InvalidForm(f"the JSON is {exc}", {"json": str(exc)}) from None
    if view == "text":
        text = str(draft.get("text", ""))
        if text.strip()[:1] in ("{", "["):   # a JSON object or list, else the text as is
            try:
                return _json.loads(text)
            except ValueError:
                return text
        return text
    raise InvalidForm(card.form.get("note") or "open the box first (click Edit or Respond)")


def checked_response(card: Any, value: Any) -> Any:
    """``value`` validated by the response schema's own library when the card has a
    typed response form (the checked value, defaults filled in)."""
    request = card.request
    if request.response_schema and request.format in TYPED_RESPONSE_FORMATS:
        schema = _schema(request.response_schema)
        if schema is not None:
            return schema.validate(value)
    return value


def live_diff(card: Any) -> tuple[str, dict[str, str]]:
    """The diff between the proposed and the edited arguments, or the fields in error."""
    try:
        edited = read(card)
    except InvalidForm as exc:
        return f"<div class='hitl-field-error'>{render.escape(str(exc))}</div>", dict(exc.fields)
    return render.diff_html(card.request.args, edited, "Your changes"), {}
