"""A thread's requests decided in more than one place: by two reviewers at once, or one
of them resumed by hand. Whoever records the last decision resumes the graph, once, with
every decision; none is left recorded and never applied."""

from __future__ import annotations

from typing import Any, TypedDict

import pytest
from langchain_core.messages import HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

import hitl_nb
from tests import graphs


class Letters(TypedDict, total=False):
    a: Any
    b: Any


def _letters(checkpointer: Any) -> Any:
    """Two parallel questions, as users write them."""
    def ask_a(state: Letters) -> dict:
        return {"a": interrupt("Name for a?")}

    def ask_b(state: Letters) -> dict:
        return {"b": interrupt("Name for b?")}

    b = StateGraph(Letters)
    b.add_node("ask_a", ask_a)
    b.add_node("ask_b", ask_b)
    b.add_edge(START, "ask_a")
    b.add_edge(START, "ask_b")
    b.add_edge("ask_a", END)
    b.add_edge("ask_b", END)
    return b.compile(checkpointer=checkpointer)


def _card(view: Any, node: str) -> Any:
    return next(c for c in view.cards if c.request.node == node)


def _rows(log: Any) -> list[tuple]:
    df = log.to_pandas()
    return sorted(zip(df.action, df.decision, df.reviewer, df.status, strict=True))


def test_two_reviewers_deciding_parallel_questions_at_once_resume_once(backend):
    graph = _letters(hitl_nb.checkpointer(backend))
    ana = hitl_nb.review(graph, {}, thread_id="t", log=backend, reviewer="ana",
                         display=False)
    bob = hitl_nb.review(graph, None, thread_id="t", log=backend, reviewer="bob",
                         display=False)
    assert len(ana.pending) == len(bob.pending) == 2   # each saw both open
    _card(ana, "ask_a").respond("Ada")
    assert not ana.done                                # bob's question is still open
    bob_a = _card(bob, "ask_a")
    _card(bob, "ask_b").respond("Bo")                  # the last decision: bob resumes
    assert bob_a.decision.response == "Ada"            # ana's answer shown on bob's card
    assert bob.done and bob.result == {"a": "Ada", "b": "Bo"}
    log = hitl_nb.DecisionLog(backend)
    assert _rows(log) == [("ask_a", "respond", "ana", "applied"),
                          ("ask_b", "respond", "bob", "applied")]
    with pytest.raises(hitl_nb.StaleRequest):          # ana's stale card: refused, and
        _card(ana, "ask_b").respond("Ann")             # her view catches up
    assert ana.done and ana.result == {"a": "Ada", "b": "Bo"}
    assert len(log.to_pandas()) == 2


def test_two_reviewers_splitting_one_batched_tool_call_review_resume_once(db):
    graph = graphs.email_agent(hitl_nb.checkpointer(db), "batched")
    task = {"messages": [HumanMessage("Send the Q3 numbers")]}
    ana = hitl_nb.review(graph, task, thread_id="t", log=db, reviewer="ana", display=False)
    bob = hitl_nb.review(graph, None, thread_id="t", log=db, reviewer="bob", display=False)
    first, second = ana.cards
    assert first.request.interrupt_id == second.request.interrupt_id   # one interrupt
    first.approve()
    bob.cards[1].reject(comment="not to everyone")
    assert bob.done
    assert graphs.SENT == [{"to": "cfo@example.com", "subject": "Q3"}]
    assert _rows(hitl_nb.DecisionLog(db)) == [("send_email", "approve", "ana", "applied"),
                                               ("send_email", "reject", "bob", "applied")]


def test_a_question_resumed_by_hand_lets_the_answered_one_go_on(db, start):
    graph = _letters(hitl_nb.checkpointer(db))
    view = start(graph, {}, thread_id="t")
    _card(view, "ask_a").respond("Ada")                # recorded; waits for b
    stale = _card(view, "ask_b")
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke(Command(resume={stale.request.interrupt_id: "by hand"}), config)
    with pytest.raises(hitl_nb.StaleRequest, match="no longer pending"):
        stale.respond("Bea")                           # nothing recorded for it ...
    assert view.done                                   # ... and the graph went on with a
    assert graph.get_state(config).values == {"a": "Ada", "b": "by hand"}
    assert _rows(hitl_nb.DecisionLog(db)) == [("ask_a", "respond", "ana", "applied")]
    assert [c.request.node for c in view.history] == ["ask_a"]


def test_async_sessions_of_two_reviewers_resume_parallel_questions_once(db):
    import asyncio

    async def main() -> None:
        graph = _letters(await hitl_nb.acheckpointer(db))
        ana = await hitl_nb.areview(graph, {}, thread_id="t", log=db, reviewer="ana",
                                    display=False)
        bob = await hitl_nb.areview(graph, None, thread_id="t", log=db, reviewer="bob",
                                    display=False)
        await _card(ana, "ask_a").respond("Ada")
        assert not ana.done
        await _card(bob, "ask_b").respond("Bo")
        assert bob.done and bob.result == {"a": "Ada", "b": "Bo"}

    asyncio.run(main())
    assert _rows(hitl_nb.DecisionLog(db)) == [("ask_a", "respond", "ana", "applied"),
                                               ("ask_b", "respond", "bob", "applied")]


def test_a_stale_click_whose_left_decision_then_fails_to_apply_still_says_stale(db, start):
    fail = {"on": True}

    class Letters2(TypedDict, total=False):
        a: Any
        b: Any
        after: Any

    def ask_a(state: Letters2) -> dict:
        return {"a": interrupt("Name for a?")}

    def ask_b(state: Letters2) -> dict:
        return {"b": interrupt("Name for b?")}

    def after(state: Letters2) -> dict:
        if fail["on"]:
            raise RuntimeError("the next step is down")
        return {"after": "ran"}

    b = StateGraph(Letters2)
    for name, fn in (("ask_a", ask_a), ("ask_b", ask_b), ("after", after)):
        b.add_node(name, fn)
    b.add_edge(START, "ask_a")
    b.add_edge(START, "ask_b")
    b.add_edge(["ask_a", "ask_b"], "after")
    b.add_edge("after", END)
    graph = b.compile(checkpointer=hitl_nb.checkpointer(db))
    view = start(graph, {}, thread_id="t")
    _card(view, "ask_a").respond("Ada")
    stale = _card(view, "ask_b")
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke(Command(resume={stale.request.interrupt_id: "by hand"}), config)
    with pytest.raises(hitl_nb.StaleRequest):
        stale.respond("Bea")
    assert isinstance(view.error, RuntimeError) and not view.done   # shown, kept
    assert _rows(hitl_nb.DecisionLog(db)) == [("ask_a", "respond", "ana", "recorded")]
    fail["on"] = False
    view.retry()                                                    # applied once
    assert view.done and view.result == {"a": "Ada", "b": "by hand", "after": "ran"}
    assert _rows(hitl_nb.DecisionLog(db)) == [("ask_a", "respond", "ana", "applied")]
