"""Several interrupts, subgraphs, stale cards, double clicks, errors: exactly once."""

from __future__ import annotations

import pandas as pd
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

import hitl_nb
from tests.graphs import State, failing, parallel, paying, single, twice


def test_parallel_and_nested_subgraph_interrupts_resume_together(db, start):
    session = start(parallel(hitl_nb.checkpointer(db)), {})
    by_action = {c.request.action: c for c in session.cards}
    assert set(by_action) == {"delete_rows", "send_email"}
    assert by_action["send_email"].request.node == "inner"
    assert len(by_action["send_email"].request.namespace) == 2   # right -> nested
    by_action["send_email"].approve()
    assert not session.done                      # waits for every pending card
    assert session.status.can_resume                              # "Resume now" offered
    by_action["delete_rows"].reject(comment="too many")
    assert session.done
    answers = {k: v["type"] for k, v in session.result["answers"]}
    assert answers == {"left": "reject", "inner": "approve"}


def test_resume_now_sends_only_decided_interrupts_and_keeps_other_cards(db, start):
    session = start(parallel(hitl_nb.checkpointer(db)), {})
    by_action = {c.request.action: c for c in session.cards}
    by_action["delete_rows"].approve()
    session.resume_now()
    assert not session.done
    assert [c.request.action for c in session.cards] == ["send_email"]
    assert session.cards[0] is by_action["send_email"]   # the card object stays valid
    by_action["send_email"].approve()
    assert session.done


def test_double_click_resumes_once(db, start):
    graph = single(hitl_nb.checkpointer(db), {"action": "pay", "args": {"amount": 10}})
    session = start(graph, {})
    card = session.cards[0]
    card.click("Approve")
    with pytest.raises(hitl_nb.AlreadyDecided, match="approved by ana"):
        card.click("Approve")                           # disabled in the browser; forced here
    with pytest.raises(hitl_nb.AlreadyDecided, match="approved by ana"):
        card.approve()
    assert session.result["answers"] == [
        {"approved": True, "type": "approve", "comment": None, "args": {"amount": 10},
         "response": None}]
    assert len(hitl_nb.DecisionLog(db)) == 1
    assert card.busy                                    # the buttons are off


def test_stale_card_never_answers_the_next_interrupt_of_its_node(db, start):
    session = start(twice(hitl_nb.checkpointer(db)), {})
    first = session.cards[0]
    first.approve()
    second = session.cards[0]
    assert second.request.action == "second"
    stale = hitl_nb.ReviewCard(first.request, session.decide)     # e.g. an old output cell
    with pytest.raises(hitl_nb.StaleRequest, match="approved by ana"):
        stale.reject()
    assert session.pending == [second.request]
    second.reject()
    assert session.result["answers"] == ["approve", "reject"]


def test_two_sessions_deciding_the_same_card_resume_once(db, start):
    graph = single(hitl_nb.checkpointer(db), {"action": "pay"})
    mine = start(graph, {})
    theirs = hitl_nb.review(graph, None, thread_id="t1", log=db, reviewer="bo", display=False)
    theirs.cards[0].approve()
    with pytest.raises(hitl_nb.AlreadyDecided, match="approved by bo"):
        mine.cards[0].reject()
    assert mine.cards == [] or mine.cards[0].decision is not None
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(df.reviewer) == ["bo"] and list(df.decision) == ["approve"]


def test_graph_error_while_resuming_is_shown_kept_and_retried_once(db, start):
    fail = {"on": True}
    graph = failing(hitl_nb.checkpointer(db), fail)
    session = start(graph, {})
    card = session.cards[0]
    with pytest.raises(hitl_nb.HitlError):
        card.click("Approve")                           # the error is not lost:
    assert isinstance(session.error, RuntimeError)
    assert "deploy target unreachable" in session.status.html
    assert "deploy target unreachable" in card.status
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert (row.status, row.decision) == ("recorded", "approve")
    assert "deploy target unreachable" in row.error
    fail["on"] = False
    session.retry()
    assert session.done and session.error is None
    assert session.result["log"] == ["deployed"]
    assert list(hitl_nb.DecisionLog(db).to_pandas().status) == ["applied"]


def test_resume_failed_is_raised_to_code_callers(db, start):
    session = start(failing(hitl_nb.checkpointer(db), {"on": True}), {})
    with pytest.raises(hitl_nb.ResumeFailed, match=r"session\.retry"):
        session.cards[0].approve()


