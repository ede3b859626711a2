"""What a graph and its state say: can it be reviewed, which requests are pending.

`requests_in` turns a ``get_state(..., subgraphs=True)`` snapshot into the thread's
review requests: each interrupt parsed by its format, its context added, its tool's
argument schema attached, how its code reads the answer (`hitl_nb.engine.reads`) and
the policy's risk. `split` and `locate` read a snapshot for the resume path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import formats
from ...model import MissingCheckpointer, ReviewRequest
from ...render import context
from .. import tools as _tools
from ..reads import with_reads

if TYPE_CHECKING:
    from ...policy.core import RiskPolicy

__all__ = [
    "At",
    "check_graph",
    "interrupt_ids",
    "is_async_graph",
    "locate",
    "requests_in",
    "split",
    "where",
]

try:  # how LangGraph's own live snapshot reads a step's pending writes (private: the
    # tests hold it to ``get_state`` on every interrupt shape; without it, we build one)
    from langgraph.pregel._task_status import read_task_statuses
except ImportError:  # pragma: no cover - another LangGraph
    read_task_statuses = None


def check_graph(graph: Any) -> None:
    """Raise `MissingCheckpointer` (with the fix) when ``graph`` cannot pause and resume."""
    if not hasattr(graph, "get_state") or not hasattr(graph, "stream"):
        raise TypeError(f"review() needs a compiled LangGraph graph, got {type(graph).__name__}")
    if getattr(graph, "checkpointer", None) in (None, False):
        raise MissingCheckpointer(
            "this graph was compiled without a checkpointer, so it cannot pause for a review "
            "and resume. Compile it with one, e.g.\n"
            "    graph = builder.compile(checkpointer=hitl_nb.checkpointer('hitl.db'))")


def is_async_graph(graph: Any) -> bool:
    """True when some node (or a subgraph's node) only has an async implementation."""
    for node in getattr(graph, "nodes", {}).values():
        bound = getattr(node, "bound", None)
        if hasattr(bound, "nodes") and is_async_graph(bound):
            return True
        if getattr(bound, "func", 1) is None and getattr(bound, "afunc", None) is not None:
            return True
    return False


def requests_in(snapshot: Any, graph: Any, thread_id: str, *,
                policy: RiskPolicy | None = None, read_code: bool = True) -> list[ReviewRequest]:
    """The review requests pending in ``snapshot``, in the graph's order (without the
    log's first-seen times: the session adds them)."""
    nodes = locate(snapshot)
    requests: list[ReviewRequest] = []
    for intr in getattr(snapshot, "interrupts", ()):
        node, namespace = nodes.get(intr.id, (None, ()))
        for r in formats.parse(intr.value, getattr(intr, "response_schema", None),
                               thread_id=thread_id, interrupt_id=intr.id,
                               node=node, namespace=namespace):
            r = r if r.action else r.replace(action=node or "review")
            requests.append(context.enrich(r, getattr(snapshot, "values", None)))
    requests = _tools.with_tool_schemas(requests, graph)  # edits checked in every mode
    if read_code:  # resume plain interrupts with what their code reads
        requests = with_reads(requests, graph)
    if policy is not None:
        requests = [r if r.risk else r.replace(risk=policy.assess(
            r.action, r.args, r.confidence, {"uncertainty": r.uncertainty}))
            for r in requests]
    return requests


def split(snapshot: Any, interrupt_ids: list[str]) -> tuple[list[str], list[str], bool]:
    """(gone, live, finish): the decided interrupts no longer pending (resumed before a
    crash), those still pending, and whether the thread stopped mid-step (tasks left, no
    interrupt) so its run must be finished before the gone ones count as applied."""
    pending = {i.id for i in snapshot.interrupts}
    gone = [i for i in interrupt_ids if i not in pending]
    live = [i for i in interrupt_ids if i in pending]
    finish = bool(gone) and bool(snapshot.next or snapshot.tasks) and not snapshot.interrupts
    return gone, live, finish


def locate(snapshot: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Interrupt id -> (name of the node that raised it, its subgraph namespace).

    Walks a ``get_state(..., subgraphs=True)`` snapshot; the deepest task wins.
    """
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    config = getattr(snapshot, "config", None) or {}
    ns = config.get("configurable", {}).get("checkpoint_ns", "")
    namespace = tuple(p for p in ns.split("|") if p)
    for task in getattr(snapshot, "tasks", ()):
        for intr in getattr(task, "interrupts", ()):
            out[intr.id] = (task.name, namespace)
        if hasattr(task.state, "tasks"):
            out.update(locate(task.state))
    return out


#: Where a snapshot stood: its checkpoint id and the ids of its tasks (`where`).
At = tuple[str, frozenset[str]]


def where(snapshot: Any, graph: Any, config: dict[str, Any]) -> At | None:
    """The checkpoint a snapshot of ``graph`` read with ``config`` stands at, and its
    tasks; None unless it is LangGraph's live view of the thread's latest checkpoint in
    the graph's own checkpointer (no checkpoint, namespace or checkpointer pinned)."""
    for conf in (config, getattr(graph, "config", None) or {}):
        if any(k.startswith(("checkpoint_", "__pregel")) for k in conf.get("configurable", {})):
            return None
    ckpt = _checkpoint_id(snapshot)
    return (ckpt, frozenset(t.id for t in getattr(snapshot, "tasks", ()))) if ckpt else None


def interrupt_ids(saved: Any, at: At | None) -> set[str] | None:
    """The ids of the interrupts waiting for an answer in checkpoint tuple ``saved``, read
    off its pending writes as LangGraph's live ``get_state`` reads them (an interrupt of
    a task that has since finished is answered), without building the snapshot.

    None, so the caller reads the snapshot, unless ``saved`` still stands at ``at`` (the
    checkpoint a snapshot of the same graph showed, so the same tasks) and every write
    belongs to one of its tasks.
    """
    if read_task_statuses is None or saved is None or at is None \
            or _checkpoint_id(saved) != at[0]:
        return None
    ids: set[str] = set()
    for task_id, status in read_task_statuses(saved.pending_writes or ()).items():
        if task_id not in at[1]:
            return None
        for intr in status.pending_interrupts:
            if not isinstance(iid := getattr(intr, "id", None), str):
                return None
            ids.add(iid)
    return ids


def _checkpoint_id(read: Any) -> str | None:
    """The checkpoint id in the config of a snapshot or a checkpoint tuple."""
    return ((getattr(read, "config", None) or {}).get("configurable") or {}).get(
        "checkpoint_id")
