"""LangChain create_agent + HumanInTheLoopMiddleware, batched and per-call, offline."""

from __future__ import annotations

import asyncio
from typing import Literal

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.messages import ToolMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.types import interrupt
from pydantic import BaseModel

import hitl_nb
from hitl_nb.engine.tools import tool_schemas
from hitl_nb.testing import ScriptedChatModel, ai, tool_call
from tests.graphs import SENT, email_agent


def _agent(db, mode, allowed=None):
    return email_agent(hitl_nb.checkpointer(db), mode, allowed)


def _tool_messages(result):
    return {m.tool_call_id: m for m in result["messages"] if isinstance(m, ToolMessage)}


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_one_card_per_action_and_resume_after_all_decided(db, start, mode):
    session = start(_agent(db, mode), {"messages": [("user", "send the Q3 numbers")]})
    assert [c.request.action for c in session.cards] == ["send_email", "send_email"]
    assert {c.request.format for c in session.cards} == (
        {"langchain"} if mode == "batched" else {"langchain_per_call"})
    first, second = session.cards
    first.approve()
    assert not session.done and SENT == []          # waits for the second card
    # "Resume now" only where it can send something: a batched request's one interrupt
    # is not decided until both of its actions are; per-call, the first one is
    assert session.status.can_resume == (mode == "per_call")
    assert session.session.resumable == (mode == "per_call")
    second.reject(comment="not to everyone")
    assert session.done
    assert SENT == [{"to": "cfo@example.com", "subject": "Q3"}]
    msgs = _tool_messages(session.result)
    assert "not to everyone" in msgs["c2"].content
    assert msgs["c3"].content == "3 messages in finance"
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(df.decision) == ["approve", "reject"]
    assert set(df.status) == {"applied"}


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_edit_changes_the_executed_call(db, start, mode):
    session = start(_agent(db, mode), {"messages": [("user", "send")]})
    a, b = session.cards
    a.edit({"to": "cfo@example.com", "subject": "Q3 (final)"}, comment="better subject")
    b.respond("Skipped: the list is too broad")
    assert session.done
    assert SENT == [{"to": "cfo@example.com", "subject": "Q3 (final)"}]
    assert _tool_messages(session.result)["c2"].content == "Skipped: the list is too broad"
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert row.edited_args == {"to": "cfo@example.com", "subject": "Q3 (final)"}
    assert row.args == {"to": "cfo@example.com", "subject": "Q3"}


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_the_middlewares_default_description_does_not_repeat_the_arguments(db, start, mode):
    """LangChain appends "Tool: name / Args: {...}" (a dict's repr) to its description; the
    card lists the arguments itself, so only the sentence stays. A description of one's
    own stays whole."""
    session = start(_agent(db, mode), {"messages": [("user", "send")]})
    card = session.cards[0]
    assert card.request.description == "Tool execution requires approval"
    text = card._repr_mimebundle_()["text/plain"]
    assert "Args: {" not in text and "cfo@example.com" in text
    custom = start(_payer(hitl_nb.checkpointer(db.replace(".db", "-2.db")), mode,
                          description="Pay from the operating account.\n\nTool: x\nArgs: y"),
                   {"messages": [("user", "pay ACME")]})
    assert custom.cards[0].request.description == \
        "Pay from the operating account.\n\nTool: x\nArgs: y"


def test_only_allowed_decisions_get_buttons(db, start):
    session = start(_agent(db, "batched", allowed=["approve", "reject"]),
                    {"messages": [("user", "send")]})
    card = session.cards[0]
    assert set(card.buttons) == {"Approve", "Reject"}
    with pytest.raises(hitl_nb.NotAllowed, match="allowed: approve, reject"):
        card.edit({"to": "x@example.com", "subject": "s"})
    assert len(hitl_nb.DecisionLog(db)) == 0


