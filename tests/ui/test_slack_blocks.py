"""Block Kit rendering: content, Slack's limits, escaping (property-based), preview."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from hitl_nb.model import DECISION_TYPES, Decision, ReviewRequest, Risk
from hitl_nb.ui import slack

NASTY = ["<!channel>", "<!here>", "<@U024BE7LH>", "<#C123|general>", "<https://evil.test|click>",
         "<!subteam^S1>", "https://evil.test/x", "&", "&amp;", "```", "`", "*", "_", ">", "<",
         "\n", "é", "🙂", " "]
text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=30)), max_size=12).map("".join)
long_text = st.one_of(text, st.builds(lambda t, n: (t or "x") * n, text, st.integers(1, 400)))
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), long_text),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(text, inner, max_size=4)),
    max_leaves=12)


@st.composite
def requests(draw: Any) -> ReviewRequest:
    args = draw(st.one_of(st.dictionaries(long_text, json_value, max_size=8),
                          st.dictionaries(text, st.integers(), min_size=400, max_size=600),
                          json_value))
    risk = draw(st.one_of(st.none(), st.builds(Risk, text, st.floats(0, 1),
                                               st.lists(long_text, max_size=5).map(tuple))))
    return ReviewRequest(
        action=draw(long_text), args=args, description=draw(st.one_of(st.none(), long_text)),
        allowed=tuple(draw(st.lists(st.sampled_from(DECISION_TYPES), min_size=0,
                                    max_size=4, unique=True))),
        thread_id=draw(st.text(min_size=1, max_size=200)),
        interrupt_id=draw(st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)),
        index=draw(st.integers(0, 5)), count=6, node=draw(st.one_of(st.none(), text)),
        task=draw(st.one_of(st.none(), long_text)), before=draw(json_value),
        after=draw(json_value), confidence=draw(st.one_of(st.none(), st.floats(0, 1))),
        uncertainty=draw(st.lists(long_text, max_size=5)), risk=risk,
        requested_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))


decisions = st.builds(Decision, st.sampled_from(DECISION_TYPES), json_value,
                      st.one_of(st.none(), long_text), json_value, text,
                      st.just(datetime(2026, 1, 2, 3, 5, tzinfo=timezone.utc)))


def text_objects(value: Any, path: str = ""):
    """Every Block Kit text object ({type: mrkdwn|plain_text, text}) with its path."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and "text" in value:
            yield path, value
        for k, v in value.items():
            yield from text_objects(v, f"{path}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from text_objects(v, f"{path}/{i}")


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        assert len(block.get("block_id", "")) <= 255
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert block.get("text") or block.get("fields")
            assert len(block.get("fields", ())) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", ()))
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
        if block["type"] == "actions":
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
                assert len(button["value"]) <= 2000
                assert len(button["action_id"]) <= 255
        Block.parse(block).validate_json()   # slack_sdk's own validators, independently
    for path, obj in text_objects(blocks):
        assert obj["text"], path
        assert len(obj["text"]) <= 3000, path


def assert_no_markup_from_agent(blocks: list[dict[str, Any]]) -> None:
    for path, obj in text_objects(blocks):
        # Slack's mentions and links all start with a raw "<": there is none left
        assert "<" not in obj["text"], path
        assert ">" not in obj["text"].replace("\n>", ""), path   # only our quote marks
        if obj["type"] == "mrkdwn":
            assert obj["verbatim"] is True, path   # no auto-linking of bare URLs


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_pending_blocks_never_exceed_slack_limits_nor_carry_mentions_or_links(request):
    blocks = slack.blocks(request)
    assert_within_limits(blocks)
    assert_no_markup_from_agent(blocks)
    json.dumps(blocks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(), decisions, st.booleans())
def test_decided_blocks_never_exceed_slack_limits_nor_carry_mentions_or_links(request, decision,
                                                                              retry):
    blocks = slack.blocks(request, decision, note=request.description, retry=retry)
    assert_within_limits(blocks)
    assert_no_markup_from_agent(blocks)
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == (["hitl_nb:retry"] if retry else [])


def rich(**changes: Any) -> ReviewRequest:
    base = ReviewRequest(
        action="send_email", args={"to": "cfo@example.com", "body": "Q3 & <!channel>"},
        description="Email the CFO the Q3 summary", task="send the Q3 numbers",
        thread_id="t1", interrupt_id="abc123", before={"sent": 0}, after={"sent": 1},
        confidence=0.62, uncertainty=["is the CFO the right person?"],
        risk=Risk("always", 0.9, ("sends email outside the team",)),
        requested_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    return base.replace(**changes)


def by_id(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id") == block_id)


def test_blocks_show_header_action_context_args_diff_and_signals():
    blocks = slack.blocks(rich())
    assert blocks[0] == {"type": "header", "block_id": "hitl_nb:header",
                         "text": {"type": "plain_text", "text": "Review: send_email",
                                  "emoji": False}}
    assert "`send_email`" in by_id(blocks, "hitl_nb:action")["text"]["text"]
    assert "Email the CFO" in by_id(blocks, "hitl_nb:action")["text"]["text"]
    context = " ".join(e["text"] for e in by_id(blocks, "hitl_nb:context")["elements"])
    assert "send the Q3 numbers" in context
    assert "`t1`" in context
    assert "2026-01-02 03:04:05 UTC" in context
    fields = [f["text"] for f in by_id(blocks, "hitl_nb:args:0")["fields"]]
    assert fields == ["*to*\ncfo@example.com", "*body*\nQ3 &amp; &lt;!channel&gt;"]
    diff = by_id(blocks, "hitl_nb:diff")["text"]["text"]
    assert '-  "sent": 0' in diff
    assert '+  "sent": 1' in diff
    assert "```" in diff
    signals = by_id(blocks, "hitl_nb:signals")["text"]["text"]
    assert "62%" in signals
    assert "always" in signals
    assert "sends email outside" in signals
    assert "is the CFO the right person?" in signals


def test_buttons_follow_allowed_decisions_with_styles_and_reject_confirm():
    buttons = slack.blocks(rich(allowed=("approve", "reject")))[-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["hitl_nb:approve", "hitl_nb:reject"]
    assert buttons[0]["style"] == "primary"
    assert buttons[1]["style"] == "danger"
    assert buttons[1]["confirm"]["confirm"]["text"] == "Reject"
    assert slack.parse_key(buttons[0]["value"]) == ("t1", "abc123", 0)


def test_long_text_is_cut_with_a_visible_note_pointing_to_the_full_request():
    blocks = slack.blocks(rich(description="x" * 5000, args={f"k{i}": i for i in range(700)}))
    assert len(blocks) <= 50
    note = by_id(blocks, "hitl_nb:cut")["elements"][0]["text"]
    assert "the description" in note
    assert "more arguments" in note
    assert "`t1`" in note
    assert "`abc123`" in note
    assert "more characters not shown" in by_id(blocks, "hitl_nb:action")["text"]["text"]
    linked = slack.blocks(rich(description="x" * 5000), link="https://hub.example/nb")
    assert "<https://hub.example/nb|open the full request>" in \
        by_id(linked, "hitl_nb:cut")["elements"][0]["text"]


@pytest.mark.parametrize("retry", [False, True])
def test_worst_case_request_fills_at_most_fifty_blocks(retry):
    request = rich(args={f"k{i}": i for i in range(1000)}, description="d" * 9000)
    decided = Decision("edit", args={"k": 1}, comment="c" * 5000, reviewer="ana")
    for blocks in (slack.blocks(request), slack.blocks(request, decided, retry=retry)):
        assert_within_limits(blocks)
    assert len(slack.blocks(request, decided, retry=retry)) == 49 + retry


def test_decision_replaces_buttons_with_who_what_and_when():
    decision = Decision("reject", comment="wrong <@U1> person", reviewer="ana",
                        decided_at=datetime(2026, 1, 2, 3, 9, tzinfo=timezone.utc))
    blocks = slack.blocks(rich(), decision)
    assert blocks[-1]["block_id"] == "hitl_nb:decision"
    assert blocks[-1]["text"]["text"] == ("*:no_entry: Rejected by ana* at 2026-01-02 03:09:00"
                                          " UTC\n>wrong &lt;@U1&gt; person")
    assert not [b for b in blocks if b["type"] == "actions"]
    assert "rejected by ana" in slack.fallback_text(rich(), decision)


def test_key_too_long_for_a_button_is_a_clear_error():
    with pytest.raises(ValueError, match="shorter thread_id"):
        slack.blocks(rich(thread_id="t" * 2100))


def test_preview_is_html_that_keeps_agent_text_as_text():
    request = rich(description="<script>alert(1)</script> <https://evil.test|click>")
    html = slack.preview(slack.blocks(request))._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "href" not in html
    assert "Approve" in html
    assert "<b>Arguments</b>" in html
    linked = slack.preview(slack.blocks(rich(description="x" * 4000),
                                        link="https://hub.example/nb")).html
    assert "<a href='https://hub.example/nb'>open the full request</a>" in linked


def test_import_hitl_nb_does_not_import_slack_sdk():
    code = ("import sys, hitl_nb; from hitl_nb import slack; slack.blocks; "
            "print('slack_sdk' in sys.modules, 'slack_bolt' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]
