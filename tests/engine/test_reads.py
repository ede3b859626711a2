"""A plain interrupt resumes with what the paused code reads (`hitl_nb.engine.reads`).

Each node in `reads_nodes` is written as LangGraph's docs or users' code write it; the
tests click as a reviewer would and check which branch the node took.
"""

from __future__ import annotations

from typing import TypedDict

import pytest
from langgraph.graph import END, START, StateGraph

import hitl_nb
from hitl_nb.engine.reads import functions_of, site_for, with_reads
from hitl_nb.render import card_text

from . import reads_nodes as nodes


class State(TypedDict, total=False):
    llm_output: str
    out: object


def graph_of(node, db):
    b = StateGraph(State)
    b.add_node("h", node)
    b.add_edge(START, "h")
    b.add_edge("h", END)
    return b.compile(checkpointer=hitl_nb.checkpointer(db))


@pytest.fixture
def run(tmp_path):
    def _run(node, act, *args, **kwargs):
        session = hitl_nb.review(graph_of(node, tmp_path / "h.db"), {"llm_output": "draft"},
                                 display=False, log=tmp_path / "h.db")
        getattr(session.cards[0], act)(*args, **kwargs)
        assert session.done
        return session.result["out"]
    return _run


@pytest.mark.parametrize("node", [nodes.compares_a_string, nodes.tests_truth,
                                  nodes.goto_if_else, nodes.lowers_and_checks_in,
                                  nodes.reads_feedback, nodes.approved_annotated,
                                  nodes.yes_no_after_strip],
                         ids=lambda f: f.__name__)
def test_approve_takes_the_approved_branch_and_reject_never_does(run, node):
    assert run(node, "approve") == "approved"
    assert not str(run(node, "reject", comment="no")).startswith("approved")


def test_documented_dict_still_reaches_code_that_reads_it(run):
    assert run(nodes.reads_documented_keys, "approve") == "paid 10"
    assert run(nodes.reads_documented_keys, "reject", comment="too much") == \
        "rejected: too much"
    assert run(nodes.reads_documented_keys, "edit", {"amount": 7}) == "paid 7"


def test_tool_style_node_gets_action_and_edited_arguments_at_the_top(run):
    assert run(nodes.reads_action_key, "approve") == "Email sent to cfo@example.com"
    assert run(nodes.reads_action_key, "edit",
               {"to": "ceo@example.com", "subject": "Q3", "body": "hi"}) == \
        "Email sent to ceo@example.com"
    assert run(nodes.reads_action_key, "reject") == "Email cancelled by user"


def test_rejection_comment_reaches_the_feedback_key(run):
    assert run(nodes.reads_feedback, "reject", comment="too dark") == "rejected: too dark"


def test_question_gets_the_typed_answer_and_a_number_when_compared_to_one(run):
    assert run(nodes.asks_a_name, "respond", "Ana") == "Ana"
    assert run(nodes.validates_a_number, "respond", "42") == 42


def test_edit_state_nodes_get_the_value_itself(run):
    assert run(nodes.keeps_an_edit, "approve") == "draft"
    assert run(nodes.keeps_an_edit, "edit", {"content": "better"}) == "better"
    assert run(nodes.reads_edited_text, "edit", {"llm_generated_summary": "short"}) == "short"
    assert run(nodes.reads_edited_text, "approve") == "draft"


def test_no_signal_keeps_the_documented_dict(run):
    out = run(nodes.stores_it, "approve")
    assert out["approved"] is True and out["type"] == "approve" and out["args"] == {"amount": 10}


def test_a_choice_between_other_words_is_answered_by_typing_one(run, tmp_path):
    with pytest.raises(hitl_nb.NotAllowed):   # nothing takes a branch by itself
        run(nodes.unknown_words, "approve")
    assert hitl_nb.DecisionLog(tmp_path / "h.db").to_pandas().empty
    assert run(nodes.unknown_words, "respond", "left") == "approved"
    session = hitl_nb.review(graph_of(nodes.unknown_words, tmp_path / "c.db"), {},
                             display=False, log=tmp_path / "c.db")
    assert "Respond -> your answer (the code checks for 'left')" in card_text(
        session.pending[0])


def test_only_the_decisions_the_code_can_receive_are_offered(tmp_path):
    session = hitl_nb.review(graph_of(nodes.tests_truth, tmp_path / "h.db"),
                             {"llm_output": "draft"}, display=False, log=tmp_path / "h.db")
    assert session.pending[0].allowed == ("approve", "reject")
    assert session.pending[0].expects == {"as": "bool"}
    with pytest.raises(hitl_nb.NotAllowed):
        session.cards[0].edit({"llm_output": "x"})
    assert hitl_nb.DecisionLog(tmp_path / "h.db").to_pandas().empty  # nothing recorded


def test_decision_log_keeps_the_decision_not_the_resume_word(run, tmp_path):
    run(nodes.compares_a_string, "reject", comment="off topic")
    row = hitl_nb.DecisionLog(tmp_path / "h.db").to_pandas().iloc[0]
    assert (row.decision, row.comment) == ("reject", "off topic")


def test_a_resume_mapper_overrides_what_the_code_reads(tmp_path):
    session = hitl_nb.review(graph_of(nodes.compares_a_string, tmp_path / "h.db"),
                             {"llm_output": "d"}, display=False, log=tmp_path / "h.db",
                             resume=lambda request, decision: "nope")
    assert session.pending[0].expects is None
    session.cards[0].approve()
    assert session.result["out"] == "rejected"


