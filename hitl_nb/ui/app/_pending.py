"""What the reviewer app lists and opens: undecided requests per thread, and the graph.

Until the team inbox (`hitl_nb.Inbox`) lands, pending work comes from the decision log:
requests hitl_nb has seen without a decision (``log.undecided()``).
When a graph is given, threads whose checkpoint no longer waits are left out.

Example::

    log = hitl_nb.DecisionLog("hitl.db")
    graph = load_graph("hitl_nb.examples:seed_graph", "hitl.db")
    for thread in pending_threads(log, graph):
        print(thread.thread_id, thread.actions)
"""

from __future__ import annotations

import importlib
import inspect
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ...analysis.log import DecisionLog
from ...model import HitlError


@dataclass
class PendingThread:
    """One thread with undecided requests: its id, their actions, the oldest request."""

    thread_id: str
    actions: list[str] = field(default_factory=list)
    requested_at: datetime | None = None
    task: str | None = None


def pending_threads(log: DecisionLog, graph: Any = None) -> list[PendingThread]:
    """Threads with requests awaiting a decision, oldest first.

    With ``graph``, a thread is kept only while its checkpoint still has interrupts (a
    thread resumed by other means drops out).
    """
    threads: dict[str, PendingThread] = {}
    for thread_id, _iid, _index, action, requested_at, request in log.undecided():
        entry = threads.get(thread_id)
        if entry is None:
            when = None if requested_at is None else datetime.fromtimestamp(requested_at,
                                                                            timezone.utc)
            entry = threads[thread_id] = PendingThread(thread_id, requested_at=when,
                                                       task=_task(request))
        entry.actions.append(action)
    if graph is None:
        return list(threads.values())
    return [t for t in threads.values() if _waiting(graph, t.thread_id)]


def _task(request: str | None) -> str | None:
    try:
        return (json.loads(request) or {}).get("task") if request else None
    except (ValueError, AttributeError):
        return None


def _waiting(graph: Any, thread_id: str) -> bool:
    state = graph.get_state({"configurable": {"thread_id": thread_id}})
    return bool(getattr(state, "interrupts", ()))


def load_graph(spec: str, checkpoints: Any) -> Any:
    """Import ``"module:attr"``: a compiled graph, or a factory called with
    ``checkpointer=hitl_nb.checkpointer(checkpoints)`` that returns one."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise HitlError(f"--graph must look like 'module:attr' (e.g. "
                        f"'hitl_nb.examples:seed_graph'), got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HitlError(f"cannot import {module_name!r} for --graph {spec!r}: {exc}. Run from "
                        "the folder that holds it, or put it on PYTHONPATH") from exc
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise HitlError(f"{module_name!r} has no attribute {attr!r} (--graph {spec!r})")
        obj = getattr(obj, part)
    if hasattr(obj, "get_state") and hasattr(obj, "stream"):
        return obj
    if callable(obj) and not isinstance(obj, type):
        from ..api import checkpointer

        try:
            takes_keyword = "checkpointer" in inspect.signature(obj).parameters
        except (TypeError, ValueError):
            takes_keyword = False
        saver = checkpointer(checkpoints)
        try:
            graph = obj(checkpointer=saver) if takes_keyword else obj(saver)
        except TypeError as exc:
            raise HitlError(f"calling {spec}(checkpointer) failed: {exc}. Give a compiled "
                            "graph or a factory taking a checkpointer") from exc
        if hasattr(graph, "get_state"):
            return graph
        raise HitlError(f"{spec} returned {type(graph).__name__}, not a compiled graph")
    raise HitlError(f"{spec} is {type(obj).__name__}: give a compiled graph or a factory "
                    "that takes a checkpointer")
