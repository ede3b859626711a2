"""How nodes READ a plain ``interrupt()``'s answer, reviewed end to end through the cards.

The nodes are in tests/engine/resume_nodes/, each copied from LangGraph's docs, langchain-skills,
tutorials or code on GitHub (cited there). None of them reads hitl_nb's documented dict:
they expect a bool (``if is_approved:``), the words they compare with (``== "approve"``,
``in ("yes", "y")``, ``["type"] == "accept"``), keys of their own (``.get("action")``,
``["edited_text"]``, ``.get("feedback")``, edited fields at the top level) or the answer
itself (a question, an edited text). Each test runs the real graph with `hitl_nb.review`,
decides with the card's public API and checks what happened in the graph: Approve takes
the approved branch, Reject never does (its comment reaches the key the node reads), an
edit reaches the node, a typed answer reaches the node; and the log row. Where what the
node should get is a judgement call, only what must hold is checked. Two nodes read the
documented dict (``["approved"]``, ``["args"]``) and must keep working; ``review(...,
resume=fn)`` must still override everything.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage, ToolMessage

import hitl_nb
from hitl_nb.testing import ScriptedChatModel, ai, tool_call

from .resume_nodes import _base, dicts, documented, truth, values, words

COMMENT = "Not this one: the numbers are from last quarter"
APPROVED = {"approve": True, "reject": False}
both = pytest.mark.parametrize("how", ["approve", "reject"])


def _cp(db: str) -> Any:
    return hitl_nb.checkpointer(db)


def _decide(card: Any, how: str) -> Any:
    """What a reviewer does: click Approve, or reject with a comment for the agent."""
    return card.click("Approve") if how == "approve" else card.reject(comment=COMMENT)


def _logged(db: str) -> list[str]:
    return list(hitl_nb.DecisionLog(db).to_pandas().decision)


def _sent() -> list[Any]:
    """What the graph's side effects recorded (emails sent, tools run, ...)."""
    return list(_base.SENT)


def _tool_messages(state: dict) -> list[Any]:
    return [m.content for m in state["messages"] if isinstance(m, ToolMessage)]


def _state(graph: Any, thread_id: str = "t1") -> dict:
    return graph.get_state({"configurable": {"thread_id": thread_id}}).values


# == truth tests: ``if is_approved:`` ====================================================
@both
@pytest.mark.parametrize("node", [truth.approval_node, truth.approval_node_full],
                         ids=["docs-if-is-approved", "docs-goto-ternary"])
def test_docs_approval_node_proceeds_only_on_approve(db, start, node, how):
    session = start(truth.approval_graph(_cp(db), node),
                    {"action_details": "Transfer $500", "status": "pending"})
    _decide(session.cards[0], how)
    assert session.done
    assert session.result["status"] == ("approved" if APPROVED[how] else "rejected")
    assert _logged(db) == [how]


@both
def test_old_docs_is_this_correct_goes_to_some_node_only_on_approve(db, start, how):
    session = start(truth.is_correct_graph(_cp(db)), {"llm_output": "Paris is in France."})
    _decide(session.cards[0], how)
    assert session.result["path"] == ["some_node" if APPROVED[how] else "another_node"]
    assert _logged(db) == [how]


@both
def test_answer_to_do_you_approve_is_stored_as_a_bool(db, start, how):
    session = start(truth.approved_graph(_cp(db)), {"approved": False})
    _decide(session.cards[0], how)
    assert session.result["approved"] is APPROVED[how]
    assert _logged(db) == [how]


@both
def test_answer_stored_as_is_and_routed_by_another_function_sends_only_on_approve(
        db, start, how):
    session = start(truth.interview_graph(_cp(db)),
                    {"name": "Ada Lovelace", "email": "ada@example.com",
                     "reason": "strong portfolio", "draft_email": "Dear Ada, ..."})
    _decide(session.cards[0], how)
    assert session.done
    assert _sent() == (["ada@example.com"] if APPROVED[how] else [])
    assert _logged(db) == [how]


@both
def test_functional_api_entrypoint_publishes_only_on_approve(db, start, how):
    session = start(truth.review_pipeline_workflow(_cp(db)), "doc-42")
    _decide(session.cards[0], how)
    assert session.done
    assert session.result["published"] is APPROVED[how]
    assert _logged(db) == [how]


