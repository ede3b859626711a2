"""LangChain create_agent + HumanInTheLoopMiddleware, batched and per-call, offline."""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.messages import ToolMessage
from langchain_core.tools import tool

import hitl_nb
from hitl_nb.testing import ScriptedChatModel, ai, tool_call

SENT: list[dict] = []


@tool
def send_email(to: str, subject: str) -> str:
    """Send an email to one recipient."""
    SENT.append({"to": to, "subject": subject})
    return f"sent to {to}"


@tool
def read_inbox(folder: str) -> str:
    """Read an inbox folder (read-only)."""
    return f"3 messages in {folder}"


def _agent(db, mode, allowed=None):
    SENT.clear()
    model = ScriptedChatModel([
        ai("", tool_call("send_email", {"to": "cfo@example.com", "subject": "Q3"}, "c1"),
           tool_call("send_email", {"to": "all@example.com", "subject": "Q3"}, "c2"),
           tool_call("read_inbox", {"folder": "finance"}, "c3")),
        ai("All done."),
    ])
    config = {"allowed_decisions": allowed} if allowed else True
    return create_agent(model, tools=[send_email, read_inbox],
                        middleware=[HumanInTheLoopMiddleware(
                            interrupt_on={"send_email": config}, interrupt_mode=mode)],
                        checkpointer=hitl_nb.checkpointer(db))


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


def test_only_allowed_decisions_get_buttons(db, start):
    session = start(_agent(db, "batched", allowed=["approve", "reject"]),
                    {"messages": [("user", "send")]})
    card = session.cards[0]
    assert set(card.buttons) == {"approve", "reject"}
    with pytest.raises(hitl_nb.NotAllowed, match="allowed: approve, reject"):
        card.edit({"to": "x@example.com", "subject": "s"})
    assert len(hitl_nb.DecisionLog(db)) == 0


def test_per_call_edit_is_checked_against_the_tools_schema(db, start):
    session = start(_agent(db, "per_call"), {"messages": [("user", "send")]})
    card = session.cards[0]
    assert card.request.args_schema["required"] == ["to", "subject"]
    with pytest.raises(hitl_nb.InvalidResponse, match="subject"):
        card.edit({"to": "cfo@example.com"})
    with pytest.raises(hitl_nb.InvalidResponse, match="dict"):
        card.edit(["not", "a", "dict"])
    assert len(hitl_nb.DecisionLog(db)) == 0
    card.approve()
    assert len(hitl_nb.DecisionLog(db)) == 1
