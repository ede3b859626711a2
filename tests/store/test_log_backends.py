"""The decision log and checkpointer keep the same API on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

import hitl_nb
from hitl_nb.examples import seed_graph
from tests.paths import REPO


def test_review_approve_and_log_on_either_backend(backend):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    session = hitl_nb.review(graph, {"task": "send the Q3 numbers"}, thread_id="t1",
                             log=backend, display=False, reviewer="ana")
    session.cards[0].approve(comment="fine")
    assert session.done and session.result["result"].startswith("done:")
    df = hitl_nb.DecisionLog(backend).to_pandas()
    assert df[["decision", "reviewer", "comment", "status"]].values.tolist() == \
        [["approve", "ana", "fine", "applied"]]
    assert str(df.decided_at.dt.tz) == "UTC"


def test_second_decision_is_refused_naming_the_first(backend):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    first = hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=backend, display=False,
                           reviewer="ana")
    request = first.pending[0]
    log = hitl_nb.DecisionLog(backend)
    log.record(request, hitl_nb.Decision("reject", reviewer="bob"))
    with pytest.raises(hitl_nb.AlreadyDecided, match="rejected by bob"):
        log.record(request, hitl_nb.Decision("approve", reviewer="ana"))
    assert len(log) == 1


def test_a_decision_ends_its_reviewers_claim_and_is_born_under_the_resume_lease(backend):
    """Recording marks the queue row decided and ends the deciding reviewer's own claim in
    the same commit (another reviewer's claim stays); the decision a resume waits for is
    committed ``applying`` under the session's lease, and the resume marks it applied."""
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    session = hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=backend, display=False,
                             reviewer="ana")
    log = session.log
    request = session.pending[0]
    log.claim_review(request.key, "ana")
    log.record(request, hitl_nb.Decision("approve", reviewer="ana"), owner="me:1:x")
    assert log.claimant(request.key) is None
    assert log.queue(state="decided")[0]["interrupt_id"] == request.interrupt_id
    assert log.status("t1", request.interrupt_id) == {"applying"}
    assert log.resume_lease("t1", request.interrupt_id)[0] == "me:1:x"

    other = hitl_nb.review(seed_graph(checkpointer=hitl_nb.checkpointer(backend)),
                           {"task": "y"}, thread_id="t2", log=backend, display=False)
    theirs = other.pending[0]
    log.claim_review(theirs.key, "bob")
    log.record(theirs, hitl_nb.Decision("reject", reviewer="timeout"))
    assert log.claimant(theirs.key)[0] == "bob"          # not the decider's claim: kept
    assert log.status("t2", theirs.interrupt_id) == {"recorded"}   # no lease: recorded

    mine = hitl_nb.review(seed_graph(checkpointer=hitl_nb.checkpointer(backend)),
                          {"task": "z"}, thread_id="t3", log=backend, display=False,
                          reviewer="ana")
    key = mine.pending[0].key
    log.claim_review(key, "ana")
    assert log.claimant(key)[0] == "ana"
    mine.cards[0].approve()
    assert mine.done and log.claimant(key) is None
    assert set(log.to_pandas(thread_id="t3").status) == {"applied"}


def test_a_batch_commits_its_writes_together_or_not_at_all(backend):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    session = hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=backend, display=False,
                             reviewer="ana")
    log, request = session.log, session.pending[0]
    seen = []

    def record_then_fail():
        log.record(request, hitl_nb.Decision("approve", reviewer="ana"), owner="me:1:x")
        seen.append(log.status("t1", request.interrupt_id))   # seen inside the batch

    with pytest.raises(RuntimeError, match="boom"):
        _failing_batch(log, record_then_fail)
    assert seen == [{"applying"}]
    assert len(log) == 0 and log.queue()[0]["state"] == "open"          # all rolled back

    with log.batch():
        log.record(request, hitl_nb.Decision("approve", reviewer="ana"), owner="me:1:x")
        with pytest.raises(hitl_nb.AlreadyDecided, match="approved by ana"):
            log.record(request, hitl_nb.Decision("reject", reviewer="bob"))
        log.mark_applied("t1", [request.interrupt_id], {request.interrupt_id: {"ok": 1}})
    assert log.status("t1", request.interrupt_id) == {"applied"}
    assert log.queue(state="applied")[0]["interrupt_id"] == request.interrupt_id
    assert log.to_pandas().resume_value.tolist() == [{"ok": 1}]

    script = "CREATE TABLE IF NOT EXISTS t_batch (x INTEGER); INSERT INTO t_batch VALUES (1)"
    with pytest.raises(RuntimeError):   # a script does not commit the batch
        _failing_batch(log, lambda: log.backend.executescript(script))
    assert "t_batch" not in _tables(log)
    with log.batch():
        log.backend.executescript(script)
    assert log.backend.query("SELECT x FROM t_batch") == [(1,)]


