"""Storage failures are hitl_nb errors that name the file or server and say what to do:
a damaged file, a read-only file or folder, a log locked by another process, text a
backend cannot store; and quoted text stays short, however long the original.

Read-only as root: ``chmod 0444`` does not stop root, so these tests make the file (or the
folder) immutable with ``chattr +i``, which does (as a normal user they use chmod); they
skip where neither is possible.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import hitl_nb
from hitl_nb.examples import seed_graph
from tests.graphs import single


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _settle(path: str | Path) -> None:
    """Fold the WAL into the file, as a clean shutdown leaves it."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


WRITE_LOG = textwrap.dedent("""
    import sys, hitl_nb
    from hitl_nb.examples import seed_graph
    path = sys.argv[1]
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(path))
    hitl_nb.review(graph, {"task": "send the Q3 numbers"}, thread_id="t0", log=path,
                   display=False, reviewer="ana").cards[0].approve(comment="ok")
    hitl_nb.review(graph, {"task": "send the Q4 numbers"}, thread_id="t1", log=path,
                   display=False)
""")


def _log_with_a_pending_review(path: str) -> None:
    """One decision and one pending review, written by another (finished) process, so this
    one holds no connection to the file."""
    subprocess.run([sys.executable, "-c", WRITE_LOG, path], check=True, timeout=120)
    _settle(path)


@contextmanager
def _read_only(path: Path):
    """Make ``path`` (a file or a folder) unwritable, even for root."""
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        undo = ["chmod", "u+w", str(path)]
    else:
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a file read-only for root here (chattr +i failed)")
        undo = ["chattr", "-i", str(path)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)


