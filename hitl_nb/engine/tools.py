"""The argument schemas of a graph's tools, so that edits are checked in every format.

LangChain's batched ``HumanInTheLoopMiddleware`` asks about a tool call without saying
what its arguments must look like; the agent's tool node knows (each LangChain tool has a
``tool_call_schema``: the arguments the model sends, injected ones left out).
`tool_schemas` finds the tools of a compiled graph (its ``ToolNode``s, in subgraphs too)
and `with_tool_schemas` gives a request that has no ``args_schema`` the schema of the
tool its action names, so `hitl_nb.formats.validate` refuses an edit that the tool
would refuse, before anything is recorded.

Example::

    tool_schemas(agent)["send_email"]["required"]    # ['to', 'subject']
    tool_schemas([send_email, lookup_fn, MyArgsModel])  # tools, functions, pydantic models
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import ReviewRequest

__all__ = ["schema_of", "tool_schemas", "with_tool_schemas"]

#: Formats whose ``args`` are a tool call's arguments by construction.
TOOL_CALL_FORMATS = frozenset({"langchain", "langchain_per_call"})

_CACHE: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()
_AMBIGUOUS: dict[str, Any] = {}


def schema_of(tool: Any) -> tuple[str, dict[str, Any]] | None:
    """``(name, JSON Schema of its arguments)`` for a LangChain tool, a function, a
    pydantic model or an OpenAI tool dict; None when it has no readable schema."""
    try:
        from langchain_core.tools import BaseTool

        if isinstance(tool, BaseTool):
            schema = tool.tool_call_schema
            if isinstance(schema, Mapping):
                return tool.name, dict(schema)
            render = getattr(schema, "model_json_schema", None) or schema.schema
            return tool.name, render()
        from langchain_core.utils.function_calling import convert_to_openai_function

        spec = convert_to_openai_function(tool)
        return spec["name"], dict(spec.get("parameters") or {"type": "object"})
    except Exception:  # a tool without a schema we can read: no check for it
        return None


def tool_schemas(graph_or_tools: Any) -> dict[str, dict[str, Any]]:
    """Tool name -> JSON Schema of its arguments, for a compiled graph (every tool node,
    subgraphs included; cached per graph) or a list of tools. A name that two tools with
    different schemas share is left out (no check rather than a wrong one)."""
    if isinstance(graph_or_tools, Iterable) and not hasattr(graph_or_tools, "nodes"):
        return _merge(graph_or_tools)
    try:
        return _CACHE[graph_or_tools]
    except (KeyError, TypeError):
        pass
    found = _merge(_graph_tools(graph_or_tools))
    with contextlib.suppress(TypeError):  # not weak-referenceable: look again next time
        _CACHE[graph_or_tools] = found
    return found


def with_tool_schemas(requests: list[ReviewRequest], graph: Any) -> list[ReviewRequest]:
    """``requests``, each without an ``args_schema`` given its tool's schema from ``graph``.

    Requests of LangChain's formats always get it (their arguments are the tool call's);
    any other request whose action names a tool gets it when its proposed arguments fit
    that schema (so a payload that only borrows a tool's name is not held to it).
    """
    if all(r.args_schema or not isinstance(r.args, dict) for r in requests):
        return requests
    schemas = tool_schemas(graph)
    return [_attach(r, schemas.get(r.action)) for r in requests]


def _attach(request: ReviewRequest, schema: dict[str, Any] | None) -> ReviewRequest:
    if schema is None or request.args_schema or not isinstance(request.args, dict):
        return request
    if request.format not in TOOL_CALL_FORMATS:
        from ..formats import is_valid

        if not is_valid(request.args, schema):
            return request
    return request.replace(args_schema=schema)


def _merge(tools: Iterable[Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, Any] = {}
    for tool in tools:
        found = schema_of(tool)
        if found is None:
            continue
        name, schema = found
        if out.get(name, schema) != schema:
            schema = _AMBIGUOUS
        out[name] = schema
    return {name: s for name, s in out.items() if s is not _AMBIGUOUS}


def _graph_tools(graph: Any) -> list[Any]:
    """Every tool of ``graph``'s tool nodes and of its subgraphs' (tool nodes inside a
    function node are found through the function's closure, as LangGraph finds subgraphs)."""
    graphs = [graph]
    with contextlib.suppress(Exception):  # an old or foreign graph: its own nodes count
        graphs += [sub for _, sub in graph.get_subgraphs(recurse=True)]
    tools: list[Any] = []
    seen: set[int] = set()
    for g in graphs:
        for node in getattr(g, "nodes", {}).values():
            tools += _tools_in(getattr(node, "bound", node), seen)
    return tools


def _tools_in(runnable: Any, seen: set[int], budget: int = 2_000) -> list[Any]:
    """The tools inside one node: a tool node's, a tool's own, or found in the parts of
    a runnable (sequence steps, a binding, a function's closure); a bounded walk."""
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool

    todo, found = [runnable], []
    while todo and budget > 0:
        item = todo.pop()
        budget -= 1
        if id(item) in seen:
            continue
        seen.add(id(item))
        try:
            by_name = getattr(item, "tools_by_name", None)
            if isinstance(by_name, Mapping):
                found += list(by_name.values())
            elif isinstance(item, BaseTool):
                found.append(item)
            elif isinstance(item, (list, tuple)):
                todo += list(item)
            elif isinstance(item, Mapping):  # ``tools_by_name[call["name"]].invoke(...)``
                found += [v for v in list(item.values())[:50] if isinstance(v, BaseTool)]
            elif isinstance(item, Runnable):
                todo += _parts(item)
        except Exception:  # an object that refuses to be looked at holds no tool we know
            continue
    return found


def _parts(item: Any) -> list[Any]:
    """What a runnable is made of: sequence steps, a binding's runnable, closure values."""
    parts = list(getattr(item, "steps", None) or ())
    bound = getattr(item, "bound", None)
    if bound is not None and not hasattr(item, "nodes"):
        parts.append(bound)
    for name in ("func", "afunc"):
        func = getattr(item, name, None)
        if callable(func):
            try:
                from langchain_core.runnables.utils import get_function_nonlocals

                parts += [getattr(v, "__self__", v) for v in get_function_nonlocals(func)]
            except Exception:  # source not readable (lambda in a REPL, builtins)
                continue
    return parts
