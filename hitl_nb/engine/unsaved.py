"""A value the checkpointer refuses: name it, say the fix, and remember why the thread
is stuck.

LangGraph saves every step's writes with its checkpoint serializer. A value it cannot
serialize (a custom object in an interrupt payload or a node's update; numpy scalars,
too, in langgraph-checkpoint 4) makes the run raise a bare ``TypeError: Type is not
msgpack serializable: Interrupt`` and leaves the thread at the checkpoint before that
step: ``get_state`` then shows the step's node in ``next``, a task without error or
interrupt, and nothing pending, nothing done. So `refusal` finds the refused value
among what the run streamed (the graph's input, each node's update, each interrupt's
payload) by asking the graph's own serializer, and `note` keeps the reason in the log
(``log.notes``, key ``stuck:<thread_id>``, for that checkpoint) so that re-opening the
thread says why it is stuck (`stuck`) instead of showing an empty session.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from ..model import UnserializableValue
from ..store.fastjson import loads
from ..store.jsonsafe import dumps

__all__ = ["note", "refusal", "stuck"]

_MAX_DEPTH = 40


def refusal(exc: BaseException, seen: Iterable[Any], graph: Any, thread_id: str,
            graph_input: Any = None) -> UnserializableValue | None:
    """The hitl_nb error for ``exc`` when it is the checkpointer refusing a value, else
    None. ``seen``: the ``updates`` chunks the run streamed before it failed."""
    frames = _checkpoint_frames(exc) if isinstance(exc, TypeError) else []
    if not frames:
        return None
    serde = getattr(getattr(graph, "checkpointer", None), "serde", None)
    found = None
    if serde is not None:
        candidates = [*_being_saved(frames), *_candidates(seen, graph_input)]
        del frames
        for where, value in candidates:
            found = _culprit(serde, value, "", 0)
            if found is not None:
                found = (f"{where} at {found[0]}" if found[0] else where, found[1])
                break
    if found is not None:
        where, value = found
        cls = type(value)
        type_name = f"{cls.__module__}.{cls.__qualname__}"
    else:  # not among what we saw: the type name is the last word of LangGraph's message
        where, type_name = None, str(exc).rsplit(":", 1)[-1].strip() or "?"
    place = f" ({where})" if where else ""
    message = (
        f"the checkpointer cannot save a value of type {type_name}{place} in thread "
        f"{thread_id!r}, so LangGraph could not save that step and nothing is pending. Make "
        "the value JSON-able (str, number, bool, list, dict), a pydantic model or a "
        "dataclass, or register its type with the checkpointer's serializer (for example "
        "serde=JsonPlusSerializer(pickle_fallback=True) from langgraph.checkpoint.serde."
        "jsonplus); then run the graph again on a new thread. (LangGraph raised "
        f"TypeError: {exc})")
    return UnserializableValue(message, type_name, where)


def _checkpoint_frames(exc: BaseException) -> list[Any]:
    """The frames of ``exc``'s traceback in LangGraph's checkpoint code (its serializer,
    a saver), outermost first; none when a node raised it (then it stays as it is)."""
    frames, tb = [], exc.__traceback__
    while tb is not None:
        if "/langgraph/checkpoint/" in tb.tb_frame.f_code.co_filename.replace("\\", "/"):
            frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _being_saved(frames: list[Any]) -> Iterable[tuple[str, Any]]:
    """What the serializer was saving when it raised, read from its frames: the value
    (``dumps_typed(obj)``) and the channel (state key) it was written to."""
    channel, found = None, []
    for frame in frames:
        local = frame.f_locals
        if isinstance(local.get("channel"), str):
            channel = local["channel"]
        if frame.f_code.co_name == "dumps_typed" and "obj" in local:
            found.append(local["obj"])
    if channel == "__interrupt__":  # a list of Interrupt(value, id)
        return [("the interrupt payload", getattr(intr, "value", intr))
                for obj in found[-1:] for intr in (obj if isinstance(obj, (list, tuple))
                                                   else [obj])]
    label = f"the state key {channel!r}" if channel else "the value being saved"
    return [(label, obj) for obj in found[-1:]]


def _candidates(seen: Iterable[Any], graph_input: Any) -> Iterable[tuple[str, Any]]:
    resume = getattr(graph_input, "resume", None)
    if resume is not None:
        yield "the resume value", resume
    elif graph_input is not None and not hasattr(graph_input, "goto"):
        yield "the graph's input", graph_input
    for chunk in seen:
        if not isinstance(chunk, dict):
            continue
        for node, update in chunk.items():
            if node == "__interrupt__":
                for intr in update or ():
                    yield "the interrupt payload", getattr(intr, "value", intr)
            else:
                yield f"the update of node {node!r}", update


def _refuses(serde: Any, value: Any) -> bool:
    try:
        serde.dumps_typed(value)
    except Exception:  # whatever the serializer raises, it cannot save this value
        return True
    return False


def _children(value: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        return ((f"[{k!r}]", v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ((f"[{i}]", v) for i, v in enumerate(value))
    if isinstance(value, (set, frozenset)):
        return (("{item}", v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ((f".{f.name}", getattr(value, f.name, None))
                for f in dataclasses.fields(value))
    fields = getattr(type(value), "model_fields", None)  # a pydantic model
    if isinstance(fields, dict):
        return ((f".{name}", getattr(value, name, None)) for name in fields)
    return ()


def _culprit(serde: Any, value: Any, where: str, depth: int) -> tuple[str, Any] | None:
    """(where, the innermost value the serializer refuses), or None if it takes it."""
    if not _refuses(serde, value):
        return None
    if depth < _MAX_DEPTH:
        for path, child in _children(value):
            found = _culprit(serde, child, where + path, depth + 1)
            if found is not None:
                return found
    return where, value


def _checkpoint(snapshot: Any) -> str | None:
    config = getattr(snapshot, "config", None) or {}
    return config.get("configurable", {}).get("checkpoint_id")


def _key(thread_id: str) -> str:
    return f"stuck:{thread_id}"


def note(log: Any, thread_id: str, snapshot: Any, error: UnserializableValue) -> None:
    """Remember in the log that ``thread_id`` is stuck at ``snapshot``'s checkpoint."""
    log.notes.put(_key(thread_id), dumps({
        "checkpoint_id": _checkpoint(snapshot), "message": str(error), "type": error.type_name,
        "where": error.where, "next": list(getattr(snapshot, "next", ()) or ())}))


def stuck(log: Any, thread_id: str, snapshot: Any) -> UnserializableValue | None:
    """The error noted for ``thread_id`` when it still stands at that checkpoint."""
    text = log.notes.get(_key(thread_id))
    data = loads(text) if text else None
    if not isinstance(data, dict) or data.get("checkpoint_id") != _checkpoint(snapshot):
        return None
    steps = ", ".join(map(str, data.get("next") or ())) or "its next step"
    return UnserializableValue(
        f"thread {thread_id!r} is stuck before {steps}: {data.get('message')}",
        data.get("type"), data.get("where"))
