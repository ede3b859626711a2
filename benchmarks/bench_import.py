"""``import hitl_nb`` in a fresh process against ``import langgraph.graph, ipywidgets``.

Each repetition starts two new Python processes, one per side, alternately; the child
times its own import with ``time.perf_counter`` (interpreter start-up is the same for
both and left out). The heavy parts (pandas, matplotlib, jsonschema, slack, psycopg)
must be imported lazily to meet the target of at most 1.2x. The note lists the modules
that hitl_nb adds to the baseline's, by their own import time (``-X importtime``), which
is where to look when the target is missed.

    python benchmarks/bench_import.py            # 9 fresh processes per side
    python benchmarks/bench_import.py --quick    # 1 per side
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import main
from _common import result as make_result

OURS = "hitl_nb"
BASELINE = "langgraph.graph, ipywidgets"
BOTH = f"{BASELINE}, {OURS}"  # what a notebook that builds its graph imports
CHILD = "import time; t = time.perf_counter(); import {mods}; print(time.perf_counter() - t)"


def _env() -> dict[str, str]:
    """The parent's environment, with the folder of the hitl_nb it would import first."""
    spec = importlib.util.find_spec("hitl_nb")
    if spec is None or spec.origin is None:
        raise RuntimeError("hitl_nb is not importable; install it or set PYTHONPATH")
    root = str(Path(spec.origin).resolve().parent.parent)
    paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def import_time(mods: str, env: dict[str, str]) -> float:
    """Seconds a fresh interpreter takes to ``import {mods}``."""
    out = subprocess.run([sys.executable, "-c", CHILD.format(mods=mods)], env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    return float(out.stdout.strip().splitlines()[-1])


def self_times(mods: str, env: dict[str, str]) -> dict[str, int]:
    """Module -> its own import time in microseconds (``python -X importtime``)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {mods}"],
                         env=env, capture_output=True, text=True, check=True, timeout=120)
    times: dict[str, int] = {}
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _cumulative, name = line[len("import time:"):].split("|")
        times[name.strip()] = int(own)
    return times


def added_modules(env: dict[str, str], top: int = 5) -> list[tuple[str, float]]:
    """The modules ``import hitl_nb`` loads beyond the baseline's, slowest first (ms),
    grouped by top-level package."""
    ours, base = self_times(OURS, env), self_times(BASELINE, env)
    groups: dict[str, float] = {}
    for name, us in ours.items():
        if name not in base:
            key = name if name.startswith("hitl_nb") else name.split(".")[0]
            groups[key] = groups.get(key, 0.0) + us / 1000
    return sorted(groups.items(), key=lambda kv: -kv[1])[:top]


def run(quick: bool) -> list[dict[str, Any]]:
    repeat = 1 if quick else 9
    env = _env()
    if not quick:  # warm the file cache for both sides
        import_time(BASELINE, env)
        import_time(OURS, env)
    times: dict[str, list[float]] = {BASELINE: [], OURS: [], BOTH: []}
    for _ in range(repeat):
        for mods, out in times.items():
            out.append(import_time(mods, env))
    base, ours, both = (statistics.median(times[m]) for m in (BASELINE, OURS, BOTH))
    note = f"median of {repeat} fresh processes each, alternating"
    added = ""
    if not quick:
        added = "; added by hitl_nb (own import time): " + ", ".join(
            f"{name} {ms:.0f} ms" for name, ms in added_modules(env))
    return [
        make_result("import hitl_nb (fresh process)", baseline=f"import {BASELINE}",
                    baseline_value=base, value=ours, max_ratio=1.2, note=note + added),
        make_result("  import hitl_nb next to them", baseline=f"import {BASELINE}",
                    baseline_value=base, value=both, max_ratio=1.2,
                    note=f"{note}; `import {BOTH}`, as a notebook that builds its graph does"),
    ]


if __name__ == "__main__":
    raise SystemExit(main(run, description=__doc__.splitlines()[0]))
