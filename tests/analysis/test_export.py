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
from tests import _mixed_log as M


@pytest.fixture
def log(db):
    return K.build(db)


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _call(message):
    (call,) = message["tool_calls"]
    return call["function"]["name"], json.loads(call["function"]["arguments"])


def test_sft_has_one_example_per_action_a_person_approved_or_edited_that_worked(log,
                                                                               tmp_path):
    path = tmp_path / "sft.jsonl"
    bad = {n for n, ok, _ in K.OUTCOMES if ok is False}
    expected = [(r[1], r[4] if r[3] == "edit" else r[2], r[0]) for n, r in enumerate(K.ROWS)
                if r[3] in ("approve", "edit") and n not in bad and not K.is_auto(r[6])]
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


# -- only what people decided: the exports and the report on one mixed log --------------
def _ids(message):
    (call,) = message["tool_calls"]
    return call["id"].removeprefix("call_")


def _pairs(path):
    return [(_ids(r["chosen"][0]), _ids(r["rejected"][0])) for r in _read(path)]


def test_exports_and_report_hold_only_what_people_decided(db, tmp_path):
    log = M.build(db)
    # by hand from M.ROWS: people approved or edited m2, m5, m7, m8; m1 (policy) and m4
    # (timeout) went ahead without a person
    assert log.export_sft(tmp_path / "sft.jsonl") == 4
    assert [(_ids(r["messages"][-1]), _call(r["messages"][-1]))
            for r in _read(tmp_path / "sft.jsonl")] == [
        ("m2", ("delete_records", {"table": "tmp_users"})),
        ("m5", ("send_email", {"to": "cfo@x.com"})),
        ("m7", ("write_file", {"path": "/tmp/hosts"})),
        ("m8", ("search_docs", {"q": "q3"})),
    ]
    # m0 (delete users) pairs with the later delete m2, never with the policy's search m1;
    # m3 with bo's edit m5 (the timeout m4 is no choice); m5 as an edit; the policy's
    # rejection m6 and cy's m9 (no later call) make no pair
    assert log.export_preferences(tmp_path / "prefs.jsonl") == 3
    assert _pairs(tmp_path / "prefs.jsonl") == [("m2", "m0"), ("m5", "m3"), ("m5", "m5")]
    chosen, rejected = (_read(tmp_path / "prefs.jsonl")[1][k][0] for k in ("chosen",
                                                                          "rejected"))
    assert _call(chosen) == ("send_email", {"to": "cfo@x.com"})
    assert _call(rejected) == ("send_email", {"to": "all@x.com"})
    # the report counts the same people: m0 m2 m3 m5 m7 m8 m9
    report = log.failure_report()
    assert "7 human decisions: 3 rejected (43%), 1 edited (14%)." in report
    assert "## `write_file`" not in report       # only the policy rejected it


def test_automatic_decisions_become_examples_only_when_asked(db, tmp_path):
    log = M.build(db)
    assert log.export_sft(tmp_path / "sft.jsonl", include_automatic=True) == 6
    assert [_ids(r["messages"][-1]) for r in _read(tmp_path / "sft.jsonl")] == [
        "m1", "m2", "m4", "m5", "m7", "m8"]
    # still the same action: m0 skips the policy's search m1; m3 skips the timeout's m4,
    # which re-approved the very proposal that was rejected; m6 now pairs with m7
    assert log.export_preferences(tmp_path / "p.jsonl", include_automatic=True) == 4
    assert _pairs(tmp_path / "p.jsonl") == [("m2", "m0"), ("m5", "m3"), ("m5", "m5"),
                                            ("m7", "m6")]


def test_a_rejection_pairs_only_with_a_later_call_of_the_same_action(db, tmp_path):
    log = hitl_nb.DecisionLog(db)
    for n, (action, args, kind) in enumerate([
            ("deploy", {"env": "staging"}, "approve"),   # earlier: no pair
            ("deploy", {"env": "prod"}, "reject"),
            ("notify", {"channel": "#ops"}, "approve"),  # later, another action: no pair
    ]):
        request = hitl_nb.ReviewRequest(action, args, thread_id="t", interrupt_id=f"i{n}")
        log.record(request, hitl_nb.Decision(kind, reviewer="ana",
                                             decided_at=M.T0 + pd.Timedelta(minutes=n)))
    assert log.export_preferences(tmp_path / "p.jsonl") == 0


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
    assert f"{out['sft']}: 4 SFT examples" in proc.stdout   # people's, outcome not failed
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
