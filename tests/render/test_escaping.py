"""XSS vectors in every field, through every render path: none survives as markup."""

from __future__ import annotations

import json

import pytest

from hitl_nb import formats, render
from hitl_nb.model import Decision, InvalidResponse, ReviewRequest, Risk
from hitl_nb.ui.widgets import ArgsEditor, SchemaForm
from hitl_nb.ui.widgets.card import ReviewCard
from tests.markup import assert_safe_html, widget_html

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie)",
    '<div style="width: expression(alert(1))">x</div>',
    "<style>@import 'http://evil.example/x.css';</style>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<b onmouseover=alert(1)>hover",
    "</pre></details></td></table></div><script>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<input autofocus onfocus=alert(1)>",
    "<body onload=alert(1)>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<unclosed attr="',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\u202e<script>alert(1)</script>\x00\x1b[31m",
]


def hostile(v: str) -> ReviewRequest:
    return ReviewRequest(
        action=v, args={v: v, "nested": {v: [v, {v: v}]}, "long": v * 300},
        description=v, task=v, steps=[v, {"role": v, "name": v, "content": v, "args": {v: v},
                                          "tool_calls": [{"name": v, "args": {v: v}}]}],
        before=v + "\nsame\n", after="same\n" + v, confidence=0.5, uncertainty=[v],
        risk=Risk(v, 0.5, (v,)), thread_id=v, node=v, interrupt_id="i1")


def decisions(v: str) -> list[Decision]:
    return [Decision("approve", comment=v, reviewer=v), Decision("reject", comment=v),
            Decision("edit", args={v: v, "x": v}, comment=v),
            Decision("respond", response={v: v})]


@pytest.mark.parametrize("vector", VECTORS)
def test_static_render_paths_escape_everything(vector):
    request = hostile(vector)
    paths = [render.card_html(request), render.request_html(request),
             render.value_html({vector: vector}), render.args_html(request.args),
             render.diff_html(vector, vector + "x"), render.diff_html({vector: 1}, {vector: 2}),
             render.raw_json_html(request.args)]
    for decision in decisions(vector):
        paths += [render.card_html(request, decision), render.decision_html(decision, request)]
    for markup in paths:
        assert_safe_html(markup)
    assert "&lt;" in render.card_html(request) or "<" not in vector


@pytest.mark.parametrize("vector", VECTORS)
def test_static_diffs_of_hostile_dict_values(vector):
    assert_safe_html(render.diff_html({"a": vector, vector: {"b": vector}},
                                      {"a": vector + "2", vector: {"b": 1}}))


@pytest.mark.parametrize("vector", VECTORS)
def test_live_card_widgets_escape_everything(vector):
    card = ReviewCard(hostile(vector), lambda r, d: d)
    card.click("Edit")
    card.click("JSON")
    card.fill(json=json.dumps({vector: 1, "x": [vector]}))
    for markup in widget_html(card):
        assert_safe_html(markup)
    card.reject(vector)
    for markup in widget_html(card):
        assert_safe_html(markup)
    bundle = card._repr_mimebundle_()
    assert_safe_html(bundle["text/html"])


@pytest.mark.parametrize("vector", VECTORS)
def test_errors_and_form_help_escape_everything(vector):
    schema = {"type": "object", "title": vector, "description": vector,
              "properties": {"x": {"type": "string", "title": vector, "description": vector,
                                   "enum": [vector, "b"]},
                             "n": {"type": "integer", "description": vector}},
              "required": ["x", "n"]}
    form = SchemaForm(schema)
    form.fields["n"].widget.value = 3
    with pytest.raises(InvalidResponse):
        form.validate({"x": vector, "n": vector})
    for markup in widget_html(form):
        assert_safe_html(markup)

    def refuse(request, decision):
        raise InvalidResponse(vector)

    card = ReviewCard(hostile(vector), refuse)
    with pytest.raises(InvalidResponse):
        card.approve()
    assert_safe_html(card.status)


@pytest.mark.parametrize("vector", VECTORS)
def test_edit_form_fields_and_live_diff(vector):
    editor = ArgsEditor({vector: vector, "k": "v"})
    editor.form.fields["k"].widget.value = vector
    for markup in widget_html(editor):
        assert_safe_html(markup)


@pytest.mark.parametrize("vector", VECTORS)
def test_every_format_escapes_hostile_payloads(vector):
    payloads = [
        {"action": vector, "description": vector, "message": vector, "confidence": 0.4,
         "before": vector, "after": vector + "!", vector: vector},
        {"__hitl_nb__": 1, "action": vector, "args": {vector: vector}, "task": vector,
         "uncertainty": [vector], "risk": {"tier": vector, "score": 1, "reasons": [vector]}},
        {"action_requests": [{"name": vector, "args": {vector: vector}, "description": vector}],
         "review_configs": [{"action_name": vector, "allowed_decisions": ["approve"]}]},
        {"type": "tool_approval", "name": vector, "args": {vector: vector},
         "description": vector, "tool_call_id": vector},
        [{"action_request": {"action": vector, "args": {vector: vector}},
          "config": {"allow_accept": True}, "description": vector}],
        vector,
    ]
    for payload in payloads:
        for request in formats.parse(payload, None, thread_id=vector, interrupt_id="i"):
            assert_safe_html(render.card_html(request))
            assert_safe_html(ReviewCard(request, lambda r, d: d)._repr_mimebundle_()
                             ["text/html"])


@pytest.mark.parametrize("markup", ["<img src=x onerror=alert(1)>", "<div onclick='x'>a</div>",
                                    "<span style='background:url(javascript:x)'>a</span>",
                                    "<!-- x -->", "<svg></svg>", "<b>&lt;ok&gt;</b><script>"])
def test_the_checker_itself_catches_raw_markup(markup):
    with pytest.raises(AssertionError):
        assert_safe_html(markup)


def test_control_and_bidi_characters_become_visible_escapes():
    assert render.escape("a\x00b\x1b[31m\u202eevil") == "a\\u0000b\\u001b[31m\\u202eevil"
    assert render.escape("tab\tnew\nline é 中 😀") == "tab\tnew\nline é 中 😀"
