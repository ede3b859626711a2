"""The Arrow path of ``to_pandas`` (``data`` extra) gives exactly the stdlib path's frame:
same columns, order, dtypes and values, on awkward logs, in parts, under a writer."""

from __future__ import annotations

import sqlite3
import textwrap
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import hitl_nb
from hitl_nb import Decision, ReviewRequest, Risk
from hitl_nb.store.frame import arrow as _frame_arrow
from tests import _known_log as K
from tests._two_processes import CHECKED_LOADS, WRITER, reader_and_writer

pytest.importorskip("adbc_driver_sqlite")


def both(log: hitl_nb.DecisionLog, monkeypatch, **filters) -> tuple[pd.DataFrame, ...]:
    """(Arrow frame, stdlib frame); fails unless the Arrow path really read the log."""
    calls = []
    real = _frame_arrow.read
    monkeypatch.setattr(_frame_arrow, "read", lambda *a: calls.append(1) or real(*a))
    arrow = log.to_pandas(**filters)
    assert calls, "the Arrow path did not read the log"
    with monkeypatch.context() as m:
        m.setattr(_frame_arrow, "ENABLED", False)
        stdlib = log.to_pandas(**filters)
    return arrow, stdlib


def _request(n: int, **overrides) -> ReviewRequest:
    fields = {"action": "send_email", "args": {"to": f"u{n}@x.com"}, "thread_id": f"t{n % 3}",
              "interrupt_id": f"i{n}", "requested_at": K.T0 + timedelta(minutes=n),
              "format": "hitl_nb"}
    return ReviewRequest(**{**fields, **overrides})


@pytest.fixture
def awkward(db) -> hitl_nb.DecisionLog:
    """The known log plus rows the Arrow driver could mistype: unicode and control
    characters, empty strings, and columns NULL in the first rows but set later."""
    log = K.build(db)
    log.record(_request(20, action="envoyer_😀", args={"à": "ü\x1e\x1f", "n": [1, None]},
                        confidence=None, risk=None),
               Decision("respond", response="d'accord « oui »", comment="",
                        reviewer="zoë", decided_at=K.T0 + timedelta(days=4)))
    log.record(_request(21, args=[], requested_at=None),
               Decision("edit", args={"to": "x"}, reviewer="ana",
                        decided_at=K.T0 + timedelta(days=5, microseconds=7)))
    log.record_outcome("i21", ok=True, detail="late detail",
                       when=datetime(2026, 3, 9, tzinfo=timezone.utc))
    assert log.take_resume_lease("t2", ["i20"], owner="host:1:kernel")  # owner and lease stay set
    assert log.take_resume_lease("t0", ["i21"], owner="host:1:kernel")
    log.release_resume_lease("t0", ["i21"], error="boom: ünïcode")
    return log


