"""Reviewer agreement: second opinions logged as shadow votes (never resuming the graph),
Cohen's and Fleiss' κ on votes whose answer is computed by hand, and the flow across two
processes on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hitl_nb
from hitl_nb import AlreadyDecided, Decision, Inbox, ReviewRequest, SameReviewer
from hitl_nb.analysis.agreement import cohen_kappa, fleiss_kappa
from hitl_nb.store.opinions import selected
from tests._team import ledger_counts, start_threads, team

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=timezone.utc)


def _request(n: int, action: str = "send") -> ReviewRequest:
    return ReviewRequest(action=action, args={"n": n}, thread_id=f"t{n}", interrupt_id=f"i{n}",
                         requested_at=T0 + timedelta(minutes=n), allowed=("approve", "reject"))


def _vote(log, inbox, n, action, first, *seconds):
    """The real decision ``first`` by ana, then shadow votes by bo, cy... on request n."""
    request = _request(n, action)
    log.record(request, Decision(first, reviewer="ana",
                                 decided_at=T0 + timedelta(minutes=n, seconds=30)))
    for who, kind in zip(("bo", "cy"), seconds, strict=False):
        inbox.second_opinion(request, Decision(kind, reviewer=who, comment=f"{who} says {kind}"))


A, R = "approve", "reject"
# send: ana / bo on 10 requests. Agree on 8 (5 A-A, 3 R-R), disagree on 2 (A-R, R-A).
SEND = [(A, A)] * 5 + [(A, R), (R, A)] + [(R, R)] * 3
# search: 2 A-A, 2 R-R (perfect agreement, both categories used)
SEARCH = [(A, A)] * 2 + [(R, R)] * 2


def test_cohen_kappa_of_two_reviewers_matches_the_hand_computation(backend):
    log = hitl_nb.DecisionLog(backend)
    inbox = Inbox(log, second_opinion=1.0, reviewer="bo")
    for n, (first, second) in enumerate(SEND):
        _vote(log, inbox, n, "send", first, second)
    for n, (first, second) in enumerate(SEARCH, start=100):
        _vote(log, inbox, n, "search", first, second)
    votes = log.opinions()
    assert len(votes) == 28 and int(votes["shadow"].sum()) == 14
    # send: p_o = 8/10; ana A 6/10 R 4/10, bo A 6/10 R 4/10: p_e = 0.36 + 0.16 = 0.52;
    # κ = (0.8 - 0.52) / (1 - 0.52) = 0.5833
    by_action = votes.hitl.agreement(by="action")
    send = by_action.table.loc["send"]
    assert send["kappa"] == pytest.approx(0.28 / 0.48)
    assert (send["method"], send["requests"], send["votes"], send["reviewers"]) == \
        ("cohen", 10, 20, 2)
    assert (send["observed"], send["expected"]) == pytest.approx((0.8, 0.52))
    assert by_action.table.loc["search", "kappa"] == pytest.approx(1.0)
    # all 14: p_o = 12/14; both raters A 8/14, R 6/14: p_e = 100/196; κ = 68/96
    overall = votes.hitl.agreement()
    assert overall.kappa == pytest.approx(68 / 96)
    d = overall.disagreements
    assert sorted(map(str, d["thread_id"])) == ["t5", "t6"]
    assert d.set_index("thread_id").loc["t5", "votes"] == {"ana": "approve", "bo": "reject"}
    assert d.set_index("thread_id").loc["t5", "comments"] == {"bo": "bo says reject"}


def test_fleiss_kappa_for_three_reviewers_matches_the_hand_computation(db):
    log = hitl_nb.DecisionLog(db)
    inbox = Inbox(log, second_opinion=1.0)
    # votes per request: AAA, AAR, RRR, ARR. P_i = 1, 1/3, 1, 1/3 (P_i = (Σn² - 3) / 6):
    # P = 2/3; p_A = p_R = 6/12: P_e = 1/2; κ = (2/3 - 1/2) / (1/2) = 1/3
    for n, votes in enumerate([(A, A, A), (A, A, R), (R, R, R), (A, R, R)]):
        _vote(log, inbox, n, "send", *votes)
    result = log.opinions().hitl.agreement()
    row = result.table.iloc[0]
    assert (row["method"], row["requests"], row["votes"], row["reviewers"]) == \
        ("fleiss", 4, 12, 3)
    assert row["kappa"] == pytest.approx(1 / 3)
    assert row["observed"] == pytest.approx(2 / 3) and row["expected"] == pytest.approx(0.5)
    assert len(result.disagreements) == 2


def test_agreement_on_approved_folds_edits_into_approvals(db):
    log = hitl_nb.DecisionLog(db)
    inbox = Inbox(log, second_opinion=1.0, reviewer="bo")
    for n in range(4):
        request = _request(n).replace(allowed=("approve", "edit", "reject"))
        log.record(request, Decision(A if n < 2 else R, reviewer="ana"))
        second = Decision("edit", args={"n": 0}) if n < 2 else Decision(R)
        inbox.second_opinion(request, second)
    votes = log.opinions()
    # by decision: ana A A R R, bo E E R R: p_o = 2/4; p_e = 0.5·0.5 (R only) = 0.25;
    # κ = (0.5 - 0.25) / 0.75 = 1/3. By approved: identical votes, κ = 1
    assert votes.hitl.agreement(on="decision").kappa == pytest.approx(1 / 3)
    assert votes.hitl.agreement(on="approved").kappa == pytest.approx(1.0)


def test_a_shadow_vote_never_becomes_or_blocks_the_real_decision(db):
    log = hitl_nb.DecisionLog(db)
    inbox = Inbox(log, second_opinion=1.0, reviewer="bo")
    request = _request(1)
    inbox.second_opinion(request, Decision(R))
    assert log.get(*request.key) is None and len(log) == 0     # not a real decision
    log.record(request, Decision(A, reviewer="ana"))           # the real one still lands
    assert log.get(*request.key).type == "approve"
    with pytest.raises(AlreadyDecided, match="bo already gave a second opinion"):
        inbox.second_opinion(request, Decision(A))              # once per reviewer
    with pytest.raises(SameReviewer, match="ana took the real decision"):
        inbox.second_opinion(request, Decision(R, reviewer="ana"))
    with pytest.raises(hitl_nb.NotAllowed):
        inbox.second_opinion(_request(2), Decision("respond", response="hm", reviewer="cy"))
    assert list(log.opinions()["reviewer"].astype(str)) == ["bo", "ana"]  # by decision time


def test_selection_is_a_stable_share_of_requests():
    keys = [(f"t{i}", f"i{i}", 0) for i in range(4000)]
    picked = [k for k in keys if selected(k, 0.1)]
    assert 0.08 < len(picked) / len(keys) < 0.12
    assert [k for k in keys if selected(k, 0.1)] == picked
    assert set(picked) <= {k for k in keys if selected(k, 0.3)}   # a larger share adds
    assert not any(selected(k, 0.0) for k in keys) and all(selected(k, 1.0) for k in keys)
    with pytest.raises(ValueError, match="share between 0 and 1"):
        selected(keys[0], 1.5)


SECOND_REVIEWER = textwrap.dedent("""
    import json, sys
    import hitl_nb
    inbox = hitl_nb.Inbox(sys.argv[1], reviewer="bo", second_opinion=0.5)
    awaiting = inbox.awaiting_second_opinion()
    for request in awaiting:
        inbox.second_opinion(request, hitl_nb.Decision("reject", comment="too much"))
    print(json.dumps({"voted": [r.thread_id for r in awaiting],
                      "after": len(inbox.awaiting_second_opinion()),
                      "has_decision": [("decision" in r.extra) for r in awaiting]}))
