"""How a node reads its answer, so that a click resumes it with what its code expects.

A plain ``interrupt(value)`` says nothing about the value it wants back, and the code
people write reads it in many ways (each from LangGraph's docs or users' code)::

    if interrupt({"question": "Is this correct?", ...}):           # True / False
    if interrupt({...}) == "approve":                             # "approve" / "reject"
    response = interrupt({"action": "send_email", "to": to, ...})
    if response.get("action") == "approve": send(response.get("to", to))
    name = interrupt("What is your name?")                         # the reviewer's text

`with_reads` finds the function that made each plain request's payload (the paused
node's function, its tools and the functions it calls, in subgraphs too), reads its
source once (`_ast`), and sets ``ReviewRequest.expects`` (`_expect`): the documented
dict stays the default wherever the code gives no clear signal, and the decisions the
code cannot receive (Edit for ``if answer:``) are not offered. ``review(..., resume=fn)``
overrides it all.

Example::

    with_reads(session.pending, graph)[0].expects      # {'as': 'bool'}
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping
from typing import Any

from ...model import ReviewRequest
from ._ast import Site, call_sites
from ._expect import allowed_for, expectation

__all__ = ["expectation", "functions_of", "site_for", "with_reads"]

_CACHE: weakref.WeakKeyDictionary[Any, dict[str | None, list[Any]]] = \
    weakref.WeakKeyDictionary()


def with_reads(requests: list[ReviewRequest], graph: Any) -> list[ReviewRequest]:
    """``requests``, each plain one given the ``expects`` its node's code implies."""
    out = []
    for r in requests:
        if r.format != "plain" or r.response_schema or r.expects is not None:
            out.append(r)
            continue
        try:
            site = site_for(r.raw, functions_of(graph, r.node))
            expects = expectation(site.use, r, site.text) if site is not None else None
        except Exception:  # code we cannot read never stops a review: the dict it is
            expects = None
        if expects is None:
            out.append(r)
        else:
            out.append(r.replace(expects=expects, allowed=allowed_for(expects, r)))
    return out


def site_for(payload: Any, functions: list[Any]) -> Site | None:
    """The ``interrupt`` call among ``functions`` that made ``payload``; None when none
    or several that disagree on how the answer is read."""
    best, found = 0, []
    for func in functions:
        for site in call_sites(func):
            score = _match(site, payload)
            if score > best:
                best, found = score, [site]
            elif score == best and score:
                found.append(site)
    if not found:
        return None
    if len({repr(s.use) for s in found}) > 1:
        return None
    return found[0]


def _match(site: Site, payload: Any) -> int:
    """3: the literal's keys (or its text) are the payload's; 2: a spread literal or an
    f-string; 1: an expression that could be anything; 0: it cannot have made it."""
    if site.keys is not None:
        if not isinstance(payload, Mapping):
            return 0
        keys = set(payload)
        if site.keys == keys:
            return 3
        return 2 if site.spread and site.keys <= keys else 0
    if site.text:
        if not isinstance(payload, str):
            return 0
        return 3 if site.literal == payload else 2 if site.literal is None else 0
    return 1


def functions_of(graph: Any, node: str | None) -> list[Any]:
    """The functions that may have called ``interrupt`` for ``node`` (every node's when
    none is named ``node``): node functions, tools, and module functions they call."""
    try:
        per_node = _CACHE[graph]
    except (KeyError, TypeError):
        per_node = {}
        with contextlib.suppress(TypeError):
            _CACHE[graph] = per_node
    if node not in per_node:
        per_node[node] = _collect(graph, node)
    return per_node[node]


def _collect(graph: Any, node: str | None) -> list[Any]:
    graphs = [graph]
    with contextlib.suppress(Exception):  # an old or foreign graph: its own nodes count
        graphs += [sub for _, sub in graph.get_subgraphs(recurse=True)]
    named = [n for g in graphs for name, n in getattr(g, "nodes", {}).items() if name == node]
    nodes = named or [n for g in graphs for n in getattr(g, "nodes", {}).values()]
    funcs: list[Any] = []
    seen: set[int] = set()
    for n in nodes:
        _walk(getattr(n, "bound", n), funcs, seen)
    return funcs


def _walk(item: Any, funcs: list[Any], seen: set[int], depth: int = 0) -> None:
    """Functions inside a runnable: its ``func``/``afunc``, tool functions, sequence
    steps, and (two levels deep) the module functions and tasks a function names."""
    if id(item) in seen or depth > 3 or len(seen) > 2_000:
        return
    seen.add(id(item))
    try:
        if callable(item) and hasattr(item, "__code__"):
            funcs.append(item)
            if depth < 3:
                for value in _named(item):
                    _walk(value, funcs, seen, depth + 1)
            return
        by_name = getattr(item, "tools_by_name", None)
        parts = list(by_name.values()) if isinstance(by_name, Mapping) else []
        parts += list(getattr(item, "steps", None) or ())
        for attr in ("func", "afunc", "coroutine", "bound"):
            value = getattr(item, attr, None)
            if value is not None and not hasattr(value, "nodes"):
                parts.append(value)
    except Exception:  # an object that refuses to be looked at holds nothing we read
        return
    for part in parts:
        _walk(part, funcs, seen, depth)


def _named(func: Any) -> list[Any]:
    """What ``func`` names from its module or closure that may call ``interrupt``: plain
    functions of user code, ``@task`` functions and tools (not library code)."""
    found = []
    glb = getattr(func, "__globals__", {})
    cells = {name: cell.cell_contents for name, cell in
             zip(func.__code__.co_freevars, func.__closure__ or (), strict=False)
             if _filled(cell)}
    for name in func.__code__.co_names + func.__code__.co_freevars:
        value = cells.get(name, glb.get(name))
        if isinstance(value, Mapping):  # ``tools_by_name[call["name"]].invoke(...)``
            values = list(value.values())[:50]
        elif isinstance(value, (list, tuple)):
            values = list(value)[:50]
        else:
            values = [value]
        for item in values:
            inner = getattr(item, "func", None) or getattr(item, "coroutine", None) or item
            module = getattr(inner, "__module__", "") or ""
            if callable(inner) and hasattr(inner, "__code__") and not module.startswith(
                    ("langgraph", "langchain", "hitl_nb", "pydantic", "typing", "builtins")):
                found.append(inner)
    return found


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True
