"""Kernel restarts and crashes, simulated with real subprocesses on one SQLite file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hitl_nb
from tests.graphs import side_effect
from tests.paths import REPO

ROOT = REPO
PRELUDE = """
import os, sys
sys.path.insert(0, {root!r})
import hitl_nb
from tests.graphs import side_effect
DB = {db!r}
graph = side_effect(hitl_nb.checkpointer(DB), {out!r})
"""


def run_child(db: str, out: str, body: str) -> subprocess.CompletedProcess:
    code = PRELUDE.format(root=str(ROOT), db=db, out=out) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


@pytest.fixture
def out(tmp_path: Path) -> str:
    return str(tmp_path / "actions.txt")


def _lines(path: str) -> int:
    return len(Path(path).read_text().splitlines()) if Path(path).exists() else 0


def test_pending_review_survives_a_restart(db, out):
    child = run_child(db, out, """
        s = hitl_nb.review(graph, {}, thread_id="t1", log=DB, display=False)
        print(len(s.pending), s.pending[0].interrupt_id)
    """)
    assert child.returncode == 0, child.stderr
    count, interrupt_id = child.stdout.split()
    assert count == "1"
    graph = side_effect(hitl_nb.checkpointer(db), out)
    session = hitl_nb.review(graph, None, thread_id="t1", log=db, display=False)
    assert [r.interrupt_id for r in session.pending] == [interrupt_id]
    session.cards[0].approve()
    assert session.done and _lines(out) == 1
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert row.requested_at < row.decided_at       # latency counts from the first request


def test_decision_recorded_before_a_crash_is_applied_once_on_pick_up(db, out):
    child = run_child(db, out, """
        from hitl_nb.engine.session import Session
        Session._apply = lambda self, *a, **k: os._exit(3)     # die between record and resume
        s = hitl_nb.review(graph, {}, thread_id="t1", log=DB, display=False, reviewer="ana")
        s.cards[0].approve()
    """)
    assert child.returncode == 3, child.stderr
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    # committed under the dead process's lease (born "applying"): its pid is gone, so
    # the next process to open the thread takes it over at once
    assert (row.status, row.decision) == ("applying", "approve") and row.owner
    assert _lines(out) == 0

    graph = side_effect(hitl_nb.checkpointer(db), out)
    session = hitl_nb.review(graph, None, thread_id="t1", log=db, display=False)
    assert session.done and session.pending == []       # not asked again
    assert _lines(out) == 1
    again = hitl_nb.review(graph, None, thread_id="t1", log=db, display=False)
    assert again.done and _lines(out) == 1              # and never applied twice
    assert list(hitl_nb.DecisionLog(db).to_pandas().status) == ["applied"]


def test_a_second_process_deciding_the_same_interrupt_gets_already_decided(db, out):
    graph = side_effect(hitl_nb.checkpointer(db), out)
    mine = hitl_nb.review(graph, {}, thread_id="t1", log=db, display=False, reviewer="ana")
    child = run_child(db, out, """
        s = hitl_nb.review(graph, None, thread_id="t1", log=DB, display=False, reviewer="bo")
        s.cards[0].approve()
        print(s.done)
    """)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "True"
    with pytest.raises(hitl_nb.AlreadyDecided, match="approved by bo"):
        mine.cards[0].approve()
    assert _lines(out) == 1
    assert list(hitl_nb.DecisionLog(db).to_pandas().reviewer) == ["bo"]
