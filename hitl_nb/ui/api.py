"""The front door: `review`, `areview` and `checkpointer`."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .. import formats
from ..analysis.log import DecisionLog
from ..engine.session import Session, is_async_graph
from ..model import HitlError, utcnow
from ..policy.core import RiskPolicy
from ..store.db import is_postgres_url
from ..store.savers import AsyncCheckpointer, open_async_sqlite, sqlite_checkpointer
from .widgets import SessionView


def checkpointer(target: str | os.PathLike[str] = "hitl.db") -> Any:
    """A LangGraph checkpointer in ``target``: a SQLite path (the same file as the
    decision log is fine) or a ``postgresql://`` URL (``postgres`` extra).

    Raises `ImportError` for a URL without the ``postgres`` extra installed, and
    `LogUnavailable` when the database cannot be opened.

    One saver (one connection) per file or URL per process, shared by every graph
    compiled with it while any of them lives, and closed at exit: compiling a graph per
    loop iteration opens nothing new.

    Example::

        graph = builder.compile(checkpointer=hitl_nb.checkpointer("hitl.db"))
    """
    if is_postgres_url(target):
        from ..store.savers import postgres_checkpointer

        return postgres_checkpointer(str(target))
    return sqlite_checkpointer(str(target))


def acheckpointer(target: str | os.PathLike[str] = "hitl.db") -> AsyncCheckpointer:
    """An async LangGraph checkpointer for graphs with async nodes (`areview`), on its own
    connection. ``target``: a SQLite path (the decision log's file is fine) or a
    ``postgresql://`` URL (``postgres`` extra); nothing is opened until it is entered or
    awaited, which raises what opening the database raises. Use it as a context manager
    to close that connection at the end::

        async with hitl_nb.acheckpointer("hitl.db") as saver:
            graph = builder.compile(checkpointer=saver)
            session = await hitl_nb.areview(graph, {"task": "..."}, thread_id="t1")

    or await it (``saver = await hitl_nb.acheckpointer("hitl.db")``) and close it with
    ``await saver.conn.close()``; one left open never keeps the process from exiting.

    Example (awaited, no ``with``)::

        saver = await hitl_nb.acheckpointer("postgresql://hitl@db/hitl")
        graph = builder.compile(checkpointer=saver)
    """
    if is_postgres_url(target):
        from ..store.postgres import apostgres_checkpointer

        return AsyncCheckpointer(lambda: apostgres_checkpointer(str(target)))
    return AsyncCheckpointer(lambda: open_async_sqlite(str(target)))


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _show(view: SessionView, display: bool | None) -> None:
    if display or (display is None and _in_kernel()):
        from IPython.display import display as ipy_display

        # A display id lets the view refresh its static text/html (what a saved notebook
        # shows on GitHub/nbviewer) once the run has produced its cards.
        view.display_handle = ipy_display(view, display_id=True)


def _need_input_or_thread(graph_input: Any, thread_id: str | None) -> None:
    if graph_input is None and thread_id is None:
        raise HitlError("nothing to review: pass an input to run the graph, or the thread_id "
                        "of a thread whose pending reviews to pick up")


def review(
    graph: Any,
    input: Any = None,
    thread_id: str | None = None,
    log: DecisionLog | str | os.PathLike[str] | None = "hitl.db",
    *,
    reviewer: str | None = None,
    resume: formats.ResumeMapper | None = None,
    config: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utcnow,
    display: bool | None = None,
    policy: RiskPolicy | None = None,
    durability: str = "sync",
) -> SessionView:
    """Run ``graph`` on ``input`` until a human is needed and show the review cards.

    - ``graph``: a compiled LangGraph graph with a checkpointer (`checkpointer`).
    - ``input=None`` with a ``thread_id`` picks up that thread's pending reviews (after a
      kernel restart) without re-running it; without a ``thread_id`` one is generated.
    - ``log``: the `DecisionLog`, or its SQLite path or ``postgresql://`` URL (default
      ``hitl.db``; None keeps it in memory).
    - ``reviewer``: the name written to the log (default: the OS user).
    - ``resume(request, decision)`` replaces the default resume value of plain
      ``interrupt()`` payloads.
    - ``config``: the graph's run config (``recursion_limit``, ``configurable``...; the
      thread id is added).
    - ``clock``: returns the current time, timezone-aware (tests pass a fake one).
    - ``display``: in a notebook the session displays itself (False to stop that, True
      to force it).
    - ``policy`` (a `hitl_nb.RiskPolicy`) puts its risk on every card, adds "always
      allow/reject this tool" buttons and decides requests for remembered tools alone.
    - ``durability`` is LangGraph's for every resume: "sync" (default) saves each step's
      checkpoint before the next step starts, so recovery never re-runs a step that
      finished (see the Reliability guide); "async" and "exit" are LangGraph's others.

    Raises `HitlError` for a graph with async nodes (use `areview`), for neither input nor
    thread id, or when ``input`` is given for a thread that already has pending reviews;
    `MissingCheckpointer` for a graph compiled without a checkpointer; `ValueError` for
    an unknown ``durability``; `UnserializableValue` when the checkpointer refuses a
    value of the state; `ResumeFailed` when a decision recorded before cannot be applied;
    `LogUnavailable` (or a subclass) when the log cannot be opened.

    Example::

        session = hitl_nb.review(graph, {"task": "send the Q3 numbers"}, thread_id="t1")
        session.cards[0].approve()
    """
    if is_async_graph(graph):
        raise HitlError("this graph has async nodes; run it with "
                        "`session = await hitl_nb.areview(graph, input, ...)`")
    _need_input_or_thread(input, thread_id)
    session = Session(graph, thread_id=thread_id, log=log, reviewer=reviewer, clock=clock,
                      resume=resume, config=config, policy=policy, durability=durability)
    view = SessionView(session)
    _show(view, display)
    session.start(input)
    return view


async def areview(
    graph: Any,
    input: Any = None,
    thread_id: str | None = None,
    log: DecisionLog | str | os.PathLike[str] | None = "hitl.db",
    *,
    reviewer: str | None = None,
    resume: formats.ResumeMapper | None = None,
    config: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utcnow,
    display: bool | None = None,
    policy: RiskPolicy | None = None,
    durability: str = "sync",
) -> SessionView:
    """`review` for graphs with async nodes: ``session = await hitl_nb.areview(...)``.

    The arguments are `review`'s: ``graph`` (compiled with an async checkpointer,
    `acheckpointer`), ``input``, ``thread_id``, ``log``, ``reviewer``, ``resume``,
    ``config``, ``clock``, ``display``, ``policy`` and ``durability``. Cards' buttons
    schedule the resume on the running event loop; in code, await
    ``session.adecide(...)`` or the awaitable that ``card.approve()`` returns.

    Raises what `review` raises (except the async-nodes error), from the ``await``.

    Example::

        async with hitl_nb.acheckpointer("hitl.db") as saver:
            graph = builder.compile(checkpointer=saver)
            session = await hitl_nb.areview(graph, {"task": "..."}, thread_id="t1")
            await session.cards[0].approve()
    """
    from ..engine.aio import AsyncSession

    _need_input_or_thread(input, thread_id)
    session = AsyncSession(graph, thread_id=thread_id, log=log, reviewer=reviewer,
                           clock=clock, resume=resume, config=config, policy=policy,
                           durability=durability)
    view = SessionView(session)
    _show(view, display)
    await session.astart(input)
    return view
