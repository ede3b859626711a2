"""Benchmark: ``DecisionLog.to_pandas()`` against ``pandas.read_sql`` on the same table.

Builds a log of N realistic rows quickly (``executemany``, no graph), then times the
median of several loads, interleaved: ``to_pandas()`` on its Arrow path (``data`` extra:
ADBC's SQLite driver, when installed) reading the whole log (``first``: no columnar copy
yet), the same load again (``copy``: from the copy the first load wrote, plus what
changed since: nothing), on its stdlib sqlite3 path, and ``read_sql``. Then, on a copy of
the files, 1,000 old rows change and 10,000 new ones arrive, and the load from the copy
is timed with those spliced in (rewriting the copy is turned off so every repetition
splices). Memory: the peak RSS growth of one load in a fresh process (Arrow's buffers are
allocated in C, which tracemalloc does not see) against the frame's
``memory_usage(deep=True)``. Targets (issue 5): 1,000,000 rows in at most 2 s, and no
slower than ``read_sql``.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import hitl_nb
from hitl_nb import DecisionLog
from hitl_nb.store.frame import arrow as _frame_arrow
from hitl_nb.store.frame import cache as _frame_cache
from hitl_nb.store.schema import DECISION_COLUMNS

TOOLS = ["send_email", "delete_rows", "write_file", "search", "refund", "deploy"]
REVIEWERS = ["ana", "bo", "chen", "dee", "policy:read_only", "timeout"]
DECISIONS = ["approve", "approve", "approve", "reject", "edit"]


def build(path: Path, n: int, seed: int = 0, first: int = 0) -> None:
    """Write ``n`` decision rows with realistic, mostly unique JSON arguments (numbered
    from ``first``)."""
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
        for lo in range(first, first + n, 100_000):
            conn.executemany(sql, (row(i) for i in range(lo, min(first + n, lo + 100_000))))
    conn.close()


def _load(path: Path, mode: str):
    """A load of the log at ``path``: ``first`` (Arrow, the whole log, no copy read or
    written), ``copy`` (Arrow, from the columnar copy), or ``stdlib``."""
    def load() -> pd.DataFrame:
        saved = _frame_arrow.ENABLED
        _frame_arrow.ENABLED = mode != "stdlib"
        try:
            return DecisionLog(path, frame_cache=mode == "copy").to_pandas()
        finally:
            _frame_arrow.ENABLED = saved
    return load


def write_copy(path: Path) -> None:
    """Make sure the columnar copy of the log at ``path`` is written and current."""
    DecisionLog(path).to_pandas()
    _frame_cache.wait()


def change(path: Path, changed: int, added: int) -> None:
    """Record a late outcome on ``changed`` old rows spread over the log, then add
    ``added`` new rows: what a live log sees between two loads."""
    conn = sqlite3.connect(path)
    try:
        (n,), = conn.execute("SELECT max(id) FROM hitl_decisions").fetchall()
        with conn:
            conn.executemany(
                "UPDATE hitl_decisions SET outcome_ok = 0, outcome_detail = 'late failure',"
                " outcome_at = decided_at + 3600 WHERE id = ?",
                ((1 + i * n // changed,) for i in range(changed)))
    finally:
        conn.close()
    build(path, added, seed=1, first=n)


def measure_changed(path: Path, reps: int, changed: int = 1_000,
                    added: int = 10_000) -> tuple[float, float] | None:
    """Median (wall, CPU) of a load from the copy after ``change``, on copies of the log
    and its columnar copy (the files at ``path`` stay as they are)."""
    if not _frame_arrow.available():
        return None
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "changed.db"
        shutil.copy(path, work)
        shutil.copy(_frame_cache.path_for(str(path)), _frame_cache.path_for(str(work)))
        change(work, changed, added)
        saved = _frame_cache.REWRITE_SHARE, _frame_cache.REWRITE_SPLICES
        _frame_cache.REWRITE_SHARE, _frame_cache.REWRITE_SPLICES = float("inf"), 1 << 62
        try:
            return medians({"changed": _load(work, "copy")}, reps)["changed"]
        finally:
            _frame_cache.REWRITE_SHARE, _frame_cache.REWRITE_SPLICES = saved


def medians(fns: dict[str, object], reps: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU seconds of each of ``fns``, called in turn ``reps``
    times (interleaved: the machine's noise falls on every side). CPU time is summed over
    the process's threads."""
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            t, c = time.perf_counter(), time.process_time()
            fn()
            times[name].append((time.perf_counter() - t, time.process_time() - c))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
            for k, v in times.items()}


_PEAK = """
import json, sys
import pandas as pd
from hitl_nb import DecisionLog
from hitl_nb.store.frame import arrow as _frame_arrow
_frame_arrow.ENABLED = sys.argv[2] != "stdlib"
if _frame_arrow.ENABLED:
    import adbc_driver_sqlite.dbapi, pyarrow.compute  # imported before measuring
log = DecisionLog(sys.argv[1], frame_cache=sys.argv[2] == "copy")
log.setup()

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith(key + ":"))

before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # resets VmHWM, the peak resident size, to the current one
df = log.to_pandas()
peak = status("VmHWM")
print(json.dumps({"peak": peak - before, "size": int(df.memory_usage(deep=True).sum())}))
"""


