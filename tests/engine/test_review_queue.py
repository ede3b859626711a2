"""Queue mode: one card at a time from a session or an inbox, progress, Skip, and the
undo window (nothing recorded until it ends; Undo records nothing)."""

from __future__ import annotations

import pytest

import hitl_nb
from hitl_nb import Decision, HitlError, Inbox
from tests._team import ledger_counts, start_threads, team
from tests.graphs import mails, parallel


class ManualTimer:
    """Stands in for the undo window's timer: the test ends the window itself."""

    def __init__(self) -> None:
        self.started: list[tuple[float, object]] = []
        self.cancelled = 0

    def __call__(self, seconds, fn):
        self.started.append((seconds, fn))
        return self

    def cancel(self) -> None:
        self.cancelled += 1

    def fire(self) -> None:
        _seconds, fn = self.started.pop()
        fn()


def test_queue_over_a_session_shows_one_card_then_the_next(db, start):
    session = start(mails(hitl_nb.checkpointer(db)), {})
    queue = hitl_nb.review_queue(session)
    assert queue.request.action == "send_email"
    assert (queue.queue["position"], queue.queue["total"]) == (1, 1)
    queue.click("Approve")
    assert queue.request.action == "send_email"                 # the graph's next request
    assert queue.queue["position"] == 2 and "approved" in queue.queue["message"]
    queue.click("Approve")
    assert queue.request.action == "post_tweet"
    queue.click("Reject")
    queue.click("Send rejection")
    assert session.done and queue.actions == []
    assert list(hitl_nb.DecisionLog(db).to_pandas().decision) == ["approve", "approve", "reject"]


def test_skip_moves_the_card_to_the_end_of_the_queue(db, start):
    session = start(parallel(hitl_nb.checkpointer(db)), {})
    queue = hitl_nb.review_queue(session)
    first = queue.request.action
    assert queue.queue["can_skip"] and queue.queue["total"] == 2
    queue.click("Skip")
    assert queue.request.action != first
    assert [r.action for r in queue.remaining] == [queue.request.action, first]
    queue.click("Approve")
    assert queue.request.action == first and queue.queue["position"] == 2
    assert not queue.queue["can_skip"]
    with pytest.raises(HitlError, match="nothing to skip"):
        queue.click("Skip")


def test_queue_over_an_inbox_reviews_across_threads(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 3)
    queue = hitl_nb.review_queue(Inbox(db, graph=graph, reviewer="ana"))
    assert queue.queue["total"] == 3
    for _ in range(3):
        queue.click("Approve")
    assert ledger_counts(ledger) == {"t0": 1, "t1": 1, "t2": 1}
    assert "Nothing is waiting" in queue.html
    assert set(log.to_pandas().reviewer) == {"ana"}


def test_undo_window_records_only_when_it_ends(db, start):
    session = start(mails(hitl_nb.checkpointer(db)), {})
    timer = ManualTimer()
    queue = hitl_nb.ReviewQueue(session, undo_s=5, timer=timer)
    queue.click("Approve")
    assert queue.queue["undo"] == {"verb": "approving", "seconds": 5}
    assert len(hitl_nb.DecisionLog(db)) == 0 and queue.busy  # held, nothing recorded
    assert timer.started[0][0] == 5
    timer.fire()                                                 # the window ends
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(df.decision) == ["approve"] and list(df.status) == ["applied"]
    assert queue.queue["position"] == 2 and queue.queue["undo"] is None


def test_undo_records_nothing_and_the_card_stays(db, start):
    session = start(mails(hitl_nb.checkpointer(db)), {})
    timer = ManualTimer()
    queue = hitl_nb.ReviewQueue(session, undo_s=5, timer=timer)
    request = queue.request
    queue.click("Reject")
    queue.comment = "not now"
    queue.click("Send rejection")
    queue.click("Undo")
    assert timer.cancelled == 1 and queue.held is None and not queue.busy
    assert len(hitl_nb.DecisionLog(db)) == 0 and queue.request == request
    assert session.pending == [request]
    with pytest.raises(HitlError, match="nothing to undo"):
        queue.click("Undo")


def test_a_request_decided_elsewhere_during_the_window_is_not_recorded_twice(db, start):
    session = start(mails(hitl_nb.checkpointer(db)), {})
    timer = ManualTimer()
    queue = hitl_nb.ReviewQueue(session, undo_s=5, timer=timer)
    queue.click("Approve")
    session.decide(session.pending[0], Decision("reject", reviewer="bob"))
    timer.fire()
    assert isinstance(queue.error, hitl_nb.AlreadyDecided)
    assert list(hitl_nb.DecisionLog(db).to_pandas().reviewer) == ["bob"]


def test_queue_refuses_what_it_cannot_review():
    with pytest.raises(TypeError, match="session"):
        hitl_nb.review_queue("hitl.db")


def test_a_finished_session_shows_its_result_in_the_queue(db, start):
    session = start(mails(hitl_nb.checkpointer(db)), {})
    queue = hitl_nb.review_queue(session)
    for _ in range(3):
        queue.click("Approve")
    assert session.done and queue.actions == []
    assert "The graph finished." in queue.html and "Result" in queue.html
    assert "post_tweet" in queue.queue["message"]


def test_in_marimo_the_session_view_shows_as_its_queue(db):
    mo = pytest.importorskip("marimo")
    view = hitl_nb.review(mails(hitl_nb.checkpointer(db)), {}, log=db, display=False)
    shown = view._display_()
    assert isinstance(shown, mo.ui.anywidget)
    queue = shown.widget
    assert isinstance(queue, hitl_nb.ReviewQueue) and view._display_().widget is queue
    assert queue.request.key == view.pending[0].key
    queue.click("Approve")
    assert list(hitl_nb.DecisionLog(db).to_pandas().decision) == ["approve"]
    assert queue.request.key == view.pending[0].key != view.history[0].request.key


def test_a_failed_resume_shows_its_error_escaped_in_the_queue(db, start):
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    class State(TypedDict, total=False):
        answer: object

    def ask(state):
        answer = interrupt({"action": "delete_rows", "args": {"table": "users"}})
        raise RuntimeError(f"<b>{answer!r} broke the node</b>")

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    session = start(builder.compile(checkpointer=hitl_nb.checkpointer(db)), {})
    with pytest.raises(hitl_nb.ResumeFailed):
        hitl_nb.review_queue(session).click("Approve")
    queue = hitl_nb.review_queue(session)   # nothing left to review: the queue says why
    assert isinstance(session.error, RuntimeError) and queue.actions == []
    assert "<b>RuntimeError</b>: &lt;b&gt;" in queue.html and "broke the node" in queue.html
    assert "<b>'users'" not in queue.html   # the agent's text never becomes markup
