"""The columnar copy of a large log (``<log>-frame.arrow``): a load from it plus the
changes since gives exactly the frame of a full read, whatever changed in between; a
copy that disagrees with the log is never used; no copy is a failure."""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

import hitl_nb
from hitl_nb import Decision, ReviewRequest
from hitl_nb.store.frame import arrow as _frame_arrow
from hitl_nb.store.frame import cache as _frame_cache
from tests import _known_log as K
from tests._two_processes import CHECKED_LOADS, WRITER, reader_and_writer
from tests.paths import FIXTURES

pytest.importorskip("adbc_driver_sqlite")


@pytest.fixture(autouse=True)
def small_copies(monkeypatch):
    """Copies of small logs, written before the load returns."""
    monkeypatch.setattr(_frame_cache, "MIN_ROWS", 5)
    monkeypatch.setattr(_frame_cache, "BACKGROUND", False)


@pytest.fixture
def log(db) -> hitl_nb.DecisionLog:
    return K.build(db)


def copy_path(log: hitl_nb.DecisionLog) -> Path:
    return _frame_cache.path_for(log.target)


def full_read(log: hitl_nb.DecisionLog, **filters) -> pd.DataFrame:
    """The frame read from SQLite alone (no copy read or written)."""
    return hitl_nb.DecisionLog(log.target, frame_cache=False).to_pandas(**filters)


def from_copy(log: hitl_nb.DecisionLog, monkeypatch, **filters) -> pd.DataFrame:
    """``to_pandas`` that must not read the log in full (it fails the test if it does)."""
    with monkeypatch.context() as m:
        m.setattr(_frame_arrow, "read", lambda *a: pytest.fail("the log was read in full"))
        return log.to_pandas(**filters)


def copy_meta(log: hitl_nb.DecisionLog) -> dict:
    import pyarrow as pa

    with pa.memory_map(str(copy_path(log))) as source:
        return json.loads(pa.ipc.open_file(source).schema.metadata[b"hitl_nb.frame_cache"])


def _request(n: int, **overrides) -> ReviewRequest:
    fields = {"action": "send_email", "args": {"n": n}, "thread_id": f"new{n}",
              "interrupt_id": f"new{n}", "requested_at": K.T0 + timedelta(days=3, minutes=n)}
    return ReviewRequest(**{**fields, **overrides})


def test_first_full_load_writes_the_copy_and_the_next_load_reads_it(log, monkeypatch):
    assert not copy_path(log).exists()
    first = log.to_pandas()
    assert copy_path(log).exists()
    assert copy_meta(log)["last_id"] == len(K.ROWS)
    again = from_copy(log, monkeypatch)
    pd.testing.assert_frame_equal(again, first)
    pd.testing.assert_frame_equal(again, full_read(log))
    assert again["args"].iloc[2] == K.ROWS[2][2]


