"""Side effects after a review: each step saved before the next starts, idempotency keys
stable per decision, `once` running an effect at most once per key, and approvals bound
to the arguments the reviewer saw."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

import hitl_nb
from hitl_nb import Decision, DecisionLog, Session
from tests.graphs import keyed, paying, side_effect


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


# -- durability ------------------------------------------------------------------------------
class SlowSaver(SqliteSaver):
    """A checkpointer on a slow disk: each ``put`` takes 0.3 s more, then notes whether
    the side effect of the step after it (``ledger``) had already happened."""

    def __init__(self, path: str, ledger: Path) -> None:
        super().__init__(sqlite3.connect(path, check_same_thread=False))
        self.setup()
        self.ledger, self.notes, self.watching = ledger, [], False

    def put(self, config, checkpoint, metadata, new_versions):
        out = super().put(config, checkpoint, metadata, new_versions)
        if self.watching:
            time.sleep(0.3)
            self.notes.append(self.ledger.exists())
        return out


@pytest.mark.parametrize(("durability", "effect_before_review_saved"),
                         [("sync", False), ("async", True)])
def test_resume_saves_each_step_before_the_next_starts(tmp_path, durability,
                                                        effect_before_review_saved):
    ledger = tmp_path / "ledger.txt"
    saver = SlowSaver(str(tmp_path / "checkpoints.db"), ledger)
    session = Session(side_effect(saver, str(ledger)), thread_id="t1",
                      log=str(tmp_path / "log.db"), durability=durability).start({})
    saver.watching = True
    session.decide(session.pending[0], Decision("approve"))
    assert session.done and ledger.read_text() == "acted\n"
    # notes[0]: the review step's checkpoint; "sync" saved it before act ran its effect,
    # so a crash during act resumes after the review, never before it
    assert saver.notes[0] is effect_before_review_saved


def test_durability_is_checked(db):
    graph = side_effect(hitl_nb.checkpointer(db), "unused.txt")
    with pytest.raises(ValueError, match="sync, async, exit"):
        Session(graph, log=db, durability="never")


# -- idempotency keys ------------------------------------------------------------------------
def test_key_is_the_same_on_every_re_run_of_the_node_and_differs_per_decision(db):
    seen, fail = [], {"on": True}
    graph = keyed(hitl_nb.checkpointer(db), seen, fail)
    session = Session(graph, thread_id="t1", log=db).start({})
    session.decide(session.pending[0], Decision("approve"))       # the plain interrupt()
    assert [r.action for r in session.pending] == ["refund"]      # request_review's
    with pytest.raises(hitl_nb.ResumeFailed):
        session.decide(session.pending[0], Decision("approve"))
    fail["on"] = False
    session.retry()
    assert session.done and len(seen) == 2                        # the node ran twice
    first, second = seen
    assert first == second                                        # stable across re-runs
    plain_key, decision_key, latest_key = first
    assert decision_key == latest_key                             # one decision, one key
    assert plain_key != decision_key and plain_key.startswith("hitl-")
    other = []
    session = Session(keyed(hitl_nb.checkpointer(db), other, fail), thread_id="t2",
                      log=db).start({})
    session.decide(session.pending[0], Decision("approve"))
    session.decide(session.pending[0], Decision("approve"))
    assert not set(other[0]) & set(first)                         # another thread: others


def test_key_outside_a_node_says_where_to_find_it():
    with pytest.raises(hitl_nb.HitlError, match=r"Decision\.idempotency_key"):
        hitl_nb.idempotency_key()


# -- once ------------------------------------------------------------------------------------
def test_once_runs_the_effect_once_and_returns_the_stored_result(backend):
    log = DecisionLog(backend)
    calls = []

    def pay(amount):
        calls.append(amount)
        return {"receipt": f"r-{len(calls)}", "amount": amount}

    first = hitl_nb.once("key-1", pay, 12.5, log=log)
    again = hitl_nb.once("key-1", pay, 99.0, log=DecisionLog(backend))  # another connection
    assert first == again == {"receipt": "r-1", "amount": 12.5}
    assert calls == [12.5]
    assert hitl_nb.once("key-2", pay, 3.0, log=log)["receipt"] == "r-2"


def test_once_forgets_an_effect_that_raised_so_it_runs_again(db):
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("bank unreachable")
        return "ok"

    with pytest.raises(ConnectionError):
        hitl_nb.once("k", flaky, log=db)
    assert hitl_nb.once("k", flaky, log=db) == "ok"
    assert hitl_nb.once("k", flaky, log=db) == "ok"
    assert len(attempts) == 2


def test_once_refuses_to_run_a_key_a_live_process_is_running(db):
    def nested():
        return hitl_nb.once("k", lambda: "inner", log=db)

    with pytest.raises(hitl_nb.EffectInProgress, match="not run a second time"):
        hitl_nb.once("k", nested, log=db)
    assert hitl_nb.once("k", lambda: "later", log=db) == "later"  # the failed one is gone


def test_once_outside_a_graph_needs_a_log():
    with pytest.raises(hitl_nb.HitlError, match="log="):
        hitl_nb.once("k", print)


_KILLED_AFTER_EFFECT = textwrap.dedent("""
    import sys
    import hitl_nb
    def effect():
        with open(sys.argv[2], "a") as f:
            f.write("charged\\n")
        return "r-1"
    hitl_nb.once("k", effect, log=sys.argv[1])
