"""`request_review`: the rich request, raised from inside a node."""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt
from pydantic import TypeAdapter

from .context import message_dict
from .formats import hitl
from .model import Decision, Risk


def request_review(
    action: str,
    args: Any = None,
    *,
    description: str | None = None,
    task: str | None = None,
    before: Any = None,
    after: Any = None,
    confidence: float | None = None,
    uncertainty: list[str] | str | None = None,
    steps: list[Any] | None = None,
    risk: Risk | None = None,
    allowed: tuple[str, ...] | None = None,
    args_schema: dict[str, Any] | None = None,
    response_schema: Any = None,
) -> Decision:
    """Pause the graph for a review of ``action(args)`` and return the reviewer's `Decision`.

    Call it inside a node of a graph compiled with a checkpointer::

        decision = hitl_nb.request_review(
            "send_email", {"to": "cfo@example.com"}, task=state["task"], confidence=0.62)
        if decision.approved:
            send(**(decision.args or proposed_args))
    """
    if confidence is not None and not 0 <= confidence <= 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    fields: dict[str, Any] = {
        "description": description, "task": task, "confidence": confidence,
        "uncertainty": [uncertainty] if isinstance(uncertainty, str) else list(uncertainty or []),
        "steps": [s if isinstance(s, (dict, str)) else message_dict(s) or str(s)
                  for s in steps or []],
        "risk": risk.to_dict() if risk else None,
        "allowed": list(allowed) if allowed else None, "args_schema": args_schema,
    }
    if before is not None or after is not None:
        fields.update(before=before, after=after)
    adapter = None
    if response_schema is not None and not isinstance(response_schema, dict):
        adapter = TypeAdapter(response_schema)
        response_schema = adapter.json_schema()
    fields["response_schema"] = response_schema
    value = hitl.payload(action, args if args is not None else {},
                         **{k: v for k, v in fields.items() if v is not None})
    answer = interrupt(value)
    decision = answer if isinstance(answer, Decision) else Decision.from_dict(answer)
    if adapter is not None and decision.type == "respond":
        decision.response = adapter.validate_python(decision.response)
    return decision
