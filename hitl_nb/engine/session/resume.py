"""The resume path's pure parts: is a request still pending, which interrupts are fully
decided, and the value each one resumes with.

Example::

    ready = ready_interrupts(session.requests, session.decided)
    values = resume_values(session.requests, session.decided, ready, mapper=None)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ... import formats
from ...model import Decision, ReviewRequest, StaleRequest, quote
from ...store.effects import bind

__all__ = ["check_pending", "ready_interrupts", "rerun_nodes", "resume_values"]

Decided = dict[tuple[str, str, int], Decision]


def check_pending(log: Any, request: ReviewRequest, live: set[str]) -> None:
    """Raise `StaleRequest` unless the request's interrupt is pending right now.

    (LangGraph would apply a resume keyed by a task's first interrupt id to that
    task's next interrupt, so a stale card must never reach ``Command``.)
    """
    if request.interrupt_id in live:
        return
    first = log.get(*request.key)
    who = first.summary() if first else "resumed by someone else"
    raise StaleRequest(
        f"{quote(request.action)!r} (interrupt {request.interrupt_id}) is no longer pending in "
        f"thread {request.thread_id}: it was {who}. Nothing was changed.", first)


def ready_interrupts(requests: list[ReviewRequest], decided: Decided) -> list[str]:
    """The interrupts whose every request is decided, in the graph's order."""
    by_id: dict[str, list[ReviewRequest]] = {}
    for r in requests:
        by_id.setdefault(r.interrupt_id, []).append(r)
    return [iid for iid, rs in by_id.items() if all(r.key in decided for r in rs)]


def resume_values(requests: list[ReviewRequest], decided: Decided,
                  interrupt_ids: Iterable[str],
                  mapper: formats.ResumeMapper | None) -> dict[str, Any]:
    """Interrupt id -> the value its format (or ``mapper``) resumes it with."""
    out = {}
    for iid in interrupt_ids:
        reqs = [r for r in requests if r.interrupt_id == iid]
        decs = [bind(r, decided[r.key]) for r in reqs]
        out[iid] = formats.resume_value(reqs, decs, mapper)
    return out


def rerun_nodes(requests: list[ReviewRequest], interrupt_ids: Iterable[str]) -> set[str]:
    """The nodes a resume of ``interrupt_ids`` runs again (a subgraph's parent node)."""
    ids = set(interrupt_ids)
    return {r.namespace[0].split(":")[0] if r.namespace else r.node
            for r in requests if r.interrupt_id in ids and r.node}
