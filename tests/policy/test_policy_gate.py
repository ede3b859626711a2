"""gate() / request_review(policy=...) inside a node: continue alone or ask a human, and
log automatic decisions with their rule."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.graph import START, StateGraph

import hitl_nb
from hitl_nb import RiskPolicy
from tests.graphs import Calls, agent_graph


@pytest.fixture
def policy(db):
    return RiskPolicy(irreversible=["delete_*"], read_only=["search_*"], log=db)


def rows(db):
    return hitl_nb.DecisionLog(db).to_pandas()


def test_read_only_call_continues_without_interrupting_and_is_logged(db, start, policy):
    session = start(agent_graph(db, policy), {"calls": [{"tool": "search_crm",
                                                        "args": {"q": "acme"}}]})
    assert session.done
    assert not session.pending
    assert session.result["outcomes"] == ["search_crm:approve:policy:read-only"]
    row = rows(db).iloc[0]
    assert (row.action, row.decision, row.reviewer, row.status) == (
        "search_crm", "approve", "policy:read-only", "applied")
    assert (row.thread_id, row.risk_tier, row.comment) == ("t1", "never",
                                                           "search_crm is read-only")
    assert row.interrupt_id.startswith("policy-")
    assert row.args == {"q": "acme"}
    assert row.request["task"] == "tidy the CRM"


def test_irreversible_call_interrupts_with_the_risk_on_the_request(db, start, policy):
    session = start(agent_graph(db, policy), {"calls": [{"tool": "delete_contacts"}]})
    (request,) = session.pending
    assert request.risk == hitl_nb.Risk("always", 1.0, ("delete_contacts is irreversible",))
    session.cards[0].approve()
    assert session.result["outcomes"] == ["delete_contacts:approve:ana"]
    df = rows(db)
    assert list(df.reviewer) == ["ana"]
    assert df.risk_tier.iloc[0] == "always"


def test_automatic_decision_is_logged_once_when_the_node_runs_again(db, start, policy):
    calls = [{"tool": "search_crm", "args": {"q": "old"}}, {"tool": "delete_contacts"}]
    session = start(agent_graph(db, policy), {"calls": calls})
    assert [r.action for r in session.pending] == ["delete_contacts"]
    session.cards[0].reject("keep them")          # the node runs again from the top
    assert session.result["outcomes"] == ["search_crm:approve:policy:read-only",
                                          "delete_contacts:reject:ana"]
    assert sorted(rows(db).reviewer) == ["ana", "policy:read-only"]


def test_a_pending_review_stays_human_when_the_policy_changes_meanwhile(db, start, policy):
    session = start(agent_graph(db, policy), {"calls": [{"tool": "send_email"}]})
    assert session.pending[0].risk.tier == "uncertain"
    policy.remember("send_email", "allow")        # would now be approved automatically...
    session.cards[0].reject("not this one")       # ...but the human's answer still counts
    assert session.result["outcomes"] == ["send_email:reject:ana"]
    assert list(rows(db).reviewer) == ["ana"]


def test_remembered_reject_rejects_alone_and_is_logged(db, start, policy):
    policy.remember("send_email", "reject")
    session = start(agent_graph(db, policy), {"calls": [{"tool": "send_email"}]})
    assert session.result["outcomes"] == ["send_email:reject:policy:remembered-reject"]
    row = rows(db).iloc[0]
    assert (row.decision, row.reviewer) == ("reject", "policy:remembered-reject")
    assert row.comment.startswith("always rejected: always reject send_email (session")


def test_low_confidence_on_a_read_only_tool_still_asks(db, start, policy):
    session = start(agent_graph(db, policy),
                    {"calls": [{"tool": "search_crm", "confidence": 0.3}]})
    assert session.pending[0].risk.reasons == ("confidence 0.30 below 0.7",
                                               "overruled: search_crm is read-only")


def test_request_review_log_argument_overrides_the_policy_log(tmp_path, start, db):
    other = str(tmp_path / "auto.db")
    policy = RiskPolicy(read_only=["search_*"])   # no log of its own

    def node(state: Calls) -> dict[str, Any]:
        d = hitl_nb.request_review("search_crm", {"q": 1}, policy=policy, log=other)
        return {"outcomes": [d.reviewer]}

    builder = StateGraph(Calls)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    graph = builder.compile(checkpointer=hitl_nb.checkpointer(db))
    assert start(graph, {"calls": []}).result["outcomes"] == ["policy:read-only"]
    assert list(hitl_nb.DecisionLog(other).to_pandas().reviewer) == ["policy:read-only"]
    assert len(hitl_nb.DecisionLog(db)) == 0


def test_first_verdict_is_shared_through_the_log_by_policies_of_one_name(db):
    from hitl_nb.policy.gate import settle

    request = hitl_nb.ReviewRequest(action="send_email", args={"to": "a"}, thread_id="t9")
    first, decision = settle(RiskPolicy(log=db, name="ops"), request, "call-1")
    assert (first.risk.tier, decision) == ("uncertain", None)
    other = RiskPolicy(log=db, name="ops")        # e.g. the process that resumes the run
    other.remember("send_email", "allow")
    again, decision = settle(other, request, "call-1")
    assert (again, decision) == (first, None)
    _, decision = settle(other, request, "call-2")  # a new call follows the new choice
    assert (decision.type, decision.reviewer) == ("approve", "policy:remembered-allow")
