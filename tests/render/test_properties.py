"""Property tests: arbitrary JSON payloads for every format -> a card always renders,
everything is escaped, nothing raises."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hitl_nb import formats, render
from hitl_nb.formats import hitl
from hitl_nb.model import Decision
from hitl_nb.ui.widgets.card import ReviewCard
from tests.markup import assert_safe_html, widget_html

# Text with markup, control characters, surrogate-free unicode and long runs.
text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("<>&\"'/=\\ \n\t\x00\x1b\u202e\ufeffaé中😀"), max_size=60),
    st.sampled_from(["<script>alert(1)</script>", "javascript:x", "<img src=x onerror=y>",
                     "]]>", "<!--", "&amp;", "{", "\r\n"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**40),
                                                          max_value=10**40),
                    st.floats(allow_nan=True, allow_infinity=True), text)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(text, inner, max_size=5)), max_leaves=25)
dicts = st.dictionaries(text, json_values, max_size=6)
configs = st.fixed_dictionaries({}, optional={k: st.booleans() for k in (
    "allow_accept", "allow_edit", "allow_respond", "allow_ignore")})

payloads = st.one_of(
    json_values,                                                        # plain
    st.builds(lambda a, extra: {"action": a, **extra}, text, dicts),    # plain, named
    st.builds(lambda a, args, extra: hitl.payload(a, args, **extra), text, json_values,
              st.fixed_dictionaries({}, optional={
                  "description": json_values, "task": json_values, "before": json_values,
                  "after": json_values, "confidence": json_values, "uncertainty": json_values,
                  "steps": json_values, "risk": json_values, "allowed": json_values})),
    st.builds(lambda actions, decisions: {
        "action_requests": actions,
        "review_configs": [{"action_name": a.get("name"), "allowed_decisions": decisions}
                           for a in actions if isinstance(a, dict)]},
        st.lists(st.fixed_dictionaries({"name": text, "args": dicts},
                                       optional={"description": json_values}), max_size=3),
        st.lists(st.sampled_from(["approve", "reject", "edit", "respond", "x"]), max_size=4)),
    st.builds(lambda n, args, d: {"type": "tool_approval", "name": n, "args": args,
                                  "description": d, "tool_call_id": "c"},
              text, dicts, json_values),
    st.lists(st.builds(lambda a, args, c, d: {"action_request": {"action": a, "args": args},
                                              "config": c, "description": d},
                       text, dicts, configs, json_values), min_size=1, max_size=3),
)


def render_everything(requests: list[Any]) -> None:
    assert requests
    for request in requests:
        assert_safe_html(render.card_html(request))
        assert isinstance(render.card_text(request), str)
        assert isinstance(render.summary_text(request), str)
        decision = Decision("reject", comment=str(request.action)[:50], reviewer="ana")
        assert_safe_html(render.card_html(request, decision))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_any_payload_of_any_format_renders_escaped(payload):
    render_everything(formats.parse(payload, None, thread_id="t", interrupt_id="i"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_any_payload_builds_a_live_card(payload):
    for request in formats.parse(payload, None, thread_id="t", interrupt_id="i"):
        card = ReviewCard(request, lambda r, d: d)
        if "edit" in request.allowed:
            card.click("Edit")                  # the edit box builds from any args
            assert card.form["view"] in ("form", "json", "big")
        for markup in widget_html(card):
            assert_safe_html(markup)
        assert_safe_html(card._repr_mimebundle_()["text/html"])


@settings(max_examples=200, deadline=None)
@given(json_values, json_values)
def test_any_before_after_diffs(before, after):
    assert_safe_html(render.diff_html(before, after))


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_args_render_as_a_table(args):
    assert_safe_html(render.args_html(args))
    assert_safe_html(render.raw_json_html(args))
    assert_safe_html(render.value_html(args))


schemas = st.one_of(
    st.dictionaries(text, json_values, max_size=4),
    st.builds(lambda props, req: {"type": "object", "properties": props, "required": req},
              st.dictionaries(text, st.one_of(
                  st.fixed_dictionaries({"type": st.sampled_from(
                      ["string", "integer", "number", "boolean", "array", "object", "null",
                       "nonsense"])}, optional={"enum": st.lists(json_values, max_size=3),
                                                "default": json_values,
                                                "description": json_values,
                                                "minimum": json_values, "format": text}),
                  st.dictionaries(text, json_values, max_size=3)), max_size=4),
              st.lists(text, max_size=3)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, schemas, schemas)
def test_any_response_or_args_schema_still_builds_a_card(args, response_schema, args_schema):
    payload = hitl.payload("act", args, response_schema=response_schema,
                           args_schema=args_schema)
    for request in formats.parse(payload, None, thread_id="t", interrupt_id="i"):
        card = ReviewCard(request, lambda r, d: d)
        card.click("Edit")
        assert card.form["view"] in ("form", "json", "big")
        card.click("Cancel")
        card.click("Respond")                   # a response form, or the JSON editor
        assert card.form["view"] in ("form", "json", "text")
        for markup in widget_html(card):
            assert_safe_html(markup)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from([None, 2]), st.integers(min_value=1, max_value=400))
def test_bounded_json_is_the_start_of_the_full_json(value, indent, limit):
    """`to_json(limit=...)` reads only what its first characters need, yet says exactly
    what the full encoding starts with (cut where that one is longer than ``limit``)."""
    import json

    full = json.dumps(value, indent=indent, ensure_ascii=False, default=str)
    bounded = render.to_json(value, indent, limit=limit)
    if len(full) <= limit:
        assert bounded == full
    else:
        assert bounded == render.clip(full, limit, more=False)
