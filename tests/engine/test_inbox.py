"""The inbox lists pending reviews across threads from the queue table, kept consistent."""

from __future__ import annotations

import pandas as pd
import pytest

import hitl_nb
from hitl_nb import ClaimedByOther, Decision, Inbox, Session, StaleRequest
from tests._team import start_threads, team


def test_inbox_lists_every_pending_thread_with_queue_details(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 3)
    start_threads(graph, log, 1, prefix="big", amount=5000.0)
    pending = Inbox(backend).pending
    assert sorted(r.thread_id for r in pending) == ["big0", "t0", "t1", "t2"]
    big = next(r for r in pending if r.thread_id == "big0")
    assert big.action == "pay"
    assert big.args == {"to": "vendor 0", "amount": 5000.0}
    assert big.risk.tier == "always"
    assert big.confidence == 0.6
    assert big.requested_at is not None
    assert big.extra["claimed_by"] is None


def test_inbox_filters_sorts_and_pages_in_sql(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 5)
    start_threads(graph, log, 2, prefix="big", amount=5000.0)
    inbox = Inbox(backend)
    assert {r.thread_id for r in inbox.list(tier="always")} == {"big0", "big1"}
    assert inbox.count(tier="uncertain") == 5
    page1 = inbox.list(order="thread", limit=3)
    page2 = inbox.list(order="thread", limit=3, offset=3)
    page3 = inbox.list(order="thread", limit=3, offset=6)
    assert [r.thread_id for r in page1 + page2 + page3] == \
        ["big0", "big1", "t0", "t1", "t2", "t3", "t4"]
    assert inbox.list(older_than_s=3600) == []
    assert inbox.to_pandas().shape[0] == 7


def test_decided_and_applied_requests_leave_the_inbox(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 2)
    inbox = Inbox(backend, graph=graph, reviewer="ana")
    first = inbox.list(order="thread")[0]
    inbox.decide(first, Decision("approve"))
    assert [r.thread_id for r in inbox.pending] == ["t1"]
    assert [r.thread_id for r in inbox.list(state="applied")] == ["t0"]
    row = log.to_pandas().iloc[0]
    assert (row.thread_id, row.decision, row.reviewer, row.status) == \
        ("t0", "approve", "ana", "applied")


def test_interrupt_resumed_outside_hitl_nb_is_marked_gone(backend):
    from langgraph.types import Command

    graph, log = team(backend, None)
    start_threads(graph, log, 2)
    config = {"configurable": {"thread_id": "t0"}}
    graph.invoke(Command(resume={"type": "reject"}), config)   # someone bypassed the log
    Session(graph, thread_id="t0", log=log).start(None)        # opening it notices
    assert [r.thread_id for r in Inbox(backend).pending] == ["t1"]
    assert [r.thread_id for r in Inbox(backend).list(state="gone")] == ["t0"]


def test_stale_inbox_entry_names_the_winner(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 1)
    ana = Inbox(backend, graph=graph, reviewer="ana")
    bob = Inbox(backend, graph=graph, reviewer="bob")
    seen_by_bob = bob.pending[0]
    ana.decide(ana.pending[0], Decision("approve"))
    with pytest.raises(StaleRequest, match="approved by ana"):
        bob.decide(seen_by_bob, Decision("reject"))
    assert len(log) == 1


def test_claim_shows_reviewer_and_blocks_others_until_taken_over(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1)
    ana = Inbox(backend, graph=graph, reviewer="ana")
    bob = Inbox(backend, graph=graph, reviewer="bob")
    ana.claim(ana.pending[0], for_s=600)
    request = bob.pending[0]
    assert request.extra["claimed_by"] == "ana"
    assert bob.list(reviewer="ana")[0].thread_id == "t0"
    assert bob.list(reviewer="") == []
    with pytest.raises(ClaimedByOther, match="being reviewed by ana"):
        bob.claim(request)
    with pytest.raises(ClaimedByOther, match="being reviewed by ana"):
        bob.decide(request, Decision("approve"))
    assert len(log) == 0
    bob.claim(request, take_over=True)
    assert bob.pending[0].extra["claimed_by"] == "bob"
    bob.decide(request, Decision("approve"))
    assert log.to_pandas().reviewer.tolist() == ["bob"]


def test_released_claim_frees_the_request(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 1)
    inbox = Inbox(backend, reviewer="ana")
    inbox.claim(inbox.pending[0])
    inbox.release(inbox.pending[0])
    assert inbox.pending[0].extra["claimed_by"] is None


def test_bulk_approve_logs_and_resumes_each_once(backend, ledger):
    from tests._team import ledger_counts

    graph, log = team(backend, ledger)
    start_threads(graph, log, 4)
    inbox = Inbox(backend, graph=graph, reviewer="ana")
    chosen = inbox.list(order="thread")[:3]
    outcomes = inbox.decide_many(chosen, "approve", comment="batch")
    assert all(isinstance(o, Decision) for _, o in outcomes)
    assert ledger_counts(ledger) == {"t0": 1, "t1": 1, "t2": 1}
    again = inbox.decide_many(chosen, "approve")           # a second bulk click
    assert all(isinstance(o, hitl_nb.AlreadyDecided) for _, o in again)
    assert ledger_counts(ledger) == {"t0": 1, "t1": 1, "t2": 1}
    assert [r.thread_id for r in inbox.pending] == ["t3"]
    assert len(log) == 3