@both
def test_async_node_with_annotated_bool_hands_off_only_on_approve(db, how):
    async def main():
        graph = truth.handoff_graph(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(graph, {"handoff_result": {"to_agent_id": "writer"}},
                                        thread_id="a1", log=db, display=False, reviewer="ana")
        await _decide(session.cards[0], how)
        await graph.checkpointer.conn.close()
        return session

    session = asyncio.run(main())
    assert session.done
    assert session.result["gateway_approved"] is APPROVED[how]
    assert _logged(db) == [how]


@both
def test_approval_node_inside_a_subgraph_proceeds_only_on_approve(db, start, how):
    session = start(truth.approval_subgraph_graph(_cp(db)),
                    {"action_details": "Delete 3 users", "status": "pending"})
    _decide(session.cards[0], how)
    assert session.done
    assert session.result["status"] == ("approved" if APPROVED[how] else "rejected")
    assert _logged(db) == [how]


# == string comparisons: ``decision == "approve"`` ========================================
@both
def test_old_docs_decision_equals_approve_takes_the_approved_path(db, start, how):
    session = start(words.decision_graph(_cp(db)), {"llm_output": "This is the generated output."})
    _decide(session.cards[0], how)
    assert session.result["decision"] == ("approved" if APPROVED[how] else "rejected")
    assert _logged(db) == [how]


@both
def test_equality_stored_and_routed_by_a_conditional_edge_executes_only_on_approve(
        db, start, how):
    session = start(words.draft_graph(_cp(db)), {"draft": "Refund $500 to customer #42"})
    _decide(session.cards[0], how)
    assert session.done
    assert _sent() == (["Refund $500 to customer #42"] if APPROVED[how] else [])
    assert _logged(db) == [how]


@pytest.mark.parametrize(("how", "expected"), [
    ("approve", {"approved": True}),
    ("reject", {"approved": False, "review_notes": "内容需要修改"}),
])
def test_elif_chain_gets_the_word_it_compares_with(db, start, how, expected):
    state = {"subject": "项目进度", "body": "项目 A 已完成 80%，预计下周交付。"}
    session = start(words.email_review_graph(_cp(db)), state)
    _decide(session.cards[0], how)
    assert session.result == {**state, **expected}
    assert _logged(db) == [how]


@both
def test_yes_y_approve_membership_adds_the_paper_only_on_approve(db, start, how):
    cand = {"title": "Attention Is All You Need", "arxiv_id": "1706.03762"}
    session = start(words.ingest_graph(_cp(db)), {"candidate": cand})
    _decide(session.cards[0], how)
    assert session.result["approved"] is APPROVED[how]
    if not APPROVED[how]:
        assert session.result["answer"] == "Declined - 'Attention Is All You Need' was not added."
    assert _logged(db) == [how]


BOOKING = {"therapist": "Dr. Lee", "date": "2026-03-02", "time": "10:00"}


@pytest.mark.parametrize(("how", "expected"), [
    ("approve", {"approval": True, "changes": None}),
    ("reject", {"approval": False, "changes": COMMENT}),
    ("respond", {"approval": False, "changes": "Friday at 4pm instead, please"}),
])
def test_yes_string_ends_and_anything_else_is_the_change_to_make(db, start, how, expected):
    session = start(words.booking_graph(_cp(db)), BOOKING)
    card = session.cards[0]
    if how == "respond":
        card.respond("Friday at 4pm instead, please")
    else:
        _decide(card, how)
    assert session.done
    assert {k: session.result.get(k) for k in expected} == expected
    assert _logged(db) == [how]


def _hotel_agent(db: str) -> Any:
    model = ScriptedChatModel([
        ai("", tool_call("book_hotel", {"hotel_name": "McKittrick Hotel"}, "h1")),
        ai("Your stay is booked."),
    ])
    return create_agent(model, tools=[words.book_hotel], checkpointer=_cp(db))


HOTEL_ASK = {"messages": [("user", "book a stay at McKittrick hotel")]}


def test_docs_book_hotel_tool_books_on_approve_when_it_reads_type_accept(db, start):
    session = start(_hotel_agent(db), HOTEL_ASK)
    session.cards[0].click("Approve")
    assert session.done
    assert _tool_messages(session.result) == ["Successfully booked a stay at McKittrick Hotel."]
    assert _logged(db) == ["approve"]


def test_docs_book_hotel_tool_never_books_on_reject(db, start):
    graph = _hotel_agent(db)
    session = start(graph, HOTEL_ASK)
    # The tool raises ValueError for a type it does not know: the run may end in an error.
    with contextlib.suppress(hitl_nb.HitlError, ValueError):
        session.cards[0].reject(comment=COMMENT)
    assert not any("Successfully booked" in str(m.content) for m in _state(graph)["messages"])
    assert _logged(db) == ["reject"]


@both
def test_accept_ignore_response_gate_executes_only_on_approve(db, start, how):
    session = start(words.accept_gate_graph(_cp(db)), {"messages": []})
    _decide(session.cards[0], how)
    assert session.done
    assert _sent() == (["delete_user(user_id=42)"] if APPROVED[how] else [])
    assert session.result["approved"] is APPROVED[how]
    assert _logged(db) == [how]


def test_accept_ignore_response_gate_gets_a_typed_answer_as_response_args(db, start):
    graph = words.accept_gate_graph(_cp(db))
    session = start(graph, {"messages": []})
    session.cards[0].respond("Deactivate the user instead")
    assert not session.done and len(session.cards) == 1      # back to the agent, asking again
    said = [m.content for m in _state(graph)["messages"] if isinstance(m, HumanMessage)]
    assert said == ["Feedback: Deactivate the user instead"]
    assert _sent() == []
    assert _logged(db) == ["respond"]


# == dict reads: ``response.get("action") == "approve"`` and keys of their own ===========
def _email_model() -> Any:
    return ScriptedChatModel([
        ai("", tool_call("send_email", {"to": "alice@example.com", "subject": "Meeting",
                                        "body": "See you at 3pm"}, "e1")),
        ai("Done."),
    ])


EMAIL = {"to": "alice@example.com", "subject": "Meeting", "body": "See you at 3pm"}


@pytest.mark.parametrize(("how", "sent", "said"), [
    ("approve", [EMAIL], "Email sent to alice@example.com"),
    ("edit", [{**EMAIL, "subject": "Updated subject"}], "Email sent to alice@example.com"),
    ("reject", [], "Email cancelled by user"),
])
def test_docs_send_email_tool_reads_action_and_edited_fields_at_the_top(
        db, start, how, sent, said):
    session = start(dicts.email_tool_graph(_cp(db), _email_model()),
                    {"messages": [("user", "Send an email to alice@example.com about the "
                                           "meeting")]})
    card = session.cards[0]
    if how == "edit":
        card.edit({**card.request.args, "subject": "Updated subject"})
    else:
        _decide(card, how)
    assert session.done
    assert _sent() == sent
    assert _tool_messages(session.result) == [said]
    assert _logged(db) == [how]


def test_docs_send_email_tool_edit_of_one_field_keeps_the_others(db, start):
    """The docs resume with ``{"action": "approve", "subject": "Updated subject"}``: the
    node's ``response.get("to", to)`` keeps what was proposed. card.edit of one field
    does the same (the others are not sent as None)."""
    session = start(dicts.email_tool_graph(_cp(db), _email_model()),
                    {"messages": [("user", "Send an email to alice@example.com")]})
    session.cards[0].edit({"subject": "Updated subject"})
    assert _sent() == [{**EMAIL, "subject": "Updated subject"}]
    assert _logged(db) == ["edit"]


def test_docs_send_email_tool_edit_is_held_to_the_tools_schema_through_its_dict(db, start):
    """The docs' tool node finds the tool in a module-level ``tools_by_name`` dict; the
    edit is still checked against ``send_email``'s arguments, before anything is logged."""
    session = start(dicts.email_tool_graph(_cp(db), _email_model()),
                    {"messages": [("user", "Send an email to alice@example.com")]})
    card = session.cards[0]
    assert card.request.args_schema["required"] == ["to", "subject", "body"]
    with pytest.raises(hitl_nb.InvalidResponse, match="subject"):
        card.edit({"subject": 42})
    assert not session.done and _sent() == [] and len(hitl_nb.DecisionLog(db)) == 0
    card.edit({"subject": "42"})
    assert _sent() == [{**EMAIL, "subject": "42"}]


def _weather_model() -> Any:
    return ScriptedChatModel([ai("", tool_call("weather_search", {"city": "sf"}, "w1")),
                              ai("It's sunny.")])


WEATHER_ASK = [("user", "what's the weather in sf?")]
REVIEW_CASES = pytest.mark.parametrize(("how", "searched"), [
    ("approve", ["sf"]), ("edit", ["San Francisco, USA"]), ("reject", [])])


def _review_weather(card: Any, how: str) -> None:
    if how == "edit":
        card.edit({"city": "San Francisco, USA"})
    else:
        _decide(card, how)


def test_the_card_says_which_word_each_decision_sends(db, start):
    session = start(dicts.review_tool_calls_graph(_cp(db), _weather_model()),
                    {"messages": WEATHER_ASK})
    text = session.cards[0]._repr_mimebundle_()["text/plain"]
    assert "action (Approve -> 'continue', Reject -> 'feedback', Edit -> 'update'" in text


@REVIEW_CASES
def test_old_docs_review_tool_call_continue_update_feedback(db, start, how, searched):
    session = start(dicts.review_tool_calls_graph(_cp(db), _weather_model()),
                    {"messages": WEATHER_ASK})
    _review_weather(session.cards[0], how)
    assert session.done
    assert _sent() == searched
    if how == "reject":     # the reviewer's comment goes back to the model as the tool result
        assert _tool_messages(session.result) == [COMMENT]
    assert _logged(db) == [how]


@REVIEW_CASES
def test_functional_api_review_tool_call_continue_update_feedback(db, start, how, searched):
    session = start(dicts.functional_agent(_cp(db), _weather_model()),
                    [{"role": "user", "content": "what's the weather in sf?"}])
    _review_weather(session.cards[0], how)
    assert session.done
    assert _sent() == searched
    assert _logged(db) == [how]


STRATEGY = {"content_draft": "Q3 campaign: focus on SMB", "critique": "solid",
            "critique_score": 8, "revision_count": 1}


@pytest.mark.parametrize(("how", "expected"), [
    ("approve", {"human_feedback": "Approved by human",
                 "final_output": "PUBLISHED: Q3 campaign: focus on SMB", "revision_count": 1}),
    ("reject", {"human_feedback": COMMENT, "final_output": None, "revision_count": 2}),
])
def test_action_approve_reject_with_the_comment_as_feedback(db, start, how, expected):
    session = start(dicts.strategy_graph(_cp(db)), STRATEGY)
    _decide(session.cards[0], how)
    assert {k: session.result.get(k) for k in expected} == expected
    assert _logged(db) == [how]


SUBTASKS = [{"id": "sub_1", "description": "scrape the pricing pages", "agent_type": "coder"},
            {"id": "sub_2", "description": "compare the plans", "agent_type": "analyst",
             "depends_on": ["sub_1"]}]


@pytest.mark.parametrize(("how", "expected"), [
    ("approve", {"current_stage": "execute", "final_output": None}),
    ("reject", {"current_stage": "done", "final_output": "任务已被人工驳回。"}),
])
def test_action_reject_is_heard_where_anything_unknown_runs(db, start, how, expected):
    session = start(dicts.subtasks_graph(_cp(db)),
                    {"task_id": "t-7", "user_input": "compare SaaS pricing", "subtasks": SUBTASKS})
    _decide(session.cards[0], how)
    assert {k: session.result.get(k) for k in expected} == expected
    assert _logged(db) == [how]


PLAN = {"steps": ["collect the data", "train the model"]}
NEW_PLAN = {"steps": ["collect the data", "hold out a test set", "train the model"]}


@pytest.mark.parametrize(("how", "expected"), [
    ("approve", {"plan": PLAN, "review": {"action": "approve"}, "replan": False}),
    ("edit", {"plan": NEW_PLAN, "review": {"action": "approve"}, "replan": False}),
    ("reject", {"plan": PLAN, "review": {"action": "revise", "feedback": COMMENT},
                "replan": True}),
])
def test_action_approve_or_revise_with_plan_and_feedback(db, start, how, expected):
    session = start(dicts.plan_review_graph(_cp(db)), {"plan": PLAN})
    card = session.cards[0]
    if how == "edit":
        card.edit({"plan": NEW_PLAN})
    else:
        _decide(card, how)
    assert session.done
    assert session.result == expected
    assert _logged(db) == [how]


def _birthday_model() -> Any:
    return ScriptedChatModel([
        ai("", tool_call("human_assistance", {"name": "LangGraph", "birthday": "Jan 1, 2024"},
                         "b1")),
        ai("LangGraph was released on the date you confirmed."),
    ])


BIRTHDAY_ASK = {"messages": [("user", "Can you look up when LangGraph was released? When you "
                                      "have the answer, use the human_assistance tool for "
                                      "review.")]}


def test_tutorial_tool_in_a_tool_node_reads_correct_yes_on_approve(db, start):
    session = start(dicts.birthday_graph(_cp(db), _birthday_model()), BIRTHDAY_ASK)
    session.cards[0].click("Approve")
    assert session.done
    assert (session.result["name"], session.result["birthday"]) == ("LangGraph", "Jan 1, 2024")
    assert _tool_messages(session.result) == ["Correct"]
    assert _logged(db) == ["approve"]


def test_tutorial_tool_in_a_tool_node_takes_edited_fields_at_the_top(db, start):
    session = start(dicts.birthday_graph(_cp(db), _birthday_model()), BIRTHDAY_ASK)
    card = session.cards[0]
    card.edit({**card.request.args, "birthday": "Jan 17, 2024"})
    assert session.done
    assert (session.result["name"], session.result["birthday"]) == ("LangGraph", "Jan 17, 2024")
    assert _tool_messages(session.result)[0].startswith("Made a correction")
    assert _logged(db) == ["edit"]


def test_tutorial_tool_in_a_tool_node_is_never_correct_on_reject(db, start):
    session = start(dicts.birthday_graph(_cp(db), _birthday_model()), BIRTHDAY_ASK)
    session.cards[0].reject(comment=COMMENT)
    assert session.done
    assert _tool_messages(session.result) != ["Correct"]
    assert _logged(db) == ["reject"]


def test_tutorial_human_assistance_in_create_agent_returns_the_typed_answer(db, start):
    model = ScriptedChatModel([
        ai("", tool_call("human_assistance", {"query": "I need expert guidance for building "
                                                       "an AI agent."}, "q1")),
        ai("Here is what the expert said."),
    ])
    agent = create_agent(model, tools=[dicts.human_assistance_query], checkpointer=_cp(db))
    session = start(agent, {"messages": [("user", "I need some expert guidance for building "
                                                   "an AI agent. Could you request assistance "
                                                   "for me?")]})
    answer = ("We, the experts are here to help! We'd recommend you check out LangGraph to "
              "build your agent. It's much more reliable and extensible than simple "
              "autonomous agents.")
    session.cards[0].respond(answer)
    assert session.done
    assert _tool_messages(session.result) == [answer]
    assert _logged(db) == ["respond"]


# == edited values and answers: the answer is the value ==================================
@pytest.mark.parametrize(("how", "text"), [
    ("approve", "Initial draft"),
    ("edit", "Improved draft after review"),
    ("respond", "The edited and improved text"),
])
def test_docs_review_node_stores_the_edited_content(db, start, how, text):
    session = start(values.review_text_graph(_cp(db)), {"generated_text": "Initial draft"})
    card = session.cards[0]
    if how == "edit":
        card.edit({"content": "Improved draft after review"})
    elif how == "respond":
        card.respond("The edited and improved text")
    else:
        card.click("Approve")
    assert session.result == {"generated_text": text}
    assert _logged(db) == [how]


def test_docs_review_node_offers_no_reject_it_could_not_tell_from_approve(db, start):
    # The node keeps whatever comes back: a rejection has no value of its own there, so
    # the card does not offer one; refusing it records nothing and keeps the review.
    session = start(values.review_text_graph(_cp(db)), {"generated_text": "Initial draft"})
    assert "reject" not in session.pending[0].allowed
    with pytest.raises(hitl_nb.NotAllowed):
        session.cards[0].reject(comment=COMMENT)
    assert not session.done and len(session.pending) == 1
    assert _logged(db) == []


@pytest.mark.parametrize(("how", "text"), [("approve", "cats are great"),
                                           ("edit", "cats are awesome")])
def test_old_docs_human_editing_reads_edited_text(db, start, how, text):
    session = start(values.summary_graph(_cp(db)), {"llm_generated_summary": "cats are great"})
    card = session.cards[0]
    if how == "edit":
        card.edit({**card.request.args, "llm_generated_summary": "cats are awesome"})
    else:
        card.click("Approve")
    assert session.result == {"llm_generated_summary": text}
    assert _logged(db) == [how]


def test_three_questions_in_one_node_get_the_typed_answers(db, start):
    session = start(values.person_graph(_cp(db)), {})
    for answer in ("Ada", "36", "London"):
        assert not session.done
        session.cards[0].respond(answer)
    assert session.done
    assert session.result == {"name": "Ada", "age": "36", "city": "London"}
    assert _logged(db) == ["respond"] * 3


def test_validation_loop_asks_again_until_the_answer_is_valid(db, start):
    session = start(values.person_graph(_cp(db), values.get_age_node), {})
    session.cards[0].respond("thirty")
    assert not session.done
    assert "'thirty' is not a valid age" in session.cards[0]._repr_mimebundle_()["text/plain"]
    session.cards[0].respond(30)
    assert session.done
    assert session.result == {"age": 30}
    assert _logged(db) == ["respond", "respond"]


def test_docs_wait_for_user_input_node_keeps_the_reviewers_feedback_text(db, start):
    session = start(values.feedback_graph(_cp(db)), {"input": "hello world"})
    card = session.cards[0]
    assert [label for _, label in card.actions] == ["Respond"]   # a question: answer it
    card.respond("go to step 3!")
    assert session.result == {"input": "hello world", "user_feedback": "go to step 3!"}
    assert _logged(db) == ["respond"]


def test_docs_functional_api_feedback_goes_into_the_f_string_as_text(db, start):
    session = start(values.functional_feedback_graph(_cp(db)), "foo")
    card = session.cards[0]
    assert "Please provide feedback: foo bar" in card._repr_mimebundle_()["text/plain"]
    assert [label for _, label in card.actions] == ["Respond"]
    card.respond("baz")
    assert session.result == "foo bar baz qux"
    assert _logged(db) == ["respond"]


@pytest.mark.parametrize(("how", "texts"), [
    ("approve", ["original 1", "original 2"]),
    ("edit", ["human input for prompt 1", "human input for prompt 2"]),
    ("respond", ["human input for prompt 1", "human input for prompt 2"]),
])
def test_docs_parallel_revisions_store_the_texts_under_their_keys(db, start, how, texts):
    session = start(values.two_texts_graph(_cp(db)), {"text_1": "original 1",
                                                      "text_2": "original 2"})
    assert len(session.pending) == 2
    for card, text in zip(session.cards, texts, strict=True):
        if how == "edit":
            card.edit({"text_to_revise": text})
        elif how == "respond":
            card.respond(text)
        else:
            card.click("Approve")
    assert session.done
    assert session.result == {"text_1": texts[0], "text_2": texts[1]}
    assert _logged(db) == [how, how]


def test_a_question_answered_inline_gets_the_text_and_a_yes_no_one_the_dict(db, start):
    session = start(values.letters_graph(_cp(db)), {})
    a, b = sorted(session.cards, key=lambda c: c.request.node)
    assert [label for _, label in a.actions] == ["Respond"]   # a question: answer it
    assert "approve" in b.request.allowed and b.request.expects is None   # no signal
    a.respond("Ada")
    b.click("Approve")
    assert session.done
    assert session.result["a"] == "Ada"
    assert session.result["b"]["type"] == "approve"   # the documented dict
    assert sorted(_logged(db)) == ["approve", "respond"]


# == the documented dict keeps working ===================================================
PLANNED = {"tool": "send_email", "to": "cfo@example.com", "subject": "Q3",
           "body": "Numbers attached"}


@pytest.mark.parametrize(("how", "sent"), [
    ("approve", [PLANNED]),
    ("edit", [{**PLANNED, "to": "ceo@example.com"}]),
    ("reject", []),
])
def test_seed_article_node_reads_approved_comment_and_args(db, start, how, sent):
    session = start(documented.seed_graph(_cp(db)), {"planned_action": PLANNED})
    card = session.cards[0]
    if how == "edit":
        card.edit({**card.request.args, "to": "ceo@example.com"})
    else:
        _decide(card, how)
    assert session.done
    assert _sent() == sent
    assert session.result["comment"] == (COMMENT if how == "reject" else None)
    assert _logged(db) == [how]


@both
def test_skill_node_reading_get_approved_sends_the_draft_only_on_approve(db, start, how):
    session = start(documented.email_agent_graph(_cp(db)),
                    {"email_content": "Can we move the call?",
                     "draft_response": "Sure, Thursday works.",
                     "classification": {"urgency": "high"}})
    _decide(session.cards[0], how)
    assert session.done
    assert _sent() == (["Sure, Thursday works."] if APPROVED[how] else [])
    assert _logged(db) == [how]


# == review(..., resume=fn) overrides what the code reads ================================
@both
def test_resume_mapper_overrides_what_the_node_reads(db, start, how):
    session = start(truth.approved_graph(_cp(db)), {"approved": False},
                    resume=lambda request, decision: f"mapped:{decision.type}")
    _decide(session.cards[0], how)
    assert session.result["approved"] == f"mapped:{how}"
    assert _logged(db) == [how]


def test_resume_mapper_wins_even_against_the_button(db, start):
    session = start(truth.approval_graph(_cp(db)), {"action_details": "Transfer $500"},
                    resume=lambda request, decision: False)
    session.cards[0].click("Approve")
    assert session.result["status"] == "rejected"
    assert _logged(db) == ["approve"]
