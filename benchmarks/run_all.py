"""Run every ``benchmarks/bench_*.py`` and print one table.

Each script's ``run(quick)`` returns its rows (see ``_common.py``); a script without
``run`` is run as ``python bench_x.py [--quick]`` and its own output is shown. Exits
non-zero only when a script crashes, never because a target was missed (CI runs
``python benchmarks/run_all.py --quick`` to keep the scripts working, not to judge
times on a shared machine).

    python benchmarks/run_all.py                 # full sizes: the README's table
    python benchmarks/run_all.py --quick         # small sizes, in well under a minute
    python benchmarks/run_all.py --only import   # scripts whose name contains "import"
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _common import KEYS, environment, environment_line, format_table  # noqa: E402


def discover(only: list[str] | None = None, folder: Path = HERE) -> list[Path]:
    """The benchmark scripts in ``folder`` (next to this one), by name."""
    scripts = sorted(folder.glob("bench_*.py"))
    if only:
        scripts = [s for s in scripts if any(o in s.stem for o in only)]
    return scripts


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _as_script(path: Path, quick: bool) -> list[dict[str, Any]]:
    """Run a script that has no ``run()``; its output is printed, its exit code checked."""
    cmd = [sys.executable, str(path), *(["--quick"] if quick else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300 if quick else 3600)
    print(proc.stdout, end="")
    if proc.returncode != 0:
        print(proc.stderr, end="", file=sys.stderr)
        raise RuntimeError(f"{path.name} exited with {proc.returncode}")
    return [{"name": path.stem, "baseline": "(its own output, above)", "note": "ran as a script",
             "passed": None}]


def has_run(path: Path) -> bool:
    """Whether the script defines ``run`` at top level (read, not imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body)


def run_script(path: Path, quick: bool) -> list[dict[str, Any]]:
    """The rows of one script (raises whatever the script raised)."""
    if not has_run(path):
        return _as_script(path, quick)
    rows = _load(path).run(quick)
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "name" in r
                                             for r in rows):
        raise TypeError(f"{path.name}: run() must return a list of dicts with a 'name'")
    return rows


def main(argv: list[str] | None = None, folder: Path = HERE) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="run only the scripts whose name contains TEXT (repeatable)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows and environment")
    args = parser.parse_args(argv)
    env = environment()
    print(environment_line(env))
    rows: list[dict[str, Any]] = []
    crashed: list[str] = []
    started = time.perf_counter()
    for path in discover(args.only, folder):
        print(f"--- {path.name}{' --quick' if args.quick else ''}", flush=True)
        t = time.perf_counter()
        try:
            got = run_script(path, args.quick)
        except (Exception, SystemExit):
            traceback.print_exc()
            crashed.append(path.name)
            got = [{"name": path.stem, "note": "CRASHED", "passed": None}]
        for row in got:
            row.setdefault("script", path.name)
        rows += got
        print(f"    {time.perf_counter() - t:.1f} s", flush=True)
    print()
    print(environment_line(env))
    print(format_table(rows))
    print(f"total {time.perf_counter() - started:.1f} s"
          f"{' (quick: sizes too small to judge the targets)' if args.quick else ''}")
    if args.json:
        Path(args.json).write_text(json.dumps({"environment": env, "quick": args.quick,
                                               "keys": KEYS, "rows": rows}, indent=2))
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
