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
from tests.graphs import single
from tests.markup import unpack


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


def browser_click(card: ReviewCard, label: str, **state: Any) -> None:
    """What the front end sends for a click: its state first, then the label."""
    card._handle_custom_msg({"click": label, "state": state}, [])


class TestOneWidget:
    def test_a_card_is_one_anywidget_and_its_layout(self):
        import anywidget
        from ipywidgets.widgets.widget import _instances

        before = set(_instances)
        card = ReviewCard(email_request(), Recorder())
        card._repr_mimebundle_()                     # displayed
        assert isinstance(card, anywidget.AnyWidget)
        assert len(set(_instances) - before) == 2    # the card and its Layout

    def test_a_card_never_shown_opens_no_comm_yet_reads_like_a_shown_one(self):
        from ipywidgets.widgets.widget import _instances

        before = set(_instances)
        card = ReviewCard(email_request(), Recorder())
        assert card.comm is None and set(_instances) == before
        assert "send_email" in card.html                     # rendered when read
        assert unpack(card.get_state()["markup"]) == card.html  # and in the state asked for
        card.click("Approve")
        assert card.decision.type == "approve" and card.comm is None

    def test_a_shown_card_opens_with_its_body_and_sends_what_changes(self):
        card = ReviewCard(email_request(), Recorder())
        bundle = card._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        model_id = data["application/vnd.jupyter.widget-view+json"]["model_id"]
        assert card.comm is not None and model_id == card.model_id
        assert "send_email" in unpack(card.markup)          # in the opening state
        sent: list[dict] = []
        card.comm.send = lambda data=None, buffers=None, **_: sent.append(data)
        card.click("Reject")
        assert {"mode": "reject"}.items() <= sent[-1]["state"].items()
        card.show(email_request(action="delete_file"))     # a queue's next request
        assert any("delete_file" in unpack(m["state"].get("markup", "")) for m in sent)

    def test_a_closed_card_does_not_open_again(self):
        shown, hidden = ReviewCard(email_request(), Recorder()), ReviewCard(email_request(),
                                                                            Recorder())
        shown._repr_mimebundle_()
        for card in (shown, hidden):
            card.close()
            card.open()
            assert card.comm is None and card._repr_mimebundle_ is None   # no widget view

    def test_saved_state_is_small_and_carries_no_code(self):
        import json

        card = ReviewCard(email_request(args={"to": "cfo@example.com", "body": "x" * 1000}),
                          Recorder())
        state = json.dumps(card.get_state())
        assert len(state) < 8_000
        assert "function renderCard" not in state          # the code comes by message

    def test_the_front_end_gets_its_code_by_message(self):
        from hitl_nb.ui.widgets import _front

        card = ReviewCard(email_request(), Recorder())
        sent = []
        card.send = sent.append
        card._handle_custom_msg({"want": "code"}, [])
        assert sent[0]["code"] == _front.CODE and sent[0]["hitl_code"] == _front.VERSION


