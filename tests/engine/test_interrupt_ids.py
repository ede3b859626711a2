"""The pending check reads interrupt ids off the checkpoint's pending writes
(`snapshot.interrupt_ids`) instead of building a snapshot: it must list exactly what
``graph.get_state(config).interrupts`` lists, at every pause of every interrupt shape
(plain, two in one node, parallel with a nested subgraph, a subgraph called inside a
node, Send fan-out, the functional API, LangChain's middleware in both modes), on
SQLite and in memory. And a session must still refuse a card whose thread moved on."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.graph import START, StateGraph
from langgraph.types import Command, Send, interrupt

import hitl_nb
from hitl_nb.engine.session.snapshot import interrupt_ids, where
from tests import graphs


class S(TypedDict, total=False):
    answers: Annotated[list, operator.add]
    items: list[str]


def _plain(saver: Any) -> Any:
    return graphs.single(saver, {"action": "send_email", "args": {"to": "a@example.com"}})


def _called_subgraph(saver: Any) -> Any:
    """A node that invokes a compiled subgraph itself (not as a node)."""
    inner = StateGraph(S)
    inner.add_node("inner", lambda s: {"answers": [interrupt({"action": "inner"})]})
    inner.add_edge(START, "inner")
    sub = inner.compile()

    def outer(state: S) -> dict:
        return {"answers": sub.invoke({})["answers"]}

    b = StateGraph(S)
    b.add_node("outer", outer)
    b.add_edge(START, "outer")
    return b.compile(checkpointer=saver)


def _fan_out(saver: Any) -> Any:
    b = StateGraph(S)
    b.add_node("start", lambda s: {})
    b.add_node("each", lambda item: {"answers": [interrupt({"action": "ship", "args": item})]})
    b.add_edge(START, "start")
    b.add_conditional_edges("start", lambda s: [Send("each", {"n": i}) for i in range(3)])
    return b.compile(checkpointer=saver)


def _functional(saver: Any) -> Any:
    @task
    def ask(n: int) -> Any:
        return interrupt({"action": "charge", "args": {"n": n}})

    @entrypoint(checkpointer=saver)
    def flow(inputs: dict) -> list:
        return [ask(1).result(), ask(2).result()]

    return flow


SHAPES = {
    "plain": (_plain, {}),
    "twice in one node": (graphs.twice, {}),
    "parallel, nested subgraph": (graphs.parallel, {}),
    "subgraph called in a node": (_called_subgraph, {}),
    "Send fan-out": (_fan_out, {"items": []}),
    "functional API": (_functional, {}),
    "middleware, batched": (lambda s: graphs.email_agent(s, "batched"),
                            {"messages": [{"role": "user", "content": "mail Q3"}]}),
    "middleware, per call": (lambda s: graphs.email_agent(s, "per_call"),
                             {"messages": [{"role": "user", "content": "mail Q3"}]}),
}


#: Shapes whose every pause the fast path reads (the functional API's ``@task`` writes
#: under a task the entrypoint's snapshot does not show: the snapshot is read instead).
FAST = set(SHAPES) - {"functional API"}


def _answer(value: Any) -> Any:
    """A resume value each shape's node accepts (LangChain's middleware: its decisions,
    as its docs send them)."""
    if isinstance(value, dict) and "action_requests" in value:   # batched
        return {"decisions": [{"type": "approve"} for _ in value["action_requests"]]}
    if isinstance(value, dict) and value.get("type") == "tool_approval":   # per call
        return {"type": "approve"}
    return {"type": "accept", "approved": True}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_pending_writes_list_what_get_state_lists_at_every_pause(shape, backend):
    """On SQLite and on PostgreSQL (`backend`)."""
    _walk(shape, hitl_nb.checkpointer(backend))


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_same_in_memory(shape):
    _walk(shape, InMemorySaver())


def _walk(shape: str, saver: Any) -> None:
    """Pause by pause, answering one interrupt at a time (parallel ones pause again in
    the same step), the fast read says what ``get_state`` says, or cannot tell."""
    build, first_input = SHAPES[shape]
    graph = build(saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke(first_input, config)
    pauses = 0
    for _ in range(20):
        snapshot = graph.get_state(config)
        expected = {i.id for i in snapshot.interrupts}
        at = where(snapshot, graph, config)
        ids = interrupt_ids(saver.get_tuple(config), at)
        assert ids == expected if shape in FAST else ids in (None, expected)
        assert interrupt_ids(saver.get_tuple(config), ("another", at[1])) is None
        if snapshot.tasks:   # a write of a task the snapshot did not show: cannot tell
            assert interrupt_ids(saver.get_tuple(config), (at[0], frozenset())) is None
        if not snapshot.interrupts:
            break
        pauses += 1
        one = snapshot.interrupts[0]
        graph.invoke(Command(resume={one.id: _answer(one.value)}), config)
    assert pauses >= 1 and not graph.get_state(config).interrupts


def test_a_card_whose_thread_moved_on_by_hand_is_refused(tmp_path):
    """The pending check's fast path holds only while the thread stands where the session
    last read it: a resume sent by hand elsewhere moves it, and the stale card (the first
    question of a node asking twice) is refused before anything is recorded."""
    saver = hitl_nb.checkpointer(tmp_path / "c.db")
    graph = graphs.twice(saver)
    log = hitl_nb.DecisionLog(tmp_path / "log.db")
    session = hitl_nb.Session(graph, thread_id="t", log=log)
    session.start({})
    first = session.pending[0]
    graph.invoke(Command(resume={first.interrupt_id: {"type": "accept"}}),
                 {"configurable": {"thread_id": "t"}})    # by hand: now the second question
    with pytest.raises(hitl_nb.StaleRequest):
        session.decide(first, hitl_nb.Decision("approve"))
    assert len(log) == 0
    assert [i.value["action"] for i in graph.get_state(
        {"configurable": {"thread_id": "t"}}).interrupts] == ["second"]
