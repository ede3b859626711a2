"""Agent Inbox style ``HumanInterrupt`` lists (``langgraph.prebuilt.interrupt``).

Payload: ``[{"action_request": {"action", "args"}, "config": {"allow_accept",
"allow_edit", "allow_respond", "allow_ignore"}, "description"}]``. Resume value: a list
of ``HumanResponse`` ``{"type": "accept"|"edit"|"response"|"ignore", "args": ...}``.
Approve maps to accept, Reject to ignore, Respond to response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, ReviewRequest
from ._common import as_text, rich_fields

NAME = "agent_inbox"
PRIORITY = 30

_ALLOW = (("allow_accept", "approve"), ("allow_ignore", "reject"),
          ("allow_edit", "edit"), ("allow_respond", "respond"))


def _one(item: Any) -> ReviewRequest | None:
    if not (isinstance(item, Mapping) and isinstance(item.get("action_request"), Mapping)
            and isinstance(item.get("config"), Mapping)):
        return None
    action = item["action_request"]
    if not isinstance(action.get("action"), str):
        return None
    config = item["config"]
    allowed = tuple(kind for flag, kind in _ALLOW if config.get(flag))
    return ReviewRequest(
        action=action["action"],
        args=dict(action.get("args") or {}),
        description=item.get("description"),
        allowed=allowed or ("approve",),
        format=NAME,
        **rich_fields(item),
    )


def parse(value: Any, response_schema: dict[str, Any] | None) -> list[ReviewRequest] | None:
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not items:
        return None
    requests = [_one(item) for item in items]
    if any(r is None for r in requests):
        return None
    return requests  # type: ignore[return-value]


def _response(request: ReviewRequest, decision: Decision) -> dict[str, Any]:
    if decision.type == "approve":
        return {"type": "accept", "args": None}
    if decision.type == "edit":
        return {"type": "edit", "args": {"action": request.action, "args": decision.args}}
    if decision.type == "respond":
        return {"type": "response", "args": as_text(decision.response)}
    return {"type": "ignore", "args": None}


def resume_value(requests: list[ReviewRequest], decisions: list[Decision]) -> Any:
    return [_response(r, d) for r, d in zip(requests, decisions, strict=True)]