def test_graph_without_checkpointer_says_how_to_fix():
    b = StateGraph(State)
    b.add_node("n", lambda s: {})
    b.add_edge(START, "n")
    with pytest.raises(hitl_nb.MissingCheckpointer, match=r"compile\(checkpointer="):
        hitl_nb.review(b.compile(), {}, display=False)


def test_missing_thread_id_is_generated_and_shown(db):
    graph = single(hitl_nb.checkpointer(db), {"action": "go"})
    session = hitl_nb.review(graph, {}, log=db, display=False)
    assert session.thread_id.startswith("hitl-")
    assert session.thread_id in session.status.html
    assert "generated" in session.status.html


def test_unwritable_log_path_is_a_clear_error(tmp_path):
    graph = single(InMemorySaver(), {"action": "go"})
    with pytest.raises(hitl_nb.LogUnavailable, match="does not exist"):
        hitl_nb.review(graph, {}, log=str(tmp_path / "missing" / "hitl.db"), display=False)
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("this is not a database " * 100)
    with pytest.raises(hitl_nb.LogUnavailable, match=r"notes\.db"):
        hitl_nb.review(graph, {}, log=str(not_a_db), display=False)


def test_pick_up_needs_input_or_thread(db):
    graph = single(hitl_nb.checkpointer(db), {"action": "go"})
    with pytest.raises(hitl_nb.HitlError, match="thread_id"):
        hitl_nb.review(graph, None, log=db, display=False)


def test_pick_up_never_reruns_a_thread(db, start):
    calls = []

    def node(state: State) -> dict:
        calls.append(1)
        return {"answers": ["ran"]}

    b = StateGraph(State)
    b.add_node("n", node)
    b.add_edge(START, "n")
    graph = b.compile(checkpointer=hitl_nb.checkpointer(db))
    start(graph, {})
    again = hitl_nb.review(graph, None, thread_id="t1", log=db, display=False)
    assert calls == [1] and again.done and again.result["answers"] == ["ran"]


def test_static_html_for_saved_notebooks_shows_request_and_decision(db, start):
    session = start(single(hitl_nb.checkpointer(db), {"action": "pay <b>me</b>"}), {})
    card = session.cards[0]
    bundle = card._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "pay &lt;b&gt;me&lt;/b&gt;" in bundle["text/html"]
    card.approve()
    assert "approved by ana" in card._repr_mimebundle_()["text/html"]
    assert "approved by ana" in session._repr_mimebundle_()["text/html"]


def test_running_a_thread_with_pending_reviews_again_refuses_and_keeps_them(db, open_session):
    graph = single(hitl_nb.checkpointer(db), {"action": "pay"})
    first = open_session(graph, {})
    with pytest.raises(hitl_nb.HitlError, match="already has 1 pending review"):
        open_session(graph, {})
    picked = open_session(graph, None)
    assert [r.interrupt_id for r in picked.pending] == [r.interrupt_id for r in first.pending]


def test_respond_button_sends_json_objects_parsed_and_text_as_is(db, start):
    session = start(single(hitl_nb.checkpointer(db), "Which files?"), {})
    card = session.cards[0]
    card.click("Respond")
    assert card.mode == "respond"                            # the answer box opened
    card.fill(text='{"files": ["a.txt"]}')
    card.click("Send response")
    assert session.result["answers"][0]["response"] == {"files": ["a.txt"]}
    other = start(single(hitl_nb.checkpointer(db), "Why?"), {}, thread_id="t2")
    other.cards[0].click("Respond")
    other.cards[0].fill(text="because {it is} fine")
    other.cards[0].click("Send response")
    assert other.result["answers"][0]["response"] == "because {it is} fine"


def test_edit_button_opens_editor_and_submits_json_args(db, start):
    session = start(single(hitl_nb.checkpointer(db), {"action": "pay", "args": {"amount": 10}}),
                    {})
    card = session.cards[0]
    card.click("Edit")
    assert card.mode == "edit"
    card.click("JSON")
    card.fill(json='{"amount": 7}')
    card.click("Submit edit")
    assert session.result["answers"][0]["args"] == {"amount": 7}
    assert hitl_nb.DecisionLog(db).to_pandas().edited_args.iloc[0] == {"amount": 7}


