"""Deciding without a human: the first verdict per call, and the automatic decision logged.

A node (or a middleware predicate) runs again when its graph resumes, so the verdict of a
call is stored the first time and read back after: a rule that changed in between (a new
remembered choice, more history) never turns a pending human review into an automatic
decision, which would drop the reviewer's answer.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..model import AlreadyDecided, Decision, ReviewRequest, utcnow
from ..store.effects import decision_key
from ..store.log import DecisionLog
from .verdict import Verdict

if TYPE_CHECKING:
    from .core import RiskPolicy


def run_context() -> tuple[str, str]:
    """(thread_id, checkpoint_ns) of the running graph task; ("", "") outside a graph."""
    try:
        from langgraph.config import get_config

        conf = get_config().get("configurable", {})
    except (RuntimeError, ImportError):
        return "", ""
    return str(conf.get("thread_id") or ""), str(conf.get("checkpoint_ns") or "")


def call_key(*parts: Any) -> str:
    """A short stable key for one call (its task namespace, name, arguments...)."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def settle(policy: RiskPolicy, request: ReviewRequest, key: str, *,
           confidence: float | None = None, context: dict[str, Any] | None = None,
           log: DecisionLog | None = None,
           automatic: tuple[str, ...] = ("approve", "reject")) -> tuple[Verdict, Decision | None]:
    """The verdict for ``request`` (the first one given for ``key`` in its thread) and, when
    no human is needed, the automatic decision, recorded in ``log`` as applied.

    Returns ``(verdict, None)`` when a human must review, or when the policy's decision
    is not one of ``automatic`` (the decisions the caller can carry out alone).
    """
    stored = policy.memory.stored_verdict(request.thread_id, key)
    if stored is None:
        fresh = policy.verdict(request.action, request.args, confidence, context)
        stored = policy.memory.first_verdict(request.thread_id, key, fresh.to_dict())
    verdict = Verdict.from_dict(stored)
    if verdict.decision not in automatic:
        return verdict, None
    now = utcnow()
    decision = Decision(verdict.decision, reviewer=verdict.reviewer, decided_at=now,
                        comment="; ".join(verdict.risk.reasons) or None)
    decision.idempotency_key = decision_key(request.thread_id, f"policy-{key}")
    log = log if log is not None else policy.log
    if log is None:
        return verdict, decision
    auto = request.replace(risk=verdict.risk, interrupt_id=f"policy-{key}", requested_at=now,
                           confidence=confidence if confidence is not None else
                           request.confidence)
    try:
        log.record(auto, decision)
        log.mark_applied(auto.thread_id, [auto.interrupt_id],
                         {auto.interrupt_id: decision.to_dict()})
    except AlreadyDecided as exc:  # the node ran again after a resume: same decision
        if exc.decision is not None:
            exc.decision.idempotency_key = decision.idempotency_key
            decision = exc.decision
    return verdict, decision
