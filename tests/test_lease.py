"""A resume that runs longer than its lease keeps the lease (heartbeat), so no other
process, here or on another host, takes the decision over and applies it twice."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

import hitl_nb
from hitl_nb import Decision, DecisionLog, Session
from tests.graphs import State


def slow_graph(checkpointer, ledger: Path, seconds: float):
    """review -> act: ``act`` sleeps ``seconds`` (a slow tool), then writes one line."""

    def review(state: State) -> dict:
        return {"answers": [interrupt({"action": "deploy", "args": {"env": "prod"}})]}

    def act(state: State) -> dict:
        time.sleep(seconds)
        with ledger.open("a") as f:
            f.write("deployed\n")
        return {"log": ["deployed"]}

    b = StateGraph(State)
    b.add_node("review", review)
    b.add_node("act", act)
    b.add_edge(START, "review")
    b.add_edge("review", "act")
    b.add_edge("act", END)
    return b.compile(checkpointer=checkpointer)


def test_slow_resume_renews_its_lease_until_applied(backend, tmp_path):
    ledger = tmp_path / "ledger.txt"
    graph = slow_graph(hitl_nb.checkpointer(backend), ledger, seconds=1.2)
    log = DecisionLog(backend)
    session = Session(graph, thread_id="t0", log=log, reviewer="ana", lease_s=0.3)
    session.start({})
    request = session.pending[0]
    worker = threading.Thread(target=session.decide, args=(request, Decision("approve")))
    worker.start()
    try:
        time.sleep(0.8)  # the first lease (0.3 s) ran out long ago: only renewal holds it
        status, owner, until = log._db.query(log._q(
            "SELECT status, owner, lease_until FROM hitl_decisions WHERE thread_id = ?"),
            ("t0",))[0]
        assert (status, owner) == ("applying", session.owner)
        assert until > time.time()
        assert not log.claim("t0", [request.interrupt_id], "elsewhere:1:x", lease_s=0.3)
        assert not Session(graph, thread_id="t0", log=DecisionLog(backend)).start(None).done
    finally:
        worker.join(timeout=30)
    assert session.done and ledger.read_text() == "deployed\n"
    assert log.to_pandas()[["status", "owner"]].astype(object).values.tolist() == \
        [["applied", session.owner]]
    time.sleep(0.4)  # the heartbeat stopped with the resume: nothing renews an applied row
    assert log._db.query(log._q("SELECT lease_until FROM hitl_decisions"))[0][0] is None


def test_renew_only_extends_a_lease_its_owner_holds(backend):
    graph = slow_graph(hitl_nb.checkpointer(backend), Path("/dev/null"), seconds=0)
    log = DecisionLog(backend)
    session = Session(graph, thread_id="t0", log=log, reviewer="ana").start({})
    request = session.pending[0]
    log.record(request, Decision("approve", reviewer="ana"))
    assert log.renew("t0", [request.interrupt_id], "me:1:x", lease_s=60) == 0  # not claimed
    assert log.claim("t0", [request.interrupt_id], "elsewhere:1:x", lease_s=60)
    assert log.renew("t0", [request.interrupt_id], "me:1:x", lease_s=60) == 0  # not mine
    assert log.renew("t0", [request.interrupt_id], "elsewhere:1:x", lease_s=60) == 1