def test_per_call_edit_is_checked_against_the_tools_schema(db, start):
    session = start(_agent(db, "per_call"), {"messages": [("user", "send")]})
    card = session.cards[0]
    assert card.request.args_schema["required"] == ["to", "subject"]
    with pytest.raises(hitl_nb.InvalidResponse, match="subject"):  # replaces all: one short
        session.decide(card.request, hitl_nb.Decision("edit", args={"to": "cfo@example.com"}))
    with pytest.raises(hitl_nb.InvalidResponse, match="subject"):  # the others kept: wrong type
        card.edit({"subject": 42})
    with pytest.raises(hitl_nb.InvalidResponse, match="dict"):
        card.edit(["not", "a", "dict"])
    assert len(hitl_nb.DecisionLog(db)) == 0
    card.approve()
    assert len(hitl_nb.DecisionLog(db)) == 1


# -- edits are checked against the tool's own schema, in both modes ---------------------
PAID: list[dict] = []


@tool
def pay_invoice(vendor: str, amount: float, currency: Literal["EUR", "USD"] = "EUR") -> str:
    """Pay a vendor's invoice."""
    PAID.append({"vendor": vendor, "amount": amount, "currency": currency})
    return f"paid {amount} {currency} to {vendor}"


def _payer(checkpointer, mode="batched", description=None):
    PAID.clear()
    on = {"allowed_decisions": ["approve", "edit", "reject"],
          "description": description} if description else True
    model = ScriptedChatModel([
        ai("", tool_call("pay_invoice", {"vendor": "ACME", "amount": 1200.0}, "p1")),
        ai("Paid."),
    ])
    return create_agent(model, tools=[pay_invoice],
                        middleware=[HumanInTheLoopMiddleware(
                            interrupt_on={"pay_invoice": on}, interrupt_mode=mode)],
                        checkpointer=checkpointer)


def _paused(graph, thread_id="t1"):
    return [i.id for i in graph.get_state({"configurable": {"thread_id": thread_id}}).interrupts]


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_an_edit_the_tool_would_refuse_is_refused_before_anything_is_logged(db, start, mode):
    agent = _payer(hitl_nb.checkpointer(db), mode)
    session = start(agent, {"messages": [("user", "pay ACME")]})
    card = session.cards[0]
    waiting = _paused(agent)
    with pytest.raises(hitl_nb.InvalidResponse, match="amount"):
        card.edit({"vendor": "ACME", "amount": "lots"})
    with pytest.raises(hitl_nb.InvalidResponse, match="vendor"):
        card.edit({"vendor": None, "amount": 10.0})
    with pytest.raises(hitl_nb.InvalidResponse, match="vendor"):  # a whole new call, short
        session.decide(card.request, hitl_nb.Decision("edit", args={"amount": 10.0}))
    assert hitl_nb.DecisionLog(db).to_pandas().empty
    assert _paused(agent) == waiting and not session.done and PAID == []
    card.edit({"vendor": "ACME", "amount": 1150.0, "currency": "USD"}, comment="discount")
    assert session.done
    assert PAID == [{"vendor": "ACME", "amount": 1150.0, "currency": "USD"}]
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(df.decision) == ["edit"]
    assert df.edited_args.iloc[0] == {"vendor": "ACME", "amount": 1150.0, "currency": "USD"}


def test_batched_card_edits_in_a_form_typed_by_the_tool(db, start):
    session = start(_payer(hitl_nb.checkpointer(db)), {"messages": [("user", "pay ACME")]})
    card = session.cards[0]
    card.click("Edit")
    fields = {f["name"]: f for f in card.form["fields"]}
    assert fields["currency"]["kind"] == "enum"              # from the tool: not inferable
    assert fields["currency"]["options"] == ["EUR", "USD"]
    assert fields["vendor"]["required"] and fields["amount"]["kind"] == "number"
    card.fill({"currency": "USD"})
    card.click("Submit edit")
    assert session.done
    assert PAID == [{"vendor": "ACME", "amount": 1200.0, "currency": "USD"}]


def test_an_agent_inside_a_parent_graph_has_its_edits_checked_too(db, start):
    parent = StateGraph(MessagesState)
    parent.add_node("agent", _payer(None))
    parent.add_edge(START, "agent")
    graph = parent.compile(checkpointer=hitl_nb.checkpointer(db))
    session = start(graph, {"messages": [("user", "pay ACME")]})
    card = session.cards[0]
    assert card.request.namespace[0].startswith("agent:")   # raised inside the subgraph
    with pytest.raises(hitl_nb.InvalidResponse, match="amount"):
        card.edit({"vendor": "ACME", "amount": "lots"})
    assert len(hitl_nb.DecisionLog(db)) == 0
    card.edit({"vendor": "ACME", "amount": 99.0})
    assert session.done and PAID == [{"vendor": "ACME", "amount": 99.0, "currency": "EUR"}]


