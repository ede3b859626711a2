"""policy.interrupt_on(tools): risk-scored interruption for LangChain's create_agent."""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.tools import tool

import hitl_nb
from hitl_nb import RiskPolicy
from hitl_nb.testing import ScriptedChatModel, ai, tool_call

RAN: list[str] = []


@tool
def search_docs(query: str) -> str:
    """Search the documentation."""
    RAN.append(f"search_docs({query})")
    return f"3 pages about {query}"


@tool
def delete_records(table: str) -> str:
    """Delete every record of a table."""
    RAN.append(f"delete_records({table})")
    return f"deleted {table}"


TOOLS = [search_docs, delete_records]


@pytest.fixture(autouse=True)
def _clear():
    RAN.clear()


def make_agent(db, policy, replies, **middleware):
    model = ScriptedChatModel(replies)
    hitl = HumanInTheLoopMiddleware(policy.interrupt_on(TOOLS), **middleware)
    return create_agent(model, TOOLS, middleware=[hitl],
                        checkpointer=hitl_nb.checkpointer(db))


def ask(text):
    return {"messages": [{"role": "user", "content": text}]}


@pytest.fixture
def policy(db):
    return RiskPolicy(irreversible=["delete_*"], read_only=["search_*"], log=db)


def test_interrupt_on_builds_one_config_per_tool(policy):
    config = policy.interrupt_on([search_docs, "delete_records"],
                                 allowed_decisions=["approve", "reject"])
    assert set(config) == {"search_docs", "delete_records"}
    assert config["search_docs"]["allowed_decisions"] == ["approve", "reject"]
    assert callable(config["search_docs"]["when"])
    assert callable(config["search_docs"]["description"])
    with pytest.raises(ValueError, match="allowed_decisions"):
        policy.interrupt_on(TOOLS, allowed_decisions=["maybe"])


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_safe_call_runs_alone_and_risky_call_waits_for_approval(db, start, policy, mode):
    agent = make_agent(db, policy, [ai("", tool_call("search_docs", {"query": "q3"}, "c1")),
                                    ai("", tool_call("delete_records", {"table": "tmp"}, "c2")),
                                    ai("All done.")], interrupt_mode=mode)
    session = start(agent, ask("find the Q3 page, then drop tmp"))
    assert RAN == ["search_docs(q3)"]                 # ran without anyone asked
    (request,) = session.pending
    assert request.action == "delete_records"
    assert request.description == "Risk: always (score 1.00)\n- delete_records is irreversible"
    session.cards[0].approve()
    assert session.done
    assert RAN == ["search_docs(q3)", "delete_records(tmp)"]
    assert session.result["messages"][-1].content == "All done."
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(zip(df.action, df.decision, df.reviewer, strict=True)) == [
        ("search_docs", "approve", "policy:read-only"), ("delete_records", "approve", "ana")]
    assert set(df.status) == {"applied"}
    assert set(df.thread_id) == {"t1"}
    assert df.interrupt_id.iloc[0].startswith("policy-")


def test_rejected_risky_call_never_runs(db, start, policy):
    agent = make_agent(db, policy, [ai("", tool_call("delete_records", {"table": "users"}, "c1")),
                                    ai("Understood, nothing deleted.")])
    session = start(agent, ask("drop users"))
    session.cards[0].reject("never the users table")
    assert session.done
    assert RAN == []
    assert "never the users table" in session.result["messages"][-2].content


def test_remembered_reject_is_applied_by_the_session(db, start, policy):
    policy.remember("delete_records", "reject")
    agent = make_agent(db, policy, [ai("", tool_call("delete_records", {"table": "users"}, "c1")),
                                    ai("OK.")])
    session = start(agent, ask("drop users"), policy=policy)
    assert session.done
    assert RAN == []
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(zip(df.decision, df.reviewer, strict=True)) == [
        ("reject", "policy:remembered-reject")]


def test_two_calls_in_one_turn_only_the_risky_one_is_asked(db, start, policy):
    agent = make_agent(db, policy, [ai("", tool_call("search_docs", {"query": "a"}, "c1"),
                                       tool_call("delete_records", {"table": "b"}, "c2")),
                                    ai("Done.")])
    session = start(agent, ask("both"))
    assert [r.action for r in session.pending] == ["delete_records"]
    session.cards[0].approve()
    assert sorted(RAN) == ["delete_records(b)", "search_docs(a)"]
    assert len(hitl_nb.DecisionLog(db)) == 2


def test_confidence_callable_feeds_the_uncertainty_rule(db, start, policy):
    model = ScriptedChatModel([ai("", tool_call("search_docs", {"query": "payroll"}, "c1")),
                               ai("Found it.")])
    config = policy.interrupt_on(TOOLS, confidence=lambda call: 0.3)
    agent = create_agent(model, TOOLS, middleware=[HumanInTheLoopMiddleware(config)],
                         checkpointer=hitl_nb.checkpointer(db))
    session = start(agent, ask("find payroll"))
    assert session.pending[0].description == (
        "Risk: uncertain (score 0.70)\n- confidence 0.30 below 0.7\n"
        "- overruled: search_docs is read-only")
    assert RAN == []


def test_arguments_breaking_the_tool_schema_are_unexpected(db, start, policy):
    model = ScriptedChatModel([ai("", tool_call("search_docs", {"query": 42}, "c1")),
                               ai("Done.")])
    agent = create_agent(model, TOOLS, checkpointer=hitl_nb.checkpointer(db),
                         middleware=[HumanInTheLoopMiddleware(policy.interrupt_on(TOOLS))])
    session = start(agent, ask("search"))
    (request,) = session.pending
    assert "invalid search_docs arguments at query: 42 is not of type 'string'" \
        in request.description
