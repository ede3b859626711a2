"""`ReviewerApp`: the page of the reviewer web app (Voila), usable in a notebook too.

A list of threads waiting for a human; "Open" shows that thread's cards (a picked-up
`hitl_nb.review(graph, None, thread_id=...)`), and a decision resumes the graph. The
logic lives in `_pending` and the session; this view only lays them out.

Example::

    app = ReviewerApp("hitl.db", graph="hitl_nb.examples:seed_graph")
    app.open_thread(app.threads[0].thread_id)
    app.session.cards[0].approve()
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w

from ... import render
from ...analysis.log import DecisionLog
from ...model import HitlError
from ..api import review
from ._pending import PendingThread, load_graph, pending_threads

#: Environment variables `python -m hitl_nb serve` sets for the app's kernel.
ENV_LOG, ENV_GRAPH, ENV_CHECKPOINTS, ENV_REVIEWER = (
    "HITL_NB_LOG", "HITL_NB_GRAPH", "HITL_NB_CHECKPOINTS", "HITL_NB_REVIEWER")


class ReviewerApp(w.VBox):
    """Pending threads of a decision log, and the cards of the one opened."""

    def __init__(self, log: DecisionLog | str, graph: Any = None, *,
                 checkpoints: Any = None, reviewer: str | None = None) -> None:
        self.decision_log = log if isinstance(log, DecisionLog) else DecisionLog(log)
        target = checkpoints if checkpoints is not None else self.decision_log.target
        self.graph = load_graph(graph, target) if isinstance(graph, str) else graph
        self.reviewer = reviewer
        self.threads: list[PendingThread] = []
        self.session: Any = None
        self.header = w.HTML()
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="List the pending threads again")
        self.refresh_button.add_class("hitl-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.thread_list = w.VBox()
        self.thread_list.add_class("hitl-thread-list")
        self.status = w.HTML(placeholder="")
        self.detail = w.VBox()
        super().__init__([self.header, self.refresh_button, self.thread_list, self.status,
                          self.detail])
        self.add_class("hitl-reviewer-app")
        self.refresh()

    def refresh(self) -> None:
        """Read the pending threads again."""
        self.threads = pending_threads(self.decision_log, self.graph)
        where = render.escape(str(self.decision_log.target))
        count = len(self.threads)
        self.header.value = (
            f"<h3 style='margin:0.2em 0'>Reviews waiting: {count}</h3>"
            f"<div class='hitl-meta'>decision log <code>{where}</code></div>"
            + ("" if self.graph is not None else
               "<div class='hitl-error'>No graph given: start the app with "
               "<code>--graph module:attr</code> to decide.</div>"))
        self.thread_list.children = [self._row(t) for t in self.threads] or [
            w.HTML("<i class='hitl-empty'>Nothing is waiting for a review.</i>")]

    def _row(self, thread: PendingThread) -> w.Widget:
        button = w.Button(description="Open", tooltip=f"Open {thread.thread_id}",
                          disabled=self.graph is None, layout=w.Layout(width="6em"))
        button.add_class("hitl-open-thread")
        button.on_click(lambda _, tid=thread.thread_id: self.open_thread(tid))
        when = f"{thread.requested_at:%Y-%m-%d %H:%M} UTC · " if thread.requested_at else ""
        task = f" · {render.escape(thread.task)}" if thread.task else ""
        label = w.HTML(f"<code>{render.escape(thread.thread_id)}</code> · {when}"
                       f"{render.escape(', '.join(thread.actions))}{task}")
        row = w.HBox([button, label])
        row.add_class("hitl-thread-row")
        return row

    def open_thread(self, thread_id: str) -> Any:
        """Show the pending cards of ``thread_id`` (without re-running the thread)."""
        if self.graph is None:
            raise HitlError("no graph: start the app with --graph module:attr to decide")
        self.status.value = ""
        try:
            self.session = review(self.graph, None, thread_id=thread_id, log=self.decision_log,
                                  reviewer=self.reviewer, display=False)
        except HitlError as exc:
            self.status.value = f"<div class='hitl-error'>{render.escape(str(exc))}</div>"
            raise
        self.session.session.listen(self._on_session_event)
        self.detail.children = [self.session]
        return self.session

    def _on_session_event(self, event: str, payload: Any) -> None:
        if event == "changed" and self.session is not None and self.session.done:
            self.refresh()


def from_env() -> ReviewerApp:
    """The app configured by `python -m hitl_nb serve` (environment variables)."""
    log = os.environ.get(ENV_LOG)
    if not log:
        raise HitlError(f"{ENV_LOG} is not set: start the app with `hitl-nb serve hitl.db`")
    return ReviewerApp(log, os.environ.get(ENV_GRAPH) or None,
                       checkpoints=os.environ.get(ENV_CHECKPOINTS) or None,
                       reviewer=os.environ.get(ENV_REVIEWER) or None)
