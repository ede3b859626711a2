"""notify() and update() really call Slack's Web API (a recording server on localhost)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

import hitl_nb
from hitl_nb.ui import slack
from hitl_nb.ui.slack.testing import FakeSlack


@pytest.fixture
def fake():
    with FakeSlack() as f:
        yield f


@pytest.fixture
def paused(seed, db):
    session = hitl_nb.Session(seed, thread_id="t1", log=db, reviewer="ana")
    return session.start({"task": "send the Q3 numbers"})


def test_notify_posts_the_blocks_with_chat_post_message(fake, paused):
    request = paused.pending[0]
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    posted = slack.notify(request, channel="C0REVIEW", client=client)
    (call,) = fake.called("chat.postMessage")
    assert call["channel"] == "C0REVIEW"
    assert call["blocks"] == slack.blocks(request)
    assert call["text"] == "Review needed: " + slack.escape(hitl_nb.render.summary_text(request))
    assert call["unfurl_links"] is False
    assert fake.tokens == ["Bearer xoxb-test"]
    assert (posted.channel, posted.ts) == ("C0REVIEW", fake.messages[posted.ts]["ts"])
    assert [b["type"] for b in call["blocks"]][-1] == "actions"


def test_update_after_a_notebook_decision_removes_buttons_and_says_who(fake, paused):
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    posted = slack.notify(paused.pending[0], channel="C0REVIEW", client=client)
    decision = paused.decide(paused.pending[0], hitl_nb.Decision("approve", comment="ok"))
    assert paused.done
    slack.update(posted, decision)
    (call,) = fake.called("chat.update")
    assert (call["channel"], call["ts"]) == ("C0REVIEW", posted.ts)
    assert "actions" not in [b["type"] for b in call["blocks"]]
    decided = call["blocks"][-1]["text"]["text"]
    assert decided.startswith("*:white_check_mark: Approved by ana* at ")
    assert decided.endswith("UTC\n>ok")
    assert call["text"].startswith("send_email: approved by ana")


def test_notify_without_client_or_token_says_what_to_pass(paused):
    with pytest.raises(ValueError, match="client=WebClient"):
        slack.notify(paused.pending[0], channel="C1")


def test_slack_api_errors_surface_as_slack_sdk_errors(fake, paused):
    from slack_sdk.errors import SlackApiError

    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    posted = slack.Posted("C0REVIEW", "999.000", paused.pending[0], client)
    with pytest.raises(SlackApiError, match="message_not_found"):
        slack.update(posted, hitl_nb.Decision("approve", reviewer="ana"))


def test_mirror_posts_pending_and_updates_when_the_notebook_card_decides(fake, seed, db):
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    view = hitl_nb.review(seed, {"task": "send the Q3 numbers"}, thread_id="t1", log=db,
                          reviewer="ana", display=False)
    mirror = slack.mirror(view.session, "C0REVIEW", client)
    (posted,) = mirror.posted.values()
    assert fake.called("chat.postMessage")[0]["blocks"] == slack.blocks(view.pending[0])
    view.cards[0].click("Approve")
    assert view.session.done
    (call,) = fake.called("chat.update")
    assert call["ts"] == posted.ts
    assert "Approved by ana" in call["blocks"][-1]["text"]["text"]
    assert mirror.errors == []


def test_mirror_never_blocks_a_notebook_decision_when_slack_fails(fake, seed, db):
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    view = hitl_nb.review(seed, {"task": "send the Q3 numbers"}, thread_id="t1", log=db,
                          reviewer="ana", display=False)
    mirror = slack.mirror(view.session, "C0REVIEW", client)
    fake.messages.clear()                       # chat.update will answer message_not_found
    view.cards[0].approve()
    assert view.session.done                     # recorded and resumed all the same
    assert hitl_nb.DecisionLog(db).to_pandas().status.tolist() == ["applied"]
    assert "message_not_found" in str(mirror.errors[0])
