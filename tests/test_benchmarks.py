"""The benchmark scripts keep working: helpers, run_all's exit code, quick runs.

No timing is judged here (the machine is shared and noisy); the rows only have to be
well formed, with positive figures.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import _common  # noqa: E402
import bench_import  # noqa: E402
import run_all  # noqa: E402


def _check_rows(rows: list[dict]) -> None:
    assert rows
    for row in rows:
        assert set(_common.KEYS) <= set(row)
        assert row["baseline_value"] > 0
        assert row["value"] > 0
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline_value"])
        assert row["passed"] in (True, False, None)


# -- helpers -------------------------------------------------------------------------
def test_result_passes_within_the_ratio_and_misses_beyond_it():
    ok = _common.result("x", baseline="b", baseline_value=2.0, value=2.5, max_ratio=1.3)
    miss = _common.result("x", baseline="b", baseline_value=2.0, value=2.7, max_ratio=1.3)
    assert (ok["ratio"], ok["passed"], ok["target"]) == (1.25, True, "<= 1.3x")
    assert miss["passed"] is False


def test_result_needs_every_target_to_hold():
    fast_but_slow = _common.result("inbox", baseline="loop", baseline_value=40.0, value=1.5,
                                   min_speedup=20, max_value=1.0)
    assert fast_but_slow["target"] == ">= 20x faster, <= 1 s"
    assert fast_but_slow["passed"] is False
    assert _common.result("m", baseline="b", baseline_value=1.0, value=1.0,
                          also=[("bounded HTML", False)])["passed"] is False


def test_result_without_a_target_is_information():
    row = _common.result("static HTML", baseline="b", baseline_value=1.0, value=60.0)
    assert (row["passed"], row["target"]) == (None, "-")
    assert "| pass" not in _common.format_table([row])


def test_table_shows_misses_and_speedups():
    rows = [_common.result("slow", baseline="b", baseline_value=1.0, value=3.0, max_ratio=1.3),
            _common.result("fast", baseline="b", baseline_value=1.0, value=0.01,
                           min_speedup=20)]
    table = _common.format_table(rows)
    assert "| slow" in table and "MISS" in table
    assert "100x faster" in table and "pass" in table


def test_median_time_calls_setup_before_every_timed_call():
    seen = []
    _common.median_time(seen.append, repeat=3, setup=lambda: len(seen), warmup=1)
    assert seen == [0, 1, 2, 3]


# -- run_all -------------------------------------------------------------------------
def _script(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(body))


def test_run_all_exits_zero_when_a_target_is_missed(tmp_path, capsys):
    _script(tmp_path, "bench_miss", """
        from _common import result
        def run(quick):
            return [result("missed", baseline="b", baseline_value=1.0, value=9.0,
                           max_ratio=1.0)]
    """)
    assert run_all.main(["--quick"], folder=tmp_path) == 0
    assert "MISS" in capsys.readouterr().out


def test_run_all_exits_non_zero_when_a_script_crashes_and_runs_the_others(tmp_path, capsys):
    _script(tmp_path, "bench_a_boom", "def run(quick):\n    raise ValueError('broken')\n")
    _script(tmp_path, "bench_c_exits", "raise SystemExit(2)\ndef run(quick):\n    return []\n")
    _script(tmp_path, "bench_b_ok", """
        from _common import result
        def run(quick):
            return [result("fine", baseline="b", baseline_value=1.0, value=1.0)]
    """)
    assert run_all.main(["--quick"], folder=tmp_path) == 1
    out = capsys.readouterr()
    assert "ValueError: broken" in out.err
    assert "| fine" in out.out and out.out.count("CRASHED") == 2
    assert "crashed: bench_a_boom.py, bench_c_exits.py" in out.err


def test_run_all_runs_a_script_without_run_as_a_program(tmp_path, capsys):
    _script(tmp_path, "bench_plain", """
        import sys
        print("own output", "--quick" in sys.argv)
    """)
    _script(tmp_path, "bench_exits", "raise SystemExit(3)\n")
    assert run_all.main(["--quick", "--only", "plain"], folder=tmp_path) == 0
    assert "own output True" in capsys.readouterr().out
    assert run_all.main(["--only", "exits"], folder=tmp_path) == 1


# -- the real scripts, on tiny sizes ---------------------------------------------------
def test_every_benchmark_script_is_discovered():
    names = {p.stem for p in run_all.discover() if run_all.has_run(p)}
    assert {"bench_review_cycle", "bench_import", "bench_card", "bench_inbox",
            "bench_log"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("script", [p.name for p in run_all.discover() if run_all.has_run(p)])
def test_each_benchmark_runs_quick_with_well_formed_rows(script):
    _check_rows(run_all.run_script(BENCH / script, quick=True))


@pytest.mark.slow
def test_import_hitl_nb_leaves_the_heavy_libraries_unloaded():
    """pandas, jsonschema, matplotlib, slack and psycopg load on first use (issue 10)."""
    heavy = ["pandas", "numpy", "pyarrow", "adbc_driver_manager", "jsonschema", "matplotlib",
             "slack_sdk", "psycopg"]
    code = f"import sys, hitl_nb; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=bench_import._env())
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
@pytest.mark.parametrize("order", ["import hitl_nb, pandas", "import pandas, hitl_nb"])
def test_df_hitl_is_registered_whichever_is_imported_first(order):
    code = f"{order}; print('hitl' in pandas.DataFrame._accessors)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=bench_import._env())
    assert out.stdout.strip() == "True"
