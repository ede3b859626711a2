"""`request_review`: the rich request, raised from inside a node; `gate`: the same, with a
risk policy deciding first whether a human is needed at all.

An approval is bound to what was approved: the request carries a digest of its canonical
arguments (``args_digest``) and the session sends it back with the decision. LangGraph
re-runs the node on resume; when the node computes different arguments on that re-run
(a model call in the same node), the approval is not used for them: the node asks again
(``on_change="ask"``, the default; the new request says why) or raises `ArgumentsChanged`
(``on_change="raise"``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from langgraph.types import interrupt
from pydantic import TypeAdapter

from ..errors import ArgumentsChanged
from ..formats import hitl
from ..model import Decision, ReviewRequest, Risk
from ..render.context import message_dict
from ..store.effects import idempotency_key

if TYPE_CHECKING:
    from ..analysis.log import DecisionLog
    from ..policy.core import RiskPolicy


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
    on_change: str = "ask",
) -> Decision:
    """Pause the graph for a review of ``action(args)`` and return the reviewer's `Decision`.

    Call it inside a node of a graph compiled with a checkpointer::

        decision = hitl_nb.request_review(
            "send_email", {"to": "cfo@example.com"}, task=state["task"], confidence=0.62)
        if decision.approved:
            send(**(decision.args or proposed_args))

    What the card shows: ``description`` (one line), ``task`` (what the agent was asked),
    ``before`` / ``after`` (shown as a diff), ``confidence`` (0..1) and ``uncertainty``
    (the agent's notes, a string or a list), ``steps`` (what it did so far: strings,
    dicts or LangChain messages), ``risk`` (a `Risk` to show, when no ``policy`` computes
    one). ``allowed``: the decision types offered (default all four). ``args_schema``:
    the JSON schema the edited arguments must match. ``response_schema``: a JSON schema,
    or a pydantic model or type, for a typed "Respond" answer (returned validated).
    ``context``: extra keys for the policy's assessment (e.g. ``uncertainty``).

    ``timeout`` (seconds or a timedelta) or ``expires_at`` set a deadline: once it has
    passed, ``on_timeout`` ("reject" by default, or "approve") is decided for it by the
    reviewer ``timeout`` when a session or inbox opens it. ``approvals=2`` needs two
    distinct reviewers to approve before the graph resumes; ``rejections`` rejections
    (1 by default) reject it.

    With ``policy=`` (a `RiskPolicy`), the policy assesses the action first: when no
    review is needed the node continues at once with an automatic `Decision` (reviewer
    ``policy:<rule>``), recorded in ``log`` (default: the policy's log); otherwise the
    request carries the `Risk` so the card shows it.

    The decision is bound to ``args``: if the node, run again on resume, passes other
    arguments than the reviewer saw, an approval (or a response) is not returned for them;
    with ``on_change="ask"`` the node asks again with the new arguments (its request
    notes why), with ``on_change="raise"`` it raises `ArgumentsChanged`. A rejection or
    an edit (whose arguments the reviewer wrote) is returned as it is. The `Decision`
    carries ``idempotency_key`` for the side effect that follows (`hitl_nb.once`).

    Raises `ValueError` for an unknown ``on_change`` or ``on_timeout``, a ``confidence``
    outside 0..1, or ``approvals`` / ``rejections`` below 1; `ArgumentsChanged` as above;
    and pydantic's ``ValidationError`` when a typed response does not match
    ``response_schema``. Pausing itself is LangGraph's ``GraphInterrupt``: let it
    propagate (do not catch ``Exception`` around it).
    """
    if on_change not in ("ask", "raise"):
        raise ValueError(f"on_change must be 'ask' or 'raise', got {on_change!r}")
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
    proposed = args if args is not None else {}
    digest = args_digest(proposed)
    value = hitl.payload(action, proposed, args_digest=digest,
                         **{k: v for k, v in fields.items() if v is not None})
    while True:
        decision = _answer(interrupt(value))
        seen = decision.args_digest
        if seen is None or seen == digest or decision.type in ("reject", "edit"):
            break
        if on_change == "raise":
            who = Decision(decision.type, reviewer=decision.reviewer)
            raise ArgumentsChanged(
                f"{action!r} was {who.summary()} with other arguments than this run "
                f"of the node proposes ({_short(proposed)}); nothing was done. Make the "
                "node propose the same arguments on re-runs (compute them in an earlier "
                "node), or use on_change='ask' to ask the reviewer again")
        value = _ask_again(value, decision)
    if decision.idempotency_key is None:
        decision.idempotency_key = idempotency_key()
    if adapter is not None and decision.type == "respond":
        decision.response = adapter.validate_python(decision.response)
    return decision


def args_digest(args: Any) -> str:
    """A short digest of ``args`` in canonical form (key order, tuples and sets do not
    matter): what a decision is bound to."""
    text = json.dumps(_canonical(args), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if hasattr(value, "model_dump"):
        return _canonical(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _canonical(dataclasses.asdict(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _answer(answer: Any) -> Decision:
    return answer if isinstance(answer, Decision) else Decision.from_dict(answer)


def _ask_again(value: dict[str, Any], decision: Decision) -> dict[str, Any]:
    """The next request of the node: the same payload, saying why it is asked again."""
    who = Decision(decision.type, reviewer=decision.reviewer, decided_at=decision.decided_at)
    note = (f"asked again: {who.summary()} for other arguments; this run of the node "
            "proposes the ones shown")
    notes = [n for n in value.get("uncertainty", []) if not n.startswith("asked again:")]
    return {**value, "uncertainty": [note, *notes],
            "supersedes": {"decision": decision.type, "reviewer": decision.reviewer,
                           "args_digest": decision.args_digest}}


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "..."


def _consult(policy: RiskPolicy, log: Any, action: str, args: Any, *,
             context: dict[str, Any] | None, **fields: Any) -> tuple[Decision | None, Risk]:
    """Ask the policy (first verdict per call); the automatic decision, or None, and risk."""
    from ..analysis.log import DecisionLog
    from ..policy.gate import call_key, run_context, settle

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
    ``kwargs`` are `request_review`'s (``log``, ``confidence``, ``timeout``...), and so
    is what it raises.

    Example::

        decision = hitl_nb.gate(policy, "delete_records", {"table": "users"}, confidence=0.9)
        if decision.approved:
            delete_records(**(decision.args or {"table": "users"}))
    """
    return request_review(action, args, policy=policy, **kwargs)
