"""Chaos: a reviewer process approving many threads is SIGKILLed at random moments, again
and again; a fresh process then recovers. Counted from the side effects' own records:

- threads ``k*`` pay through `hitl_nb.once` and a service honouring the idempotency key:
  every charge exactly once (0 lost, 0 doubled);
- threads ``p*`` append a plain line (no key): none lost; a line doubles only when the
  kill landed between that effect and its step's checkpoint (the at-least-once window
  the README states), which the test checks for each double.

The kill times come from a seed, printed so a failure can be replayed:
``HITL_NB_CHAOS_SEED=123 pytest tests/engine/test_chaos.py``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

import hitl_nb
from hitl_nb import DecisionLog, Session
from tests._chaos import SCRIPT
from tests.graphs import paying

pytestmark = pytest.mark.slow

THREADS = 20        # of each kind
KILLS = 12          # at most; fewer when the reviewers finish first
BUDGET_S = 45.0     # for the kill rounds; then one last reviewer finishes the work


class Reviewer:
    """One reviewer process; its stdout lines are collected by a thread (no blocking)."""

    def __init__(self, target: str, folder: Path, threads: list[str]) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        env.pop("HITL_NB_FAULT", None)
        self.proc = subprocess.Popen([sys.executable, SCRIPT, target, str(folder), *threads],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if line.strip() == "ready":
                self.ready.set()
        self.ready.set()  # it exited: nobody waits forever

    def done(self) -> set[str]:
        return {line.split()[1] for line in self.lines if line.startswith("done ")}

    def finish(self, timeout: float) -> None:
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)


def _records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _paid_at(graph, thread: str) -> float:
    """When the checkpoint that first records ``thread``'s finished pay step was written."""
    history = graph.get_state_history({"configurable": {"thread_id": thread}})
    return min(datetime.fromisoformat(snap.created_at).timestamp() for snap in history
               if "paid" in snap.values)


def test_random_kills_lose_nothing_and_double_only_inside_the_window(backend, tmp_path,
                                                                      capsys):
    seed = int(os.environ.get("HITL_NB_CHAOS_SEED") or random.SystemRandom().randrange(2**31))
    with capsys.disabled():
        print(f"\nchaos seed {seed} (replay: HITL_NB_CHAOS_SEED={seed})")
    rng = random.Random(seed)
    target = backend                    # a SQLite file, or a PostgreSQL schema
    graph = paying(hitl_nb.checkpointer(target), str(tmp_path))
    log = DecisionLog(target)
    threads = [f"{kind}{i}" for i in range(THREADS) for kind in ("k", "p")]
    for i, thread in enumerate(threads):
        Session(graph, thread_id=thread, log=log, reviewer="setup").start({"amount": 10.0 + i})

    killed: dict[int, float] = {}  # pid -> when it was killed
    remaining = list(threads)
    deadline = time.monotonic() + BUDGET_S
    while remaining and len(killed) < KILLS and time.monotonic() < deadline:
        reviewer = Reviewer(target, tmp_path, remaining)
        assert reviewer.ready.wait(60), f"seed {seed}: the reviewer never started"
        try:
            reviewer.finish(timeout=rng.uniform(0.005, 0.12))       # it may finish first
        except subprocess.TimeoutExpired:
            os.kill(reviewer.proc.pid, signal.SIGKILL)
            killed[reviewer.proc.pid] = time.time()
            reviewer.finish(timeout=30)
        remaining = [t for t in remaining if t not in reviewer.done()]

    assert killed, f"seed {seed}: every reviewer finished before its kill; nothing was tested"
    last = Reviewer(target, tmp_path, threads)   # a fresh process: recover and finish
    last.finish(timeout=120)
    assert last.proc.returncode == 0, f"seed {seed}: {last.proc.stderr.read()}"
    assert last.done() == set(threads), f"seed {seed}: {last.lines}"

    calls = _records(tmp_path / "calls.jsonl")
    charges = Counter(r["thread"] for r in _records(tmp_path / "charges.jsonl"))
    per_thread = Counter(r["thread"] for r in calls)
    keyed = [t for t in threads if t.startswith("k")]
    plain = [t for t in threads if t.startswith("p")]
    doubles = {t: n for t, n in per_thread.items() if n > 1}
    with capsys.disabled():
        print(f"chaos seed {seed}: {len(killed)} kills; repeated calls {doubles or 'none'}")

    df = log.to_pandas()
    assert sorted(df.thread_id) == sorted(threads), f"seed {seed}: one decision per thread"
    assert set(df.status) == {"applied"}, f"seed {seed}"
    assert {t: charges[t] for t in keyed} == dict.fromkeys(keyed, 1), \
        f"seed {seed}: with the key, every charge exactly once"
    assert all(per_thread[t] >= 1 for t in plain), f"seed {seed}: a plain effect was lost"
    for thread in threads:                         # one key per decision, on every re-run
        assert len({r["key"] for r in calls if r["thread"] == thread}) == 1, seed
    for thread in doubles:  # only inside the window: effect, kill, then the checkpoint
        first = next(r for r in calls if r["thread"] == thread)
        assert first["pid"] in killed, f"seed {seed}: {thread} repeated without a kill"
        kill_at = killed[first["pid"]]
        assert first["at"] <= kill_at < _paid_at(graph, thread), \
            f"seed {seed}: {thread} ran again though its pay step was saved before the kill"
