"""Deadlines: once passed, the timeout action is logged by reviewer ``timeout`` and applied."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hitl_nb import Decision, Expired, Inbox, Session
from tests._team import ledger_counts, start_threads, team
from tests.graphs import asking


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_card_note_shows_time_left_then_expired(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 1, timeout_s=600)
    clock = Clock()
    session = Session(graph, thread_id="t0", log=log, clock=clock).start(None)
    assert session.queue_note(session.pending[0]).endswith("min 59 s left") or \
        "min" in session.queue_note(session.pending[0])
    clock.advance(601)
    assert session.queue_note(session.pending[0]) == "expired"


def test_opening_a_session_applies_the_default_deny(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1, timeout_s=60)
    clock = Clock()
    clock.advance(61)
    session = Session(graph, thread_id="t0", log=log, clock=clock).start(None)
    assert session.done
    assert session.result["decision"] == "reject"
    assert session.result["reviewer"] == "timeout"
    row = log.to_pandas().iloc[0]
    assert (row.decision, row.reviewer, row.status) == ("reject", "timeout", "applied")
    assert ledger_counts(ledger) == {}


def test_deciding_after_the_deadline_raises_expired_and_records_nothing_of_yours(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 1, timeout_s=60)
    clock = Clock()
    session = Session(graph, thread_id="t0", log=log, clock=clock, reviewer="ana").start(None)
    request = session.pending[0]
    clock.advance(120)
    with pytest.raises(Expired, match="rejected by timeout"):
        session.decide(request, Decision("approve"))
    assert session.done
    assert log.to_pandas().reviewer.tolist() == ["timeout"]


def test_inbox_expire_applies_the_timeout_action_across_threads(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 2, timeout_s=60)
    start_threads(graph, log, 1, prefix="slow", timeout_s=86400)
    clock = Clock()
    inbox = Inbox(backend, graph=graph, clock=clock, expire=False)
    assert inbox.expire() == []
    clock.advance(120)
    expired = inbox.expire()
    assert sorted(r.thread_id for r in expired) == ["t0", "t1"]
    assert [r.thread_id for r in inbox.pending] == ["slow0"]
    df = log.to_pandas()
    assert sorted(df.thread_id) == ["t0", "t1"]
    assert set(df.status) == {"applied"}


def test_inbox_without_graph_records_timeout_and_a_session_applies_it(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1, timeout_s=60)
    clock = Clock()
    clock.advance(120)
    Inbox(backend, clock=clock)                      # opening it expires (no graph)
    assert log.to_pandas().status.tolist() == ["recorded"]
    session = Session(graph, thread_id="t0", log=log, clock=clock).start(None)
    assert session.done and session.result["reviewer"] == "timeout"


def test_timeout_action_is_configurable(backend, ledger):
    import hitl_nb

    g = asking(hitl_nb.checkpointer(backend), "archive", {"n": 1},
               expires_at=datetime(2000, 1, 1, tzinfo=timezone.utc), on_timeout="approve")
    session = Session(g, thread_id="x", log=backend).start({"go": 1})
    assert session.done and session.result["answers"] == ["approve"]


def test_async_session_applies_an_expired_deadline_on_pick_up(backend, ledger):
    import asyncio

    from langgraph.checkpoint.memory import InMemorySaver

    from hitl_nb import DecisionLog
    from hitl_nb.engine.aio import AsyncSession
    from hitl_nb.examples import payment_graph

    graph = payment_graph(InMemorySaver(), ledger=str(ledger))  # async-capable checkpoints
    log = DecisionLog(backend)
    start_threads(graph, log, 1, timeout_s=60)
    clock = Clock()
    clock.advance(61)
    session = AsyncSession(graph, thread_id="t0", log=log, clock=clock)
    asyncio.run(session.astart(None))
    assert session.done and session.result["reviewer"] == "timeout"
    assert ledger_counts(ledger) == {}


def test_async_decision_after_the_deadline_raises_expired_and_applies_the_timeout(backend,
                                                                                 ledger):
    import asyncio

    from langgraph.checkpoint.memory import InMemorySaver

    from hitl_nb import DecisionLog
    from hitl_nb.engine.aio import AsyncSession
    from hitl_nb.examples import payment_graph

    graph = payment_graph(InMemorySaver(), ledger=str(ledger))
    log = DecisionLog(backend)
    start_threads(graph, log, 1, timeout_s=60)
    clock = Clock()
    session = AsyncSession(graph, thread_id="t0", log=log, clock=clock, reviewer="ana")

    async def main():
        await session.astart(None)
        request = session.pending[0]
        clock.advance(120)
        with pytest.raises(Expired, match="rejected by timeout"):
            await session.adecide(request, Decision("approve"))

    asyncio.run(main())
    assert session.done and session.result["reviewer"] == "timeout"
    assert log.to_pandas().reviewer.tolist() == ["timeout"]
    assert ledger_counts(ledger) == {}