def test_inbox_opens_from_a_checkpointer_or_graph(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 2)
    assert Inbox(graph.checkpointer).count() == 2
    assert Inbox(None, graph=graph).count() == 2


def test_sync_imports_threads_run_outside_hitl_nb(backend):
    graph, _log = team(backend, None)
    for i in range(3):
        graph.invoke({"task": "x", "amount": 10.0, "to": "v"},
                     {"configurable": {"thread_id": f"raw{i}"}})
    inbox = Inbox(backend, graph=graph)
    assert inbox.pending == []
    assert inbox.sync() == 3
    assert sorted(r.thread_id for r in inbox.pending) == ["raw0", "raw1", "raw2"]


def test_listing_never_reads_a_thread_state(backend, monkeypatch):
    graph, log = team(backend, None)
    start_threads(graph, log, 3)
    inbox = Inbox(backend, graph=graph)

    def forbidden(*args, **kwargs):
        raise AssertionError("the inbox read a thread's state to list it")

    monkeypatch.setattr(type(graph), "get_state", forbidden)
    monkeypatch.setattr(type(graph.checkpointer), "get_tuple", forbidden)
    assert len(inbox.pending) == 3
    assert inbox.count() == 3 and len(inbox.to_pandas()) == 3


def _cell(value):
    """A table cell as the request holds it: None for a missing value."""
    if pd.isna(value):
        return None
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def test_table_listing_matches_the_requests_field_by_field(backend):
    """`Inbox.to_pandas` reads only the queue's columns; every field must agree with the
    `ReviewRequest` objects of `pending` (claims, votes, deadlines and tiers included)."""
    graph, log = team(backend, None)
    start_threads(graph, log, 2)
    start_threads(graph, log, 1, prefix="big", amount=5000.0, approvals=2)
    start_threads(graph, log, 1, prefix="late", timeout_s=3600)
    ana = Session(graph, thread_id="big0", log=log, reviewer="ana").start(None)
    ana.decide(ana.pending[0], Decision("approve"))          # 1 of 2 approvals
    inbox = Inbox(backend, reviewer="bob")
    inbox.claim(next(r for r in inbox.pending if r.thread_id == "t1"), for_s=600)

    table = inbox.to_pandas(order="thread")
    requests = inbox.list(order="thread")
    assert list(table.columns) == ["thread_id", "interrupt_id", "index", "action", "tier",
                                   "confidence", "requested_at", "age_s", "expires_at",
                                   "approvals", "claimed_by"]
    assert str(table.requested_at.dtype) == str(table.expires_at.dtype) == "datetime64[us, UTC]"
    assert table.confidence.dtype == table.age_s.dtype == "float64"
    assert table.thread_id.tolist() == ["big0", "late0", "t0", "t1"]
    for row, r in zip(table.itertuples(), requests, strict=True):
        assert (row.thread_id, row.interrupt_id, row.index, row.action) == \
            (r.thread_id, r.interrupt_id, r.index, r.action)
        assert row.tier == r.risk.tier and row.confidence == r.confidence
        assert row.requested_at.to_pydatetime() == r.requested_at
        assert _cell(row.expires_at) == r.expires_at
        assert row.approvals == Inbox.approvals_text(r)
        assert _cell(row.claimed_by) == r.extra["claimed_by"]
    assert table.set_index("thread_id").approvals.to_dict() == \
        {"big0": "1 of 2 approvals", "late0": "", "t0": "", "t1": ""}
    assert [_cell(v) for v in table.claimed_by] == [None, None, None, "bob"]
    assert table.tier.tolist() == ["always", "uncertain", "uncertain", "uncertain"]
    assert table.expires_at.isna().tolist() == [True, False, True, True]
    assert (table.age_s >= 0).all() and (table.age_s < 300).all()
    assert inbox.to_pandas(tier="always").thread_id.tolist() == ["big0"]
    assert inbox.to_pandas(reviewer="bob").thread_id.tolist() == ["t1"]
    assert inbox.to_pandas(order="thread", limit=2, offset=1).thread_id.tolist() == \
        ["late0", "t0"]


def test_table_listing_of_an_empty_queue_keeps_its_columns_and_types(backend):
    table = Inbox(backend).to_pandas()
    assert len(table) == 0 and len(table.columns) == 11
    assert str(table.requested_at.dtype) == "datetime64[us, UTC]"
    assert table.confidence.dtype == "float64" and table["index"].dtype == "int64"


def test_a_stored_request_written_by_hand_still_lists_with_the_others(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 3)
    edits = [('{"args": [1, 2], "risk": {"tier": "always"}}', "t0"),  # no score, no reasons
             ("5", "t1")]                                           # JSON, but not an object
    if backend.endswith(".db"):
        import sqlite3

        with sqlite3.connect(backend) as conn:
            conn.executemany("UPDATE hitl_requests SET request = ? WHERE thread_id = ?", edits)
    else:
        import psycopg

        with psycopg.connect(backend, autocommit=True) as conn:
            for edit in edits:
                conn.execute("UPDATE hitl_requests SET request = %s WHERE thread_id = %s", edit)
    pending = {r.thread_id: r for r in Inbox(backend).pending}
    assert set(pending) == {"t0", "t1", "t2"}
    assert pending["t0"].args == [1, 2] and pending["t0"].risk.tier == "always"
    assert pending["t1"].args == 5
    assert pending["t2"].args == {"to": "vendor 2", "amount": 102.0}
