"""LangChain ``HumanInTheLoopMiddleware`` in its default batched mode.

Payload: ``{"action_requests": [{"name", "args", "description"}], "review_configs":
[{"action_name", "allowed_decisions"}]}``, one card per action. Resume value:
``{"decisions": [...]}``, one decision per action, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import DECISION_TYPES, Decision, ReviewRequest
from ._common import as_text, rich_fields, tool_description

NAME = "langchain"
PRIORITY = 20


def parse(value: Any, response_schema: dict[str, Any] | None) -> list[ReviewRequest] | None:
    if not (isinstance(value, Mapping) and isinstance(value.get("action_requests"), list)
            and isinstance(value.get("review_configs"), list)):
        return None
    configs = {c["action_name"]: c for c in value["review_configs"] if isinstance(c, Mapping)}
    requests = []
    for action in value["action_requests"]:
        if not isinstance(action, Mapping) or not isinstance(action.get("name"), str):
            return None
        config = configs.get(action["name"], {})
        allowed = tuple(d for d in config.get("allowed_decisions", DECISION_TYPES)
                        if d in DECISION_TYPES)
        requests.append(ReviewRequest(
            action=action["name"],
            args=dict(action.get("args") or {}),
            description=tool_description(action),
            allowed=allowed or ("approve", "reject"),
            format=NAME,
            args_schema=config.get("args_schema"),
            **rich_fields(action),
        ))
    return requests or None


def decision_value(request: ReviewRequest, decision: Decision) -> dict[str, Any]:
    """One LangChain decision dict (shared with the per-call format)."""
    if decision.type == "approve":
        return {"type": "approve"}
    if decision.type == "edit":
        return {"type": "edit", "edited_action": {"name": request.action, "args": decision.args}}
    if decision.type == "respond":
        response = decision.response
        return {"type": "respond", "message": as_text(response)}
    value: dict[str, Any] = {"type": "reject"}
    if decision.comment:
        value["message"] = decision.comment
    return value


def resume_value(requests: list[ReviewRequest], decisions: list[Decision]) -> Any:
    return {"decisions": [decision_value(r, d) for r, d in zip(requests, decisions, strict=True)]}
