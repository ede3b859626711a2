"""Small graphs for demos, notebooks and tests (no API key: a scripted model plans).

Example::

    graph = hitl_nb.examples.seed_graph(checkpointer=hitl_nb.checkpointer("demo.db"))
    session = hitl_nb.review(graph, {"task": "send the Q3 numbers to the CFO"})
"""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class SeedState(TypedDict, total=False):
    task: str
    planned_action: str
    approved: bool
    comment: str | None
    result: str


def seed_graph(checkpointer: Any, model: Any = None) -> Any:
    """plan -> review -> execute | cancel: the classic human-in-the-loop pattern.

    ``model`` plans the action (a chat model; by default a scripted one that echoes the
    task). The review node uses a plain ``interrupt()`` and reads ``["approved"]``.
    """
    if model is None:
        from .testing import ScriptedChatModel

        model = ScriptedChatModel(["Email the CFO the Q3 revenue summary"], cycle=True)

    def plan(state: SeedState) -> dict[str, Any]:
        reply = model.invoke(f"Plan one action for this task: {state['task']}")
        return {"planned_action": str(reply.content)}

    def review(state: SeedState) -> dict[str, Any]:
        human_response = interrupt({"action": state["planned_action"],
                                    "message": "Please approve or reject this action"})
        return {"approved": human_response["approved"],
                "comment": human_response.get("comment")}

    def execute(state: SeedState) -> dict[str, Any]:
        return {"result": f"done: {state['planned_action']}"}

    def cancel(state: SeedState) -> dict[str, Any]:
        return {"result": "cancelled by the reviewer"}

    builder = StateGraph(SeedState)
    builder.add_node("plan", plan)
    builder.add_node("review", review)
    builder.add_node("execute", execute)
    builder.add_node("cancel", cancel)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "review")
    builder.add_conditional_edges("review", lambda s: "execute" if s["approved"] else "cancel",
                                  ["execute", "cancel"])
    builder.add_edge("execute", END)
    builder.add_edge("cancel", END)
    return builder.compile(checkpointer=checkpointer)


class PaymentState(TypedDict, total=False):
    task: str
    amount: float
    to: str
    approvals: int
    timeout_s: float | None
    decision: str
    reviewer: str
    result: str


def payment_graph(checkpointer: Any, ledger: str | None = None) -> Any:
    """review -> pay | cancel: a team-queue demo. ``pay`` appends one JSON line per payment
    to the ``ledger`` file (its side effect, counted by the crash tests).

    The input may ask for ``approvals`` (M-of-N) and a ``timeout_s`` deadline::

        graph = payment_graph(hitl_nb.checkpointer("team.db"), ledger="ledger.jsonl")
        graph.invoke({"task": "pay rent", "amount": 1200, "to": "ACME", "approvals": 2},
                     {"configurable": {"thread_id": "rent"}})
    """
    import json

    from langchain_core.runnables import RunnableConfig

    from .model import Risk
    from .request import request_review

    def review(state: PaymentState) -> dict[str, Any]:
        amount = float(state.get("amount", 0))
        risk = Risk("always" if amount >= 1000 else "uncertain", min(amount / 5000, 1.0),
                    (f"payment of {amount:,.2f}",))
        decision = request_review(
            "pay", {"to": state.get("to", "?"), "amount": amount}, task=state.get("task"),
            description=f"Pay {amount:,.2f} to {state.get('to', '?')}",
            confidence=0.9 if amount < 1000 else 0.6, risk=risk, allowed=("approve", "reject"),
            approvals=int(state.get("approvals") or 1), timeout=state.get("timeout_s"))
        return {"decision": decision.type, "reviewer": decision.reviewer}

    def pay(state: PaymentState, config: RunnableConfig) -> dict[str, Any]:
        thread = config["configurable"]["thread_id"]
        if ledger is not None:
            with open(ledger, "a", encoding="utf-8") as f:
                f.write(json.dumps({"thread_id": thread, "amount": state.get("amount")}) + "\n")
        return {"result": f"paid {state.get('amount')} to {state.get('to')}"}

    def cancel(state: PaymentState) -> dict[str, Any]:
        return {"result": f"not paid ({state.get('decision')} by {state.get('reviewer')})"}

    builder = StateGraph(PaymentState)
    builder.add_node("review", review)
    builder.add_node("pay", pay)
    builder.add_node("cancel", cancel)
    builder.add_edge(START, "review")
    builder.add_conditional_edges(
        "review", lambda s: "pay" if s["decision"] in ("approve", "edit") else "cancel",
        ["pay", "cancel"])
    builder.add_edge("pay", END)
    builder.add_edge("cancel", END)
    return builder.compile(checkpointer=checkpointer)
