"""`record_outcome` from inside a graph: what happened after a reviewed action.

A node that runs after the review (the tool call, a check, a later human fix) records
the outcome against the thread's latest decision; the thread comes from the running
node's config.

Example::

    def execute(state):
        try:
            send(state["email"])
            hitl_nb.record_outcome(ok=True, detail="sent", log="hitl.db")
        except SMTPError as exc:
            hitl_nb.record_outcome(ok=False, detail=str(exc), log="hitl.db")
            raise
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from ..model import HitlError
from .log import DecisionLog

__all__ = ["record_outcome"]


def record_outcome(ok: bool | None, detail: Any = None, *,
                   log: DecisionLog | str | os.PathLike[str] = "hitl.db",
                   interrupt_id: str | None = None, thread_id: str | None = None,
                   when: datetime | None = None) -> int:
    """Record an outcome for ``interrupt_id`` (default: the thread's latest decision).

    ``ok``: whether the approved action worked (None: unknown). ``detail``: what
    happened (a result, an error message; stored as JSON). ``log``: the `DecisionLog`
    or its path/URL (default ``hitl.db``). ``when``: the outcome's time (default now).
    Inside a LangGraph node ``thread_id`` defaults to the node's thread; elsewhere pass
    it. Returns how many decision rows got the outcome (several for a batched request).

    Raises `HitlError` outside a node without ``thread_id`` or ``interrupt_id``, or when
    no decision is recorded for them; `LogReadOnly` / `LogBusy` when it cannot write.

    Example::

        try:
            send_email(**args)
        except SMTPException as exc:
            hitl_nb.record_outcome(False, str(exc))
    """
    if thread_id is None and interrupt_id is None:
        thread_id = _current_thread()
    target = log if isinstance(log, DecisionLog) else DecisionLog(log)
    try:
        return target.record_outcome(interrupt_id, ok=ok, detail=detail, thread_id=thread_id,
                                     when=when)
    finally:
        if target is not log:
            target.close()


def _current_thread() -> str:
    try:
        from langgraph.config import get_config

        thread = get_config().get("configurable", {}).get("thread_id")
    except RuntimeError:
        thread = None
    if not thread:
        raise HitlError("record_outcome() outside a graph node needs thread_id= or "
                        "interrupt_id=")
    return str(thread)