""")


def test_once_killed_between_effect_and_commit_runs_the_effect_again(db, tmp_path):
    """The documented window: the effect happened, its record did not commit."""
    ledger = tmp_path / "ledger.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
           "HITL_NB_FAULT": "after_effect"}
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_EFFECT, db, str(ledger)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    def effect():
        with open(ledger, "a") as f:
            f.write("charged\n")
        return "r-2"

    assert hitl_nb.once("k", effect, log=db) == "r-2"       # at least once here
    assert hitl_nb.once("k", effect, log=db) == "r-2"       # then never again
    assert ledger.read_text() == "charged\n" * 2


def test_once_inside_a_resumed_node_uses_the_sessions_log(db, tmp_path):
    graph = paying(hitl_nb.checkpointer(db), str(tmp_path))
    session = Session(graph, thread_id="k1", log=db).start({"amount": 5.0})
    session.decide(session.pending[0], Decision("approve"))
    assert session.done and session.result["paid"] == "r-k1"
    calls = _lines(tmp_path / "calls.jsonl")
    assert [c["thread"] for c in calls] == ["k1"]
    key = calls[0]["key"]
    assert hitl_nb.once(key, pytest.fail, log=db) == {"receipt": "r-k1"}  # stored, not rerun


# -- approvals bound to the arguments --------------------------------------------------------
def _proposals(*amounts: float):
    """A model proposing these amounts, one per call, then the last one again."""
    queue = list(amounts)
    return lambda: {"amount": queue.pop(0) if len(queue) > 1 else queue[0]}


def test_unchanged_arguments_are_approved_once(db, tmp_path):
    graph = paying(hitl_nb.checkpointer(db), str(tmp_path), propose=_proposals(10.0))
    session = Session(graph, thread_id="p1", log=db).start({})
    session.decide(session.pending[0], Decision("approve"))
    assert session.done and session.result["args"] == {"amount": 10.0}
    assert len(DecisionLog(db)) == 1


def test_changed_arguments_are_asked_again_not_approved(db, tmp_path):
    graph = paying(hitl_nb.checkpointer(db), str(tmp_path), propose=_proposals(10.0, 11.0))
    session = Session(graph, thread_id="p1", log=db).start({})
    assert session.pending[0].args == {"amount": 10.0}
    session.decide(session.pending[0], Decision("approve"))
    assert not session.done and not (tmp_path / "calls.jsonl").exists()  # nothing paid
    again = session.pending[0]
    assert again.args == {"amount": 11.0}
    assert again.uncertainty[0].startswith("asked again: approved by")
    session.decide(again, Decision("approve", comment="11 is right"))
    assert session.done and session.result["args"] == {"amount": 11.0}
    assert [c["thread"] for c in _lines(tmp_path / "calls.jsonl")] == ["p1"]
    df = DecisionLog(db).to_pandas()
    assert [a["amount"] for a in df.args] == [10.0, 11.0]
    assert df.request.iloc[1]["raw"]["supersedes"]["decision"] == "approve"


def test_changed_arguments_raise_when_asked_to(db, tmp_path):
    graph = paying(hitl_nb.checkpointer(db), str(tmp_path), propose=_proposals(10.0, 11.0),
                   on_change="raise")
    session = Session(graph, thread_id="p1", log=db).start({})
    with pytest.raises(hitl_nb.ResumeFailed) as failed:
        session.decide(session.pending[0], Decision("approve"))
    assert isinstance(failed.value.__cause__, hitl_nb.ArgumentsChanged)
    assert "other arguments" in str(failed.value.__cause__)
    assert not (tmp_path / "calls.jsonl").exists()
    assert DecisionLog(db).to_pandas().status.tolist() == ["recorded"]


def test_a_rejection_stands_whatever_the_re_run_proposes(db, tmp_path):
    graph = paying(hitl_nb.checkpointer(db), str(tmp_path), propose=_proposals(10.0, 11.0))
    session = Session(graph, thread_id="p1", log=db).start({})
    session.decide(session.pending[0], Decision("reject"))
    assert session.done and "paid" not in session.result


def test_gate_asks_again_for_changed_arguments(db, tmp_path):
    policy = hitl_nb.RiskPolicy(irreversible=["pay"], log=db)
    graph = paying(hitl_nb.checkpointer(db), str(tmp_path), propose=_proposals(10.0, 11.0),
                   policy=policy)
    session = Session(graph, thread_id="p1", log=db).start({})
    session.decide(session.pending[0], Decision("approve"))
    assert session.pending[0].args == {"amount": 11.0}
    session.decide(session.pending[0], Decision("approve"))
    assert session.done and session.result["args"] == {"amount": 11.0}
