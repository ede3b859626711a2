"""`RiskPolicy.interrupt_on`: the policy as LangChain ``HumanInTheLoopMiddleware`` config.

Each tool gets an ``InterruptOnConfig`` whose ``when`` predicate asks the policy (the first
verdict per tool call, so it answers the same when the run resumes, as the middleware
requires) and whose ``description`` shows the risk and its reasons. Calls the policy
lets through are recorded in the log as automatic approvals (reviewer ``policy:<rule>``).

Example::

    agent = create_agent(model, tools, checkpointer=hitl_nb.checkpointer("hitl.db"),
                         middleware=[HumanInTheLoopMiddleware(policy.interrupt_on(tools))])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..model import DECISION_TYPES, ReviewRequest
from .gate import call_key, run_context, settle

if TYPE_CHECKING:
    from .core import RiskPolicy
    from .verdict import Verdict

Confidence = Callable[[dict[str, Any]], "float | None"]


def _name(tool: Any) -> str:
    if isinstance(tool, str):
        return tool
    name = getattr(tool, "name", None) or getattr(tool, "__name__", None)
    if not isinstance(name, str):
        raise TypeError(f"interrupt_on() needs tools or tool names, got {tool!r}")
    return name


def _schema(tool: Any) -> dict[str, Any] | None:
    """The JSON schema of a LangChain tool's arguments (what the model must send), if any."""
    schema = getattr(tool, "tool_call_schema", None)
    try:
        return schema.model_json_schema() if hasattr(schema, "model_json_schema") else None
    except Exception:  # a schema pydantic cannot render: no schema check
        return None


def describe(verdict: Verdict) -> str:
    """The text the reviewer reads: tier, score and one reason per line."""
    risk = verdict.risk
    lines = [f"Risk: {risk.tier} (score {risk.score:.2f})"]
    lines += [f"- {r}" for r in risk.reasons]
    return "\n".join(lines)


class _Gate:
    """The ``when`` and ``description`` callables for one policy."""

    def __init__(self, policy: RiskPolicy, confidence: Confidence | None,
                 schemas: dict[str, dict[str, Any]]) -> None:
        self.policy = policy
        self.confidence = confidence
        self.schemas = schemas

    def verdict(self, tool_call: dict[str, Any]) -> tuple[Verdict, bool]:
        """(verdict, needs a human) for one tool call; logs automatic approvals."""
        thread_id, namespace = run_context()
        args = tool_call.get("args") or {}
        conf = self.confidence(tool_call) if self.confidence else None
        request = ReviewRequest(action=tool_call["name"], args=args, format="langchain",
                                thread_id=thread_id, confidence=conf,
                                extra={"tool_call_id": tool_call.get("id")})
        key = call_key(namespace, tool_call.get("id"), tool_call["name"], args)
        # the middleware can only interrupt or let a call run: a remembered "reject"
        # goes to the reviewer (hitl_nb.review(..., policy=...) then rejects it alone)
        context = {"args_schema": self.schemas.get(tool_call["name"])}
        verdict, decision = settle(self.policy, request, key, confidence=conf, context=context,
                                   automatic=("approve",))
        return verdict, decision is None

    def when(self, request: Any) -> bool:
        return self.verdict(request.tool_call)[1]

    def description(self, tool_call: dict[str, Any], state: Any, runtime: Any) -> str:
        return describe(self.verdict(tool_call)[0])


def interrupt_on(policy: RiskPolicy, tools: Iterable[Any], *,
                 allowed_decisions: Iterable[str] = DECISION_TYPES,
                 confidence: Confidence | None = None) -> dict[str, dict[str, Any]]:
    """``{tool name: InterruptOnConfig}`` for every tool (objects or names).

    ``confidence(tool_call) -> float | None`` feeds the policy's confidence rule. For tool
    objects, arguments that break the tool's own schema count as unexpected input (unless
    the policy has a schema of its own for that tool).
    """
    allowed = [d for d in allowed_decisions if d in DECISION_TYPES]
    if not allowed:
        raise ValueError(f"allowed_decisions needs at least one of {DECISION_TYPES}")
    tools = list(tools)
    schemas = {_name(t): s for t in tools if (s := _schema(t)) is not None}
    gate = _Gate(policy, confidence, schemas)
    return {_name(tool): {"allowed_decisions": list(allowed), "when": gate.when,
                          "description": gate.description} for tool in tools}
