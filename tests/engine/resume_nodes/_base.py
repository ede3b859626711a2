"""The side effects the tests look at, and a small graph builder."""

from __future__ import annotations

from typing import Any

from langgraph.graph import StateGraph

#: Side effects the tests look at (each builder clears the ones its graph writes).
SENT: list[Any] = []


def _graph(state: type, checkpointer: Any, nodes: dict[str, Any], edges: list[tuple],
           routes: dict[str, Any] | None = None) -> Any:
    """A StateGraph of ``nodes``, plain ``edges`` and conditional ``routes``."""
    SENT.clear()
    builder = StateGraph(state)
    for name, fn in nodes.items():
        builder.add_node(name, fn)
    for a, b in edges:
        builder.add_edge(a, b)
    for name, route in (routes or {}).items():
        builder.add_conditional_edges(name, route)
    return builder.compile(checkpointer=checkpointer)
