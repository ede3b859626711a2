"""The log's API for what the policy, the engine and the reviewer app read and write
(`log.choices`, `log.notes`, `decisions_on`, `count_decided`, `undecided`), on SQLite and
PostgreSQL: what is stored, what survives a new log, what a read-only log does."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

import hitl_nb
from hitl_nb import Decision, DecisionLog, ReviewRequest

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _request(iid: str, thread: str = "t1", index: int = 0, action: str = "send") -> ReviewRequest:
    return ReviewRequest(action=action, args={"n": iid}, thread_id=thread, interrupt_id=iid,
                         index=index, task=f"task of {iid}")


# -- remembered choices and first verdicts ---------------------------------------------------
def test_remembered_choices_persist_in_a_new_log_per_policy(backend):
    log = DecisionLog(backend)
    log.choices.remember("default", "search", "allow", "ana", T0)
    log.choices.remember("default", "delete", "allow", "ana", T0)
    log.choices.remember("default", "delete", "reject", "bob", T0 + timedelta(minutes=1))
    log.choices.remember("strict", "search", "reject", "", T0)
    log.close()

    again = DecisionLog(backend)
    assert again.choices.listing("default") == [
        ("delete", "reject", "bob", T0 + timedelta(minutes=1)),
        ("search", "allow", "ana", T0)]
    assert again.choices.listing("default", "search") == [("search", "allow", "ana", T0)]
    assert again.choices.listing("strict") == [("search", "reject", "", T0)]
    assert again.choices.listing("nobody") == []


def test_forget_counts_what_it_dropped_and_leaves_other_policies(backend):
    log = DecisionLog(backend)
    for tool in ("a", "b", "c"):
        log.choices.remember("default", tool, "allow")
    log.choices.remember("other", "a", "reject")
    assert log.choices.forget("default", "a") == 1
    assert log.choices.forget("default", "a") == 0
    assert log.choices.forget("default") == 2
    assert log.choices.listing("default") == []
    assert [c[:2] for c in DecisionLog(backend).choices.listing("other")] == [("a", "reject")]


def test_the_first_verdict_wins_for_every_writer(backend):
    first = DecisionLog(backend)
    assert first.choices.verdict("p", "t1", "call-1") is None
    writers = [DecisionLog(backend, busy_timeout=30 + n) for n in range(6)]
    assert len({id(w.backend) for w in writers}) == 6  # six connections, as six processes
    start = threading.Barrier(len(writers))
    got: dict[int, dict] = {}

    def write(n: int) -> None:
        log = writers[n]
        log.setup()
        start.wait()
        got[n] = log.choices.first_verdict("p", "t1", "call-1", {"by": n})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(writers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stored = first.choices.verdict("p", "t1", "call-1")
    assert stored in [{"by": n} for n in range(len(writers))]
    assert got == dict.fromkeys(range(len(writers)), stored)
    assert first.choices.first_verdict("p", "t1", "call-1", {"by": "late"}) == stored
    assert first.choices.verdict("p", "t2", "call-1") is None  # per thread
    assert first.choices.verdict("q", "t1", "call-1") is None  # per policy


def test_a_read_only_log_reads_the_choices_and_refuses_to_change_them(backend):
    writer = DecisionLog(backend)
    writer.setup()
    reader = DecisionLog(backend, read_only=True)
    assert reader.choices.listing("default") == []          # no policy tables yet
    assert reader.choices.verdict("default", "t1", "k") is None
    with pytest.raises(hitl_nb.LogReadOnly):
        reader.choices.remember("default", "search", "allow")

    writer.choices.remember("default", "search", "allow", "ana", T0)
    writer.choices.first_verdict("default", "t1", "k", {"decision": "approve"})
    assert reader.choices.listing("default") == [("search", "allow", "ana", T0)]
    assert reader.choices.verdict("default", "t1", "k") == {"decision": "approve"}
    for change in (lambda: reader.choices.remember("default", "x", "reject"),
                   lambda: reader.choices.forget("default"),
                   lambda: reader.choices.first_verdict("default", "t2", "k", {})):
        with pytest.raises(hitl_nb.LogReadOnly):
            change()
    assert writer.choices.listing("default") == [("search", "allow", "ana", T0)]


# -- notes ---------------------------------------------------------------------------------
def test_notes_are_kept_replaced_and_read_back_by_a_new_log(backend):
    log = DecisionLog(backend)
    assert log.notes.get("stuck:t1") is None
    log.notes.put("stuck:t1", '{"checkpoint_id": "a"}')
    log.notes.put("stuck:t1", '{"checkpoint_id": "b"}')
    log.notes.put("stuck:t2", "x")
    log.close()
    again = DecisionLog(backend)
    assert again.notes.get("stuck:t1") == '{"checkpoint_id": "b"}'
    assert again.notes.get("stuck:t2") == "x"


def test_a_note_cannot_overwrite_the_schema_version(backend):
    log = DecisionLog(backend)
    version = log.notes.get("schema_version")
    assert version is not None
    with pytest.raises(hitl_nb.HitlError, match="schema_version"):
        log.notes.put("schema_version", "1")
    assert log.notes.get("schema_version") == version


def test_a_read_only_log_reads_notes_and_refuses_new_ones(backend):
    writer = DecisionLog(backend)
    writer.notes.put("stuck:t1", "why")
    reader = DecisionLog(backend, read_only=True)
    assert reader.notes.get("stuck:t1") == "why"
    with pytest.raises(hitl_nb.LogReadOnly):
        reader.notes.put("stuck:t1", "other")
    assert reader.notes.get("stuck:t1") == "why"


# -- decisions by action, decisions since ----------------------------------------------------
def test_decisions_on_an_action_leave_out_the_excluded_reviewers(backend):
    log = DecisionLog(backend)
    log.record_auto("send", {"to": "a"}, reviewer="ana", when=T0)
    log.record_auto("send", {"to": "b"}, reviewer="policy:read_only", when=T0)
    log.record_auto("send", {"to": "c"}, decision="edit", reviewer="bob",
                    when=T0 + timedelta(seconds=1))
    log.record_auto("send", {"to": "d"}, decision="reject", reviewer="timeout", when=T0)
    log.record_auto("other", {"to": "e"}, reviewer="ana", when=T0)
    assert log.decisions_on("send", excluding=["policy:"]) == [
        ({"to": "a"}, "approve", "ana", None),
        ({"to": "c"}, "edit", "bob", {"to": "c"}),
        ({"to": "d"}, "reject", "timeout", None)]
    assert [r[2] for r in log.decisions_on("send")] == \
        ["ana", "policy:read_only", "bob", "timeout"]
    assert log.decisions_on("nothing") == []


def test_count_decided_since_leaves_out_policies_and_timeouts_as_the_budget_does(backend):
    log = DecisionLog(backend)
    since = T0
    for reviewer, at in [("ana", T0), ("bob", T0 + timedelta(minutes=5)),
                         ("ana", T0 - timedelta(seconds=1)),       # before: not counted
                         ("policy:read_only", T0), ("timeout", T0), ("timeout:4h", T0),
                         ("policy", T0),                           # bare: counted, as before
                         ("bot_1", T0), ("botx1", T0), ("50%!", T0)]:
        log.record_auto("send", {}, reviewer=reviewer, when=at)
    assert log.count_decided(since) == 9
    assert log.count_decided(since, excluding=["policy:", "timeout"]) == 6
    assert log.count_decided(since, excluding=["bot_"]) == 8  # "_" is no wildcard
    assert log.count_decided(since, excluding=["5%"]) == 9    # nor is "%"
    assert log.count_decided(since, excluding=["50%!"]) == 8
    assert log.count_decided(T0 + timedelta(minutes=5), excluding=["policy:"]) == 1


def test_excluded_reviewer_prefixes_match_case_sensitively_on_every_backend(backend):
    """A person named "Timeout Tom" or "POLICY: ana" is a person: only the exact lower-case
    machine prefixes are left out, on SQLite as on PostgreSQL (where LIKE already was)."""
    log = DecisionLog(backend)
    for reviewer in ("timeout", "Timeout Tom", "policy:history", "POLICY: ana", "Ünal", "ünal"):
        log.record_auto("send", {"by": reviewer}, reviewer=reviewer, when=T0)
    assert log.count_decided(T0, excluding=["policy:", "timeout"]) == 4
    assert [r[2] for r in log.decisions_on("send", excluding=["policy:", "timeout"])] == \
        ["Timeout Tom", "POLICY: ana", "Ünal", "ünal"]
    assert log.count_decided(T0, excluding=["ü"]) == 5    # one character, not one byte
    assert log.count_decided(T0, excluding=["Timeout Tom and more"]) == 6


def test_the_policy_budget_counts_the_reviews_of_the_last_hour(backend):
    from hitl_nb.policy.budget import reviewed_since

    policy = hitl_nb.RiskPolicy(log=backend, budget=10)
    now = datetime.now(timezone.utc)
    for reviewer in ("ana", "policy:history", "timeout"):
        policy.log.record_auto("send", {}, reviewer=reviewer, when=now - timedelta(minutes=5))
    policy.log.record_auto("send", {}, reviewer="bob", when=now - timedelta(hours=2))
    assert reviewed_since(policy, now - timedelta(hours=1)) == 1


# -- undecided requests ----------------------------------------------------------------------
def test_undecided_lists_only_requests_without_a_decision_oldest_first(backend):
    log = DecisionLog(backend)
    log.note_requests([_request("i1"), _request("i2", index=0), _request("i2", index=1)], T0)
    log.note_requests([_request("j1", thread="t2")], T0 - timedelta(minutes=1))
    log.note_requests([_request("k1", thread="t3")], T0 + timedelta(minutes=1))
    log.record(_request("i2", index=0), Decision("approve", reviewer="ana"))
    log.record_auto("send", {}, reviewer="policy:read_only")  # never a queue row
    log.close_missing("t3", [], T0 + timedelta(hours=1))      # gone, still undecided

    rows = log.undecided()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("t2", "j1", 0, "send"), ("t1", "i1", 0, "send"), ("t1", "i2", 1, "send"),
        ("t3", "k1", 0, "send")]
    assert rows[0][4] == (T0 - timedelta(minutes=1)).timestamp()
    assert json.loads(rows[0][5])["task"] == "task of j1"
    assert DecisionLog(backend, read_only=True).undecided() == rows
