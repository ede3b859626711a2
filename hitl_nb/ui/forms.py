"""Schemas -> form fields, and validation by the schema's own library (no widgets here).

A response or argument schema may be a JSON Schema dict, a pydantic model, a TypedDict
or a dataclass. `Schema` turns any of them into a JSON Schema (for the form's fields)
and a validator: pydantic's ``TypeAdapter`` for Python types, ``jsonschema`` for dicts.
`field_spec` reads one property into what a form needs (kind, bounds, options, default,
help); `infer_schema` makes a schema from example values (edit forms without a schema).

Example::

    schema = Schema(MyModel)
    schema.validate({"name": "x"})   # -> JSON-able dict, or raises InvalidForm
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..model import InvalidForm

#: String properties with these names get a multi-line box.
LONG_NAMES = frozenset({"body", "content", "text", "message", "description", "notes",
                        "comment", "prompt", "html", "markdown", "code", "config"})


@dataclass
class FieldSpec:
    """What a form needs to know about one property."""

    name: str
    kind: str            # text, textarea, integer, number, boolean, enum, date, list, object, json
    label: str
    required: bool = False
    nullable: bool = False
    default: Any = None
    has_default: bool = False
    help: str = ""
    options: list[Any] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    item_kind: str = "text"
    schema: dict[str, Any] = field(default_factory=dict)


class Schema:
    """A schema of any flavour: its JSON Schema, and validation by its own library."""

    def __init__(self, schema: Any) -> None:
        self.source = schema
        if isinstance(schema, Mapping):
            self.adapter: TypeAdapter[Any] | None = None
            self.json = dict(schema)
            import jsonschema  # on first use: importing it can take seconds (README)

            jsonschema.validators.validator_for(self.json).check_schema(self.json)
        else:
            self.adapter = TypeAdapter(schema)
            self.json = self.adapter.json_schema()

    @property
    def is_object(self) -> bool:
        return self.resolve(self.json).get("type") == "object" or "properties" in self.json

    def resolve(self, node: Any) -> dict[str, Any]:
        """``node`` with ``$ref`` (to ``#/$defs/...``) and ``allOf: [one]`` followed."""
        for _ in range(20):
            if not isinstance(node, Mapping):
                return {}
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
                target: Any = self.json
                for part in node["$ref"][2:].split("/"):
                    target = target.get(part, {}) if isinstance(target, Mapping) else {}
                node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
                node = {**self.resolve(node["allOf"][0]),
                        **{k: v for k, v in node.items() if k != "allOf"}}
            else:
                return dict(node)
        return dict(node)

    def fields(self) -> list[FieldSpec]:
        """One spec per property of an object schema, or one ``value`` field otherwise."""
        root = self.resolve(self.json)
        if not self.is_object:
            return [field_spec(self, "value", root, required=True)]
        required = set(root.get("required") or ())
        return [field_spec(self, name, prop, required=name in required)
                for name, prop in (root.get("properties") or {}).items()]

    def validate(self, value: Any) -> Any:
        """The validated value, JSON-able; raises `InvalidForm` naming each bad field."""
        if self.adapter is not None:
            try:
                checked = self.adapter.validate_python(value)
            except ValidationError as exc:
                errors = {}
                for err in exc.errors():
                    where = str(err["loc"][0]) if err["loc"] else "value"
                    errors.setdefault(where, err["msg"])
                raise InvalidForm(_message(errors), errors) from None
            return self.adapter.dump_python(checked, mode="json")
        import jsonschema

        validator = jsonschema.validators.validator_for(self.json)(self.json)
        errors = {}
        for err in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
            if err.validator == "required" and isinstance(err.instance, Mapping):
                for name in err.validator_value:
                    if name not in err.instance:
                        errors.setdefault(str(name), "a value is required")
                continue
            where = str(err.absolute_path[0]) if err.absolute_path else "value"
            errors.setdefault(where, err.message)
        if errors:
            raise InvalidForm(_message(errors), errors)
        return value


def _message(errors: Mapping[str, str]) -> str:
    shown = "; ".join(f"{k}: {v}" for k, v in list(errors.items())[:5])
    return f"invalid response ({len(errors)} field{'s' if len(errors) > 1 else ''}): {shown}"


def field_spec(schema: Schema, name: str, prop: Any, required: bool = False) -> FieldSpec:
    """Read one property (after ``$ref``/``anyOf``-with-null) into a `FieldSpec`."""
    prop = schema.resolve(prop)
    nullable = False
    options = prop.get("anyOf") or prop.get("oneOf")
    if isinstance(options, list):
        real = [o for o in options if schema.resolve(o).get("type") != "null"]
        nullable = len(real) < len(options)
        if len(real) == 1:
            prop = {**schema.resolve(real[0]),
                    **{k: v for k, v in prop.items() if k not in ("anyOf", "oneOf")}}
    kind = _kind(schema, name, prop)
    spec = FieldSpec(
        name=name, kind=kind, label=str(prop.get("title") or name.replace("_", " ")),
        required=required, nullable=nullable or prop.get("type") == ["string", "null"],
        default=prop.get("default"), has_default="default" in prop,
        help=str(prop.get("description") or ""), schema=prop,
        minimum=prop.get("minimum", prop.get("exclusiveMinimum")),
        maximum=prop.get("maximum", prop.get("exclusiveMaximum")),
    )
    if kind == "object" and "$defs" in schema.json:
        spec.schema = {**prop, "$defs": schema.json["$defs"]}
    if kind == "enum":
        spec.options = list(prop["enum"]) if "enum" in prop else [prop["const"]]
    if kind == "list":
        items = schema.resolve(prop.get("items", {}))
        spec.item_kind = _kind(schema, name, items)
        if spec.item_kind == "enum":
            spec.options = list(items.get("enum") or [items.get("const")])
    return spec


def _kind(schema: Schema, name: str, prop: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if isinstance(kind, list):
        real = [k for k in kind if k != "null"]
        kind = real[0] if len(real) == 1 else None
    if "enum" in prop or "const" in prop:
        return "enum"
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        long = (prop.get("format") in ("textarea", "multiline")
                or (prop.get("maxLength") or 0) > 200 or name.lower() in LONG_NAMES
                or "\n" in str(prop.get("default") or ""))
        return "textarea" if long else "text"
    if kind in ("integer", "number", "boolean"):
        return kind
    if kind == "array":
        items = schema.resolve(prop.get("items", {}))
        return "list" if _kind(schema, name, items) in ("text", "integer", "number", "enum",
                                                         "date", "boolean") else "json"
    if kind == "object" and "properties" in prop:
        return "object"
    return "json"


def infer_schema(value: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON Schema guessed from example values (an edit form when no schema is given)."""
    props = {}
    for key, item in value.items():
        props[str(key)] = _infer(item)
    return {"type": "object", "properties": props, "required": list(props)}


def _infer(item: Any) -> dict[str, Any]:
    if isinstance(item, bool):
        return {"type": "boolean"}
    if isinstance(item, int):
        return {"type": "integer"}
    if isinstance(item, float):
        return {"type": "number"}
    if isinstance(item, str):
        return {"type": "string", **({"format": "textarea"} if "\n" in item or len(item) > 80
                                     else {})}
    if isinstance(item, list) and item and all(isinstance(i, str) and "\n" not in i
                                               for i in item):
        return {"type": "array", "items": {"type": "string"}}
    return {}  # anything else edits as JSON


def parse_json(text: str) -> Any:
    """JSON text -> value, with an error message a reviewer understands."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                         ) from None
