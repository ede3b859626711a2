"""Crash recovery: a real reviewer process is SIGKILLed at each point of a decision's path;
reopening applies every recorded decision exactly once and asks again for the others."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

import hitl_nb
from hitl_nb import Decision, DecisionLog, Inbox, ResumeFailed, Session
from hitl_nb._faults import POINTS, owner_id
from tests._team import DRIVERS, WORKER, ledger_counts, reopen, start_threads, team
from tests.graphs import failing, paying

pytestmark = pytest.mark.slow


def _reviewer(backend, ledger, *threads, fault=None, mode="approve", reviewer="ana",
              driver="sync"):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("HITL_NB_FAULT", None)
    if fault:
        env["HITL_NB_FAULT"] = fault
    if driver == "async":
        mode = f"{mode}-async"
    return subprocess.run([sys.executable, WORKER, backend, str(ledger), mode, reviewer,
                           *threads], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_each_point_loses_nothing_and_doubles_nothing(backend, ledger, point,
                                                                 driver):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1)
    killed = _reviewer(backend, ledger, "t0", fault=point, driver=driver)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    never_recorded = point == "before_record_commit"
    if never_recorded:
        assert len(log) == 0
    before, done, result = reopen(backend, ledger, "t0", driver, reviewer="bob",
                                  approve=never_recorded)
    assert before == (["pay"] if never_recorded else [])  # asked again only if unrecorded
    assert done, point
    assert result["result"] == "paid 100.0 to vendor 0"
    assert ledger_counts(ledger) == {"t0": 1}                  # 0 lost, 0 doubled
    df = log.to_pandas()
    assert df.status.tolist() == ["applied"]
    assert df.reviewer.tolist() == ["bob" if never_recorded else "ana"]
    sent = df.resume_value.iloc[0]   # what the graph was resumed with, even if the
    assert sent["type"] == "approve" and sent["idempotency_key"]   # process died meanwhile
    assert Inbox(backend).pending == []
    assert reopen(backend, ledger, "t0", driver)[1]  # reopening is a no-op
    assert ledger_counts(ledger) == {"t0": 1}


def test_inbox_recover_applies_every_crashed_thread_once(backend, ledger):
    graph, log = team(backend, ledger)
    threads = start_threads(graph, log, 3)
    for thread, point in zip(threads, POINTS[1:], strict=False):
        assert _reviewer(backend, ledger, thread, fault=point).returncode == -signal.SIGKILL
    assert sorted(Inbox(backend, graph=graph).recover()) == threads
    assert ledger_counts(ledger) == dict.fromkeys(threads, 1)
    assert set(log.to_pandas().status) == {"applied"}
    assert Inbox(backend, graph=graph).recover() == []


def test_recovery_leaves_a_decision_a_live_process_is_applying(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1)
    session = Session(graph, thread_id="t0", log=log, reviewer="ana").start(None)
    request = session.pending[0]
    log.record(request, Decision("approve", reviewer="ana"))
    live_owner = owner_id("another-kernel")          # this very process: alive
    assert log.take_resume_lease("t0", [request.interrupt_id], live_owner, lease_s=300)
    reopened = Session(graph, thread_id="t0", log=log).start(None)
    assert not reopened.done
    assert ledger_counts(ledger) == {}
    assert log.status("t0", request.interrupt_id) == {"applying"}


def test_recovery_takes_over_the_lease_of_a_dead_process(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1)
    session = Session(graph, thread_id="t0", log=log, reviewer="ana").start(None)
    request = session.pending[0]
    log.record(request, Decision("approve", reviewer="ana"))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead_owner = f"{os.uname().nodename}:{gone.pid}:x"
    assert log.take_resume_lease("t0", [request.interrupt_id], dead_owner, lease_s=300)
    assert Session(graph, thread_id="t0", log=log).start(None).done
    assert ledger_counts(ledger) == {"t0": 1}


def test_lease_of_another_host_is_honoured_until_it_expires(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1)
    session = Session(graph, thread_id="t0", log=log, reviewer="ana").start(None)
    request = session.pending[0]
    log.record(request, Decision("approve", reviewer="ana"))
    claimed = time.time()
    assert log.take_resume_lease("t0", [request.interrupt_id], "elsewhere:1:x", lease_s=0.5)
    assert not Session(graph, thread_id="t0", log=log).start(None).done
    deadline = claimed + 30
    while not Session(graph, thread_id="t0", log=log).start(None).done:  # poll, not sleep
        assert time.time() < deadline, "the lapsed lease was never taken over"
    assert time.time() >= claimed + 0.5             # not before the other host's lease ran out
    assert ledger_counts(ledger) == {"t0": 1}


_RECOVER = textwrap.dedent("""
    import json, sys
    import hitl_nb
    from tests.graphs import paying
    graph = paying(hitl_nb.checkpointer(sys.argv[1]), sys.argv[2])
    print(json.dumps(hitl_nb.Inbox(sys.argv[1], graph=graph).recover()))
""")


def test_failed_retry_leaves_the_decision_for_any_process_to_apply_once(backend, tmp_path):
    broken = tmp_path / "broken"
    broken.touch()
    graph = paying(hitl_nb.checkpointer(backend), str(tmp_path), broken=str(broken))
    log = DecisionLog(backend)
    session = Session(graph, thread_id="p1", log=log, reviewer="ana").start({"amount": 5.0})
    with pytest.raises(ResumeFailed):
        session.decide(session.pending[0], Decision("approve"))
    with pytest.raises(ResumeFailed, match="bank unreachable"):
        session.retry()                                   # the pay node still raises
    assert isinstance(session.error, RuntimeError)
    row = log.to_pandas().iloc[0]
    assert row.status == "recorded" and pd.isna(row.owner)  # the lease is released
    assert "bank unreachable" in row.error
    broken.unlink()                                       # fixed; this kernel stays alive
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    other = subprocess.run([sys.executable, "-c", _RECOVER, backend, str(tmp_path)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout) == ["p1"]
    calls = (tmp_path / "calls.jsonl").read_text().splitlines()
    assert [json.loads(c)["thread"] for c in calls] == ["p1"]  # applied once, over there
    assert log.to_pandas().status.tolist() == ["applied"]
    assert Inbox(backend, graph=graph).recover() == []
    assert len((tmp_path / "calls.jsonl").read_text().splitlines()) == 1


def test_recover_applies_every_other_thread_when_one_still_fails(backend):
    fail = {"on": True}
    graph = failing(hitl_nb.checkpointer(backend), fail)
    log = DecisionLog(backend)
    for thread in ("f1", "f2", "f3"):
        session = Session(graph, thread_id=thread, log=log, reviewer="ana").start({})
        with pytest.raises(ResumeFailed):
            session.decide(session.pending[0], Decision("approve"))
    fail.update(on=False, threads={"f2"})                 # fixed, but for f2
    with pytest.raises(ResumeFailed, match=r"f2.*deploy target unreachable") as info:
        Inbox(backend, graph=graph).recover()
    assert sorted(info.value.recovered) == ["f1", "f3"] and list(info.value.failed) == ["f2"]
    status = log.to_pandas().set_index("thread_id").status.to_dict()
    assert status == {"f1": "applied", "f2": "recorded", "f3": "applied"}
    fail["threads"] = set()
    assert Inbox(backend, graph=graph).recover() == ["f2"]
    assert log.to_pandas().status.tolist() == ["applied"] * 3