FILTERS = [
    {},
    {"thread_id": "th1"},
    {"action": "envoyer_😀"},
    {"since": K.T0 + timedelta(days=1)},
    {"since": K.T0 + timedelta(days=1), "action": "search", "thread_id": "th5"},
    {"action": "no_such_tool"},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_arrow_and_stdlib_frames_are_equal(awkward, monkeypatch, filters):
    arrow, stdlib = both(awkward, monkeypatch, **filters)
    pd.testing.assert_frame_equal(arrow, stdlib)
    assert list(arrow.columns) == list(stdlib.columns)
    for col in ("args", "edited_args", "response", "request", "context", "resume_value"):
        assert arrow[col].tolist() == stdlib[col].tolist()  # parsed cells, None for NULL


def test_flattened_frames_are_equal(awkward, monkeypatch):
    arrow, stdlib = both(awkward, monkeypatch, flatten=True)
    pd.testing.assert_frame_equal(arrow, stdlib)
    assert arrow["args.à"].iloc[-2] == "ü\x1e\x1f"


def _frame_arrow_off(log, monkeypatch, **kwargs) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(_frame_arrow, "ENABLED", False)
        return log.to_pandas(**kwargs)


def test_empty_log_frames_are_equal(db, monkeypatch):
    arrow, stdlib = both(hitl_nb.DecisionLog(db), monkeypatch)
    assert arrow.empty
    pd.testing.assert_frame_equal(arrow, stdlib)


def test_columns_null_in_the_first_batches_then_set_are_typed_alike(db, monkeypatch):
    """The driver infers types from its first batch: with batches of 2 rows, every
    nullable column is NULL in the first batches and set only later."""
    monkeypatch.setattr(_frame_arrow, "BATCH_ROWS", 2)
    log = hitl_nb.DecisionLog(db)
    for n in range(6):
        late = n >= 4
        log.record(_request(n, confidence=0.5 if late else None,
                            risk=Risk("always", 1) if late else None,
                            requested_at=K.T0 if late else None),
                   Decision("edit" if late else "approve", args={"k": n} if late else None,
                            comment="set" if late else None, reviewer="ana",
                            decided_at=K.T0 + timedelta(seconds=n)))
    log.record_outcome("i5", ok=False, detail={"why": "late"})
    log.release_resume_lease("t2", ["i5"], error="late error")
    log.backend.conn.execute("UPDATE hitl_decisions SET latency_s = 3 WHERE interrupt_id = 'i5'")
    arrow, stdlib = both(log, monkeypatch)
    pd.testing.assert_frame_equal(arrow, stdlib)
    assert arrow["comment"].isna().sum() == 4
    assert arrow["latency_s"].iloc[-1] == 3.0


def test_value_of_an_unexpected_kind_falls_back_to_the_stdlib_path(known_log, monkeypatch):
    known_log.backend.conn.execute(
        "UPDATE hitl_decisions SET outcome_ok = 'yes' WHERE interrupt_id = 'i9'")
    assert _frame_arrow.load(known_log.backend, "", ()) is None  # refused, not mistyped
    df = known_log.to_pandas()
    assert df["outcome_ok"].iloc[9] == True  # noqa: E712  (bool('yes'), as before)
    pd.testing.assert_frame_equal(df, _frame_arrow_off(known_log, monkeypatch))


@pytest.fixture
def known_log(db) -> hitl_nb.DecisionLog:
    return K.build(db)


@pytest.mark.parametrize("parts", [2, 3])
def test_parts_read_in_threads_give_the_same_frame(known_log, monkeypatch, parts):
    monkeypatch.setattr(_frame_arrow, "PARTS", parts)
    monkeypatch.setattr(_frame_arrow, "PARALLEL_MIN_ROWS", 1)
    threads = []
    real = _frame_arrow._in_threads
    monkeypatch.setattr(_frame_arrow, "_in_threads",
                        lambda *a: threads.append(len(a[0])) or real(*a))
    for filters in ({}, {"action": "search"}):
        arrow, stdlib = both(known_log, monkeypatch, **filters)
        pd.testing.assert_frame_equal(arrow, stdlib)
    assert threads == [parts, parts]


def test_a_commit_between_the_parts_snapshots_leaves_one_reader(known_log, db, monkeypatch):
    """Parts are one snapshot only if nothing was committed while they began: here a
    commit lands between them, so the first connection reads everything alone."""
    monkeypatch.setattr(_frame_arrow, "PARTS", 2)
    monkeypatch.setattr(_frame_arrow, "PARALLEL_MIN_ROWS", 1)
    opened = []
    real_connect, real_threads = _frame_arrow.connect, _frame_arrow._in_threads

    def connect(path):
        if len(opened) == 2:  # the id range, then part 1 began; now a row of each part
            other = sqlite3.connect(db)  # changes, in one commit, before part 2 begins
            with other:
                other.execute("UPDATE hitl_decisions SET comment = 'late' WHERE id IN (1, 10)")
            other.close()
        opened.append(path)
        return real_connect(path)

    monkeypatch.setattr(_frame_arrow, "connect", connect)
    monkeypatch.setattr(_frame_arrow, "_in_threads", lambda *a: pytest.fail("parts used"))
    df = known_log.to_pandas()
    assert len(opened) == 3
    assert df["comment"].iloc[0] == K.ROWS[0][5] and pd.isna(df["comment"].iloc[9])
    monkeypatch.setattr(_frame_arrow, "_in_threads", real_threads)
    monkeypatch.setattr(_frame_arrow, "connect", real_connect)
    assert known_log.to_pandas()["comment"].iloc[[0, 9]].tolist() == ["late", "late"]


def test_uncommitted_writes_of_the_logs_own_connection_are_seen(known_log):
    conn = known_log.backend.conn
    conn.execute("BEGIN")
    try:
        conn.execute("UPDATE hitl_decisions SET comment = 'not yet committed' WHERE id = 1")
        assert _frame_arrow.load(known_log.backend, "", ()) is None  # another connection
        assert known_log.to_pandas()["comment"].iloc[0] == "not yet committed"
    finally:
        conn.execute("ROLLBACK")


def test_in_memory_log_uses_the_stdlib_path():
    log = hitl_nb.DecisionLog(":memory:")
    log.record_auto("read_file", {"path": "a"}, reviewer="policy:read_only", thread_id="t")
    assert _frame_arrow.load(log.backend, "", ()) is None
    assert log.to_pandas()["action"].tolist() == ["read_file"]


def test_file_name_needing_uri_escapes(tmp_path, monkeypatch):
    folder = tmp_path / "a b#c?d%e ü"
    folder.mkdir()
    log = K.build(str(folder / "hitl log.db"))
    arrow, stdlib = both(log, monkeypatch)
    pd.testing.assert_frame_equal(arrow, stdlib)


def test_log_opened_from_a_connection(db, monkeypatch):
    K.build(db).close()
    log = hitl_nb.DecisionLog(sqlite3.connect(db, check_same_thread=False))
    arrow, stdlib = both(log, monkeypatch)
    assert len(arrow) == len(K.ROWS)
    pd.testing.assert_frame_equal(arrow, stdlib)


def test_frames_survive_pickle_and_parquet(known_log, tmp_path):
    import pickle

    df = known_log.to_pandas()
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(df)), df)
    df.to_parquet(tmp_path / "d.parquet")
    back = pd.read_parquet(tmp_path / "d.parquet")
    assert back["args"].tolist() == df["args"].array.text.tolist()  # JSON as text


