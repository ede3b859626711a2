"""The live card: reject comment box, edit form with live diff, typed responses,
collapsing after a decision, the static mime bundle, and rich requests end to end."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

import hitl_nb
from hitl_nb import InvalidForm, render
from hitl_nb.model import Decision, ReviewRequest, Risk
from hitl_nb.ui.widgets.card import ReviewCard


class Recorder:
    """A submit callable that keeps what it was given (stands in for Session.decide)."""

    def __init__(self) -> None:
        self.calls: list[tuple[ReviewRequest, Decision]] = []

    def __call__(self, request: ReviewRequest, decision: Decision) -> Decision:
        self.calls.append((request, decision))
        return decision


class Answer(BaseModel):
    verdict: str = Field(description="What to tell the agent")
    retries: int = Field(1, ge=0, le=3)


def email_request(**changes: Any) -> ReviewRequest:
    return ReviewRequest("send_email", {"to": "cfo@example.com", "subject": "Q3"},
                         thread_id="t1", interrupt_id="i1").replace(**changes)


def enter(card: ReviewCard) -> None:
    """What the browser sends when Enter is pressed in the comment box."""
    card.comment._handle_custom_msg({"event": "submit"}, [])


class TestReject:
    def test_first_click_opens_the_comment_box_without_deciding(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.buttons["reject"].click()
        assert submit.calls == []
        assert card.reject_box.layout.display is None

    def test_enter_in_the_comment_box_rejects_with_the_comment(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.buttons["reject"].click()
        card.comment.value = "wrong recipient"
        enter(card)
        [(_, decision)] = submit.calls
        assert (decision.type, decision.comment) == ("reject", "wrong recipient")

    def test_second_click_rejects_without_a_comment(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.buttons["reject"].click()
        card.buttons["reject"].click()
        [(_, decision)] = submit.calls
        assert (decision.type, decision.comment) == ("reject", None)

    def test_typed_comment_rejects_on_the_first_click(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.comment.value = "no"
        card.buttons["reject"].click()
        assert [d.comment for _, d in submit.calls] == ["no"]


class TestEdit:
    def test_edit_form_live_diff_then_submit(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.buttons["edit"].click()
        assert card.edit_box.layout.display is None
        card.editor.form.fields["to"].widget.value = "ceo@example.com"
        assert "ceo@example.com" in card.editor.diff.value
        card.submit_edit.click()
        [(_, decision)] = submit.calls
        assert decision.type == "edit"
        assert decision.args == {"to": "ceo@example.com", "subject": "Q3"}

    def test_enter_while_editing_submits_the_edit_not_a_reject(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.buttons["edit"].click()
        card.editor.form.fields["subject"].widget.value = "Q3 final"
        card.comment.value = "fixed the subject"
        enter(card)
        [(_, decision)] = submit.calls
        assert (decision.type, decision.comment) == ("edit", "fixed the subject")

    def test_unreadable_edit_is_not_submitted(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.editor.mode.value = "JSON"
        card.editor.json.value = "{broken"
        with pytest.raises(InvalidForm):
            card._edit_from_form()
        assert submit.calls == []
        assert "not valid JSON" in card.status.value


class TestRespond:
    def typed(self) -> ReviewRequest:
        from pydantic import TypeAdapter

        return email_request(format="hitl_nb",
                             response_schema=TypeAdapter(Answer).json_schema())

    def test_response_schema_gives_a_typed_form(self):
        card = ReviewCard(self.typed(), Recorder())
        assert card.form is not None
        assert set(card.form.fields) == {"verdict", "retries"}
        assert card.answer_box.children[0] is card.form

    def test_form_answer_is_validated_and_sent(self):
        submit = Recorder()
        card = ReviewCard(self.typed(), submit)
        card.buttons["respond"].click()
        card.form.fields["verdict"].widget.value = "use the PDF"
        card.submit_answer.click()
        [(_, decision)] = submit.calls
        assert decision.response == {"verdict": "use the PDF", "retries": 1}

    def test_invalid_answer_shows_next_to_field_and_is_not_sent(self):
        submit = Recorder()
        card = ReviewCard(self.typed(), submit)
        with pytest.raises(InvalidForm) as info:
            card.respond({"verdict": "x", "retries": 7})
        assert "retries" in info.value.fields
        assert "greater than the maximum of 3" in card.form.fields["retries"].error.value
        assert submit.calls == []

    def test_plain_text_response_without_schema(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.answer.value = "ask finance first"
        card.submit_answer.click()
        assert submit.calls[0][1].response == "ask finance first"

    def test_langchain_decision_schema_is_not_a_response_form(self):
        schema = {"oneOf": [{"type": "object", "properties": {"type": {"const": "respond"}}}]}
        card = ReviewCard(email_request(format="langchain_per_call", response_schema=schema),
                          Recorder())
        assert card.form is None


class TestAfterDecision:
    def test_card_collapses_to_a_summary_that_expands(self):
        card = ReviewCard(email_request(), Recorder())
        card.approve("fine")
        assert card.summary_row.layout.display is None
        assert card.full.layout.display == "none"
        assert "approved" in card.summary.value
        assert "fine" in card.summary.value
        card.expand.value = True
        assert card.full.layout.display is None
        assert all(b.disabled for b in card.buttons.values())
        card.expand.value = False
        assert card.full.layout.display == "none"

    def test_mimebundle_has_widget_view_and_same_static_render(self):
        card = ReviewCard(email_request(), Recorder())
        bundle = card._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert bundle["text/html"] == render.card_html(card.request)
        assert bundle["text/plain"] == render.card_text(card.request)
        card.reject("nope")
        bundle = card._repr_mimebundle_()
        assert bundle["text/html"] == render.card_html(card.request, card.decision)
        assert "rejected" in bundle["text/plain"]
        assert "nope" in bundle["text/plain"]


# -- end to end through a real graph ------------------------------------------------------
class State(TypedDict, total=False):
    config: str
    outcome: Any


def rich_graph(checkpointer):
    def propose(state: State) -> dict:
        decision = hitl_nb.request_review(
            "write_file", {"path": "config.yaml", "content": "threshold: 50\n"},
            description="Write a file.", task="Raise the alert threshold",
            before=state["config"], after="threshold: 50\n", confidence=0.55,
            uncertainty="50 may be too high",
            steps=[{"role": "user", "content": "raise it"},
                   AIMessage("", tool_calls=[{"name": "read_file", "args": {}, "id": "r"}])],
            risk=Risk("always", 0.8, ("changes production config",)),
            response_schema=Answer)
        return {"outcome": decision.response if decision.type == "respond" else decision.type}

    builder = StateGraph(State)
    builder.add_node("propose", propose)
    builder.add_edge(START, "propose")
    builder.add_edge("propose", END)
    return builder.compile(checkpointer=checkpointer)


def plain_graph(checkpointer):
    def ask(state: State) -> dict:
        answer = interrupt({"action": "update_config", "description": "Raise the threshold",
                            "confidence": 0.3, "before": {"threshold": 10},
                            "after": {"threshold": 50}})
        return {"outcome": answer["type"]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    return builder.compile(checkpointer=checkpointer)


def test_request_review_rich_fields_show_on_the_card(start, db):
    session = start(rich_graph(hitl_nb.checkpointer(db)), {"config": "threshold: 10\n"})
    card = session.cards[0]
    body = card.body.value
    for part in ("Raise the alert threshold", "hitl-steps", "hitl-removed", "threshold: 10",
                 "55%", "50 may be too high", "changes production config", "0.80",
                 "node <b>propose</b>"):
        assert part in body, part
    assert card.form is not None
    assert "verdict" in card.form.fields
    assert card.request.uncertainty == ["50 may be too high"]
    assert card.request.steps[1] == {"role": "ai", "tool_calls": [{"name": "read_file",
                                                                    "args": {}}]}


def test_typed_response_reaches_the_node_as_the_model(start, db):
    session = start(rich_graph(hitl_nb.checkpointer(db)), {"config": "threshold: 10\n"})
    card = session.cards[0]
    card.form.fields["verdict"].widget.value = "keep 10"
    card.submit_answer.click()
    assert session.done
    assert session.result["outcome"] == Answer(verdict="keep 10", retries=1)


def test_plain_payload_keys_are_recognised(start, db):
    session = start(plain_graph(hitl_nb.checkpointer(db)), {})
    body = session.cards[0].body.value
    assert "Raise the threshold" in body
    assert "30%" in body
    assert "hitl-confidence-low" in body
    assert "<tr class='hitl-changed'>" in body  # before/after dicts: structural diff
    session.cards[0].approve()
    assert session.result["outcome"] == "approve"


def agent_graph(checkpointer):
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
    from langgraph.graph import MessagesState

    def work(state: MessagesState) -> dict:
        return {"messages": [
            AIMessage("", tool_calls=[{"name": "read_file", "args": {"path": "app.yaml"},
                                       "id": "c1"}]),
            ToolMessage("threshold: 10", tool_call_id="c1", name="read_file")]}

    def ask(state: MessagesState) -> dict:
        interrupt({"action": "write_file", "path": "app.yaml"})
        return {}

    builder = StateGraph(MessagesState)
    builder.add_node("work", work)
    builder.add_node("ask", ask)
    builder.add_edge(START, "work")
    builder.add_edge("work", "ask")
    builder.add_edge("ask", END)
    return builder.compile(checkpointer=checkpointer), HumanMessage("raise the threshold")


def test_task_and_steps_come_from_the_graph_state(start, db):
    graph, first = agent_graph(hitl_nb.checkpointer(db))
    session = start(graph, {"messages": [first]})
    request = session.cards[0].request
    assert request.task == "raise the threshold"
    assert [s["role"] for s in request.steps] == ["human", "ai", "tool"]
    body = session.cards[0].body.value
    assert "Task:" in body
    assert "raise the threshold" in body
    assert "calls <code>read_file</code>" in body
    assert "threshold: 10" in body


def test_langchain_agent_card_edits_with_the_tool_schema_and_shows_context(db, start):
    from tests.graphs import SENT, email_agent

    session = start(email_agent(hitl_nb.checkpointer(db), "per_call"),
                    {"messages": [("user", "send the Q3 numbers")]})
    card = session.cards[0]
    assert card.request.args_schema is not None
    assert set(card.editor.form.fields) == {"to", "subject"}
    assert card.request.task == "send the Q3 numbers"
    assert "calls <code>send_email</code>" in card.body.value
    card.buttons["edit"].click()
    card.editor.form.fields["to"].widget.value = "ceo@example.com"
    assert "ceo@example.com" in card.editor.diff.value
    card.submit_edit.click()
    session.cards[0].reject()
    assert session.done
    assert SENT == [{"to": "ceo@example.com", "subject": "Q3"}]


def test_showing_the_same_decision_twice_shows_it_once():
    card = ReviewCard(email_request(), Recorder())
    decision = card.approve()
    card.show_decision(decision)
    assert card.status.value.count("hitl-decision") == 1
