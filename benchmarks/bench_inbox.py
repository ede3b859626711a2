"""How fast the inbox lists pending reviews across many threads, against the obvious
alternative: a loop of ``graph.get_state`` over every thread.

    python benchmarks/bench_inbox.py            # 10,000 pending threads
    python benchmarks/bench_inbox.py --quick    # 500, for CI
    python benchmarks/bench_inbox.py --url postgresql://hitl:hitl@127.0.0.1:5432/hitl

Setup runs the payment graph once per thread up to its review (``graph.invoke``) and
notes each interrupt in the queue table with ``DecisionLog.note_requests``, exactly as a
`Session` does. Targets: the inbox lists them in < 1 s and >= 20x faster than the loop.
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
    ratio = t_loop / t_inbox
    ok = t_inbox < 1.0 and ratio >= 20
    print(f"  Inbox(...).pending:        {t_inbox * 1000:8.1f} ms  (best of 3, incl. opening)")
    print(f"  loop of graph.get_state:   {t_loop * 1000:8.1f} ms  (best of 2, parsing interrupts)")
    print(f"  ratio: {ratio:.1f}x faster  -> target < 1 s and >= 20x: "
          f"{'met' if ok else 'NOT met'}")
    print(json.dumps({"bench": "inbox", "threads": n, "cores": os.cpu_count(),
                      "inbox_s": round(t_inbox, 4), "get_state_loop_s": round(t_loop, 4),
                      "ratio": round(ratio, 1), "target_met": ok}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