def test_a_helper_that_returns_the_answer_gives_no_signal(run):
    assert run(nodes.calls_a_helper, "approve") == "rejected"  # documented limitation


def test_sites_are_matched_by_the_payload_keys(tmp_path):
    b = StateGraph(State)
    b.add_node("a", nodes.compares_a_string)
    b.add_node("b", nodes.reads_action_key)
    b.add_edge(START, "a")
    b.add_edge("a", "b")
    b.add_edge("b", END)
    graph = b.compile()
    everything = functions_of(graph, None)
    site = site_for({"question": "?", "llm_output": "x"}, everything)
    assert site is not None and site.use.text == ["approve"]
    site = site_for({"action": "send_email", "to": 1, "subject": 2, "body": 3, "message": 4},
                    everything)
    assert site is not None and "action" in site.use.keys
    assert site_for({"other": 1}, everything) is None


def test_requests_of_other_formats_are_left_alone():
    request = hitl_nb.ReviewRequest("pay", {"amount": 1}, format="langchain", node="h")
    assert with_reads([request], graph_of(nodes.tests_truth, ":memory:")) == [request]


def test_card_says_what_the_node_receives(tmp_path):
    session = hitl_nb.review(graph_of(nodes.compares_a_string, tmp_path / "h.db"),
                             {"llm_output": "d"}, display=False, log=tmp_path / "h.db")
    card = session.cards[0]
    bundle = card._repr_mimebundle_()
    assert "The node receives: Approve -&gt; &#x27;approve&#x27;, Reject -&gt; " \
        "&#x27;reject&#x27;" in bundle["text/html"]
    assert "The node receives: Approve -> 'approve', Reject -> 'reject'" in bundle["text/plain"]


def test_inbox_card_says_what_the_node_receives_and_resumes_with_it(tmp_path):
    graph = graph_of(nodes.compares_a_string, tmp_path / "h.db")
    hitl_nb.review(graph, {"llm_output": "d"}, thread_id="t1", display=False,
                   log=tmp_path / "h.db")
    inbox = hitl_nb.Inbox(tmp_path / "h.db", graph=graph)
    [request] = inbox.list()
    assert request.expects is not None   # kept by the queue, so the inbox card can say it
    text = card_text(request)
    assert "The node receives: Approve -> 'approve', Reject -> 'reject'" in text
    inbox.decide(request, hitl_nb.Decision("approve"))
    assert graph.get_state({"configurable": {"thread_id": "t1"}}).values["out"] == "approved"


def test_code_that_cannot_be_read_keeps_the_documented_dict(tmp_path):
    namespace: dict = {}
    exec("from langgraph.types import interrupt\n"  # no source file: getsource fails
         "def typed_at_a_prompt(state):\n"
         "    decision = interrupt({'question': 'ok?', 'llm_output': state['llm_output']})\n"
         "    return {'out': 'approved' if decision == 'approve' else decision}\n", namespace)
    session = hitl_nb.review(graph_of(namespace["typed_at_a_prompt"], tmp_path / "h.db"),
                             {"llm_output": "d"}, display=False, log=tmp_path / "h.db")
    assert session.pending[0].expects is None
    session.cards[0].approve()
    assert session.result["out"]["type"] == "approve"


def test_the_key_an_answer_is_stored_under_says_what_it_is(tmp_path):
    from hitl_nb.engine.reads import expectation
    from hitl_nb.engine.reads._ast import call_sites

    [site] = call_sites(nodes.keeps_feedback_by_keyword)
    assert site.use.fields == ["feedback"] and not site.text
    request = hitl_nb.ReviewRequest("ask", raw="Anything to add?")
    assert expectation(site.use, request) == {"as": "answer", "number": False}
    [site] = call_sites(nodes.stores_it)   # "out" says nothing: the documented dict
    assert site.use.fields == ["out"]
    assert expectation(site.use, hitl_nb.ReviewRequest("pay", {"amount": 10})) is None


def test_a_resume_mapper_runs_once_per_decision_and_a_failing_one_records_nothing(tmp_path):
    calls = []

    def mapper(request, decision):
        calls.append(decision.type)
        if decision.comment == "unmappable":
            raise ValueError("no value for that")
        return decision.type

    db = tmp_path / "h.db"
    session = hitl_nb.review(graph_of(nodes.compares_a_string, db), {"llm_output": "d"},
                             display=False, log=db, resume=mapper)
    with pytest.raises(ValueError, match="no value for that"):
        session.cards[0].reject(comment="unmappable")
    log = hitl_nb.DecisionLog(db)
    assert log.to_pandas().empty and len(session.pending) == 1   # nothing recorded
    session.cards[0].approve()
    assert calls == ["reject", "approve"]                       # once per decision
    assert session.result["out"] == "approved"
    assert log.to_pandas().resume_value.tolist() == ["approve"]


def test_an_answer_to_a_tool_call_is_the_decision_and_a_reply_to_a_draft_the_draft(run):
    out = run(nodes.answers_a_tool_call, "approve")
    assert (out["type"], out["args"]) == ("approve", {"user_id": 7})   # the documented dict
    assert run(nodes.replies_with_the_draft, "approve") == "draft"
    assert run(nodes.replies_with_the_draft, "edit", {"draft": "better"}) == "better"
