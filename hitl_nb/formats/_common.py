"""Helpers the format modules share: rich fields found in dict payloads, schema checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ..model import InvalidResponse, Risk

#: Keys of a dict payload that describe the request rather than being its arguments.
META_KEYS = frozenset({
    "action", "tool", "name", "args", "arguments", "message", "description", "question",
    "task", "confidence", "before", "after", "uncertainty", "steps", "risk", "type",
    "title", "allowed", "allowed_decisions", "expires_at", "on_timeout", "approvals",
    "rejections", "instruction", "instructions", "tool_call",
})


def rich_fields(value: Mapping[str, Any]) -> dict[str, Any]:
    """The optional fields a payload may carry that make a card richer."""
    out: dict[str, Any] = {}
    task = value.get("task")
    if isinstance(task, str):
        out["task"] = task
    conf = value.get("confidence")
    if isinstance(conf, (int, float)) and not isinstance(conf, bool) and 0 <= conf <= 1:
        out["confidence"] = float(conf)
    if "before" in value or "after" in value:
        out["before"] = value.get("before")
        out["after"] = value.get("after")
    notes = value.get("uncertainty")
    if isinstance(notes, str):
        notes = [notes]
    if isinstance(notes, list):
        out["uncertainty"] = [str(n) for n in notes]
    steps = value.get("steps")
    if isinstance(steps, list):
        out["steps"] = steps
    out.update(queue_fields(value))
    risk = Risk.from_dict(value.get("risk")) if isinstance(value.get("risk"), Mapping) else None
    if risk:
        out["risk"] = risk
    return out


def queue_fields(value: Mapping[str, Any]) -> dict[str, Any]:
    """Deadline and quorum keys: ``expires_at`` (ISO text, epoch seconds or datetime),
    ``on_timeout`` ("reject" or "approve"), ``approvals`` and ``rejections`` (counts)."""
    out: dict[str, Any] = {}
    deadline = value.get("expires_at")
    if isinstance(deadline, (int, float)) and not isinstance(deadline, bool):
        deadline = datetime.fromtimestamp(deadline, timezone.utc)
    elif isinstance(deadline, str):
        try:
            deadline = datetime.fromisoformat(deadline)
        except ValueError:
            deadline = None
    if isinstance(deadline, datetime):
        out["expires_at"] = deadline if deadline.tzinfo else deadline.replace(
            tzinfo=timezone.utc)
    if value.get("on_timeout") in ("approve", "reject"):
        out["on_timeout"] = value["on_timeout"]
    for key in ("approvals", "rejections"):
        n = value.get(key)
        if isinstance(n, int) and not isinstance(n, bool) and n >= 1:
            out[key] = n
    return out


def tool_description(action: Mapping[str, Any]) -> Any:
    """A middleware request's description without the ``Tool: name / Args: {...}`` lines
    LangChain's ``HumanInTheLoopMiddleware`` appends by default: the card shows the
    arguments itself, in a table. Any other description is kept as it is."""
    text = action.get("description")
    tail = f"\n\nTool: {action.get('name')}\nArgs: {action.get('args')}"
    if isinstance(text, str) and text.endswith(tail) and len(text) > len(tail):
        return text[:-len(tail)]
    return text


def text_of(value: Mapping[str, Any], *keys: str) -> str | None:
    """The first key of ``keys`` whose value is a non-empty string."""
    for key in keys:
        v = value.get(key)
        if isinstance(v, str) and v.strip():
            return v
    return None


def check_against_schema(instance: Any, schema: Mapping[str, Any], what: str) -> None:
    """Validate with jsonschema; raise `InvalidResponse` naming the first problem."""
    import jsonschema  # lazily: importing it can take seconds (see README, Performance)

    try:
        validator_cls = jsonschema.validators.validator_for(schema)
        validator = validator_cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    except jsonschema.exceptions.SchemaError as exc:  # the graph's schema is broken
        raise InvalidResponse(f"the {what} schema is not valid JSON Schema: {exc.message}") from exc
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        shown = json.dumps(instance, default=str)
        if len(shown) > 200:
            shown = shown[:200] + "..."
        raise InvalidResponse(f"invalid {what} at {where}: {error.message} (value: {shown})")


def is_valid(instance: Any, schema: Mapping[str, Any]) -> bool:
    try:
        check_against_schema(instance, schema, "value")
    except InvalidResponse:
        return False
    return True


def as_text(value: Any) -> str:
    """A response as the text a chat model reads: strings as they are, else JSON."""
    return value if isinstance(value, str) else json.dumps(value, default=str)