def peak_memory(path: Path, mode: str) -> dict[str, float] | None:
    """Peak RSS growth of one load (`_load`'s modes) in a fresh process, and the frame's
    own size (Linux). Pages of a memory-mapped copy count once they are touched."""
    if not Path("/proc/self/clear_refs").exists():
        return None
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(hitl_nb.__file__).parent.parent), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", _PEAK, str(path), mode], capture_output=True,
                         text=True, env=env, check=True).stdout
    return json.loads(out)


MODES = ("first", "copy", "changed", "stdlib")


def measure(path: Path, reps: int) -> dict[str, object]:
    """Median (wall, CPU) seconds of each loader and ``read_sql``, peak memory of one load
    of each path. Keys: `MODES` (``first``, ``copy`` and ``changed`` are None without the
    ``data`` extra), ``read_sql``, and ``mem_<mode>`` but for ``changed``."""
    arrow = _frame_arrow.available()
    saved, _frame_cache.MIN_ROWS = _frame_cache.MIN_ROWS, 1  # a copy even for --quick
    try:
        if arrow:
            write_copy(path)
        return _measure(path, reps, arrow)
    finally:
        _frame_cache.MIN_ROWS = saved


def _measure(path: Path, reps: int, arrow: bool) -> dict[str, object]:
    conn = sqlite3.connect(path)
    try:
        fns = {"stdlib": _load(path, "stdlib"),
               "read_sql": lambda: pd.read_sql("SELECT * FROM hitl_decisions", conn)}
        if arrow:
            fns = {"first": _load(path, "first"), "copy": _load(path, "copy"), **fns}
        m: dict[str, object] = dict(medians(fns, reps))
    finally:
        conn.close()
    m["changed"] = measure_changed(path, reps)
    for mode in ("first", "copy", "stdlib"):
        m.setdefault(mode, None)
        m[f"mem_{mode}"] = peak_memory(path, mode) if m[mode] else None
    return m


LABELS = {"first": "to_pandas(), first load (Arrow, no copy yet)",
          "copy": "to_pandas() again, from the columnar copy",
          "changed": "  the same after 1,000 rows changed, 10,000 added",
          "stdlib": "to_pandas() without the data extra (stdlib sqlite3)",
          "read_sql": "pandas.read_sql"}


def run(quick: bool) -> list[dict]:
    """Rows for ``benchmarks/run_all.py``: load times against ``read_sql``, peak memory."""
    from _common import result

    n, reps = (20_000, 3) if quick else (1_000_000, 5)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        build(path, n)
        m = measure(path, reps)
    base, base_cpu = m["read_sql"]
    rows = []
    for mode in MODES:
        if not m[mode]:
            continue
        wall, cpu = m[mode]
        label = f"decision log -> DataFrame, {n:,} rows: " + LABELS[mode].strip()
        extra = f"; {_frame_arrow.parts()} parts read at once" if mode == "first" else ""
        rows.append(result(label, baseline="pandas.read_sql", baseline_value=base, value=wall,
                           max_ratio=1.0, max_value=None if mode == "stdlib" else 2.0,
                           note=f"median of {reps}, interleaved; CPU {cpu:.2f} s vs "
                                f"{base_cpu:.2f} s{extra}"))
    for mode in ("first", "copy"):
        mem = m[f"mem_{mode}"]
        if mem:
            rows.append(result(f"  peak memory of one load ({mode})",
                               baseline="memory_usage(deep=True)",
                               baseline_value=mem["size"] / 1e6, value=mem["peak"] / 1e6,
                               unit="MB", max_ratio=2.0,
                               note="peak RSS growth of one to_pandas() in a fresh process"))
    return rows


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
        arrow = (f"yes, {_frame_arrow.parts()} parts read at once"
                 if _frame_arrow.available() else "no (pip install 'hitl_nb[data]')")
        print(f"{n:,} rows ({path.stat().st_size / 1e6:.0f} MB); cores: {os.cpu_count()}; "
              f"Arrow path: {arrow}")
        m = measure(path, reps)
        print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        base, base_cpu = m["read_sql"]
        for mode in (*MODES, "read_sql"):
            if m[mode]:
                wall, cpu = m[mode]
                print(f"{LABELS[mode]:<52} median of {reps}: {wall:.3f} s wall, {cpu:.3f} s "
                      f"CPU; ratio to read_sql {wall / base:.3f} wall, {cpu / base_cpu:.3f} CPU")
        for mode in ("first", "copy", "stdlib"):
            mem = m[f"mem_{mode}"]
            if mem:
                print(f"peak RSS growth of one {mode} load: {mem['peak'] / 1e6:.0f} MB; "
                      f"frame: {mem['size'] / 1e6:.0f} MB; ratio {mem['peak'] / mem['size']:.2f}")
        for mode in ("first", "copy", "changed", "stdlib"):
            if m[mode]:
                wall = m[mode][0]
                verdict = "met" if wall <= 2.0 and wall <= base else "NOT met"
                print(f"targets ({n:,} rows <= 2 s and <= read_sql), {mode}: {verdict}")

if __name__ == "__main__":
    main()
