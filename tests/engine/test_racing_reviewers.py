"""Two reviewer processes deciding the same requests at once: each is decided and resumed
exactly once, and the loser's error names the winner's decision."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hitl_nb import Inbox
from tests._team import DRIVERS, WORKER, ledger_counts, start_threads, team

pytestmark = pytest.mark.slow

N = 100


@pytest.mark.parametrize("driver", DRIVERS)
def test_two_processes_racing_on_100_requests_decide_each_once(backend, ledger, tmp_path,
                                                               driver):
    graph, log = team(backend, ledger)
    threads = start_threads(graph, log, N)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("HITL_NB_FAULT", None)
    go = tmp_path / "go"
    mode = "race" if driver == "sync" else "race-async"
    procs = {name: subprocess.Popen([sys.executable, WORKER, backend, str(ledger), mode,
                                     name, str(go)], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
             for name in ("ana", "bob")}
    for proc in procs.values():                # both have listed the same 100 requests
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    go.touch()
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        results[name] = [json.loads(line) for line in out.splitlines()]
    assert all(len(r) == N for r in results.values())
    won = {name: {r["thread"] for r in rs if r["won"]} for name, rs in results.items()}
    assert won["ana"].isdisjoint(won["bob"])
    assert won["ana"] | won["bob"] == set(threads)
    assert ledger_counts(ledger) == dict.fromkeys(threads, 1)       # resumed exactly once
    df = log.to_pandas()
    assert len(df) == N and set(df.status) == {"applied"}
    winner = dict(zip(df.thread_id, df.reviewer, strict=True))
    for name, rs in results.items():
        for r in rs:
            if not r["won"]:
                assert r["error"] in ("AlreadyDecided", "StaleRequest"), r
                assert f"approved by {winner[r['thread']]}" in r["message"], r
                assert winner[r["thread"]] != name
    assert Inbox(backend).pending == []
    print({name: len(w) for name, w in won.items()})
