"""Benchmark: ``DecisionLog.to_pandas()`` against ``pandas.read_sql`` on the same table.

Builds a log of N realistic rows quickly (``executemany``, no graph), then times the
median of several loads of each, and reports the peak memory of one load (tracemalloc)
against the frame's own size (``memory_usage(deep=True)``). Targets (issue 5): 1,000,000
rows in at most 2 s, and no slower than ``read_sql``.

    python benchmarks/bench_log.py            # 1,000,000 rows, 5 repetitions
    python benchmarks/bench_log.py --quick    # 20,000 rows, 3 repetitions
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from hitl_nb import DecisionLog
from hitl_nb._schema import DECISION_COLUMNS

TOOLS = ["send_email", "delete_rows", "write_file", "search", "refund", "deploy"]
REVIEWERS = ["ana", "bo", "chen", "dee", "policy:read_only", "timeout"]
DECISIONS = ["approve", "approve", "approve", "reject", "edit"]


def build(path: Path, n: int, seed: int = 0) -> None:
    """Write ``n`` decision rows with realistic, mostly unique JSON arguments."""
    DecisionLog(path).setup()
    rnd = random.Random(seed)
    start = 1_767_225_600.0  # 2026-01-01 UTC
    cols = [c for c in DECISION_COLUMNS if c not in ("owner", "lease_until", "error")]
    marks = ", ".join("?" for _ in cols)
    sql = f"INSERT INTO hitl_decisions ({', '.join(cols)}) VALUES ({marks})"

    def row(i: int) -> tuple:
        tool = TOOLS[i % len(TOOLS)]
        kind = rnd.choice(DECISIONS)
        args = {"to": f"user{rnd.randrange(5000)}@example.com", "subject": f"report {i}",
                "n": rnd.randrange(100)}
        edited = {**args, "to": "cfo@example.com"} if kind == "edit" else None
        requested = start + i * 2.0
        latency = rnd.expovariate(1 / 30)
        values = {
            "thread_id": f"t{i // 3}", "interrupt_id": f"i{i}", "action_index": 0,
            "action": tool, "decision": kind,
            "comment": "too broad" if kind == "reject" else None,
            "reviewer": REVIEWERS[i % len(REVIEWERS)], "requested_at": requested,
            "decided_at": requested + latency, "latency_s": latency,
            "confidence": rnd.random(), "risk_score": rnd.random(),
            "risk_tier": "always" if tool in ("delete_rows", "deploy") else "uncertain",
            "args": json.dumps(args), "edited_args": json.dumps(edited) if edited else None,
            "response": None,
            "request": json.dumps({"action": tool, "args": args, "task": f"task {i // 3}"}),
            "resume_value": json.dumps({"approved": kind != "reject"}), "format": "hitl_nb",
            "status": "applied", "applied_at": requested + latency + 0.1,
            "context": json.dumps({"task": f"task {i // 3}", "steps": ["plan"]}),
            "outcome_ok": 1 if i % 7 else 0, "outcome_detail": None, "outcome_at": None,
        }
        return tuple(values[c] for c in cols)

    conn = sqlite3.connect(path)
    with conn:
        for lo in range(0, n, 100_000):
            conn.executemany(sql, (row(i) for i in range(lo, min(n, lo + 100_000))))
    conn.close()


def median_time(fn, reps: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``reps`` calls (CPU time is the steadier
    measure on a shared machine)."""
    wall, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def measure(path: Path, reps: int) -> dict[str, float]:
    """Median seconds (wall and CPU) of ``to_pandas()`` and ``read_sql``, and the peak
    traced memory of one load against the frame's ``memory_usage(deep=True)``."""
    log = DecisionLog(path)
    conn = sqlite3.connect(path)
    try:
        ours, ours_cpu = median_time(log.to_pandas, reps)
        theirs, theirs_cpu = median_time(
            lambda: pd.read_sql("SELECT * FROM hitl_decisions", conn), reps)
        tracemalloc.start()
        df = log.to_pandas()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = float(df.memory_usage(deep=True).sum())
    finally:
        conn.close()
        log.close()
    return {"ours": ours, "theirs": theirs, "ours_cpu": ours_cpu, "theirs_cpu": theirs_cpu,
            "peak": float(peak), "size": size}


def run(quick: bool) -> list[dict]:
    """Rows for ``benchmarks/run_all.py``: load time against ``read_sql``, peak memory."""
    from _common import result

    n, reps = (20_000, 3) if quick else (1_000_000, 5)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        build(path, n)
        m = measure(path, reps)
    return [
        result(f"decision log -> DataFrame, {n:,} rows", baseline="pandas.read_sql",
               baseline_value=m["theirs"], value=m["ours"], max_ratio=1.0, max_value=2.0,
               note=f"median of {reps} each; CPU time {m['ours_cpu']:.2f} s vs "
                    f"{m['theirs_cpu']:.2f} s"),
        result("  peak memory of that load", baseline="memory_usage(deep=True)",
               baseline_value=m["size"] / 1e6, value=m["peak"] / 1e6, unit="MB",
               max_ratio=2.0, note="tracemalloc peak during one to_pandas()"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 3 repetitions")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--db", type=Path, default=None,
                        help="reuse (or build once into) this file instead of a temporary one")
    opts = parser.parse_args()
    n = opts.rows or (20_000 if opts.quick else 1_000_000)
    reps = opts.reps or (3 if opts.quick else 5)
    with tempfile.TemporaryDirectory() as tmp:
        path = opts.db or Path(tmp) / "bench.db"
        if not path.exists():
            t = time.perf_counter()
            build(path, n)
            print(f"built {n:,} rows in {time.perf_counter() - t:.1f} s")
        n = len(DecisionLog(path))
        print(f"{n:,} rows ({path.stat().st_size / 1e6:.0f} MB); cores: {os.cpu_count()}")
        m = measure(path, reps)
        ours, theirs, ours_cpu, theirs_cpu = m["ours"], m["theirs"], m["ours_cpu"], m["theirs_cpu"]
        peak, size = m["peak"], m["size"]
        print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"to_pandas()      median of {reps}: {ours:.3f} s wall, {ours_cpu:.3f} s CPU")
        print(f"pandas.read_sql  median of {reps}: {theirs:.3f} s wall, {theirs_cpu:.3f} s CPU")
        print(f"ratio to_pandas / read_sql: {ours / theirs:.2f} wall, "
              f"{ours_cpu / theirs_cpu:.2f} CPU (target <= 1.00)")
        print(f"peak memory of one load: {peak / 1e6:.0f} MB; frame: {size / 1e6:.0f} MB; "
              f"ratio {peak / size:.2f}")
        verdict = "met" if ours <= 2.0 and ours <= theirs else "NOT met"
        print(f"targets ({n:,} rows <= 2 s and <= read_sql): {verdict}")


if __name__ == "__main__":
    main()
