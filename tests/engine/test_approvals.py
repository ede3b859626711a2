"""M-of-N approvals: the graph resumes once N distinct reviewers approved."""

from __future__ import annotations

import pytest

from hitl_nb import AlreadyDecided, Decision, Inbox, Session
from tests._team import ledger_counts, start_threads, team
from tests.graphs import asking


def test_two_approvals_needed_resume_once_after_the_second(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1, approvals=2)
    ana = Session(graph, thread_id="t0", log=log, reviewer="ana").start(None)
    ana.decide(ana.pending[0], Decision("approve", comment="ok"))
    assert not ana.done and len(log) == 0
    assert ana.queue_note(ana.pending[0]) == "1 of 2 approvals (ana)"
    assert Inbox(backend).approvals_text(Inbox(backend).pending[0]) == "1 of 2 approvals"
    assert ledger_counts(ledger) == {}
    bob = Session(graph, thread_id="t0", log=log, reviewer="bob").start(None)
    bob.decide(bob.pending[0], Decision("approve", comment="fine"))
    assert bob.done and ledger_counts(ledger) == {"t0": 1}
    row = log.to_pandas().iloc[0]
    assert (row.decision, row.reviewer, row.comment, row.status) == \
        ("approve", "ana, bob", "ok; fine", "applied")
    votes = log.votes_frame()
    assert votes[["reviewer", "vote"]].values.tolist() == [["ana", "approve"], ["bob", "approve"]]


def test_same_reviewer_cannot_vote_twice(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 1, approvals=2)
    ana = Session(graph, thread_id="t0", log=log, reviewer="ana").start(None)
    ana.decide(ana.pending[0], Decision("approve"))
    again = Session(graph, thread_id="t0", log=log, reviewer="ana").start(None)
    with pytest.raises(AlreadyDecided, match="ana already voted approve"):
        again.decide(again.pending[0], Decision("approve"))
    assert len(log.votes_frame()) == 1


def test_single_rejection_rejects(backend, ledger):
    graph, log = team(backend, ledger)
    start_threads(graph, log, 1, approvals=3)
    ana = Session(graph, thread_id="t0", log=log, reviewer="ana").start(None)
    ana.decide(ana.pending[0], Decision("approve"))
    bob = Session(graph, thread_id="t0", log=log, reviewer="bob").start(None)
    bob.decide(bob.pending[0], Decision("reject", comment="too much"))
    assert bob.done and bob.result["decision"] == "reject"
    assert ledger_counts(ledger) == {}
    assert log.to_pandas().reviewer.tolist() == ["bob"]


def test_vote_after_the_quorum_names_the_decision(backend):
    graph, log = team(backend, None)
    start_threads(graph, log, 1, approvals=2)
    sessions = {n: Session(graph, thread_id="t0", log=log, reviewer=n).start(None)
                for n in ("ana", "bob", "cy")}
    sessions["ana"].decide(sessions["ana"].pending[0], Decision("approve"))
    sessions["bob"].decide(sessions["bob"].pending[0], Decision("approve"))
    cy = sessions["cy"]
    with pytest.raises(AlreadyDecided, match="approved by ana, bob"):
        cy.decide(cy.pending[0], Decision("reject"))
    assert len(log.votes_frame()) == 2


def test_rejections_threshold_is_configurable(backend):
    import hitl_nb

    g = asking(hitl_nb.checkpointer(backend), "deploy", approvals=2, rejections=2)
    log = hitl_nb.DecisionLog(backend)
    Session(g, thread_id="x", log=log).start({"go": 1})
    for name, kind in (("ana", "reject"), ("bob", "approve"), ("cy", "reject")):
        s = Session(g, thread_id="x", log=log, reviewer=name).start(None)
        s.decide(s.pending[0], Decision(kind))
    assert s.done and s.result["answers"] == ["reject"]
    assert log.to_pandas().reviewer.tolist() == ["ana, cy"]


def test_a_voter_claim_does_not_block_the_second_voter(backend, ledger):
    from hitl_nb import Inbox

    graph, log = team(backend, ledger)
    start_threads(graph, log, 1, approvals=2)
    ana = Inbox(backend, graph=graph, reviewer="ana")
    ana.claim(ana.pending[0])
    ana.decide(ana.pending[0], Decision("approve"))
    assert ana.pending[0].extra["claimed_by"] is None          # released after her vote
    bob = Session(graph, thread_id="t0", log=log, reviewer="bob").start(None)
    bob.decide(bob.pending[0], Decision("approve"))
    assert bob.done and ledger_counts(ledger) == {"t0": 1}


def test_remembered_allow_never_stands_in_for_a_quorum(backend, ledger):
    """"Always allow pay" decides single-approval payments alone, but a payment that needs
    two distinct reviewers still waits for both people."""
    from hitl_nb import RiskPolicy

    graph, log = team(backend, ledger)
    start_threads(graph, log, 1, prefix="one")
    start_threads(graph, log, 1, prefix="two", approvals=2)
    policy = RiskPolicy()
    policy.remember("pay", "allow")
    single = Session(graph, thread_id="one0", log=log, reviewer="ana", policy=policy).start(None)
    assert single.done and ledger_counts(ledger) == {"one0": 1}
    quorum = Session(graph, thread_id="two0", log=log, reviewer="ana", policy=policy).start(None)
    assert not quorum.done and [r.action for r in quorum.pending] == ["pay"]
    assert len(log.votes_frame()) == 0                      # no vote cast by the policy
    quorum.decide(quorum.pending[0], Decision("approve"))
    bob = Session(graph, thread_id="two0", log=log, reviewer="bob", policy=policy).start(None)
    bob.decide(bob.pending[0], Decision("approve"))
    assert bob.done and ledger_counts(ledger) == {"one0": 1, "two0": 1}
    assert sorted(log.votes_frame().reviewer) == ["ana", "bob"]