# -- a writer in another process: every read is one snapshot ----------------------------------
_READER = textwrap.dedent("""
    import sys, time
    import hitl_nb
    from hitl_nb.store.frame import arrow as _frame_arrow
    _frame_arrow.PARTS, _frame_arrow.PARALLEL_MIN_ROWS, _frame_arrow.BATCH_ROWS = 3, 1, 8
    parted = []
    real = _frame_arrow._in_threads
    _frame_arrow._in_threads = lambda *a: parted.append(1) or real(*a)
    log = hitl_nb.DecisionLog(sys.argv[1])
    log.to_pandas()
    print("ready", flush=True)
""") + CHECKED_LOADS + "print(reads, len(parted), flush=True)\n"


@pytest.mark.slow
def test_reads_in_parts_are_one_snapshot_while_another_process_writes(db):
    log = hitl_nb.DecisionLog(db)
    log.record_auto("tool", {"n": 0}, reviewer="policy:bulk", thread_id="w")
    log.close()
    reads, parted = map(int, reader_and_writer(db, _READER, WRITER, 300).split())
    assert parted > 0, "no read was split into parts"
    assert reads >= 2, "the reader never read while the writer wrote"


def test_wrapped_string_offsets_of_the_first_batch_are_refused():
    """The driver's first batch does not check int32 offsets: a column past 2 GiB wraps
    (as three 750 MB cells gave); such a column is refused, never typed."""
    import numpy as np
    import pyarrow as pa

    wrapped = np.array([0, 0, 750_000_000, 1_500_000_000, -2_044_967_296], dtype=np.int32)
    assert _frame_arrow._wrapped(wrapped)
    assert _frame_arrow._wrapped(np.array([5, 3], dtype=np.int32))
    assert not _frame_arrow._wrapped(np.array([0, 0, 7, 2_000_000_000], dtype=np.int32))
    _frame_arrow._check_first_batch(pa.table({"request": ["a", None, "bc"]}))
