"""How fast the inbox lists pending reviews across many threads, against the obvious
alternative: a loop of ``graph.get_state`` over every thread.

    python benchmarks/bench_inbox.py            # 10,000 pending threads
    python benchmarks/bench_inbox.py --quick    # 500, for CI
    python benchmarks/bench_inbox.py --url postgresql://hitl:hitl@127.0.0.1:5432/hitl

Setup runs the payment graph once per thread up to its review (``graph.invoke``) and
notes each interrupt in the queue table with ``DecisionLog.note_requests``, exactly as a
`Session` does. Targets: the inbox lists them (thread, action, tier, confidence, age,
claimed by: ``Inbox(...).to_pandas()``, what the issue asks the listing to show) in < 1 s
and >= 20x faster than the loop. Also shown: ``Inbox(...).pending``, which builds all
10,000 `ReviewRequest` objects with their arguments (a heavier result than the listing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hitl_nb
from hitl_nb import formats
from hitl_nb.examples import payment_graph
from hitl_nb.model import utcnow


def setup(target: str, n: int) -> object:
    saver = hitl_nb.checkpointer(target)
    if hasattr(saver, "conn") and hasattr(saver.conn, "execute") and "://" not in target:
        saver.conn.execute("PRAGMA synchronous=NORMAL")   # WAL-safe, faster set-up only
    graph = payment_graph(saver)
    log = hitl_nb.DecisionLog(target)
    batch = []
    for i in range(n):
        thread = f"bench-{i}"
        out = graph.invoke({"task": f"invoice {i}", "amount": float(100 + i % 3000),
                            "to": f"vendor {i % 97}"}, {"configurable": {"thread_id": thread}})
        for intr in out["__interrupt__"]:
            batch += formats.parse(intr.value, None, thread_id=thread, interrupt_id=intr.id,
                                   node="review")
        if len(batch) >= 500:
            log.note_requests(batch, utcnow())
            batch = []
    log.note_requests(batch, utcnow())
    return graph


def fresh_schema(url: str) -> str:
    """``url`` pointed at a new, empty schema (dropped when the benchmark exits)."""
    import atexit
    import gc

    import psycopg

    schema = f"bench_inbox_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        gc.collect()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                         " application_name = %s AND pid <> pg_backend_pid()", (schema,))
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    atexit.register(drop)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}&application_name={schema}"


def best_of(runs: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def measure(graph: object, target: str, n: int) -> tuple[float, float, float]:
    """Seconds to list ``n`` pending threads with `Inbox` (the table, and every request
    as an object; best of 3 each, opening included) and with a loop of
    ``graph.get_state`` that parses every thread's interrupts (best of 2)."""
    t_table, table = best_of(3, lambda: hitl_nb.Inbox(target, expire=False).to_pandas())
    assert len(table) == n and table.thread_id.nunique() == n, (len(table), n)
    t_inbox, pending = best_of(3, lambda: hitl_nb.Inbox(target, expire=False).pending)
    assert len(pending) == n, (len(pending), n)

    def loop() -> list:
        """The naive inbox: read every thread's state, parse its interrupts."""
        found = []
        for i in range(n):
            thread = f"bench-{i}"
            snap = graph.get_state({"configurable": {"thread_id": thread}})
            for intr in snap.interrupts:
                found += formats.parse(intr.value, None, thread_id=thread,
                                       interrupt_id=intr.id, node="review")
        return found

    t_loop, found = best_of(1 if n > 20_000 else 2, loop)
    assert len(found) == n, (len(found), n)
    assert {r.key for r in found} == {r.key for r in pending}
    return t_table, t_inbox, t_loop


def run(quick: bool) -> list[dict]:
    """The row for ``benchmarks/run_all.py`` (SQLite; 500 threads with ``quick``)."""
    from _common import result

    n = 500 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="bench_inbox_") as tmp:
        target = os.path.join(tmp, "inbox.db")
        t_table, t_inbox, t_loop = measure(setup(target, n), target, n)
    note = "best of 3 (Inbox) and of 2 (loop), after running each thread"
    return [result(f"inbox listing of {n:,} pending threads (SQLite, to_pandas)",
                   baseline="loop of graph.get_state", baseline_value=t_loop,
                   value=t_table, min_speedup=20, max_value=1.0, note=note),
            result(f"inbox.pending: {n:,} ReviewRequest objects (SQLite)",
                   baseline="loop of graph.get_state", baseline_value=t_loop,
                   value=t_inbox, note=note)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 threads instead of 10,000")
    parser.add_argument("-n", type=int, default=None, help="number of pending threads")
    parser.add_argument("--url", default=None, help="a postgresql:// URL (default: SQLite)")
    args = parser.parse_args()
    n = args.n or (500 if args.quick else 10_000)
    tmp = tempfile.mkdtemp(prefix="bench_inbox_")
    target = fresh_schema(args.url) if args.url else os.path.join(tmp, "inbox.db")
    print(f"bench_inbox: {n:,} pending threads on {'PostgreSQL' if args.url else 'SQLite'}, "
          f"{os.cpu_count()} CPU cores")
    start = time.perf_counter()
    graph = setup(target, n)
    print(f"  set-up (run each thread to its review): {time.perf_counter() - start:.1f} s")

    t_table, t_inbox, t_loop = measure(graph, target, n)
    ratio = t_loop / t_table
    ok = t_table < 1.0 and ratio >= 20
    print(f"  Inbox(...).to_pandas():    {t_table * 1000:8.1f} ms  (best of 3, incl. opening)")
    print(f"  Inbox(...).pending:        {t_inbox * 1000:8.1f} ms  (best of 3, incl. opening;"
          f" {t_loop / t_inbox:.1f}x)")
    print(f"  loop of graph.get_state:   {t_loop * 1000:8.1f} ms  (best of 2, parsing interrupts)")
    print(f"  listing ratio: {ratio:.1f}x faster  -> target < 1 s and >= 20x: "
          f"{'met' if ok else 'NOT met'}")
    print(json.dumps({"bench": "inbox", "threads": n, "cores": os.cpu_count(),
                      "table_s": round(t_table, 4), "pending_s": round(t_inbox, 4),
                      "get_state_loop_s": round(t_loop, 4), "ratio": round(ratio, 1),
                      "pending_ratio": round(t_loop / t_inbox, 1), "target_met": ok}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
