"""LangChain ``HumanInTheLoopMiddleware(interrupt_mode="per_call")``.

Payload: a ``ToolApprovalRequest`` ``{"type": "tool_approval", "tool_call_id", "name",
"args", "description"}`` whose ``response_schema`` lists the allowed decisions (a
``oneOf`` with a discriminator; the edit branch carries the tool's argument schema).
Resume value: one decision dict, checked against that schema before it is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import DECISION_TYPES, Decision, ReviewRequest
from ._common import check_against_schema, tool_description
from .langchain_batched import decision_value

NAME = "langchain_per_call"
PRIORITY = 10


def _resolve(schema: Mapping[str, Any], node: Any) -> Any:
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref.startswith("#/$defs/"):
            return schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
    return node


def _branches(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Decision type -> its branch of the schema."""
    options = schema.get("oneOf") or schema.get("anyOf") or [schema]
    out = {}
    for option in options:
        branch = _resolve(schema, option)
        const = branch.get("properties", {}).get("type", {}).get("const")
        if const in DECISION_TYPES:
            out[const] = branch
    return out


def _args_schema(schema: Mapping[str, Any], edit: Mapping[str, Any] | None) -> dict | None:
    if not edit:
        return None
    action = _resolve(schema, edit.get("properties", {}).get("edited_action", {}))
    args = _resolve(schema, action.get("properties", {}).get("args", {}))
    if not isinstance(args, Mapping) or not args or "$ref" in args:
        return None
    return {**args, "$defs": schema.get("$defs", {})} if "$defs" in schema else dict(args)


def parse(value: Any, response_schema: dict[str, Any] | None) -> list[ReviewRequest] | None:
    if not (isinstance(value, Mapping) and value.get("type") == "tool_approval"
            and isinstance(value.get("name"), str)):
        return None
    branches = _branches(response_schema or {})
    allowed = tuple(t for t in DECISION_TYPES if t in branches) or DECISION_TYPES
    return [ReviewRequest(
        action=value["name"],
        args=dict(value.get("args") or {}),
        description=tool_description(value),
        allowed=allowed,
        format=NAME,
        response_schema=response_schema,
        args_schema=_args_schema(response_schema or {}, branches.get("edit")),
        extra={"tool_call_id": value.get("tool_call_id")},
    )]


def validate(request: ReviewRequest, decision: Decision) -> None:
    if request.response_schema:
        check_against_schema(decision_value(request, decision), request.response_schema,
                             f"{decision.type} decision for {request.action}")


def resume_value(requests: list[ReviewRequest], decisions: list[Decision]) -> Any:
    return decision_value(requests[0], decisions[0])
