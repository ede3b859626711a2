"""The Slack interactivity app over real HTTP on localhost: signed clicks and modals go
through the card's decision path (log first, resume once); forged, stale and replayed
requests change nothing. Slack's Web API is `FakeSlack`, a recording local server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from slack_sdk import WebClient

import hitl_nb
from hitl_nb.examples import seed_graph
from hitl_nb.ui import slack
from hitl_nb.ui.slack.testing import FakeSlack, SlackUser, post_form, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class MailState(TypedDict, total=False):
    task: str
    decision: dict
    result: str


def mailer(checkpointer: Any, sent: list, fail: bool = False) -> Any:
    """review (hitl_nb.request_review) -> send; ``sent`` counts how often send ran
    (``fail``: the review node raises once after the decision, like a server that is down)."""
    def review(state: MailState) -> dict:
        decision = hitl_nb.request_review(
            "send_email", {"to": "cfo@example.com", "cc": ["cto@example.com"]},
            description="Email the Q3 summary", task=state["task"], confidence=0.7,
            args_schema={"type": "object", "required": ["to"], "properties": {
                "to": {"type": "string", "pattern": "@example\\.com$"},
                "cc": {"type": "array", "items": {"pattern": "@example\\.com$"}}}})
        if fail and not sent:
            sent.append("failed")
            raise ConnectionError("SMTP server down")
        return {"decision": decision.to_dict()}

    def send(state: MailState) -> dict:
        sent.append(state["decision"])
        return {"result": f"{state['decision']['type']} -> {state['decision']['args']}"}

    builder = StateGraph(MailState)
    builder.add_node("review", review)
    builder.add_node("send", send)
    builder.add_edge(START, "review")
    builder.add_edge("review", "send")
    builder.add_edge("send", END)
    return builder.compile(checkpointer=checkpointer)


def batch(checkpointer: Any, sent: list) -> Any:
    """One interrupt with two actions (LangChain's batched HITLRequest payload)."""
    def review(state: MailState) -> dict:
        answer = interrupt({
            "action_requests": [
                {"name": "send_email", "args": {"to": "cfo@example.com"}},
                {"name": "delete_file", "args": {"path": "/tmp/q3.csv"}}],
            "review_configs": [
                {"action_name": "send_email", "allowed_decisions": ["approve", "reject"]},
                {"action_name": "delete_file", "allowed_decisions": ["approve", "reject"]}]})
        sent.append(answer)
        return {"result": "ok"}

    builder = StateGraph(MailState)
    builder.add_node("review", review)
    builder.add_edge(START, "review")
    builder.add_edge("review", END)
    return builder.compile(checkpointer=checkpointer)


@dataclass
class World:
    """A paused thread, its request posted to the fake Slack, the app served on a port."""

    fake: FakeSlack
    graph: Any
    log: hitl_nb.DecisionLog
    posted: slack.Posted
    url: str
    sent: list
    posts: list

    def user(self, user_id: str = "U1", name: str = "ana.slack") -> SlackUser:
        return SlackUser(self.fake, self.url, SECRET, user_id, name)

    def state(self) -> Any:
        return self.graph.get_state({"configurable": {"thread_id": "t1"}})

    def buttons(self) -> list[str]:
        blocks = self.fake.messages[self.posted.ts]["blocks"]
        return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(groups={"S0REVIEW": ["U2", "U3"]}) as f:
        yield f


def configure(**options: Any) -> Any:
    """Give the `world` fixture a graph ("seed" or "mailer") and `slack.app` options."""
    return pytest.mark.parametrize("world", [options], indirect=True, ids=["-"])


@pytest.fixture
def world(db: str, fake: FakeSlack, request: pytest.FixtureRequest) -> Iterator[World]:
    """Options with ``@configure(graph="seed"|"mailer", **app_options)``."""
    options = dict(getattr(request, "param", {}))
    kind = options.pop("graph", "seed")
    options.setdefault("process_before_response", True)
    options.setdefault("reviewers", {"U1": "ana", "U2": "bo"})
    sent: list = []
    saver = hitl_nb.checkpointer(db)
    graph = {"seed": lambda: seed_graph(checkpointer=saver),
             "mailer": lambda: mailer(saver, sent),
             "failing": lambda: mailer(saver, sent, fail=True),
             "batch": lambda: batch(saver, sent)}[kind]()
    log = hitl_nb.DecisionLog(db)
    session = hitl_nb.Session(graph, thread_id="t1", log=log, reviewer="nb")
    session.start({"task": "send the Q3 numbers"})
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    posts = [slack.notify(r, channel="C0REVIEW", client=client) for r in session.pending]
    bolt = slack.app(log=log, graph=graph, signing_secret=SECRET, client=client, **options)
    with slack.serve(bolt) as server:
        yield World(fake, graph, log, posts[0], server.url, sent, posts)


def ephemerals(fake: FakeSlack) -> list[str]:
    return [c["text"] for c in fake.called("chat.postEphemeral")]


# -- approve ----------------------------------------------------------------------------------
@configure(process_before_response=False)
def test_approve_click_logs_then_resumes_and_updates_message(world):
    status, _ = world.user().click(world.posted.ts, "approve")
    assert status == 200                                  # acked before the graph resumes
    update = world.fake.wait_for("chat.update")[0]
    assert (update["channel"], update["ts"]) == ("C0REVIEW", world.posted.ts)
    assert "actions" not in [b["type"] for b in update["blocks"]]
    assert update["blocks"][-1]["text"]["text"].startswith("*:white_check_mark: Approved by ana*")
    df = world.log.to_pandas()
    assert list(zip(df.decision, df.reviewer, df.status, strict=True)) == [
        ("approve", "ana", "applied")]
    assert world.state().values["result"].startswith("done: send_email(to='cfo@example.com'")
    assert world.buttons() == []


def test_unmapped_slack_user_is_logged_by_slack_name(world):
    world.user("U7", "carol").click(world.posted.ts, "approve")
    assert list(world.log.to_pandas().reviewer) == ["carol"]
    assert world.state().values["approved"] is True


# -- reject and edit modals ---------------------------------------------------------------
def test_reject_opens_comment_modal_then_cancels_with_comment(world):
    user = world.user()
    assert user.click(world.posted.ts, "reject")[0] == 200
    (opened,) = world.fake.called("views.open")
    assert opened["trigger_id"].endswith(".fake.trigger")
    assert opened["view"]["callback_id"] == "hitl_nb:reject"
    assert len(world.log) == 0                            # nothing recorded by opening it
    status, body = user.submit(world.fake.views[-1], {"comment": "wrong recipient"})
    assert (status, body) == (200, "")
    row = world.log.to_pandas().iloc[0]
    assert (row.decision, row.comment, row.reviewer) == ("reject", "wrong recipient", "ana")
    values = world.state().values
    assert (values["result"], values["comment"]) == ("cancelled by the reviewer",
                                                     "wrong recipient")
    text = world.fake.called("chat.update")[0]["blocks"][-1]["text"]["text"]
    assert "Rejected by ana" in text
    assert ">wrong recipient" in text


@configure(graph="mailer")
def test_edit_modal_has_argument_fields_and_resumes_with_edited_args(world):
    user = world.user()
    user.click(world.posted.ts, "edit")
    view = world.fake.views[-1]
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["arg:0"]["label"]["text"] == "to"
    assert inputs["arg:0"]["element"]["initial_value"] == "cfo@example.com"
    assert inputs["arg:1"]["element"]["initial_value"] == '["cto@example.com"]'
    status, _ = user.submit(view, {"arg:0": "ceo@example.com", "comment": "CEO wants it"})
    assert status == 200
    row = world.log.to_pandas().iloc[0]
    assert row.decision == "edit"
    assert row.edited_args == {"to": "ceo@example.com", "cc": ["cto@example.com"]}
    assert len(world.sent) == 1
    assert world.sent[0]["args"] == {"to": "ceo@example.com", "cc": ["cto@example.com"]}
    assert world.sent[0]["reviewer"] == "ana"


@configure(graph="mailer")
def test_edit_with_invalid_json_is_refused_in_the_modal_and_records_nothing(world):
    user = world.user()
    user.click(world.posted.ts, "edit")
    status, body = user.submit(world.fake.views[-1], {"arg:1": "[not json"})
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "cc must be JSON" in answer["errors"]["arg:1"]
    assert len(world.log) == 0
    assert world.sent == []
    assert world.state().interrupts                      # still paused


@configure(graph="mailer")
def test_edit_against_the_tool_schema_is_refused_in_the_modal(world):
    user = world.user()
    user.click(world.posted.ts, "edit")
    status, body = user.submit(world.fake.views[-1], {"arg:1": '["boss@evil.test"]'})
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["arg:1"]            # shown under the "cc" field
    assert "does not match" in answer["errors"]["arg:1"]
    assert len(world.log) == 0
    assert world.sent == []


@configure(graph="mailer")
def test_respond_modal_sends_the_answer(world):
    user = world.user()
    user.click(world.posted.ts, "respond")
    user.submit(world.fake.views[-1], {"answer": "send it tomorrow"})
    assert world.sent[0]["type"] == "respond"
    assert world.sent[0]["response"] == "send it tomorrow"


# -- refused requests ---------------------------------------------------------------------
def assert_nothing_happened(world: World) -> None:
    assert len(world.log) == 0
    assert world.fake.called("chat.update") == []
    assert world.fake.called("views.open") == []
    assert world.state().interrupts                      # the graph is still paused
    assert "hitl_nb:approve" in world.buttons()


def test_badly_signed_click_is_refused_before_anything_is_recorded(world):
    status, _ = world.user().click(world.posted.ts, "approve", secret="not-the-secret")
    assert status == 401
    assert_nothing_happened(world)


def test_unsigned_click_is_refused(world):
    user = world.user()
    body = user.body(user.click_payload(world.posted.ts, "approve"))
    assert post_form(world.url, body, {})[0] == 401
    ts_only = {"X-Slack-Request-Timestamp": str(int(time.time()))}
    assert post_form(world.url, body, ts_only)[0] == 401
    assert_nothing_happened(world)


def test_click_with_a_timestamp_over_five_minutes_old_is_refused(world):
    old = int(time.time()) - 5 * 60 - 30
    status, _ = world.user().click(world.posted.ts, "approve", timestamp=old)
    assert status == 401
    assert_nothing_happened(world)


def test_click_four_minutes_old_is_still_accepted(world):
    status, _ = world.user().click(world.posted.ts, "approve",
                                   timestamp=int(time.time()) - 4 * 60)
    assert status == 200
    assert list(world.log.to_pandas().decision) == ["approve"]


def test_tampered_body_with_the_original_signature_is_refused(world):
    user = world.user()
    body = user.body(user.click_payload(world.posted.ts, "approve"))
    headers = sign(body, SECRET)
    forged = body.replace("ana.slack", "mallory")
    assert post_form(world.url, forged, headers)[0] == 401
    assert_nothing_happened(world)


def test_signed_click_with_a_garbled_button_value_changes_nothing_and_says_so(world):
    user = world.user()
    payload = user.click_payload(world.posted.ts, "approve")
    payload["actions"][0]["value"] = "{not json"
    body = user.body(payload)
    assert post_form(world.url, body, sign(body, SECRET))[0] == 200
    (said,) = ephemerals(world.fake)
    assert said.startswith("Something went wrong, nothing more was changed")
    assert_nothing_happened(world)


# -- replays, double clicks, late clicks ---------------------------------------------------
@configure(graph="mailer")
def test_replayed_click_resumes_once_and_says_who_decided(world):
    user = world.user()
    body = user.body(user.click_payload(world.posted.ts, "approve"))
    headers = sign(body, SECRET)
    assert post_form(world.url, body, headers)[0] == 200
    assert post_form(world.url, body, headers)[0] == 200     # the very same request again
    assert len(world.log) == 1
    assert len(world.sent) == 1
    (said,) = ephemerals(world.fake)
    assert said.startswith("Already decided: approved by ana at ")
    updates = world.fake.called("chat.update")
    assert all("Approved by ana" in u["blocks"][-1]["text"]["text"] for u in updates)


@configure(graph="mailer", process_before_response=False)
def test_concurrent_clicks_by_two_reviewers_resume_once(world):
    ana, bo = world.user("U1", "ana"), world.user("U2", "bo")
    bodies = [(u, u.body(u.click_payload(world.posted.ts, "approve"))) for u in (ana, bo)]
    threads = [threading.Thread(target=post_form, args=(world.url, b, sign(b, SECRET)))
               for _, b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    world.fake.wait_for("chat.postEphemeral")
    world.fake.wait_for("chat.update", 2)
    assert len(world.log) == 1
    assert len(world.sent) == 1
    winner = world.log.to_pandas().reviewer.iloc[0]
    (said,) = ephemerals(world.fake)
    assert said.startswith(f"Already decided: approved by {winner} at ")


@configure(graph="mailer")
def test_click_after_a_notebook_decision_shows_the_first_decision(world):
    session = hitl_nb.Session(world.graph, thread_id="t1", log=world.log, reviewer="nb-user")
    session.start(None)
    session.decide(session.pending[0], hitl_nb.Decision("reject", comment="not today"))
    world.user().click(world.posted.ts, "approve")
    assert len(world.log) == 1
    assert len(world.sent) == 1
    assert world.sent[0]["type"] == "reject"
    (said,) = ephemerals(world.fake)
    assert said.startswith("Already decided: rejected by nb-user")
    assert "not today" in said
    text = world.fake.called("chat.update")[0]["blocks"][-1]["text"]["text"]
    assert "Rejected by nb-user" in text
    assert world.buttons() == []


def test_modal_submitted_after_someone_else_approved_records_nothing_more(world):
    ana, bo = world.user("U1"), world.user("U2", "bo")
    ana.click(world.posted.ts, "reject")                 # ana opens the reject modal...
    bo.click(world.posted.ts, "approve")                 # ...bo approves meanwhile
    status, _ = ana.submit(world.fake.views[-1], {"comment": "no"})
    assert status == 200
    df = world.log.to_pandas()
    assert list(zip(df.decision, df.reviewer, strict=True)) == [("approve", "bo")]
    assert ephemerals(world.fake)[-1].startswith("Already decided: approved by bo")
    assert world.state().values["approved"] is True


# -- batches and failures ------------------------------------------------------------------
@configure(graph="batch")
def test_batched_actions_resume_once_after_the_last_is_decided(world):
    first, second = world.posts
    user = world.user()
    user.click(first.ts, "approve")
    assert world.sent == []                              # one of two decided: still paused
    assert world.fake.called("chat.update")[0]["ts"] == first.ts
    user.click(second.ts, "reject")
    user.submit(world.fake.views[-1], {"comment": "keep the file"})
    assert world.sent == [{"decisions": [{"type": "approve"},
                                         {"type": "reject", "message": "keep the file"}]}]
    assert [u["ts"] for u in world.fake.called("chat.update")] == [first.ts, second.ts]
    assert list(world.log.to_pandas().status) == ["applied", "applied"]


@configure(graph="failing")
def test_failed_resume_keeps_the_decision_and_says_so(world):
    world.user().click(world.posted.ts, "approve")
    row = world.log.to_pandas().iloc[0]
    assert (row.decision, row.status) == ("approve", "recorded")
    assert "SMTP server down" in row.error
    blocks = world.fake.called("chat.update")[0]["blocks"]
    text = next(b for b in blocks if b.get("block_id") == "hitl_nb:decision")["text"]["text"]
    assert "Approved by ana" in text
    assert "resuming the graph failed" in text
    assert "SMTP server down" in ephemerals(world.fake)[0]
    assert world.buttons() == ["hitl_nb:retry"]
    # Retry applies the recorded decision, once
    world.user("U2", "bo").click(world.posted.ts, "retry")
    assert world.state().values["decision"]["reviewer"] == "ana"
    assert world.sent[1]["type"] == "approve"
    assert len(world.sent) == 2
    assert ephemerals(world.fake)[-1].startswith("Resumed: approved by ana")
    assert world.log.to_pandas().status.tolist() == ["applied"]
    assert world.buttons() == []


# -- who may decide -----------------------------------------------------------------------
@configure(allowed={"U9", "S0REVIEW"})
def test_user_outside_the_allowed_set_gets_ephemeral_not_allowed(world):
    assert world.user("U1").click(world.posted.ts, "approve")[0] == 200
    (said,) = ephemerals(world.fake)
    assert "not allowed" in said
    assert world.fake.called("chat.postEphemeral")[0]["user"] == "U1"
    assert_nothing_happened(world)


@configure(allowed={"U9", "S0REVIEW"})
def test_member_of_an_allowed_user_group_may_decide(world):
    world.user("U2", "bo").click(world.posted.ts, "approve")
    assert world.fake.called("usergroups.users.list")[0]["usergroup"] == "S0REVIEW"
    assert list(world.log.to_pandas().reviewer) == ["bo"]


@configure(allowed=lambda request: {"U9"} if request.action == "send_email" else None)
def test_allowed_can_depend_on_the_request(world):
    world.user("U1").click(world.posted.ts, "reject")
    assert world.fake.called("views.open") == []
    assert "not allowed" in ephemerals(world.fake)[0]
    world.user("U9", "dee").click(world.posted.ts, "approve")
    assert list(world.log.to_pandas().reviewer) == ["dee"]
