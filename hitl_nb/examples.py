"""Small graphs for demos, notebooks and tests (no API key: the default planner is code).

Example::

    graph = hitl_nb.examples.seed_graph(checkpointer=hitl_nb.checkpointer("demo.db"))
    session = hitl_nb.review(graph, {"task": "send the Q3 numbers to the CFO"})
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class SeedState(TypedDict, total=False):
    task: str
    planned_action: dict[str, Any]   # {"tool": "send_email", "to": ..., "body": ...}
    approved: bool
    comment: str | None
    result: str


def send_email(to: str, subject: str, body: str) -> str:
    """Send an email to one recipient."""
    return f"sent {subject!r} to {to}"


def drop_database(name: str) -> str:
    """Drop a database and everything in it (irreversible)."""
    return f"dropped {name}"


def post_message(channel: str, text: str) -> str:
    """Post a message to a chat channel."""
    return f"posted to {channel}"


#: The tools the seed graph's planner may propose (their signatures are the schemas).
SEED_TOOLS = (send_email, drop_database, post_message)


def echo_plan(task: str) -> dict[str, Any]:
    """The default plan: an email to the CFO whose subject and body echo ``task``."""
    return {"tool": "send_email", "to": "cfo@example.com", "subject": task[:1].upper() + task[1:],
            "body": f"Hello,\n\nas requested: {task}.\n\nBest regards"}


def plan_from_reply(reply: Any) -> dict[str, Any]:
    """A chat model's reply as an action dict: its first tool call ``{"tool": name,
    **args}``, else its text (a JSON object is used as it is)."""
    calls = getattr(reply, "tool_calls", None) or []
    if calls:
        return {"tool": calls[0]["name"], **calls[0]["args"]}
    text = str(getattr(reply, "content", reply))
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("tool"), str):
        return parsed
    return {"tool": "follow_plan", "plan": text}


def seed_graph(checkpointer: Any, model: Any = None) -> Any:
    """plan -> review -> execute | cancel: the classic human-in-the-loop pattern.

    ``plan`` proposes one action as a dict, ``{"tool": "send_email", "to": ..., "subject":
    ..., "body": ...}``: by default `echo_plan` (an email whose subject and body echo the
    task, no model needed); with ``model`` (any LangChain chat model, bound to
    `SEED_TOOLS`) the model's first tool call. The review node is the article's::

        human_response = interrupt({"action": state["planned_action"],
                                    "message": "Please approve or reject this action"})

    and reads ``["approved"]`` (and, after an Edit, the new ``["args"]``).
    """
    planner = model.bind_tools(list(SEED_TOOLS)) if model is not None else None

    def plan(state: SeedState) -> dict[str, Any]:
        if planner is None:
            return {"planned_action": echo_plan(state["task"])}
        reply = planner.invoke(f"Propose one tool call for this task: {state['task']}")
        return {"planned_action": plan_from_reply(reply)}

    def review(state: SeedState) -> dict[str, Any]:
        human_response = interrupt({"action": state["planned_action"],
                                    "message": "Please approve or reject this action"})
        update = {"approved": human_response["approved"],
                  "comment": human_response.get("comment")}
        if human_response.get("type") == "edit":  # the reviewer changed the arguments
            update["planned_action"] = {"tool": state["planned_action"]["tool"],
                                        **human_response["args"]}
        return update

    def execute(state: SeedState) -> dict[str, Any]:
        action = dict(state["planned_action"])
        tool = action.pop("tool", "?")
        shown = ", ".join(f"{k}={v!r}" for k, v in action.items())
        return {"result": f"done: {tool}({shown})"}

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

    from .engine.request import request_review
    from .model import Risk

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
