"""Shared helpers of the benchmark scripts: timing, ``--quick``, one result table.

The convention every ``benchmarks/bench_*.py`` follows:

- it defines ``run(quick: bool) -> list[dict]``, one row per comparison, built with
  `result` (keys: name, baseline, baseline_value, value, unit, ratio, target, passed,
  note);
- it runs alone with ``python benchmarks/bench_x.py [--quick]`` through `main`;
- baseline and figure are measured side by side in the same run (this machine is
  noisy: judge ratios, not absolute times), as medians of several repetitions.

Example::

    from _common import main, median_time, result

    def run(quick: bool) -> list[dict]:
        base = median_time(lambda: sum(range(10_000)), repeat=3 if quick else 9)
        ours = median_time(lambda: sum(list(range(10_000))), repeat=3 if quick else 9)
        return [result("sum of a list", baseline="sum of a range", baseline_value=base,
                       value=ours, max_ratio=2.0)]

    if __name__ == "__main__":
        main(run)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

PACKAGES = ("hitl_nb", "langgraph", "langgraph-checkpoint-sqlite", "ipywidgets", "pandas",
            "pydantic", "jsonschema", "pyarrow", "adbc-driver-sqlite")
KEYS = ("name", "baseline", "baseline_value", "value", "unit", "ratio", "target", "passed",
        "note")


def timings(fn: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None,
            warmup: int = 1) -> list[float]:
    """Seconds of ``repeat`` calls of ``fn`` (after ``warmup`` untimed calls).

    ``setup()``, when given, runs untimed before each call and its result is passed to
    ``fn`` (so each repetition starts from a fresh state).
    """
    out = []
    for i in range(warmup + repeat):
        arg = setup() if setup is not None else None
        start = time.perf_counter()
        fn(arg) if setup is not None else fn()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            out.append(elapsed)
    return out


def median_time(fn: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None,
                warmup: int = 1) -> float:
    """Median seconds of ``repeat`` calls of ``fn`` (see `timings`)."""
    return statistics.median(timings(fn, repeat, setup, warmup))


def interleaved(fns: Sequence[Callable[[], Any]], repeat: int, warmup: int = 1,
                between: Callable[[], Any] | None = None) -> list[float]:
    """Median seconds of each of ``fns``, called in turn, one repetition at a time.

    Interleaving spreads the machine's noise over every side instead of one.
    ``between()``, when given, runs untimed after every call (e.g. to free its objects).
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
            if between is not None:
                between()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
            if between is not None:
                between()
    return [statistics.median(t) for t in times]


def side_by_side(baseline: Callable[[], Any], ours: Callable[[], Any], repeat: int,
                 warmup: int = 1) -> tuple[float, float]:
    """Median seconds of ``baseline`` and ``ours``, interleaved call by call."""
    base, mine = interleaved([baseline, ours], repeat, warmup)
    return base, mine


def result(name: str, *, baseline: str, baseline_value: float, value: float,
           unit: str = "s", max_ratio: float | None = None, min_speedup: float | None = None,
           max_value: float | None = None, also: Sequence[tuple[str, bool]] = (),
           note: str = "") -> dict[str, Any]:
    """One row of the table: ``ratio = value / baseline_value`` and whether targets hold.

    ``max_ratio`` (ratio at most), ``min_speedup`` (baseline at least N times slower),
    ``max_value`` (the figure at most, in ``unit``) and ``also`` (extra named checks)
    all have to hold for ``passed``; without any target ``passed`` is None (a figure
    shown for information).
    """
    ratio = value / baseline_value if baseline_value > 0 else float("inf")
    targets: list[str] = []
    ok = True
    if max_ratio is not None:
        targets.append(f"<= {max_ratio:g}x")
        ok &= ratio <= max_ratio
    if min_speedup is not None:
        targets.append(f">= {min_speedup:g}x faster")
        ok &= ratio <= 1 / min_speedup
    if max_value is not None:
        targets.append(f"<= {max_value:g} {unit}")
        ok &= value <= max_value
    for label, holds in also:
        targets.append(label)
        ok &= bool(holds)
    return {"name": name, "baseline": baseline, "baseline_value": float(baseline_value),
            "value": float(value), "unit": unit, "ratio": ratio,
            "target": ", ".join(targets) or "-", "passed": bool(ok) if targets else None,
            "note": note}


def environment() -> dict[str, Any]:
    """Where the figures came from: date, machine, cores, Python and package versions."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.system()} {platform.machine()}",
            "cores": os.cpu_count(), "python": platform.python_version(),
            "packages": versions}


def environment_line(env: dict[str, Any] | None = None) -> str:
    env = env or environment()
    pkgs = ", ".join(f"{k} {v}" for k, v in env["packages"].items())
    return (f"{env['date']} · {env['machine']} · {env['cores']} cores · "
            f"Python {env['python']} · {pkgs}")


def _figure(value: float, unit: str) -> str:
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.0f} µs"
        if value < 1:
            return f"{value * 1e3:.1f} ms"
        return f"{value:.2f} s"
    return f"{value:,.1f} {unit}"


def _ratio(ratio: float) -> str:
    if 0 < ratio < 0.5:
        return f"{ratio:.3f}x ({1 / ratio:.0f}x faster)"
    return f"{ratio:.2f}x"


def format_table(rows: Iterable[dict[str, Any]]) -> str:
    """Rows as an aligned plain-text table (also valid Markdown)."""
    header = ("benchmark", "baseline", "baseline figure", "figure", "ratio", "target",
              "result")
    lines = [header]
    for r in rows:
        unit = r.get("unit", "s")
        ok = r.get("passed")
        measured = r.get("baseline_value") is not None
        lines.append((
            str(r.get("name", "?")), str(r.get("baseline", "")),
            _figure(r["baseline_value"], unit) if r.get("baseline_value") is not None else "-",
            _figure(r["value"], unit) if r.get("value") is not None else "-",
            _ratio(r["ratio"]) if r.get("ratio") is not None else "-",
            str(r.get("target", "-")),
            "pass" if ok is True else "MISS" if ok is False else "-" if measured
            else str(r.get("note") or "-"),
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
           for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"  {r['name']}: {r['note']}" for r in rows if r.get("note")
             and r.get("baseline_value") is not None]
    return "\n".join(out + (["notes:", *notes] if notes else []))


def parse_args(argv: Sequence[str] | None = None, description: str = "") -> argparse.Namespace:
    """``--quick``: small sizes and few repetitions (CI keeps the script working);
    ``--profile N``: also print the N functions with the most cumulative time."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, few repetitions (checks it runs; times not judged)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="run under cProfile and print the top N functions (cumulative)")
    return parser.parse_args(argv)


def main(run: Callable[[bool], list[dict[str, Any]]], argv: Sequence[str] | None = None,
         description: str = "") -> int:
    """Run one benchmark script from the command line and print its table."""
    args = parse_args(argv, description)
    print(environment_line())
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        rows = profiler.runcall(run, args.quick)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    else:
        rows = run(args.quick)
    print(format_table(rows))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit("this module holds helpers; run benchmarks/run_all.py or a bench_*.py script")
