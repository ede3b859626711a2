"""A resume that runs longer than its lease keeps the lease (heartbeat), so no other
process, here or on another host, takes the decision over and applies it twice."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import hitl_nb
from hitl_nb import Decision, DecisionLog, Session
from tests.graphs import side_effect


def test_slow_resume_renews_its_lease_until_applied(backend, tmp_path):
    ledger = tmp_path / "ledger.txt"
    graph = side_effect(hitl_nb.checkpointer(backend), str(ledger), delay=1.2)
    log = DecisionLog(backend)
    session = Session(graph, thread_id="t0", log=log, reviewer="ana", lease_s=0.3)
    session.start({})
    request = session.pending[0]
    worker = threading.Thread(target=session.decide, args=(request, Decision("approve")))
    worker.start()

    def row():
        lease = log.resume_lease("t0", request.interrupt_id)
        status = log.status("t0", request.interrupt_id)
        return (status, *lease) if lease else (status, None, None)

    try:
        deadline = time.time() + 30
        # poll: the resume has taken its lease (two reads: both must see it)
        while (first := row())[0] != {"applying"} or first[2] is None:
            assert time.time() < deadline, "the resume never took its lease"
        while datetime.now(timezone.utc) <= first[2]:  # poll: that first lease (0.3 s) ran out
            assert time.time() < deadline
        status, owner, until = row()               # only the renewals can hold it now
        assert (status, owner) == ({"applying"}, session.owner)
        assert until > datetime.now(timezone.utc) and worker.is_alive()
        assert not log.take_resume_lease("t0", [request.interrupt_id], "elsewhere:1:x", lease_s=0.3)
        assert not Session(graph, thread_id="t0", log=DecisionLog(backend)).start(None).done
    finally:
        worker.join(timeout=30)
    assert session.done and ledger.read_text() == "acted\n"
    assert log.to_pandas()[["status", "owner"]].astype(object).values.tolist() == \
        [["applied", session.owner]]
    assert log.resume_lease("t0", request.interrupt_id) is None


def test_renew_only_extends_a_lease_its_owner_holds(backend, tmp_path):
    graph = side_effect(hitl_nb.checkpointer(backend), str(tmp_path / "ledger.txt"))
    log = DecisionLog(backend)
    session = Session(graph, thread_id="t0", log=log, reviewer="ana").start({})
    request = session.pending[0]
    log.record(request, Decision("approve", reviewer="ana"))
    mine = "me:1:x"
    assert log.renew_resume_lease("t0", [request.interrupt_id], mine, lease_s=60) == 0  # unclaimed
    assert log.take_resume_lease("t0", [request.interrupt_id], "elsewhere:1:x", lease_s=60)
    assert log.renew_resume_lease("t0", [request.interrupt_id], "me:1:x", lease_s=60) == 0
    assert log.renew_resume_lease("t0", [request.interrupt_id], "elsewhere:1:x", lease_s=60) == 1


def test_the_resume_lease_keeps_its_former_names(tmp_path):
    log = DecisionLog(str(tmp_path / "log.db"))
    assert log.claim == log.take_resume_lease
    assert log.renew == log.renew_resume_lease
    assert log.release == log.release_resume_lease


def test_one_thread_renews_every_lease_and_none_after_the_block():
    from hitl_nb.engine.lease import keep_lease

    class Log:
        def __init__(self):
            self.renewals: list[tuple[str, float]] = []

        def renew_resume_lease(self, thread_id, ids, owner, lease_s):
            self.renewals.append((thread_id, time.monotonic()))
            time.sleep(0.02)   # a renewal in flight when the block ends must finish first
            return 1

    log = Log()
    before = {t.name for t in threading.enumerate()}
    with keep_lease(log, "a", ["i"], "me", lease_s=0.15), \
            keep_lease(log, "b", ["i"], "me", lease_s=0.3):
        time.sleep(0.45)
        lease_threads = [t for t in threading.enumerate() if t.name.startswith("hitl-lease")]
    ended = time.monotonic()
    count = len(log.renewals)
    time.sleep(0.3)
    assert len(log.renewals) == count                 # nothing renewed after the block
    assert all(at < ended for _, at in log.renewals)
    by = [t for t, _ in log.renewals]
    assert by.count("a") >= 5 and by.count("b") >= 2   # every 0.05 s and every 0.1 s
    assert len(lease_threads) <= 1 and not (before - {t.name for t in threading.enumerate()})


def test_a_lease_due_sooner_than_all_others_wakes_the_renewing_thread():
    """A new lease wakes the thread only when it is due first; one due later waits for
    the thread's next beat. Here the short lease starts while the thread sleeps on a
    long one: it must still be renewed on time."""
    from hitl_nb.engine.lease import keep_lease

    renewals: list[str] = []

    class Log:
        def renew_resume_lease(self, thread_id, ids, owner, lease_s):
            renewals.append(thread_id)
            return 1

    with keep_lease(Log(), "long", ["i"], "me", lease_s=60):   # due in 20 s
        time.sleep(0.05)                                        # the thread sleeps on it
        with keep_lease(Log(), "short", ["i"], "me", lease_s=0.15):
            time.sleep(0.4)                                     # every 0.05 s
    assert renewals.count("short") >= 4 and "long" not in renewals
