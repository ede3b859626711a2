"""Where the action's name and arguments sit in the payloads people write.

`find(value)` reads one payload and returns a `Shape`: the action's name, the arguments
the card shows and edits (always a dict when there are named arguments), the
description, and `Shape.back`, which turns edited arguments into the form they were
proposed in (the same keys, JSON text for an OpenAI call, the same model class).

Recognised, most specific first::

    {"tool_call": {"name": "send_email", "args": {...}, "id": "c1", "type": "tool_call"}}
    {"action": {"tool": "send_email", "to": "cfo@example.com", "body": "..."}}
    {"action": {"name": "deploy", "params": {"env": "prod"}}}
    {"type": "function", "function": {"name": "get_weather", "arguments": "{...}"}}  # JSON text
    {"action": "deploy", "params": {"env": "prod"}}     # or tool / name, args / input / ...
    {"tool": "rm", "path": "/tmp/x", "message": "ok?"}  # the other keys are the arguments
    EmailDraft(to="cfo@example.com", body="...")          # pydantic model or dataclass

A string is a question (the description); a list or any other value is shown as is.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Keys that name the action, in order of preference (string values only).
NAME_KEYS = ("action", "tool", "name", "tool_name", "function")
#: Keys whose mapping holds the arguments, in order of preference.
ARGS_KEYS = ("args", "arguments", "params", "parameters", "input", "tool_input", "kwargs")
#: Keys whose text describes the request.
TEXT_KEYS = ("description", "message", "question", "instruction", "instructions", "title")


def _same(args: Any) -> Any:
    return args


@dataclass
class Shape:
    """What a payload proposes: ``name`` (None when it names nothing), ``args`` (what the
    card shows and edits), ``description``, ``editable``, ``back(args)`` (edited
    arguments in the form they were proposed in) and ``details``: the payload's other
    keys (``{"action": "delete", "params": {...}, "reason": "cleanup"}``'s ``reason``),
    which the card shows too but which are not arguments."""

    name: str | None = None
    args: Any = field(default_factory=dict)
    description: str | None = None
    original: Any = None          # the proposed arguments as they were written
    back: Callable[[Any], Any] = _same
    source: Mapping[str, Any] | None = None  # the mapping the rich fields are read from
    details: dict[str, Any] = field(default_factory=dict)  # other keys, shown beside

    def __post_init__(self) -> None:
        if self.original is None:
            self.original = self.args

    @property
    def editable(self) -> bool:
        return isinstance(self.args, dict) and bool(self.args)


def as_mapping(value: Any) -> tuple[dict[str, Any] | None, Callable[[dict[str, Any]], Any]]:
    """A pydantic model, dataclass instance or mapping as a dict, and how to rebuild the
    original type from an edited dict (the identity for mappings); (None, ...) otherwise."""
    if isinstance(value, Mapping):
        return dict(value), _same
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        data = dump()
        return data, lambda edited: type(value).model_validate({**data, **edited})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return data, lambda edited: dataclasses.replace(value, **edited)
    return None, _same


def text_of(value: Mapping[str, Any], keys: tuple[str, ...] = TEXT_KEYS) -> str | None:
    """The first key of ``keys`` whose value is a non-empty string."""
    for key in keys:
        v = value.get(key)
        if isinstance(v, str) and v.strip():
            return v
    return None


def name_of(value: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(the action's name, the key it came from)."""
    for key in NAME_KEYS:
        v = value.get(key)
        if isinstance(v, str) and v.strip():
            return v, key
    return None, None


def json_object(text: Any) -> dict[str, Any] | None:
    """``text`` parsed when it is JSON text of an object (OpenAI's ``arguments``)."""
    if not isinstance(text, str) or not text.strip().startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _as_json(args: Any) -> str:
    return json.dumps(args, ensure_ascii=False, default=str)


def call(value: Any) -> Shape | None:
    """A single tool call: LangChain's ToolCall ``{"name", "args", "id"?, "type"?}``,
    OpenAI's ``{"type": "function", "function": {"name", "arguments"}}`` or
    ``{"name", "arguments": "<JSON text>"}`` (Responses API, legacy function_call)."""
    if not isinstance(value, Mapping):
        return None
    fn = value.get("function")
    if isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
        value = fn
    name = value.get("name")
    if not isinstance(name, str) or not name:
        return None
    if isinstance(value.get("args"), Mapping):
        return Shape(name, dict(value["args"]), original=value["args"])
    arguments = value.get("arguments")
    if isinstance(arguments, Mapping):
        return Shape(name, dict(arguments), original=arguments)
    parsed = json_object(arguments)
    if parsed is not None:
        return Shape(name, parsed, original=arguments, back=_as_json)
    if arguments == "" or (fn is not None and arguments is None):
        return Shape(name, {}, original=arguments, back=_as_json)
    return None


def _others(data: Mapping[str, Any], used: set[str | None], skip: frozenset[str]) -> dict:
    """The keys of ``data`` that are neither ``used`` nor description or meta keys."""
    return {k: v for k, v in data.items()
            if k not in used and k not in skip and k not in TEXT_KEYS}


def _from_mapping(whole: Any, skip: frozenset[str] = frozenset()) -> Shape:
    """Name from a name key; arguments from an args key's mapping, else the other keys
    (a model or dataclass without a name key is named after its class)."""
    data, rebuild = as_mapping(whole)
    assert data is not None
    name, name_key = name_of(data)
    for key in ARGS_KEYS:
        inner = data.get(key)
        details = _others(data, {name_key, key}, skip)
        if isinstance(inner, Mapping):
            return Shape(name, dict(inner), original=inner, details=details)
        parsed = json_object(inner) if key == "arguments" else None
        if parsed is not None:
            return Shape(name, parsed, original=inner, back=_as_json, details=details)
    rest = {k: v for k, v in data.items() if k != name_key and k not in skip}
    if rebuild is _same:
        return Shape(name, rest)
    keep = {name_key: name} if name_key else {}
    return Shape(name or type(whole).__name__, rest, original=whole,
                 back=lambda edited: rebuild({**keep, **edited}))


def find(value: Any, meta: frozenset[str] = frozenset()) -> Shape:
    """The `Shape` of any payload (never raises for JSON-able values, models, dataclasses).

    ``meta``: keys of a top-level dict that describe the request (message, task,
    confidence, ...) and so are not arguments.
    """
    if isinstance(value, str):
        return Shape(description=value)
    data, _ = as_mapping(value)
    if data is None:
        return Shape(args=list(value) if isinstance(value, tuple) else
                     value if value is not None else {})
    description = text_of(data)
    if isinstance(data.get("tool_call"), Mapping):
        found = call(data["tool_call"]) or find(data["tool_call"])
        return dataclasses.replace(found, description=description or found.description,
                                   source=data, details={
                                       **found.details, **_others(data, {"tool_call"}, meta)})
    inner = data.get("action")
    inner_map = as_mapping(inner)[0] if inner is not None else None
    if inner_map is not None:
        found = call(inner_map) or _from_mapping(inner)
        return dataclasses.replace(found, description=description or text_of(inner_map),
                                   source=data, details={
                                       **found.details, **_others(data, {"action"}, meta)})
    found = call(data) if data.get("type") in ("function", "function_call", "tool_call") \
        else None
    return dataclasses.replace(found or _from_mapping(value, meta), description=description,
                               source=data)
