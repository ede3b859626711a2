"""Schema versioning: upgrade of a version-1 log in place, refusal of foreign, newer and
corrupt files (changing nothing), and a writer and a reader in two processes."""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest

import hitl_nb
from hitl_nb.store import schema as _schema
from tests._two_processes import reader_and_writer
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "hitl_v1.db"


def _tables(path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: conn.execute(f"SELECT * FROM {n}").fetchall() for n in names}
    finally:
        conn.close()


@pytest.fixture
def v1(tmp_path) -> str:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    return str(path)


def test_fixture_is_a_version_1_log():
    before = _tables(FIXTURE)
    assert before["hitl_meta"] == []
    columns = [r[1] for r in sqlite3.connect(FIXTURE).execute("PRAGMA table_info(hitl_decisions)")]
    assert "context" not in columns
    assert len(before["hitl_decisions"]) == 3


def test_version_1_log_is_upgraded_in_place_and_keeps_its_rows(v1):
    old = _tables(v1)["hitl_decisions"]
    log = hitl_nb.DecisionLog(v1)
    df = log.to_pandas()
    assert df["thread_id"].tolist() == ["v1-a", "v1-b", "v1-c"]
    assert df["decision"].astype(str).tolist() == ["approve", "reject", "edit"]
    assert df["comment"].tolist() == ["fine", "far too broad", "only the CFO"]
    assert df["edited_args"].iloc[2] == {"to": "cfo@example.com", "subject": "Q4"}
    assert df["context"].isna().all()
    assert df["outcome_ok"].isna().all()
    after = _tables(v1)
    assert after["hitl_meta"] == [("schema_version", str(_schema.VERSION))]
    assert [row[:25] for row in after["hitl_decisions"]] == old  # old columns untouched
    states = sqlite3.connect(v1).execute("SELECT state FROM hitl_requests").fetchall()
    assert states == [("applied",)] * 3  # decided and resumed before: not open again
    assert hitl_nb.Inbox(v1).pending == []
    log.record_outcome(df["interrupt_id"].iloc[0], ok=True, detail="sent")
    assert log.to_pandas()["outcome_ok"].iloc[0] == True  # noqa: E712


def test_upgrade_runs_once(v1):
    hitl_nb.DecisionLog(v1).setup()
    snapshot = _tables(v1)
    hitl_nb.DecisionLog(v1).setup()
    assert _tables(v1) == snapshot


def test_failed_upgrade_leaves_the_old_log_as_it_was(v1, monkeypatch):
    before = _tables(v1)
    broken = (*_schema.MIGRATIONS[1][:2], "ALTER TABLE no_such_table ADD COLUMN x TEXT")
    monkeypatch.setitem(_schema.MIGRATIONS, 1, broken)
    with pytest.raises(hitl_nb.LogUnavailable):
        hitl_nb.DecisionLog(v1).setup()
    assert _tables(v1) == before
    columns = [r[1] for r in sqlite3.connect(v1).execute("PRAGMA table_info(hitl_decisions)")]
    assert "context" not in columns


def test_newer_log_is_refused_and_left_alone(db):
    hitl_nb.DecisionLog(db).setup()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE hitl_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = _tables(db)
    with pytest.raises(hitl_nb.IncompatibleLog, match="newer hitl_nb"):
        hitl_nb.DecisionLog(db).to_pandas()
    assert _tables(db) == before
    assert _tables(db)["hitl_meta"] == [("schema_version", "99")]


def test_foreign_table_named_hitl_decisions_is_refused(tmp_path):
    path = str(tmp_path / "other.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE hitl_decisions (id INTEGER, verdict TEXT)")
    conn.execute("INSERT INTO hitl_decisions VALUES (1, 'guilty')")
    conn.commit()
    conn.close()
    before, raw = _tables(path), Path(path).read_bytes()
    with pytest.raises(hitl_nb.IncompatibleLog, match="did not write"):
        hitl_nb.DecisionLog(path).setup()
    assert _tables(path) == before
    assert Path(path).read_bytes() == raw  # not even switched to WAL mode


def test_text_file_named_db_is_a_clear_error_and_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 50)
    before = path.read_bytes()
    with pytest.raises(hitl_nb.LogUnavailable, match="not a database"):
        hitl_nb.DecisionLog(str(path)).to_pandas()
    assert path.read_bytes() == before


def test_own_log_runs_in_wal_mode(db):
    hitl_nb.DecisionLog(db).setup()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_incompatible_log_is_a_log_unavailable():
    assert issubclass(hitl_nb.IncompatibleLog, hitl_nb.LogUnavailable)


_WRITER = textwrap.dedent("""
    import sys
    import hitl_nb
    log = hitl_nb.DecisionLog(sys.argv[1])
    for n in range(int(sys.argv[2])):
        log.record_auto("tool", {"n": n}, reviewer="policy:bulk", thread_id="w")
    print("done", flush=True)
""")

_READER = textwrap.dedent("""
    import sys, time
    import hitl_nb
    log = hitl_nb.DecisionLog(sys.argv[1])
    seen = []
    deadline = time.time() + 60
    while time.time() < deadline:
        df = log.to_pandas()
        ns = [a["n"] for a in df["args"]]
        assert ns == list(range(len(ns))), "a reader saw a gap or a half-written row"
        seen.append(len(ns))
        if len(ns) == int(sys.argv[2]):
            break
    print(seen[0], seen[-1], len(set(seen)), flush=True)
""")


@pytest.mark.slow
def test_writer_and_reader_in_two_processes_share_one_file(db):
    hitl_nb.DecisionLog(db).setup()
    total = 300
    out = reader_and_writer(db, _READER, _WRITER, total, ready=False)
    _first, last, _distinct = map(int, out.split())
    assert last == total
    assert len(hitl_nb.DecisionLog(db)) == total


@pytest.mark.parametrize("old", ["hitl_v1.db", "hitl_v2.db", "version 3"])
def test_older_logs_gain_the_effects_table_and_keep_their_rows(tmp_path, old):
    path = str(tmp_path / "old.db")
    if old == "version 3":  # what hitl_nb wrote before version 4: no hitl_effects
        hitl_nb.DecisionLog(path).record_auto("tool", {"n": 1}, reviewer="policy:x",
                                              thread_id="v3")
        conn = sqlite3.connect(path)
        conn.execute("DROP TABLE hitl_effects")
        conn.execute("UPDATE hitl_meta SET value = '3' WHERE key = 'schema_version'")
        conn.commit()
        conn.close()
    else:
        shutil.copy(FIXTURES / old, path)
    before = _tables(path)["hitl_decisions"]
    assert "hitl_effects" not in _tables(path)
    assert hitl_nb.once("key-1", lambda: {"receipt": 1}, log=path) == {"receipt": 1}
    after = _tables(path)
    assert after["hitl_meta"] == [("schema_version", str(_schema.VERSION))] == [
        ("schema_version", "4")]
    assert [r[0] for r in after["hitl_effects"]] == ["key-1"]
    assert len(after["hitl_decisions"]) == len(before)
    assert hitl_nb.once("key-1", pytest.fail, log=path) == {"receipt": 1}


def test_the_guide_names_the_current_schema_version():
    """docs/guides/decision-log.md says which version a log is at; it said 3 after the
    schema went to 4, so the sentence is checked against the code."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "guides" / "decision-log.md")
    assert f"`hitl_meta.schema_version`, now {_schema.VERSION})" in guide.read_text()