@pytest.mark.parametrize("rows_per_splice", [1, 1000])  # splice, take
def test_copy_plus_updates_deletes_and_new_rows_equals_a_full_read(log, db, monkeypatch,
                                                                   rows_per_splice):
    monkeypatch.setattr(_frame_cache, "ROWS_PER_SPLICE", rows_per_splice)
    log.to_pandas()
    log.record_outcome("i3", ok=False, detail="bounced")  # an update in the middle (id 4)
    assert log.take_resume_lease("th8", ["i9"], owner="host:2:k")  # the copy's last row changes
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM hitl_decisions WHERE id IN (1, 5)")  # first and middle
        conn.execute("UPDATE hitl_decisions SET comment = 'edited by hand' WHERE id = 7")
    conn.close()
    log.record(_request(1, action="aaa_first_in_order"),  # a new category value
               Decision("respond", response="later", reviewer="zed", decided_at=K.T0
                        + timedelta(days=4)))
    log.record(_request(2), Decision("approve", reviewer="ana",
                                     decided_at=K.T0 + timedelta(days=4)))
    df = from_copy(log, monkeypatch)
    pd.testing.assert_frame_equal(df, full_read(log))
    assert df["id"].tolist() == [2, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert df["action"].cat.categories.tolist() == sorted(df["action"].unique().tolist())
    assert df.set_index("id").loc[4, "outcome_detail"] == "bounced"
    assert df.set_index("id").loc[10, "status"] == "applying"
    assert df.set_index("id").loc[11, "reviewer"] == "zed"


def test_a_category_whose_last_row_changed_is_gone(log, db, monkeypatch):
    assert log.take_resume_lease("th8", ["i9"], owner="host:2:k")  # the one 'applying' row
    log.to_pandas()
    log.release_resume_lease("th8", ["i9"], error=None)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM hitl_decisions WHERE action = 'write_file'")
    conn.close()
    df = from_copy(log, monkeypatch)
    pd.testing.assert_frame_equal(df, full_read(log))
    assert "write_file" not in df["action"].cat.categories
    assert "applying" not in df["status"].cat.categories


@pytest.mark.parametrize("rows_per_splice", [1, 1000])  # splice, take
def test_many_changes_are_spliced_or_taken_and_then_rewritten(log, db, monkeypatch,
                                                              rows_per_splice):
    monkeypatch.setattr(_frame_cache, "ROWS_PER_SPLICE", rows_per_splice)
    monkeypatch.setattr(_frame_cache, "REWRITE_SPLICES", 2)
    log.to_pandas()
    rev = copy_meta(log)["rev"]
    for n in (2, 4, 6, 8):
        log.record_outcome(f"i{n}", ok=True, detail=f"late {n}")
    df = from_copy(log, monkeypatch)
    pd.testing.assert_frame_equal(df, full_read(log))
    assert copy_meta(log)["rev"] == rev + 4  # 4 rows spliced > 2: a fresh copy
    pd.testing.assert_frame_equal(from_copy(log, monkeypatch), df)


def test_few_changes_keep_the_copy(log, monkeypatch):
    monkeypatch.setattr(_frame_cache, "REWRITE_SHARE", 0.5)  # 1 of 10 rows re-read: keep
    log.to_pandas()
    before = copy_meta(log)
    log.record_outcome("i2", ok=True, detail="fine")
    pd.testing.assert_frame_equal(from_copy(log, monkeypatch), full_read(log))
    assert copy_meta(log) == before


@pytest.mark.parametrize("filters", [{"action": "search"}, {"thread_id": "th1"},
                                     {"since": K.T0 + timedelta(days=1)},
                                     {"action": "no_such_tool"}])
def test_filters_on_the_copy_mean_what_they_mean_in_sql(log, monkeypatch, filters):
    log.to_pandas()
    log.record_outcome("i7", ok=True, detail="x")  # a changed row the filter may match
    df = from_copy(log, monkeypatch, **filters)
    pd.testing.assert_frame_equal(df, full_read(log, **filters))


def test_filtered_loads_write_no_copy(log):
    log.to_pandas(action="search")
    assert not copy_path(log).exists()


def test_flatten_on_the_copy(log, monkeypatch):
    log.to_pandas()
    pd.testing.assert_frame_equal(from_copy(log, monkeypatch, flatten=True),
                                  hitl_nb.DecisionLog(log.target, frame_cache=False)
                                  .to_pandas(flatten=True))


def test_small_logs_get_no_copy(db, monkeypatch):
    monkeypatch.setattr(_frame_cache, "MIN_ROWS", len(K.ROWS) + 1)
    log = K.build(db)
    log.to_pandas()
    assert not copy_path(log).exists()


def test_frame_cache_false_neither_writes_nor_reads_a_copy(log, monkeypatch):
    hitl_nb.DecisionLog(log.target, frame_cache=False).to_pandas()
    assert not copy_path(log).exists()
    log.to_pandas()
    stale = copy_path(log).read_bytes()
    log.record_outcome("i0", ok=False, detail="after the copy")
    off = hitl_nb.DecisionLog(log.target, frame_cache=False)
    calls = []
    monkeypatch.setattr(_frame_cache, "_open", lambda *a: calls.append(a))
    assert off.to_pandas()["outcome_detail"].iloc[0] == "after the copy"
    assert calls == [] and copy_path(log).read_bytes() == stale


# -- a copy that disagrees with the log is never used --------------------------------------------
def _replaced_by_another_log(log, tmp_path):
    other = K.build(str(tmp_path / "other.db"))
    other.record(_request(1), Decision("approve", reviewer="x", decided_at=K.T0))
    other.to_pandas()
    os.replace(copy_path(other), copy_path(log))


def _garbage(log, tmp_path):
    copy_path(log).write_bytes(b"not an arrow file")


def _truncated(log, tmp_path):
    data = copy_path(log).read_bytes()
    copy_path(log).write_bytes(data[: len(data) // 2])


def _restored_from_an_older_backup(log, tmp_path):
    """The log goes back to before the copy's changes (its ``rev`` falls behind)."""
    backup = tmp_path / "backup.db"
    src = sqlite3.connect(log.target)
    src.backup(dst := sqlite3.connect(backup))
    dst.close()
    src.close()
    log.record_outcome("i4", ok=True, detail="after the backup")
    _frame_cache.save(copy_path(log), *_frame_arrow.read(log.backend, "", []))
    log.close()
    for suffix in ("-wal", "-shm"):
        Path(log.target + suffix).unlink(missing_ok=True)
    os.replace(backup, log.target)


def _change_notes_lost_and_a_row_moved(log, tmp_path):
    conn = sqlite3.connect(log.target)
    with conn:
        conn.execute("UPDATE hitl_decisions SET id = 100 WHERE id = 3")
        conn.execute("DELETE FROM hitl_changes WHERE id IN (3, 100)")  # never noted:
        # the copy's rev still holds, its last row too; only the row count differs
    conn.close()


def _write_copy(log, table, meta) -> None:
    import pyarrow as pa

    table = table.replace_schema_metadata({b"hitl_nb.frame_cache": json.dumps(meta)})
    with pa.OSFile(str(copy_path(log)), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)


def _metadata_without_its_rev(log, tmp_path):
    meta = {k: v for k, v in copy_meta(log).items() if k != "rev"}
    _write_copy(log, _frame_arrow.read(log.backend, "", [])[0], meta)


def _other_schema(log, tmp_path):
    table = _frame_arrow.read(log.backend, "", [])[0].drop_columns(["context"])
    _write_copy(log, table, copy_meta(log))


@pytest.mark.parametrize("spoil", [_replaced_by_another_log, _garbage, _truncated,
                                   _restored_from_an_older_backup,
                                   _change_notes_lost_and_a_row_moved,
                                   _metadata_without_its_rev, _other_schema])
def test_a_copy_that_disagrees_with_the_log_is_not_used_and_is_replaced(log, tmp_path,
                                                                       spoil):
    log.to_pandas()
    spoil(log, tmp_path)
    log = hitl_nb.DecisionLog(log.target)
    df = log.to_pandas()
    pd.testing.assert_frame_equal(df, full_read(log))
    reads = []
    real = _frame_arrow.read
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_frame_arrow, "read", lambda *a: reads.append(1) or real(*a))
        pd.testing.assert_frame_equal(log.to_pandas(), df)
    assert reads == [], "the fresh copy written by the full read was not used"


def test_a_copy_that_cannot_be_written_is_no_error_and_leaves_no_file(log, monkeypatch):
    def refuse(*args):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(_frame_cache.os, "replace", refuse)
    pd.testing.assert_frame_equal(log.to_pandas(), full_read(log))
    folder = copy_path(log).parent
    assert sorted(p.name for p in folder.iterdir() if "frame" in p.name) == []


def test_a_temporary_copy_abandoned_long_ago_is_removed_by_the_next_write(log):
    folder = copy_path(log).parent
    old, fresh = (folder / f"{copy_path(log).name}.{n}-1.tmp" for n in (111, 222))
    old.write_bytes(b"half a copy")
    fresh.write_bytes(b"being written")
    os.utime(old, (1, 1))
    log.to_pandas()
    assert not old.exists() and fresh.exists() and copy_path(log).exists()


def test_copies_are_written_in_the_background(log, monkeypatch):
    monkeypatch.setattr(_frame_cache, "BACKGROUND", True)
    df = log.to_pandas()
    _frame_cache.wait()
    assert copy_path(log).exists()
    pd.testing.assert_frame_equal(from_copy(log, monkeypatch), df)


def test_a_frame_from_the_copy_outlives_a_rewrite_and_can_be_changed(log, monkeypatch):
    monkeypatch.setattr(_frame_cache, "REWRITE_SPLICES", 0)
    log.to_pandas()
    df = from_copy(log, monkeypatch)
    log.record_outcome("i2", ok=True, detail="x")
    log.to_pandas()  # a rewrite replaces the file df's text lives in
    assert df["args"].iloc[9] == K.ROWS[9][2] and df["thread_id"].iloc[9] == "th8"
    df.loc[0, "latency_s"] = -1.0
    df.loc[0, "comment"] = "mine"
    assert (df["latency_s"].iloc[0], df["comment"].iloc[0]) == (-1.0, "mine")


def test_without_its_triggers_a_log_neither_uses_nor_writes_a_copy(log, db, monkeypatch):
    log.to_pandas()
    stale = copy_path(log).read_bytes()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DROP TRIGGER hitl_decisions_updated")
        conn.execute("UPDATE hitl_decisions SET comment = 'unnoted' WHERE id = 2")
    conn.close()
    opened = []
    monkeypatch.setattr(_frame_cache, "_open", lambda *a: opened.append(a))
    df = log.to_pandas()
    assert df["comment"].iloc[1] == "unnoted" and opened == []
    assert copy_path(log).read_bytes() == stale


# -- the change notes (schema version 3) ---------------------------------------------------------
def test_updates_and_deletes_are_noted_with_growing_revs(log, db):
    conn = sqlite3.connect(db)
    base = conn.execute("SELECT ifnull(max(rev), 0) FROM hitl_changes").fetchone()[0]
    log.record_outcome("i1", ok=True, detail="x")  # id 2
    with conn:
        conn.execute("DELETE FROM hitl_decisions WHERE id = 4")
        conn.execute("UPDATE hitl_decisions SET comment = 'c' WHERE id = 2")
    notes = dict(conn.execute("SELECT id, rev FROM hitl_changes WHERE rev > ?", (base,)))
    conn.close()
    assert set(notes) == {2, 4}
    assert notes[2] > notes[4] > base  # one note per row, its latest change


def test_version_2_log_is_upgraded_with_the_change_notes(tmp_path, monkeypatch):
    import shutil

    path = tmp_path / "v2.db"
    shutil.copy(FIXTURES / "hitl_v2.db", path)
    log = hitl_nb.DecisionLog(str(path))
    df = log.to_pandas()
    assert df["decision"].astype(str).tolist() == ["approve", "reject", "edit", "approve"]
    assert df["outcome_detail"].iloc[0] == "read 3 lines"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM hitl_meta WHERE key = 'schema_version'"
                        ).fetchone() == (str(hitl_nb.store.schema.VERSION),)
    triggers = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert triggers == {"hitl_decisions_updated", "hitl_decisions_renumbered",
                        "hitl_decisions_deleted"}
    conn.close()
    log.record_outcome(df["interrupt_id"].iloc[3], ok=False, detail="rolled back")
    monkeypatch.setattr(_frame_cache, "MIN_ROWS", 1)
    log.to_pandas()
    log.record_outcome(df["interrupt_id"].iloc[1], ok=True, detail="resent")
    got = from_copy(log, monkeypatch)
    assert got["outcome_detail"].fillna("-").tolist()[1:] == ["resent", "-", "rolled back"]


# -- a writer in another process: every load from the copy is one snapshot ------------------------
_READER = textwrap.dedent("""
    import sys, time
    import hitl_nb
    from hitl_nb.store.frame import arrow as _frame_arrow, cache as _frame_cache
    _frame_cache.MIN_ROWS, _frame_cache.REWRITE_SPLICES, _frame_cache.ROWS_PER_SPLICE = 5, 2, 1
    full = []
    real = _frame_arrow.read
    _frame_arrow.read = lambda *a: full.append(1) or real(*a)
    log = hitl_nb.DecisionLog(sys.argv[1])
    print("ready", flush=True)
""") + CHECKED_LOADS + "_frame_cache.wait()\nprint(reads, len(full), flush=True)\n"


@pytest.mark.slow
def test_loads_from_the_copy_are_one_snapshot_while_another_process_writes(db):
    log = hitl_nb.DecisionLog(db)
    log.record_auto("tool", {"n": 0}, reviewer="policy:bulk", thread_id="w")
    log.close()
    reads, full = map(int, reader_and_writer(db, _READER, WRITER, 300).split())
    assert reads >= 3, "the reader never read while the writer wrote"
    assert full < reads, "no load came from the copy"