class TestClicks:
    def test_click_approve_decides_with_the_typed_comment(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        browser_click(card, "Approve", comment="fine by me")
        [(_, decision)] = submit.calls
        assert (decision.type, decision.comment) == ("approve", "fine by me")

    def test_unknown_button_is_an_error_kept_on_the_card(self):
        card = ReviewCard(email_request(allowed=("approve", "reject")), Recorder())
        with pytest.raises(hitl_nb.HitlError, match="no button 'Edit'"):
            card.click("Edit")
        assert "no button" in card.status and isinstance(card.error, hitl_nb.HitlError)

    def test_error_in_a_browser_click_shows_on_the_card(self):
        def failing(request, decision):
            raise hitl_nb.HitlError("log is read-only")

        card = ReviewCard(email_request(), failing)
        browser_click(card, "Approve")          # ipywidgets swallows the handler's error
        assert "log is read-only" in card.status
        assert str(card.error) == "log is read-only"
        assert card.busy is False and card.decision is None


class TestReject:
    def test_first_click_opens_the_comment_box_without_deciding(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Reject")
        assert submit.calls == []
        assert card.mode == "reject"
        assert "Send rejection" in card.buttons

    def test_send_rejection_rejects_with_the_comment(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Reject")
        browser_click(card, "Send rejection", comment="wrong recipient")
        [(_, decision)] = submit.calls
        assert (decision.type, decision.comment) == ("reject", "wrong recipient")

    def test_second_click_rejects_without_a_comment(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Reject")
        card.click("Reject")
        [(_, decision)] = submit.calls
        assert (decision.type, decision.comment) == ("reject", None)

    def test_typed_comment_rejects_on_the_first_click(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.comment = "no"
        card.click("Reject")
        assert [d.comment for _, d in submit.calls] == ["no"]

    def test_cancel_closes_the_box(self):
        card = ReviewCard(email_request(), Recorder())
        card.click("Reject")
        card.click("Cancel")
        assert card.mode == ""


class TestEdit:
    def test_edit_form_live_diff_then_submit(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Edit")
        assert card.mode == "edit"
        assert [f["name"] for f in card.form["fields"]] == ["to", "subject"]
        card.fill({"to": "ceo@example.com"})
        assert "ceo@example.com" in card.diff
        card.click("Submit edit")
        [(_, decision)] = submit.calls
        assert decision.type == "edit"
        assert decision.args == {"to": "ceo@example.com", "subject": "Q3"}

    def test_raw_values_typed_in_the_browser_are_read_in_python(self):
        submit = Recorder()
        card = ReviewCard(email_request(args={"n": 1, "ok": False, "tags": ["a"]}), submit)
        card.click("Edit")
        browser_click(card, "Submit edit", comment="more",
                      draft={"values": {"n": "3", "ok": True, "tags": "a\nb"}})
        [(_, decision)] = submit.calls
        assert decision.args == {"n": 3, "ok": True, "tags": ["a", "b"]}
        assert decision.comment == "more"

    def test_json_view_carries_the_edit_over_and_back(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Edit")
        card.fill({"subject": "Q4"})
        card.click("JSON")
        assert card.form["view"] == "json" and '"Q4"' in card.draft["json"]
        card.fill(json='{"to": "x@example.com", "subject": "Q4"}')
        card.click("Form")
        assert card.draft["values"] == {"to": "x@example.com", "subject": "Q4"}
        card.click("Submit edit")
        assert submit.calls[0][1].args == {"to": "x@example.com", "subject": "Q4"}

    def test_the_edit_box_sends_what_it_holds_and_edit_fills_in_what_it_leaves_out(self):
        """A key deleted in the JSON box stays deleted; ``card.edit`` of one argument
        keeps the others as proposed, as editing one field of the form does."""
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Edit")
        card.click("JSON")
        card.fill(json='{"to": "x@example.com"}')
        card.click("Submit edit")
        assert submit.calls[0][1].args == {"to": "x@example.com"}
        again = ReviewCard(email_request(), submit)
        again.edit({"subject": "Q4"}, comment="next quarter")
        assert submit.calls[1][1].args == {"to": "cfo@example.com", "subject": "Q4"}
        assert submit.calls[1][1].comment == "next quarter"
        text = ReviewCard(email_request(args="draft one"), submit)
        text.edit("draft two")
        assert submit.calls[2][1].args == "draft two"

    def test_a_comment_typed_in_a_cancelled_box_never_reaches_the_next_decision(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Reject")
        browser_click(card, "Cancel", comment="wrong recipient")   # typed, then cancelled
        assert card.comment == ""
        browser_click(card, "Approve", comment=card.comment)       # what the front end holds
        [(_, decision)] = submit.calls
        assert (decision.type, decision.comment) == ("approve", None)

    def test_unreadable_edit_is_not_submitted_and_names_the_field(self):
        submit = Recorder()
        card = ReviewCard(email_request(args={"n": 1}), submit)
        card.click("Edit")
        card.fill({"n": "many"})
        assert card.errors == {"n": "'many' is not a whole number"}
        with pytest.raises(InvalidForm):
            card.click("Submit edit")
        assert submit.calls == []
        assert "not a whole number" in card.status

    def test_broken_json_is_not_submitted(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Edit")
        card.click("JSON")
        card.fill(json="{broken")
        with pytest.raises(InvalidForm):
            card.click("Submit edit")
        assert submit.calls == [] and "not valid JSON" in card.status

    def test_args_that_are_not_a_dict_edit_as_json(self):
        card = ReviewCard(email_request(args=["a", "b"]), Recorder())
        card.click("Edit")
        assert card.form["view"] == "json" and card.form["views"] == ["JSON"]


class TestRespond:
    def typed(self) -> ReviewRequest:
        from pydantic import TypeAdapter

        return email_request(format="hitl_nb",
                             response_schema=TypeAdapter(Answer).json_schema())

    def test_response_schema_gives_a_typed_form_with_defaults(self):
        card = ReviewCard(self.typed(), Recorder())
        card.click("Respond")
        fields = {f["name"]: f for f in card.form["fields"]}
        assert set(fields) == {"verdict", "retries"}
        assert fields["retries"]["raw"] == "1" and fields["retries"]["max"] == 3
        assert fields["verdict"]["help"] == "What to tell the agent"

    def test_form_answer_is_validated_and_sent(self):
        submit = Recorder()
        card = ReviewCard(self.typed(), submit)
        card.click("Respond")
        card.fill({"verdict": "use the PDF"})
        card.click("Send response")
        [(_, decision)] = submit.calls
        assert decision.response == {"verdict": "use the PDF", "retries": 1}

    def test_invalid_answer_shows_next_to_field_and_is_not_sent(self):
        submit = Recorder()
        card = ReviewCard(self.typed(), submit)
        with pytest.raises(InvalidForm) as info:
            card.respond({"verdict": "x", "retries": 7})
        assert "retries" in info.value.fields
        assert "greater than the maximum of 3" in card.errors["retries"]
        assert submit.calls == []

    def test_plain_text_response_without_schema(self):
        submit = Recorder()
        card = ReviewCard(email_request(), submit)
        card.click("Respond")
        assert card.form["view"] == "text"
        card.fill(text="ask finance first")
        card.click("Send response")
        assert submit.calls[0][1].response == "ask finance first"

    def test_schema_no_form_can_draw_falls_back_to_the_json_editor(self):
        card = ReviewCard(email_request(response_schema={"type": "nonsense"}), Recorder())
        card.click("Respond")
        assert card.form["view"] == "json"

    def test_langchain_decision_schema_is_not_a_response_form(self):
        schema = {"oneOf": [{"type": "object", "properties": {"type": {"const": "respond"}}}]}
        card = ReviewCard(email_request(format="langchain_per_call", response_schema=schema),
                          Recorder())
        card.click("Respond")
        assert card.form["view"] == "text"


class TestAfterDecision:
    def test_card_collapses_to_a_summary_that_expands(self):
        card = ReviewCard(email_request(), Recorder())
        card.approve("fine")
        assert "approved" in card.decided and "fine" in card.decided
        assert card.busy is True and card.expanded is False
        card.click("details")
        assert card.expanded is True
        card.click("details")
        assert card.expanded is False

    def test_a_decided_card_refuses_another_click_naming_the_decision(self):
        card = ReviewCard(email_request(), Recorder())
        card.approve()
        with pytest.raises(hitl_nb.AlreadyDecided, match="approved"):
            card.click("Reject")

    def test_mimebundle_has_widget_view_and_same_static_render(self):
        card = ReviewCard(email_request(), Recorder())
        bundle = card._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert "application/vnd.jupyter.widget-view+json" in data
        assert data["text/html"] == render.card_html(card.request)
        assert data["text/plain"] == render.card_text(card.request)
        card.reject("nope")
        bundle = card._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert data["text/html"] == render.card_html(card.request, card.decision)
        assert "rejected" in data["text/plain"]
        assert "nope" in data["text/plain"]


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
    return single(checkpointer, {"action": "update_config", "description": "Raise the threshold",
                                 "confidence": 0.3, "before": {"threshold": 10},
                                 "after": {"threshold": 50}})


def test_request_review_rich_fields_show_on_the_card(start, db):
    session = start(rich_graph(hitl_nb.checkpointer(db)), {"config": "threshold: 10\n"})
    card = session.cards[0]
    body = card.html
    for part in ("Raise the alert threshold", "hitl-steps", "hitl-removed", "threshold: 10",
                 "55%", "50 may be too high", "changes production config", "0.80",
                 "node <b>propose</b>"):
        assert part in body, part
    card.click("Respond")
    assert "verdict" in [f["name"] for f in card.form["fields"]]
    assert card.request.uncertainty == ["50 may be too high"]
    assert card.request.steps[1] == {"role": "ai", "tool_calls": [{"name": "read_file",
                                                                    "args": {}}]}


def test_typed_response_reaches_the_node_as_the_model(start, db):
    session = start(rich_graph(hitl_nb.checkpointer(db)), {"config": "threshold: 10\n"})
    card = session.cards[0]
    card.click("Respond")
    card.fill({"verdict": "keep 10"})
    card.click("Send response")
    assert session.done
    assert session.result["outcome"] == Answer(verdict="keep 10", retries=1)


def test_plain_payload_keys_are_recognised(start, db):
    session = start(plain_graph(hitl_nb.checkpointer(db)), {})
    body = session.cards[0].html
    assert "Raise the threshold" in body
    assert "30%" in body
    assert "hitl-confidence-low" in body
    assert "<tr class='hitl-changed'>" in body  # before/after dicts: structural diff
    session.cards[0].approve()
    assert session.result["answers"][0]["type"] == "approve"


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
    body = session.cards[0].html
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
    card.click("Edit")
    assert [f["name"] for f in card.form["fields"]] == ["to", "subject"]
    assert card.request.task == "send the Q3 numbers"
    assert "calls <code>send_email</code>" in card.html
    card.fill({"to": "ceo@example.com"})
    assert "ceo@example.com" in card.diff
    card.click("Submit edit")
    session.cards[0].reject()
    assert session.done
    assert SENT == [{"to": "ceo@example.com", "subject": "Q3"}]


def test_showing_the_same_decision_twice_shows_it_once():
    card = ReviewCard(email_request(), Recorder())
    decision = card.approve()
    card.show_decision(decision)
    assert card.status.count("hitl-decision") == 1
