"""`request_review`: the rich request, raised from inside a node; `gate`: the same, with a
risk policy deciding first whether a human is needed at all."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from langgraph.types import interrupt
from pydantic import TypeAdapter

from .context import message_dict
from .formats import hitl
from .model import Decision, ReviewRequest, Risk

if TYPE_CHECKING:
    from .log import DecisionLog
    from .policy import RiskPolicy


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
    timeout: float | timedelta | None = None,
    expires_at: datetime | None = None,
    on_timeout: str = "reject",
    approvals: int = 1,
    rejections: int = 1,
    policy: RiskPolicy | None = None,
    log: DecisionLog | str | os.PathLike[str] | None = None,
    context: dict[str, Any] | None = None,
) -> Decision:
    """Pause the graph for a review of ``action(args)`` and return the reviewer's `Decision`.

    Call it inside a node of a graph compiled with a checkpointer::

        decision = hitl_nb.request_review(
            "send_email", {"to": "cfo@example.com"}, task=state["task"], confidence=0.62)
        if decision.approved:
            send(**(decision.args or proposed_args))

    ``timeout`` (seconds or a timedelta) or ``expires_at`` set a deadline: once it has
    passed, ``on_timeout`` ("reject" by default, or "approve") is decided for it by the
    reviewer ``timeout`` when a session or inbox opens it. ``approvals=2`` needs two
    distinct reviewers to approve before the graph resumes; ``rejections`` rejections
    (1 by default) reject it.

    With ``policy=`` (a `RiskPolicy`), the policy assesses the action first: when no
    review is needed the node continues at once with an automatic `Decision` (reviewer
    ``policy:<rule>``), recorded in ``log`` (default: the policy's log); otherwise the
    request carries the `Risk` so the card shows it.
    """
    if confidence is not None and not 0 <= confidence <= 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if policy is not None:
        decision, risk = _consult(policy, log, action, args, description=description,
                                  task=task, before=before, after=after,
                                  confidence=confidence, uncertainty=uncertainty,
                                  steps=steps, args_schema=args_schema, context=context)
        if decision is not None:
            return decision
    fields: dict[str, Any] = {
        "description": description, "task": task, "confidence": confidence,
        "uncertainty": [uncertainty] if isinstance(uncertainty, str) else list(uncertainty or []),
        "steps": [s if isinstance(s, (dict, str)) else message_dict(s) or str(s)
                  for s in steps or []],
        "risk": risk.to_dict() if risk else None,
        "allowed": list(allowed) if allowed else None, "args_schema": args_schema,
    }
    if on_timeout not in ("approve", "reject"):
        raise ValueError(f"on_timeout must be 'approve' or 'reject', got {on_timeout!r}")
    if approvals < 1 or rejections < 1:
        raise ValueError("approvals and rejections must be at least 1")
    if timeout is not None:
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
        expires_at = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    if expires_at is not None:
        fields.update(expires_at=expires_at.timestamp(), on_timeout=on_timeout)
    if approvals > 1 or rejections > 1:
        fields.update(approvals=approvals, rejections=rejections)
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


def _consult(policy: RiskPolicy, log: Any, action: str, args: Any, *,
             context: dict[str, Any] | None, **fields: Any) -> tuple[Decision | None, Risk]:
    """Ask the policy (first verdict per call); the automatic decision, or None, and risk."""
    from ._gate import call_key, run_context, settle
    from .log import DecisionLog

    thread_id, namespace = run_context()
    ctx = {"uncertainty": fields["uncertainty"] or [], "args_schema": fields["args_schema"],
           **(context or {})}
    request = ReviewRequest(action=action, args=args if args is not None else {},
                            format=hitl.NAME, thread_id=thread_id,
                            node=namespace.split(":")[0] or None,
                            **{k: v for k, v in fields.items() if k not in ("args_schema",)
                               and v is not None})
    if log is not None and not isinstance(log, DecisionLog):
        log = DecisionLog(log)
    verdict, decision = settle(policy, request, call_key(namespace, action, request.args),
                               confidence=fields["confidence"], context=ctx, log=log)
    return decision, verdict.risk


def gate(policy: RiskPolicy, action: str, args: Any = None, **kwargs: Any) -> Decision:
    """``request_review(action, args, policy=policy, ...)``: inside a node, ask a human only
    when ``policy`` says so; otherwise continue with the logged automatic decision.

    Example::

        decision = hitl_nb.gate(policy, "delete_records", {"table": "users"}, confidence=0.9)
        if decision.approved:
            delete_records(**(decision.args or {"table": "users"}))
    """
    return request_review(action, args, policy=policy, **kwargs)