def _failing_batch(log, write):
    with log.batch():
        write()
        raise RuntimeError("boom: the batch rolls back")


def _tables(log):
    if log.backend.dialect == "sqlite":
        return {r[0] for r in log.backend.query("SELECT name FROM sqlite_master")}
    return {r[0] for r in log.backend.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}


def test_pending_review_is_found_again_by_a_new_process_view(backend):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=backend, display=False)
    again = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    session = hitl_nb.review(again, None, thread_id="t1", log=backend, display=False)
    assert [r.action for r in session.pending] == ["send_email"]


def test_unreachable_postgres_says_what_to_check():
    with pytest.raises(hitl_nb.LogUnavailable, match="cannot connect to PostgreSQL at"):
        hitl_nb.DecisionLog("postgresql://nobody:x@127.0.0.1:1/none")


@pytest.mark.slow
@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_postgres_cases_skip_locally_but_fail_in_ci_without_a_server(ci, outcome):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CI": ci,
           "HITL_NB_TEST_POSTGRES_URL": "postgresql://nobody:x@127.0.0.1:1/none"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=-ra",
         "tests/store/test_log_backends.py::test_second_decision_is_refused_naming_the_first"
         "[postgres]"], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=120)
    assert outcome in run.stdout, run.stdout
    assert "PostgreSQL" in run.stdout and "127.0.0.1:1/none" in run.stdout


def test_async_checkpointer_on_every_backend(backend):
    import asyncio

    from tests.graphs import single

    async def main():
        graph = single(await hitl_nb.acheckpointer(backend), {"action": "go"},
                       asynchronous=True)
        session = await hitl_nb.areview(graph, {}, thread_id="a", log=backend, display=False)
        await session.session.adecide(session.pending[0], hitl_nb.Decision("approve"))
        await graph.checkpointer.conn.close()
        return session

    session = asyncio.run(main())
    assert session.done and session.result["answers"][0]["type"] == "approve"
    session.log.close()


def test_decisions_in_reads_several_interrupts_of_a_thread_at_once(backend):
    log = hitl_nb.DecisionLog(backend)
    requests = [hitl_nb.ReviewRequest("pay", {"n": i}, thread_id="t1",
                                      interrupt_id=f"i{i // 2}", index=i % 2, count=2)
                for i in range(1200)]   # 600 interrupts: more than one query's worth
    other = hitl_nb.ReviewRequest("pay", {}, thread_id="t2", interrupt_id="i0")
    with log.batch():
        for r in [*requests[:4], *requests[-2:], other]:
            log.record(r, hitl_nb.Decision("approve" if r.index else "reject", reviewer="ana"))
    found = log.decisions_in("t1", [r.interrupt_id for r in requests])
    assert sorted(found) == [("i0", 0), ("i0", 1), ("i1", 0), ("i1", 1),
                             ("i599", 0), ("i599", 1)]
    assert found[("i1", 0)].type == "reject" and found[("i599", 1)].type == "approve"
    assert log.decisions_in("t1", ["i2", "nope"]) == {} and log.decisions_in("t1", []) == {}


def test_first_seen_times_survive_noting_again_and_reopening(backend):
    from datetime import datetime, timedelta, timezone

    log = hitl_nb.DecisionLog(backend)
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    a, b = (hitl_nb.ReviewRequest("pay", {}, thread_id="t1", interrupt_id=i) for i in "ab")
    assert log.note_requests([a], t0) == {a.key: t0}                   # new: noted now
    later = t0 + timedelta(minutes=5)
    assert log.note_requests([a, b], later) == {a.key: t0, b.key: later}   # a kept its time
    log.close_missing("t1", ["b"], later)                              # a gone ...
    assert log.queue(thread_id="t1", state="gone")[0]["interrupt_id"] == "a"
    assert log.note_requests([a], later + timedelta(minutes=5)) == {a.key: t0}  # ... reopened
    assert {r["interrupt_id"] for r in log.queue(thread_id="t1")} == {"a", "b"}
    reader = hitl_nb.DecisionLog(backend, read_only=True)
    assert reader.note_requests([a, b], later + timedelta(hours=1)) == {a.key: t0, b.key: later}
