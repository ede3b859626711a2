"""The context of a pause, read from the graph's state: the task and the steps so far.

A request that carries no ``task`` or ``steps`` of its own gets them from the thread's
state: the task from a ``task``/``question``/``query``/``input`` key (or the first human
message), the steps from the last messages (tool calls and their results included),
as plain JSON-able dicts.

Example::

    enrich(request, {"task": "send Q3", "messages": [HumanMessage("send Q3"), ...]})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import ReviewRequest

TASK_KEYS = ("task", "question", "query", "input", "request", "goal", "prompt")
MAX_STEPS = 12
MAX_CHARS = 2_000


def task_of(values: Any) -> str | None:
    """The original task in a graph's state, if there is one."""
    if not isinstance(values, Mapping):
        return None
    for key in TASK_KEYS:
        if isinstance(values.get(key), str) and values[key].strip():
            return values[key]
    for message in values.get("messages") or ():
        step = message_dict(message)
        if step and step.get("role") in ("human", "user") and isinstance(step.get("content"),
                                                                          str):
            return step["content"]
    return None


def steps_of(values: Any, limit: int = MAX_STEPS) -> list[dict[str, Any]]:
    """The last ``limit`` messages of a graph's state as plain dicts."""
    if not isinstance(values, Mapping) or not isinstance(values.get("messages"), list):
        return []
    steps = [message_dict(m) for m in values["messages"][-limit:]]
    return [s for s in steps if s]


def message_dict(message: Any) -> dict[str, Any] | None:
    """A LangChain message (object or dict) as ``{"role", "name", "content", "tool_calls"}``."""
    if isinstance(message, Mapping):
        role = message.get("role") or message.get("type")
        content, name, calls = message.get("content"), message.get("name"), \
            message.get("tool_calls")
    elif hasattr(message, "content") and hasattr(message, "type"):
        role, content = message.type, message.content
        name, calls = getattr(message, "name", None), getattr(message, "tool_calls", None)
    else:
        return None
    step: dict[str, Any] = {"role": str(role or "")}
    if name:
        step["name"] = str(name)
    if isinstance(content, str) and content:
        step["content"] = content[:MAX_CHARS]
    elif content and not isinstance(content, str):
        step["content"] = str(content)[:MAX_CHARS]
    if calls:
        step["tool_calls"] = [{"name": c.get("name"), "args": c.get("args")}
                              for c in calls if isinstance(c, Mapping)][:5]
    return step


def enrich(request: ReviewRequest, values: Any) -> ReviewRequest:
    """``request`` with task and steps filled from the state where it has none."""
    changes: dict[str, Any] = {}
    if not request.task:
        task = task_of(values)
        if task:
            changes["task"] = task
    if not request.steps:
        steps = steps_of(values)
        if steps:
            changes["steps"] = steps
    return request.replace(**changes) if changes else request
