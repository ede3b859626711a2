"""Fine-tuning exports: SFT and preference JSONL, Parquet, CSV, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import hitl_nb
from tests import _known_log as K


@pytest.fixture
def log(db):
    return K.build(db)


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _call(message):
    (call,) = message["tool_calls"]
    return call["function"]["name"], json.loads(call["function"]["arguments"])


def test_sft_has_one_example_per_approved_or_edited_action_that_worked(log, tmp_path):
    path = tmp_path / "sft.jsonl"
    bad = {n for n, ok, _ in K.OUTCOMES if ok is False}
    expected = [(r[1], r[4] if r[3] == "edit" else r[2], r[0]) for n, r in enumerate(K.ROWS)
                if r[3] in ("approve", "edit") and n not in bad]
    assert log.export_sft(path) == len(expected)
    got = []
    for example in _read(path):
        system, user, assistant = example["messages"]
        assert (system["role"], user["role"], assistant["role"]) == (
            "system", "user", "assistant")
        name, args = _call(assistant)
        got.append((name, args, user["content"].split("Task: task of ")[1].split("\n")[0]))
    assert got == expected


def test_sft_prompt_carries_the_steps_so_far(log, tmp_path):
    log.export_sft(tmp_path / "sft.jsonl", system=None)
    first = _read(tmp_path / "sft.jsonl")[0]["messages"]
    assert first[0]["role"] == "user"
    assert "Steps so far:\n- planned send_email" in first[0]["content"]


def test_preferences_pair_edits_and_rejections_followed_by_approval(log, tmp_path):
    path = tmp_path / "prefs.jsonl"
    # edits: chosen = edit, rejected = proposal; th1: rejected row 0, approved row 1 later
    expected = [
        (("send_email", K.ROWS[1][2]), ("send_email", K.ROWS[0][2])),
        (("send_email", K.ROWS[2][4]), ("send_email", K.ROWS[2][2])),
        (("write_file", K.ROWS[9][4]), ("write_file", K.ROWS[9][2])),
    ]
    assert log.export_preferences(path) == len(expected)
    records = _read(path)
    assert [(_call(r["chosen"][0]), _call(r["rejected"][0])) for r in records] == expected
    assert all(set(r) == {"prompt", "chosen", "rejected"} for r in records)
    assert records[0]["prompt"][-1]["content"].startswith("Task: task of th1")


def test_preferences_in_openai_style(log, tmp_path):
    path = tmp_path / "prefs.jsonl"
    log.export_preferences(path, style="openai")
    record = _read(path)[0]
    assert set(record) == {"input", "preferred_output", "non_preferred_output"}
    assert record["input"]["messages"][-1]["role"] == "user"


def test_unknown_preference_style_is_refused_before_writing(log, tmp_path):
    with pytest.raises(ValueError, match="style"):
        log.export_preferences(tmp_path / "p.jsonl", style="csv")
    assert not [f for f in os.listdir(tmp_path) if f.startswith("p.jsonl")]


def test_parquet_round_trip_keeps_rows_and_json_text(log, tmp_path):
    path = tmp_path / "d.parquet"
    assert log.to_parquet(path) == len(K.ROWS)
    back = pd.read_parquet(path)
    assert back["interrupt_id"].tolist() == [f"i{n}" for n in range(len(K.ROWS))]
    assert [json.loads(a) for a in back["args"]] == [r[2] for r in K.ROWS]
    assert str(back["decided_at"].dt.tz) == "UTC"


def test_command_line_exports_every_format(log, db, tmp_path):
    out = {k: tmp_path / f"out.{k}" for k in ("sft", "preferences", "csv", "parquet")}
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.run(
        [sys.executable, "-m", "hitl_nb", "export", db, "--sft", str(out["sft"]),
         "--preferences", str(out["preferences"]), "--csv", str(out["csv"]),
         "--parquet", str(out["parquet"])], capture_output=True, text=True, env=env,
        timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert f"{out['sft']}: 6 SFT examples" in proc.stdout
    assert len(_read(out["preferences"])) == 3
    csv = pd.read_csv(out["csv"])
    assert json.loads(csv["args"].iloc[0]) == K.ROWS[0][2]
    assert len(pd.read_parquet(out["parquet"])) == len(K.ROWS)


def test_command_line_reports_a_missing_log(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.run([sys.executable, "-m", "hitl_nb", "export",
                           str(tmp_path / "nope.db"), "--csv", str(tmp_path / "x.csv")],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 2
    assert "no decision log" in proc.stderr
    assert not (tmp_path / "nope.db").exists()


def test_exports_of_an_empty_log_are_empty_files(db, tmp_path):
    log = hitl_nb.DecisionLog(db)
    assert log.export_sft(tmp_path / "s.jsonl") == 0
    assert (tmp_path / "s.jsonl").read_text() == ""