# -- a damaged file --------------------------------------------------------------------
def _damage(path: Path, how: str) -> None:
    """Garbage over everything but the header page, or the file cut in half; written as a
    new file so no connection of this process still sees the old one."""
    data = path.read_bytes()
    bad = data[:4096] + b"\xde\xad" * ((len(data) - 4096) // 2) if how == "garbage" \
        else data[: len(data) // 2 + 100]
    fresh = path.with_suffix(".new")
    fresh.write_bytes(bad)
    os.replace(fresh, path)


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_damaged_log_raises_log_unavailable_and_is_left_as_it_was(tmp_path, how):
    log_path = tmp_path / "log.db"
    _log_with_a_pending_review(str(log_path))
    _damage(log_path, how)
    before = _sha(log_path)
    with pytest.raises(hitl_nb.LogUnavailable, match=r"log\.db.*damaged.*backup"):
        hitl_nb.DecisionLog(log_path).to_pandas()
    with pytest.raises(hitl_nb.LogUnavailable, match="damaged"):
        hitl_nb.Inbox(str(log_path)).pending  # noqa: B018
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(tmp_path / "checkpoints.db"))
    with pytest.raises(hitl_nb.LogUnavailable, match="damaged"):
        hitl_nb.review(graph, {"task": "x"}, thread_id="t2", log=str(log_path), display=False)
    gc.collect()
    assert _sha(log_path) == before


def test_garbage_file_is_refused_by_log_and_checkpointer(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 200)
    with pytest.raises(hitl_nb.LogUnavailable, match=r"notes\.db"):
        hitl_nb.DecisionLog(path)
    with pytest.raises(hitl_nb.LogUnavailable, match=r"checkpoint file .*notes\.db"):
        hitl_nb.checkpointer(path)
    assert path.read_bytes() == b"these are my notes, not a database" * 200


# -- read-only -------------------------------------------------------------------------
def test_read_only_file_reads_and_refuses_to_record(tmp_path):
    path = tmp_path / "hitl.db"
    _log_with_a_pending_review(str(path))
    before = _sha(path)
    with _read_only(path):
        graph = seed_graph(checkpointer=hitl_nb.checkpointer(path))
        view = hitl_nb.review(graph, None, thread_id="t1", log=str(path), display=False)
        assert [r.action for r in view.pending] == ["send_email"]
        assert hitl_nb.DecisionLog(path).to_pandas().comment.tolist() == ["ok"]
        assert len(hitl_nb.Inbox(str(path), expire=False).pending) == 1
        with pytest.raises(hitl_nb.LogReadOnly, match=r"hitl\.db.*read-only.*read_only=True"):
            view.cards[0].approve()
        assert view.cards[0].decision is None
        del view, graph
        gc.collect()
        assert _sha(path) == before
    assert len(hitl_nb.DecisionLog(path)) == 1


def test_read_only_option_writes_nothing_even_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    path = folder / "hitl.db"
    _log_with_a_pending_review(str(path))
    files, before = sorted(os.listdir(folder)), _sha(path)
    with _read_only(folder):
        log = hitl_nb.DecisionLog(path, read_only=True)
        df = log.to_pandas()
        assert df.decision.tolist() == ["approve"] and len(log) == 1
        request = hitl_nb.Inbox(log, expire=False).pending[0]
        with pytest.raises(hitl_nb.LogReadOnly, match="opened read-only"):
            log.record(request, hitl_nb.Decision("reject", reviewer="bo"))
        log.close()
    assert sorted(os.listdir(folder)) == files and _sha(path) == before


def test_read_only_option_never_creates_a_log(tmp_path):
    with pytest.raises(hitl_nb.LogUnavailable, match="does not exist"):
        hitl_nb.DecisionLog(tmp_path / "missing.db", read_only=True)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    log = hitl_nb.DecisionLog(empty, read_only=True)
    with pytest.raises(hitl_nb.LogUnavailable, match="holds no decision log"):
        log.to_pandas()
    assert sorted(os.listdir(tmp_path)) == ["empty.db"] and empty.stat().st_size == 0


# -- locked by another process ---------------------------------------------------------
HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
""")


def test_locked_log_raises_log_busy_in_time_and_the_card_stays_decidable(db):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(db))
    log = hitl_nb.DecisionLog(db, busy_timeout=0.5)
    view = hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=log, display=False)
    card = view.cards[0]
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(hitl_nb.LogBusy, match=r"hitl\.db.*another process.*0\.5 s"):
            card.approve()
        assert time.monotonic() - started < 5.0
        assert len(hitl_nb.DecisionLog(db)) == 0 and not view.done
        assert card.decision is None and not card.busy   # the buttons are back on
    finally:
        holder.communicate("\n", timeout=30)
    card.approve()
    assert view.done and view.result["result"].startswith("done:")
    assert hitl_nb.DecisionLog(db).to_pandas().status.tolist() == ["applied"]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_row_locked_on_postgres_raises_log_busy_and_records_nothing(backend):
    import psycopg

    graph = single(hitl_nb.checkpointer(backend), {"action": "pay"})
    log = hitl_nb.DecisionLog(backend, busy_timeout=0.5)
    view = hitl_nb.review(graph, {}, thread_id="t1", log=log, display=False)
    with psycopg.connect(backend) as other:  # another session holds the queue row
        other.execute("SELECT * FROM hitl_requests FOR UPDATE").fetchall()
        started = time.monotonic()
        with pytest.raises(hitl_nb.LogBusy, match=r"PostgreSQL.*busy"):
            view.cards[0].approve()
        assert time.monotonic() - started < 5.0
        other.rollback()
    assert len(log) == 0
    view.cards[0].approve()
    assert view.done and len(log) == 1


# -- values a backend cannot store -----------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_nul_in_a_comment_on_postgres_is_refused_before_anything_is_recorded(backend):
    graph = single(hitl_nb.checkpointer(backend), {"action": "pay"})
    view = hitl_nb.review(graph, {}, thread_id="t1", log=backend, display=False)
    card = view.cards[0]
    with pytest.raises(hitl_nb.InvalidResponse, match="comment contains a NUL"):
        card.reject(comment="no\x00way")
    log = hitl_nb.DecisionLog(backend)
    assert len(log) == 0 and card.decision is None
    card.reject(comment="no way")
    assert view.done and log.to_pandas().comment.tolist() == ["no way"]


# -- bounded echoes --------------------------------------------------------------------
def test_a_megabyte_comment_is_stored_whole_but_quoted_briefly(db, start):
    comment = "x" * 1_048_576
    view = start(single(hitl_nb.checkpointer(db), {"action": "pay"}), {})
    card = view.cards[0]
    request = card.request
    card.reject(comment=comment)
    assert hitl_nb.DecisionLog(db).to_pandas().comment.tolist() == [comment]
    assert len(card.status) < 5_000 and "1,048,576 characters" in card.status
    with pytest.raises(hitl_nb.AlreadyDecided) as second:
        card.approve()
    with pytest.raises(hitl_nb.AlreadyDecided) as logged:
        hitl_nb.DecisionLog(db).record(request, hitl_nb.Decision("approve", reviewer="bo"))
    with pytest.raises(hitl_nb.StaleRequest) as stale:
        hitl_nb.ReviewCard(request, view.session.decide).approve()  # an old output cell
    for exc in (second.value, logged.value, stale.value):
        assert len(str(exc)) < 1_000, len(str(exc))
        assert "rejected by ana" in str(exc)
        assert "(1,048,576 characters; full text in the decision log)" in str(exc)


def test_a_huge_action_name_is_quoted_briefly_in_errors(db, start):
    name = "send_" + "x" * 100_000
    view = start(single(hitl_nb.checkpointer(db), {"action": name}), {})
    request = view.cards[0].request
    with pytest.raises(hitl_nb.NotAllowed) as not_allowed:   # no arguments: no Edit
        view.session.decide(request, hitl_nb.Decision("edit", args={"a": 1}))
    view.cards[0].approve()
    with pytest.raises(hitl_nb.StaleRequest) as stale:
        view.session.decide(request, hitl_nb.Decision("reject"))
    for exc in (not_allowed.value, stale.value):
        assert len(str(exc)) < 1_500, len(str(exc))
        assert "100,005 characters" in str(exc)
    assert hitl_nb.DecisionLog(db).to_pandas().action.tolist() == [name]   # stored whole
