"""Lists of tool calls: one card per call, resumed together.

Payload: a list of LangChain ``ToolCall`` dicts (``{"name", "args", "id", "type":
"tool_call"}``, e.g. ``interrupt(ai_message.tool_calls)``) or of OpenAI tool calls
(``{"type": "function", "function": {"name", "arguments": "<JSON text>"}}``); or a dict
holding such a list under ``tool_calls`` (``{"tool_calls": [...], "message": ...}``, or an
``AIMessage`` itself). Each call gets its own card.

Resume value, one plain dict per call (``approved``, ``type``, ``comment``, ``args``,
``response``; ``args`` in the form the call proposed them, JSON text for OpenAI calls):

- for a bare list: the list of those dicts, in the order of the calls;
- for a dict holding ``tool_calls``: one dict with ``approved`` (every call approved or
  edited), ``type`` (the shared type, else the strongest of reject > respond > edit),
  ``comment`` (the comments joined by "; "), ``args`` (the list of each call's args),
  ``response`` (the first response) and ``decisions`` (the per-call dicts, in order).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, ReviewRequest
from . import _shapes
from ._common import rich_fields
from .plain import Mapper, request_for

NAME = "tool_calls"
PRIORITY = 40
MAPPED = True

_STRENGTH = ("approve", "edit", "respond", "reject")


def _calls(value: Any) -> tuple[list[Any], Mapping[str, Any] | None] | None:
    """The calls of a payload and the dict around them (None for a bare list)."""
    if isinstance(value, list):
        return value, None
    data, _ = _shapes.as_mapping(value)
    if data is not None and isinstance(data.get("tool_calls"), list):
        return data["tool_calls"], data
    return None


def parse(value: Any, response_schema: dict[str, Any] | None) -> list[ReviewRequest] | None:
    found = _calls(value)
    if found is None or not found[0]:
        return None
    calls, around = found
    shapes = [_shapes.call(c) for c in calls]
    if any(s is None for s in shapes):
        return None
    description = _shapes.text_of(around) if around is not None else None
    fields = rich_fields(around) if around is not None else {}
    requests = []
    for item, shape in zip(calls, shapes, strict=True):
        request = request_for(shape, NAME)  # type: ignore[arg-type]
        request.description = description
        request.extra = {"tool_call_id": item.get("id") or item.get("call_id")}
        requests.append(request.replace(**fields))
    return requests


def _one(request: ReviewRequest, decision: Decision, item: Any) -> dict[str, Any]:
    shape = _shapes.call(item)
    assert shape is not None
    args = shape.back(decision.args) if decision.type == "edit" else shape.original
    return {"approved": decision.approved, "type": decision.type,
            "comment": decision.comment, "args": args, "response": decision.response}


def resume_value(requests: list[ReviewRequest], decisions: list[Decision],
                 mapper: Mapper | None = None) -> Any:
    found = _calls(requests[0].raw)
    calls, around = found if found is not None else ([{}] * len(requests), None)
    values = [mapper(r, d) if mapper is not None else _one(r, d, c)
              for r, d, c in zip(requests, decisions, calls, strict=True)]
    if around is None or mapper is not None:
        return values
    types = [d.type for d in decisions]
    comments = [d.comment for d in decisions if d.comment]
    responses = [d.response for d in decisions if d.response is not None]
    return {
        "approved": all(d.approved for d in decisions),
        "type": max(types, key=_STRENGTH.index),
        "comment": "; ".join(comments) or None,
        "args": [v["args"] for v in values],
        "response": responses[0] if responses else None,
        "decisions": values,
    }
