"""Bounded resources: one connection per log target per process (and one checkpointer),
shared by every session, inbox and policy; closed at exit; async savers that close.

The loop tests run `LOOPS` review + approve cycles (the issue's 1,000 take ~1 min here;
the count that proves flatness within ~30 s is enough: a leak of one descriptor or
connection per review shows at once).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import hitl_nb
from hitl_nb.examples import seed_graph
from tests.paths import REPO

LOOPS = 150


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _review_loop(target: str, n: int, after_first=None) -> None:
    """The realistic user loop: a graph compiled per iteration, one review each."""
    for i in range(n):
        graph = seed_graph(checkpointer=hitl_nb.checkpointer(target))
        view = hitl_nb.review(graph, {"task": f"task {i}"}, thread_id=f"L{i}", log=target,
                              display=False)
        view.cards[0].approve()
        assert view.done
        if i == 0 and after_first is not None:
            after_first()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts /proc/self/fd")
def test_review_loop_keeps_file_descriptors_flat(tmp_path):
    path = str(tmp_path / "team.db")
    first: list[int] = []
    _review_loop(path, LOOPS, lambda: first.append(_fds()))
    hitl_nb.Inbox(path).pending  # noqa: B018 - an inbox and a policy name it too
    hitl_nb.RiskPolicy(log=path)
    assert _fds() <= first[0] + 3, (first[0], _fds())
    assert len(hitl_nb.DecisionLog(path)) == LOOPS


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_review_loop_keeps_postgres_connections_at_the_pool_size(backend):
    import psycopg

    from tests.conftest import PG_URL

    name = backend.rsplit("application_name=", 1)[1]

    def connections() -> int:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE"
                                 " application_name = %s", (name,)).fetchone()[0]

    counts: list[int] = []
    _review_loop(backend, LOOPS // 2, lambda: counts.append(connections()))
    hitl_nb.Inbox(backend).pending  # noqa: B018
    assert counts == [2]  # the log's connection and the checkpointer's
    assert connections() == 2


def test_logs_on_one_file_share_a_connection_and_close_with_the_last(tmp_path):
    path = tmp_path / "hitl.db"
    first = hitl_nb.DecisionLog(path)
    len(first)
    before = _fds()
    others = [hitl_nb.DecisionLog(path) for _ in range(20)]
    assert sum(len(log) for log in others) == 0 and _fds() == before
    first.close()
    assert len(others[0]) == 0  # still open for the others
    for log in others:
        log.close()
    assert _fds() < before


def test_a_log_file_restored_from_a_backup_is_opened_afresh(tmp_path):
    import sqlite3

    path, backup = tmp_path / "hitl.db", tmp_path / "backup.db"
    log = hitl_nb.DecisionLog(path)
    log.record(hitl_nb.ReviewRequest("pay", thread_id="t1", interrupt_id="i1"),
               hitl_nb.Decision("approve", reviewer="ana"))
    log.close()
    src, dst = sqlite3.connect(path), sqlite3.connect(backup)
    src.backup(dst)
    src.close()
    dst.close()
    log = hitl_nb.DecisionLog(path)
    log.record_outcome(thread_id="t1", ok=True)  # a change the backup lacks
    other = hitl_nb.DecisionLog(path)  # a second user of the same connection
    assert other.to_pandas().outcome_ok.tolist() == [True]
    log.close()
    other.close()  # the last user: the connection closes
    os.replace(backup, path)
    assert hitl_nb.DecisionLog(path).to_pandas().outcome_ok.isna().all()


EXITS = textwrap.dedent("""
    import asyncio, sys
    import hitl_nb
    from tests.graphs import single

    def build(saver):
        return single(saver, {"action": "go"}, asynchronous=True)

    async def review(graph, target, thread):
        view = await hitl_nb.areview(graph, {}, thread_id=thread, log=target, display=False)
        await view.session.adecide(view.pending[0], hitl_nb.Decision("approve"))
        assert view.done

    async def main(target, form):
        if form == "with":
            async with hitl_nb.acheckpointer(target) as saver:
                await review(build(saver), target, "w")
        else:  # awaited and never closed
            await review(build(await hitl_nb.acheckpointer(target)), target, "a")
        print("reviewed", flush=True)

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


@pytest.mark.slow
@pytest.mark.parametrize("form", ["with", "awaited"])
def test_a_script_using_the_async_checkpointer_exits_promptly(backend, form):
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", EXITS, backend, form],
                         cwd=REPO, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0 and run.stdout.strip() == "reviewed", run.stderr
    assert time.monotonic() - started < 30
    assert len(hitl_nb.DecisionLog(backend)) == 1


@pytest.mark.slow
def test_connections_left_open_are_closed_at_exit(tmp_path):
    """SQLite folds the WAL back and deletes it when the last connection closes: a
    process that never calls close() leaves no -wal file behind."""
    path = tmp_path / "hitl.db"
    script = textwrap.dedent("""
        import sys, hitl_nb
        from hitl_nb.examples import seed_graph
        graph = seed_graph(checkpointer=hitl_nb.checkpointer(sys.argv[1]))
        hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=sys.argv[1],
                       display=False).cards[0].approve()
    """)
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hitl.db"]
    assert len(hitl_nb.DecisionLog(path)) == 1


_COLLECT_WHILE_OPENING = textwrap.dedent("""
    import gc, sys
    import hitl_nb
    from hitl_nb.store import shared as _shared

    opened = _shared.SQLite
    def opening(*args, **kwargs):  # a collection at an allocation while a log opens
        gc.collect()
        return opened(*args, **kwargs)
    _shared.SQLite = opening

    class Holder:  # a cycle: only the garbage collector frees it (and its log)
        pass

    folder = sys.argv[1]
    for i in range(20):
        holder = Holder()
        holder.me, holder.log = holder, hitl_nb.DecisionLog(f"{folder}/a{i}.db")
        del holder
        hitl_nb.DecisionLog(f"{folder}/b{i}.db").close()
    print("finished", flush=True)
""")


def test_a_log_collected_while_another_opens_does_not_hang_the_process(tmp_path):
    # A log's finalizer gives its connection back; garbage collection can run it inside
    # the registry's own lock (while another log opens): that must not wait on itself.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run([sys.executable, "-c", _COLLECT_WHILE_OPENING, str(tmp_path)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "finished"
