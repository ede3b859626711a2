"""Form fields for the card's front end, and what it sends back, read in Python.

The front end draws a form from plain field descriptions (``fields``); each input sends
back its raw value: text as typed, a checkbox as a bool, a choice as its index. `read`
turns those raw values into the typed value (numbers, lists, dates, JSON), naming the
fields it cannot read; the schema's own library then validates it
(`hitl_nb.ui.forms.Schema.validate`) and the session checks it once more before anything
is recorded. No logic lives in the front end.

Example::

    specs = Schema({"type": "object", "properties": {"n": {"type": "integer"}}}).fields()
    fields(specs, {"n": 3})        # [{"name": "n", "kind": "integer", "raw": "3", ...}]
    read(specs, {"n": "4"})        # {"n": 4}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ... import render
from ...model import InvalidForm
from ..forms import FieldSpec, Schema, parse_json

#: Kinds the front end draws as a single-line text input (the rest have their own input).
_TEXT_LIKE = ("text", "integer", "number", "date")
_MISSING = object()


def fields(specs: list[FieldSpec], values: Any = None, nested: bool = False) -> list[dict]:
    """What the front end needs to draw each field, with the raw value it starts from."""
    values = values if isinstance(values, dict) else {}
    out = []
    for spec in specs:
        given = spec.name in values
        start = values[spec.name] if given else spec.default if spec.has_default else None
        item = {"name": spec.name, "kind": spec.kind, "label": spec.label,
                "required": spec.required, "help": spec.help}
        if spec.kind == "object" and not nested:
            sub = Schema(spec.schema).fields()
            item["fields"] = fields(sub, start, nested=True)
        elif spec.kind == "object":
            item["kind"] = "json"
        if item["kind"] == "enum" or (spec.kind == "list" and spec.item_kind == "enum"):
            item["options"] = [render.short(o, 80) for o in spec.options]
            item["blank"] = spec.kind == "enum" and (
                spec.nullable or not (spec.required or spec.has_default))
        if spec.minimum is not None:
            item["min"] = spec.minimum
        if spec.maximum is not None:
            item["max"] = spec.maximum
        if "fields" not in item:
            item["raw"] = _raw(spec, item["kind"], start, given or spec.has_default)
        out.append(item)
    return out


def _raw(spec: FieldSpec, kind: str, start: Any, given: bool) -> Any:
    if kind == "boolean":
        return bool(start)
    if kind == "enum":
        return spec.options.index(start) if start in spec.options else -1
    if kind == "list" and spec.item_kind == "enum":
        return [spec.options.index(v) for v in start or [] if v in spec.options]
    if kind == "list":
        return "\n".join(str(v) for v in start or [])
    if kind == "json":
        return render.to_json(start) if start is not None or given else ""
    return "" if start is None else str(start)


def read(specs: list[FieldSpec], raws: Any, nested: bool = False) -> dict[str, Any]:
    """The typed value of a form from its raw values; `InvalidForm` names bad fields."""
    raws = raws if isinstance(raws, dict) else {}
    out, errors = {}, {}
    for spec in specs:
        try:
            value = _read_one(spec, raws.get(spec.name), nested)
        except (ValueError, TypeError, InvalidForm) as exc:
            errors[spec.name] = str(exc)
            continue
        if value is not _MISSING:
            out[spec.name] = value
    if errors:
        raise InvalidForm("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    return out


def _read_one(spec: FieldSpec, raw: Any, nested: bool) -> Any:
    empty = None if spec.nullable else _MISSING
    kind = spec.kind
    if kind == "object" and not nested:
        value = read(Schema(spec.schema).fields(), raw, nested=True)
        return value if value or spec.required else empty
    if kind == "object":
        kind = "json"
    if kind == "boolean":
        return bool(raw)
    if kind == "enum":
        index = raw if isinstance(raw, int) and not isinstance(raw, bool) else -1
        return spec.options[index] if 0 <= index < len(spec.options) else empty
    if kind == "list" and spec.item_kind == "enum":
        return [spec.options[i] for i in raw or [] if isinstance(i, int)
                and 0 <= i < len(spec.options)]
    text = "" if raw is None else str(raw)
    if kind == "list":
        return [_convert(spec.item_kind, line) for line in text.splitlines() if line.strip()]
    if not text.strip() and kind not in ("text", "textarea"):
        return empty
    if kind == "json":
        return parse_json(text)
    if kind in ("integer", "number"):
        return _convert(kind, text)
    if kind == "date":
        return dt.date.fromisoformat(text.strip()[:10]).isoformat()
    return text if text or spec.required or spec.has_default else empty


def _convert(kind: str, text: str) -> Any:
    text = text.strip()
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if kind == "boolean":
        return text.lower() in ("true", "yes", "1", "y")
    return text


def raws(items: list[dict]) -> dict[str, Any]:
    """The raw values of drawn fields (what the form holds before anyone types)."""
    return {item["name"]: raws(item["fields"]) if "fields" in item else item.get("raw")
            for item in items}
