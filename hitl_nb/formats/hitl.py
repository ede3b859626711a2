"""hitl_nb's own request, raised by :func:`hitl_nb.request_review` inside a node.

The richest payload: task, steps so far, before/after for the diff, confidence,
uncertainty notes and the risk assessment. Resume value: the `Decision` as a dict,
which ``request_review`` turns back into a `Decision` for the node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import DECISION_TYPES, Decision, ReviewRequest
from ._common import check_against_schema, rich_fields

NAME = "hitl_nb"
PRIORITY = 0
MARKER = "__hitl_nb__"


def payload(action: str, args: Any, **fields: Any) -> dict[str, Any]:
    """The interrupt value for a rich request (JSON-able)."""
    return {MARKER: 1, "action": action, "args": args, **fields}


def parse(value: Any, response_schema: dict[str, Any] | None) -> list[ReviewRequest] | None:
    if not (isinstance(value, Mapping) and value.get(MARKER) and isinstance(value.get("action"),
                                                                              str)):
        return None
    allowed = tuple(t for t in (value.get("allowed") or DECISION_TYPES) if t in DECISION_TYPES)
    return [ReviewRequest(
        action=value["action"],
        args=value.get("args") if value.get("args") is not None else {},
        description=value.get("description"),
        allowed=allowed or DECISION_TYPES,
        format=NAME,
        response_schema=value.get("response_schema") or response_schema,
        args_schema=value.get("args_schema"),
        **rich_fields(value),
    )]


def validate(request: ReviewRequest, decision: Decision) -> None:
    if request.response_schema and decision.type == "respond":
        check_against_schema(decision.response, request.response_schema, "response")


def resume_value(requests: list[ReviewRequest], decisions: list[Decision]) -> Any:
    return decisions[0].to_dict()