""")


def test_second_opinions_from_another_process_never_resume_the_graph(backend, ledger):
    graph, log = team(backend, ledger)
    threads = start_threads(graph, log, 12)
    inbox = Inbox(backend, graph=graph, reviewer="ana", second_opinion=0.5)
    by_thread = {r.thread_id: r for r in inbox.pending}
    for thread in threads[:6]:                                   # half decided before
        inbox.decide(by_thread[thread], Decision(A))
    expected = sorted(t for t in threads if selected(by_thread[t].key, 0.5))
    assert expected, "the share picks some of these 12 requests"
    assert sorted(r.thread_id for r in inbox.awaiting_second_opinion("bo")) == expected
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    out = subprocess.run([sys.executable, "-c", SECOND_REVIEWER, backend], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert sorted(report["voted"]) == expected and report["after"] == 0
    assert not any(report["has_decision"])
    # nothing resumed: the open requests are still open, the ledger only has ana's payments
    assert sorted(r.thread_id for r in inbox.pending) == sorted(threads[6:])
    assert ledger_counts(ledger) == dict.fromkeys(threads[:6], 1)
    assert len(log) == 6
    for thread in threads[6:]:                                   # and they decide as usual
        inbox.decide(by_thread[thread], Decision(A))
    assert ledger_counts(ledger) == dict.fromkeys(threads, 1)
    votes = log.opinions()
    assert int(votes["shadow"].sum()) == len(expected)
    result = votes.hitl.agreement(by="action")
    # ana approved every one and bo rejected every one: p_o 0, p_e 0, κ 0
    assert result.table.loc["pay", "requests"] == len(expected)
    assert result.table.loc["pay", "kappa"] == 0
    assert len(result.disagreements) == len(expected)
    assert inbox.awaiting_second_opinion("ana") == []            # ana decided them all


# -- properties --------------------------------------------------------------------------
labels = st.lists(st.sampled_from(["approve", "reject", "edit"]), min_size=2, max_size=60)


@settings(max_examples=80, deadline=None)
@given(labels.filter(lambda xs: len(set(xs)) > 1))
def test_kappa_is_one_for_identical_votes(votes):
    assert cohen_kappa(votes, votes)[0] == pytest.approx(1.0)
    cats = sorted(set(votes))
    counts = [[3 * (v == c) for c in cats] for v in votes]       # three identical votes each
    assert fleiss_kappa(counts)[0] == pytest.approx(1.0)
    frame = pd.DataFrame({"thread_id": [f"t{i}" for i in range(len(votes))] * 2,
                          "interrupt_id": "i", "action": "tool",
                          "reviewer": ["ana"] * len(votes) + ["bo"] * len(votes),
                          "decision": votes * 2})
    assert frame.hitl.agreement().kappa == pytest.approx(1.0)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.2, 0.8), st.floats(0.2, 0.8))
def test_kappa_is_near_zero_for_independent_random_votes(seed, p1, p2):
    rng = np.random.default_rng(seed)
    n = 5000  # standard error of κ about 1/sqrt(n) = 0.014: 0.06 is four of them
    first = np.where(rng.random(n) < p1, "approve", "reject").tolist()
    second = np.where(rng.random(n) < p2, "approve", "reject").tolist()
    assert abs(cohen_kappa(first, second)[0]) < 0.06
    # Fleiss' κ assumes one shared rate: three independent raters approving at p1
    approvals = (rng.random((n, 3)) < p1).sum(axis=1)
    assert abs(fleiss_kappa(np.column_stack([approvals, 3 - approvals]))[0]) < 0.06


def test_kappa_is_undefined_when_every_vote_is_the_same():
    assert math.isnan(cohen_kappa(["approve"] * 5, ["approve"] * 5)[0])
