"""Plain ``interrupt(value)``: any JSON-able value, the fallback for every payload.

The default resume value is a dict, so the common pattern works unchanged::

    human = interrupt({"action": "send_email", "message": "Please approve"})
    if human["approved"]: ...

It carries ``approved`` (bool), ``type`` ("approve", "reject", "edit", "respond"),
``comment``, ``args`` (the edited arguments, or the proposed ones) and ``response``.
With ``interrupt(value, response_schema=...)`` the resume value is the reviewer's
response itself, validated against the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, ReviewRequest
from ._common import META_KEYS, check_against_schema, is_valid, rich_fields, text_of

NAME = "plain"
PRIORITY = 1000


def _name(value: Mapping[str, Any]) -> str | None:
    for key in ("action", "tool", "name"):
        if isinstance(value.get(key), str) and value[key]:
            return value[key]
    return None


def _default_value(request: ReviewRequest, decision: Decision) -> dict[str, Any]:
    return {
        "approved": decision.approved,
        "type": decision.type,
        "comment": decision.comment,
        "args": decision.args if decision.type == "edit" else request.args,
        "response": decision.response,
    }


def parse(value: Any, response_schema: dict[str, Any] | None) -> list[ReviewRequest]:
    fields: dict[str, Any] = {}
    name = None
    description = None
    args: Any = {}
    if isinstance(value, Mapping):
        name = _name(value)
        description = text_of(value, "description", "message", "question", "title")
        if isinstance(value.get("args"), Mapping):
            args = dict(value["args"])
        elif isinstance(value.get("arguments"), Mapping):
            args = dict(value["arguments"])
        else:
            args = {k: v for k, v in value.items() if k not in META_KEYS}
        fields = rich_fields(value)
    elif isinstance(value, str):
        description = value
    elif value is not None:
        args = value
    allowed: tuple[Any, ...] = ("approve", "reject", "respond")
    if isinstance(args, dict) and args:
        allowed = ("approve", "reject", "edit", "respond")
    request = ReviewRequest(action=name or "", args=args, description=description,
                            allowed=allowed, format=NAME, response_schema=response_schema, **fields)
    if response_schema:
        # The schema describes the resume value. Approve/reject stay available only
        # when their default dict fits it (e.g. a model with ``approved: bool``).
        fit = [t for t in ("approve", "reject")
               if is_valid(_default_value(request, Decision(t)), response_schema)]
        request.allowed = (*fit, "respond")
    return [request]


def validate(request: ReviewRequest, decision: Decision) -> None:
    if request.response_schema and decision.type == "respond":
        check_against_schema(decision.response, request.response_schema, "response")


def resume_value(requests: list[ReviewRequest], decisions: list[Decision]) -> Any:
    request, decision = requests[0], decisions[0]
    if request.response_schema and decision.type == "respond":
        return decision.response
    return _default_value(request, decision)
