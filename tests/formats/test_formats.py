"""Each interrupt format: parsed into requests, answered with the value it expects."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

import hitl_nb
from hitl_nb import formats
from hitl_nb.model import Decision
from tests.graphs import single

INBOX = [
    {"action_request": {"action": "write_file", "args": {"path": "a.txt"}},
     "config": {"allow_accept": True, "allow_edit": True, "allow_respond": False,
                "allow_ignore": True},
     "description": "Write a.txt"},
    {"action_request": {"action": "ask_user", "args": {"q": "which?"}},
     "config": {"allow_accept": False, "allow_edit": False, "allow_respond": True,
                "allow_ignore": False},
     "description": "A question"},
]


def test_agent_inbox_shows_only_allowed_buttons_and_resumes_with_human_responses(db, start):
    graph = single(hitl_nb.checkpointer(db), INBOX)
    session = start(graph, {})
    write, ask = session.cards
    assert set(write.buttons) == {"Approve", "Reject", "Edit"}
    assert set(ask.buttons) == {"Respond"}
    write.edit({"path": "b.txt"})
    ask.respond("the second one")
    assert session.result["answers"] == [[
        {"type": "edit", "args": {"action": "write_file", "args": {"path": "b.txt"}}},
        {"type": "response", "args": "the second one"},
    ]]


def test_agent_inbox_reject_is_ignore():
    requests = formats.parse(INBOX[:1])
    assert formats.resume_value(requests, [Decision("reject", comment="no")]) == [
        {"type": "ignore", "args": None}]


@pytest.mark.parametrize("value", [
    "Continue with the migration?",
    ["a", {"b": [1, 2, {"c": None}]}],
    42,
    None,
    {"nested": {"deep": [1, {"x": "y"}]}},
])
def test_any_json_value_gets_a_card_with_respond(db, start, value):
    session = start(single(hitl_nb.checkpointer(db), value), {})
    card = session.cards[0]
    assert "Respond" in card.buttons
    assert card.request.action == "ask"         # falls back to the node's name
    card.respond({"free": "form"})
    assert session.result["answers"][0]["response"] == {"free": "form"}


def test_plain_payload_name_comes_from_tool_then_name_keys():
    assert formats.parse({"tool": "rm", "path": "/"})[0].action == "rm"
    assert formats.parse({"name": "deploy"})[0].action == "deploy"
    assert formats.parse({"action": "go", "tool": "rm"})[0].action == "go"
    req = formats.parse({"tool": "rm", "path": "/", "message": "ok?"})[0]
    assert (req.args, req.description) == ({"path": "/"}, "ok?")


def test_custom_resume_mapper_replaces_the_default_shape(db, start):
    session = start(single(hitl_nb.checkpointer(db), {"action": "go"}), {},
                    resume=lambda request, decision: decision.type == "approve")
    session.cards[0].approve()
    assert session.result["answers"] == [True]


def test_custom_resume_mapper_applies_to_each_tool_call_of_a_list(db, start):
    calls = [{"name": "a", "args": {"x": 1}, "id": "1", "type": "tool_call"},
             {"name": "b", "args": {"y": 2}, "id": "2", "type": "tool_call"}]
    session = start(single(hitl_nb.checkpointer(db), calls), {},
                    resume=lambda request, decision: f"{request.action}:{decision.type}")
    first, second = session.cards
    first.approve()
    second.reject()
    assert session.result["answers"] == [["a:approve", "b:reject"]]


class Transfer(BaseModel):
    to: str
    amount: float


def test_edit_that_a_model_payload_refuses_is_not_recorded(db, start):
    session = start(single(hitl_nb.checkpointer(db), Transfer(to="ACME", amount=10.0)), {})
    with pytest.raises(hitl_nb.InvalidResponse, match="Transfer"):
        session.cards[0].edit({"to": "ACME", "amount": "lots"})
    assert len(hitl_nb.DecisionLog(db)) == 0


class Answer(BaseModel):
    approved: bool
    reason: str


def test_response_schema_rejects_invalid_values_before_recording(db, start):
    graph = single(hitl_nb.checkpointer(db), "Approve the refund?", response_schema=Answer)
    session = start(graph, {})
    card = session.cards[0]
    assert card.request.response_schema["required"] == ["approved", "reason"]
    with pytest.raises(hitl_nb.InvalidResponse, match="reason"):
        card.respond({"approved": True})
    assert len(hitl_nb.DecisionLog(db)) == 0
    assert not session.done
    card.respond({"approved": True, "reason": "within policy"})
    assert session.result["answers"] == [Answer(approved=True, reason="within policy")]


def test_response_schema_dict_is_validated_by_hitl_nb(db, start):
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}},
              "required": ["n"]}
    session = start(single(hitl_nb.checkpointer(db), "How many?", response_schema=schema), {})
    card = session.cards[0]
    assert set(card.buttons) == {"Respond"}
    with pytest.raises(hitl_nb.InvalidResponse, match="minimum"):
        card.respond({"n": 0})
    card.respond({"n": 3})
    assert session.result["answers"] == [{"n": 3}]


def test_request_review_returns_a_decision(db, start):
    from langgraph.graph import START, StateGraph

    from tests.graphs import State

    def node(state: State) -> dict:
        decision = hitl_nb.request_review(
            "transfer", {"amount": 120}, description="Pay the invoice", task="pay bills",
            before="balance: 1000", after="balance: 880", confidence=0.7,
            uncertainty=["invoice date unclear"])
        return {"answers": [(decision.type, decision.args, decision.comment, decision.reviewer)]}

    b = StateGraph(State)
    b.add_node("pay", node)
    b.add_edge(START, "pay")
    session = start(b.compile(checkpointer=hitl_nb.checkpointer(db)), {})
    request = session.pending[0]
    assert (request.format, request.task, request.confidence) == ("hitl_nb", "pay bills", 0.7)
    assert request.uncertainty == ["invoice date unclear"]
    assert (request.before, request.after) == ("balance: 1000", "balance: 880")
    session.cards[0].edit({"amount": 100}, comment="partial")
    assert session.result["answers"] == [["edit", {"amount": 100}, "partial", "ana"]]


def test_request_replace_is_a_copy_with_the_changes_as_dataclasses_replace_makes():
    import dataclasses

    request = hitl_nb.ReviewRequest(action="send_email", args={"to": "a@example.com"},
                                    thread_id="t", interrupt_id="i", steps=["plan"])
    copy = request.replace(index=2, count=3, node="send")
    assert copy == dataclasses.replace(request, index=2, count=3, node="send")
    assert (request.index, request.count, request.node) == (0, 1, None)   # untouched
    assert copy.args is request.args and copy is not request               # shallow
    with pytest.raises(TypeError, match="no field 'colour'"):
        request.replace(colour="red")
