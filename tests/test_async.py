"""Graphs with async nodes: `areview`, awaited decisions, the same exactly-once path."""

from __future__ import annotations

import asyncio

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

import hitl_nb

from .graphs import State


def _async_graph(checkpointer):
    async def ask(state: State) -> dict:
        await asyncio.sleep(0)
        answer = interrupt({"action": "post_tweet", "args": {"text": "hello"}})
        return {"answers": [answer["type"]]}

    async def act(state: State) -> dict:
        return {"log": ["posted" if state["answers"][-1] == "approve" else "skipped"]}

    b = StateGraph(State)
    b.add_node("ask", ask)
    b.add_node("act", act)
    b.add_edge(START, "ask")
    b.add_edge("ask", "act")
    b.add_edge("act", END)
    return b.compile(checkpointer=checkpointer)


def test_review_points_async_graphs_to_areview(db):
    graph = _async_graph(hitl_nb.checkpointer(db))
    with pytest.raises(hitl_nb.HitlError, match=r"await hitl_nb\.areview"):
        hitl_nb.review(graph, {}, log=db, display=False)


def test_areview_approve_with_async_sqlite_checkpoints(db):
    async def main():
        graph = _async_graph(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(graph, {}, thread_id="a1", log=db, display=False,
                                        reviewer="ana")
        assert [r.action for r in session.pending] == ["post_tweet"]
        task = session.cards[0].approve()          # a button inside a running loop
        assert isinstance(task, asyncio.Future)
        await task
        await graph.checkpointer.conn.close()
        return session

    session = asyncio.run(main())
    assert session.done and session.result["log"] == ["posted"]
    assert list(hitl_nb.DecisionLog(db).to_pandas().status) == ["applied"]


def test_areview_pick_up_after_restart_and_double_decision(db):
    async def first():
        graph = _async_graph(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(graph, {}, thread_id="a2", log=db, display=False)
        await graph.checkpointer.conn.close()
        return session.pending[0].interrupt_id

    async def second():
        graph = _async_graph(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(graph, None, thread_id="a2", log=db, display=False,
                                        reviewer="bo")
        request = session.pending[0]
        await session.session.adecide(request, hitl_nb.Decision("reject", comment="no"))
        with pytest.raises(hitl_nb.AlreadyDecided, match="rejected by bo"):
            await session.session.adecide(request, hitl_nb.Decision("approve"))
        await graph.checkpointer.conn.close()
        return session, request.interrupt_id

    interrupt_id = asyncio.run(first())
    session, picked = asyncio.run(second())
    assert picked == interrupt_id
    assert session.done and session.result["log"] == ["skipped"]
    assert len(hitl_nb.DecisionLog(db)) == 1
