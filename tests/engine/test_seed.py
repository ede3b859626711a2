"""The seed pattern (plan -> review -> execute | cancel) driven through real buttons.

The review node is the seed article's: ``interrupt({"action": state["planned_action"],
"message": "Please approve or reject this action"})`` with a dict action."""

from __future__ import annotations

import hitl_nb
from hitl_nb.examples import seed_graph
from hitl_nb.testing import ScriptedChatModel, ai, tool_call

TASK = "send the Q3 numbers"


def test_card_names_the_tool_and_shows_every_argument(seed, start):
    card = start(seed, {"task": TASK}).cards[0]
    assert card.request.action == "send_email"
    assert card.request.args == {"to": "cfo@example.com", "subject": "Send the Q3 numbers",
                                 "body": "Hello,\n\nas requested: send the Q3 numbers.\n\n"
                                         "Best regards"}
    assert "Edit" in card.buttons
    text = card._repr_mimebundle_()["text/plain"]
    assert "send_email" in text and "cfo@example.com" in text and "Send the Q3 numbers" in text


def test_default_planner_echoes_the_task(seed, start):
    card = start(seed, {"task": "book the offsite venue"}).cards[0]
    assert card.request.args["subject"] == "Book the offsite venue"
    assert "book the offsite venue" in card.request.args["body"]


def test_approve_button_resumes_graph_and_logs_row(seed, start, db):
    session = start(seed, {"task": TASK})
    assert not session.done
    assert len(session.cards) == 1
    session.cards[0].click("Approve")
    assert session.done
    assert session.result["result"].startswith("done: send_email(to='cfo@example.com'")
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(zip(df.action, df.decision, df.status, df.reviewer, strict=True)) == [
        ("send_email", "approve", "applied", "ana")]


def test_reject_button_with_comment_cancels(seed, start, db):
    session = start(seed, {"task": TASK})
    card = session.cards[0]
    card.comment = "wrong recipient"
    card.click("Reject")
    assert session.done
    assert session.result["result"] == "cancelled by the reviewer"
    assert session.result["comment"] == "wrong recipient"
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert (row.decision, row.comment) == ("reject", "wrong recipient")
    assert row.resume_value == {"approved": False, "type": "reject", "comment": "wrong recipient",
                                "args": card.request.args, "response": None}


def test_edit_changes_the_action_the_graph_executes(seed, start, db):
    session = start(seed, {"task": TASK})
    card = session.cards[0]
    card.edit({**card.request.args, "to": "ceo@example.com"})
    assert session.result["planned_action"]["to"] == "ceo@example.com"
    assert session.result["result"].startswith("done: send_email(to='ceo@example.com'")
    assert hitl_nb.DecisionLog(db).to_pandas().edited_args.iloc[0]["to"] == "ceo@example.com"


def test_a_chat_model_plans_with_its_first_tool_call(db, start):
    model = ScriptedChatModel([ai("", tool_call("drop_database", {"name": "staging"}))])
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(db), model=model)
    card = start(graph, {"task": "free some disk space"}).cards[0]
    assert (card.request.action, card.request.args) == ("drop_database", {"name": "staging"})


def test_session_header_lists_each_step_once(seed, start):
    session = start(seed, {"task": TASK})
    session.cards[0].approve()
    assert "steps: plan → review → execute</div>" in session._repr_mimebundle_()["text/html"]
