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