def _plain_payer(checkpointer, proposed):
    """A hand-written review node in front of a ToolNode (the LangGraph docs' pattern)."""

    def review(state: MessagesState) -> dict:
        answer = interrupt({"action": "pay_invoice", "args": proposed})
        args = answer.get("args") or proposed
        call = tool_call("pay_invoice", args, "p1")
        return {"messages": [ai("", call)]} if answer["approved"] else {}

    b = StateGraph(MessagesState)
    b.add_node("review", review)
    b.add_node("tools", ToolNode([pay_invoice]))
    b.add_edge(START, "review")
    b.add_edge("review", "tools")
    return b.compile(checkpointer=checkpointer)


def test_a_plain_payload_naming_a_tool_of_the_graph_is_held_to_its_schema(db, start):
    PAID.clear()
    graph = _plain_payer(hitl_nb.checkpointer(db), {"vendor": "ACME", "amount": 5.0})
    card = start(graph, {"messages": []}).cards[0]
    with pytest.raises(hitl_nb.InvalidResponse, match="amount"):
        card.edit({"vendor": "ACME", "amount": "lots"})
    assert len(hitl_nb.DecisionLog(db)) == 0
    card.edit({"vendor": "ACME", "amount": 6.0})
    assert PAID == [{"vendor": "ACME", "amount": 6.0, "currency": "EUR"}]


def test_a_payload_that_only_borrows_a_tools_name_is_not_held_to_its_schema(db, start):
    graph = _plain_payer(hitl_nb.checkpointer(db), {"who": "ACME", "sum": "1.2k"})
    card = start(graph, {"messages": []}).cards[0]
    assert card.request.args_schema is None
    card.edit({"who": "ACME", "sum": "1k"})
    assert hitl_nb.DecisionLog(db).to_pandas().edited_args.iloc[0] == {"who": "ACME",
                                                                       "sum": "1k"}


class Refund(BaseModel):
    """Refund an order."""

    order_id: int


def lookup(sku: str, limit: int = 5) -> str:
    """Look a product up."""
    return sku


def test_tool_schemas_read_tools_functions_and_pydantic_models():
    schemas = tool_schemas([pay_invoice, lookup, Refund])
    assert schemas["pay_invoice"]["required"] == ["vendor", "amount"]
    assert schemas["lookup"]["properties"]["limit"]["type"] == "integer"
    assert schemas["Refund"]["properties"]["order_id"]["type"] == "integer"


def test_two_tools_sharing_a_name_with_different_schemas_check_nothing():
    @tool("pay_invoice")
    def other(iban: str) -> str:
        """Another payment tool with the same name."""
        return iban

    assert "pay_invoice" not in tool_schemas([pay_invoice, other])
    assert "pay_invoice" in tool_schemas([pay_invoice, pay_invoice])


def test_async_review_checks_batched_edits_too(db):
    async def main():
        agent = _payer(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(agent, {"messages": [("user", "pay ACME")]},
                                        thread_id="a1", log=db, display=False, reviewer="ana")
        card = session.cards[0]
        with pytest.raises(hitl_nb.InvalidResponse, match="amount"):
            await card.edit({"vendor": "ACME", "amount": "lots"})
        assert len(hitl_nb.DecisionLog(db)) == 0
        await card.edit({"vendor": "ACME", "amount": 7.0})
        await agent.checkpointer.conn.close()
        return session

    assert asyncio.run(main()).done
    assert PAID == [{"vendor": "ACME", "amount": 7.0, "currency": "EUR"}]


def test_tool_schemas_find_a_tool_node_called_from_a_function_node():
    tools = ToolNode([pay_invoice])

    def run_tools(state: MessagesState) -> dict:
        return tools.invoke(state)

    b = StateGraph(MessagesState)
    b.add_node("run_tools", run_tools)
    b.add_edge(START, "run_tools")
    assert list(tool_schemas(b.compile())) == ["pay_invoice"]