def test_broken_json_in_the_editor_shows_an_error_and_records_nothing(db, start):
    session = start(single(hitl_nb.checkpointer(db), {"action": "pay", "args": {"amount": 10}}),
                    {})
    card = session.cards[0]
    card.click("Edit")
    card.click("JSON")
    card.fill(json='{"amount": ')
    with pytest.raises(hitl_nb.InvalidForm):
        card.click("Submit edit")
    assert "not valid JSON" in card.status
    assert len(hitl_nb.DecisionLog(db)) == 0 and not session.done


def test_retry_while_a_later_node_still_raises_is_resume_failed_and_releases_the_lease(
        db, tmp_path):
    broken = tmp_path / "broken"
    broken.touch()
    graph = paying(hitl_nb.checkpointer(db), str(tmp_path), broken=str(broken))
    session = hitl_nb.Session(graph, thread_id="p1", log=db).start({"amount": 5.0})
    with pytest.raises(hitl_nb.ResumeFailed):
        session.decide(session.pending[0], hitl_nb.Decision("approve"))
    with pytest.raises(hitl_nb.ResumeFailed, match="bank unreachable"):
        session.retry()
    assert isinstance(session.error, RuntimeError)
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert row.status == "recorded" and pd.isna(row.owner)  # lease released
    broken.unlink()
    session.retry()
    assert session.done and session.error is None and session.result["paid"] == "r-p1"
    assert hitl_nb.DecisionLog(db).to_pandas().status.tolist() == ["applied"]


def _top_level_fields_node(state: dict) -> dict:
    to, subject = "alice@example.com", "Meeting"
    response = interrupt({"action": "send_email", "to": to, "subject": subject})
    if response.get("action") == "approve":
        return {"sent": [response.get("to", to), response.get("subject", subject)]}
    return {"sent": []}


def test_an_edit_that_leaves_a_field_out_keeps_its_proposed_value_in_the_node(db):
    """A node reading edited fields at the top level (``response.get("to", to)``) gets
    the proposed value of a field the edit does not name, never None."""
    from typing import TypedDict

    class Sent(TypedDict, total=False):
        sent: list

    graph = (StateGraph(Sent).add_node("send", _top_level_fields_node)
             .add_edge(START, "send").compile(checkpointer=InMemorySaver()))
    session = hitl_nb.Session(graph, thread_id="t1", log=db).start({})
    session.decide(session.pending[0], hitl_nb.Decision("edit", args={"subject": "Q3"}))
    assert session.result == {"sent": ["alice@example.com", "Q3"]}


def test_picking_up_a_thread_that_never_ran_says_so_instead_of_done(db):
    """A mistyped thread id after a restart must not read as "the graph finished"."""
    graph = single(hitl_nb.checkpointer(db), {"action": "send", "args": {}})
    hitl_nb.review(graph, {}, thread_id="t-real", log=db, display=False)
    with pytest.raises(hitl_nb.HitlError, match=r"'t-rael' has no checkpoint.*pass an input"):
        hitl_nb.review(graph, None, thread_id="t-rael", log=db, display=False)
    again = hitl_nb.review(graph, None, thread_id="t-real", log=db, display=False)
    assert not again.done and len(again.session.pending) == 1


def test_a_decision_consumed_before_a_later_node_failed_keeps_its_resume_value(db):
    """The docs' approval node resumes, then the next node raises: the value the node got
    is in the log once the fixed graph finishes (re-opened as after a restart)."""
    from typing import Literal

    from langgraph.types import Command

    broken = {"on": True}

    def approval(state: State) -> Command[Literal["proceed"]]:
        approved = interrupt({"question": "Approve this action?", "details": "$500"})
        return Command(goto="proceed", update={"answers": [approved]})

    def proceed(state: State) -> dict:
        if broken["on"]:
            raise RuntimeError("payment API down")
        return {"log": ["paid"]}

    graph = (StateGraph(State).add_node("approval", approval).add_node("proceed", proceed)
             .add_edge(START, "approval").compile(checkpointer=hitl_nb.checkpointer(db)))
    view = hitl_nb.review(graph, {}, thread_id="t1", log=db, display=False)
    with pytest.raises(hitl_nb.ResumeFailed, match="payment API down"):
        view.cards[0].approve()
    broken["on"] = False
    again = hitl_nb.review(graph, None, thread_id="t1", log=db, display=False)
    assert again.done and again.result["log"] == ["paid"]
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert (row.status, row.resume_value) == ("applied", again.result["answers"][0])
    assert row.resume_value is True
