"""The static card, part by part: context, sentence, arguments, diff, confidence, risk."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

import hitl_nb
from hitl_nb import render
from hitl_nb.model import Decision, ReviewRequest, Risk
from hitl_nb.render import diff as _diff
from hitl_nb.render.describe import describe, unregister
from tests.markup import assert_safe_html


def rich_request(**changes) -> ReviewRequest:
    base = ReviewRequest(
        action="send_email",
        args={"to": "cfo@example.com", "subject": "Q3 numbers",
              "meta": {"cc": ["ana@example.com", "bo@example.com"], "priority": 2}},
        description="Send an email.",
        task="Send the Q3 revenue summary to the CFO",
        steps=[{"role": "user", "content": "send the Q3 numbers"},
               {"name": "search_reports", "args": {"q": "Q3"}, "result": "q3.pdf"}],
        before="threshold: 10\nmode: safe\n", after="threshold: 50\nmode: safe\n",
        confidence=0.62, uncertainty=["the CFO may prefer a PDF"],
        risk=Risk("always", 0.9, ("sends email outside the team",)),
        thread_id="t-42", node="review", requested_at=datetime(2026, 1, 2, 3, 4, 5,
                                                                tzinfo=timezone.utc))
    return base.replace(**changes)


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


class TestContext:
    def test_task_node_thread_and_time_are_shown(self):
        html = render.request_html(rich_request())
        text = text_of(html)
        assert "Task: Send the Q3 revenue summary to the CFO" in text
        assert "node review" in text
        assert "thread t-42" in text
        assert "requested 2026-01-02 03:04:05 UTC" in text

    def test_steps_are_collapsed_and_listed(self):
        html = render.steps_html(rich_request().steps)
        assert html.startswith("<details class='hitl-steps'")
        assert "<details class='hitl-steps' open" not in html
        assert "What the agent did so far (2 steps)" in html
        assert "search_reports" in html
        assert "q3.pdf" in html

    def test_langchain_messages_become_steps(self):
        from langchain_core.messages import AIMessage, ToolMessage

        steps = [AIMessage("", tool_calls=[{"name": "read_file", "args": {"path": "a.yml"},
                                            "id": "1"}]),
                 ToolMessage("threshold: 10", tool_call_id="1", name="read_file")]
        text = text_of(render.steps_html(steps))
        assert "calls read_file" in text
        assert "tool read_file : threshold: 10" in text

    def test_many_steps_show_the_last_ones_with_a_count(self):
        html = render.steps_html([f"step {i}" for i in range(30)])
        assert "18 earlier steps not shown" in html
        assert "step 29" in html
        assert "step 5<" not in html

    def test_batched_action_says_which_one(self):
        assert "action 2 of 3" in render.meta_html(rich_request(index=1, count=3))


class TestAction:
    def test_sentence_comes_first_then_args_table(self):
        html = render.action_html(rich_request())
        sentence = html.index("hitl-sentence")
        assert sentence < html.index("hitl-args")
        assert "Send an email: to “cfo@example.com”, with subject “Q3 numbers”" in html

    def test_registered_describer_wins(self):
        @hitl_nb.describer("send_email")
        def _(args):
            return f"Email {args['to']} about {args['subject']}"

        try:
            assert describe(rich_request()) == "Email cfo@example.com about Q3 numbers"
        finally:
            unregister("send_email")

    def test_describer_taking_the_request_gets_it(self):
        @hitl_nb.describer("send_email")
        def _(args, request):
            return f"{request.node}: {len(args)} args"

        try:
            assert describe(rich_request()) == "review: 3 args"
        finally:
            unregister("send_email")

    def test_broken_describer_falls_back_to_default(self):
        @hitl_nb.describer("send_email")
        def _(args):
            raise KeyError("oops")

        try:
            assert describe(rich_request()).startswith("Send an email:")
        finally:
            unregister("send_email")

    def test_default_sentence_from_tool_name_and_arg_names(self):
        request = ReviewRequest("write_file", {"path": "config.yaml", "content": "a: 1",
                                               "mode": "w", "encoding": "utf8"})
        assert describe(request) == ("Write file at “config.yaml”, content “a: 1”, mode “w”, "
                                     "and 1 more argument")
    def test_sentence_counts_lines_of_text_and_sizes_a_huge_one_in_characters(self):
        text = "  \nline\n" * 3 + "last\n\n"
        assert describe(ReviewRequest("write_file", {"content": text})) == \
            "Write file content (6 lines)"  # blank lines around it do not count
        huge = "x = 1\n" * 200_000  # 1.2 MB: its size, not a count over all of it
        assert describe(ReviewRequest("write_file", {"content": huge})) == \
            "Write file content (1,200,000 characters)"


    def test_framework_boilerplate_description_is_not_the_sentence(self):
        request = ReviewRequest("delete_rows", {"table": "users"},
                                description="Tool execution requires approval\n\nTool: x")
        assert describe(request) == "Delete rows in “users”"

    def test_nested_values_are_indented_tables(self):
        html = render.args_html(rich_request().args)
        assert html.count("<table class='hitl-args'") == 2
        assert "margin-left:1.2em" in html
        assert "ana@example.com, bo@example.com" in html

    def test_long_values_fold_behind_show_more(self):
        html = render.args_html({"body": "word " * 400})
        assert "<details class='hitl-fold'>" in html
        assert "show more (2,000 characters)" in html

    def test_raw_json_is_behind_a_toggle(self):
        html = render.action_html(rich_request())
        raw = html[html.index("<details class='hitl-raw'>"):]
        assert "<summary" in raw
        assert "raw JSON" in raw
        assert "&quot;to&quot;: &quot;cfo@example.com&quot;" in raw


class TestDiff:
    def test_line_diff_highlights_changes_with_context(self):
        html = render.diff_html("a\nb\nc\nd\n", "a\nb\nX\nd\n")
        assert "(+1 −1)" in html
        assert "<div class='hitl-removed'" in html
        assert "− c" in html
        assert "<div class='hitl-added'" in html
        assert "+ X" in html
        assert "<div class='hitl-context'>  b</div>" in html

    def test_dicts_get_a_structural_diff(self):
        d = _diff.diff({"to": "a", "cc": "b", "n": {"x": 1}}, {"to": "z", "n": {"x": 2},
                                                                "bcc": "c"})
        kinds = {(".".join(c.path), c.kind) for c in d.changes}
        assert kinds == {("to", "changed"), ("cc", "removed"), ("n.x", "changed"),
                         ("bcc", "added")}
        html = render.diff_html({"to": "a"}, {"to": "z"})
        assert "<tr class='hitl-changed'>" in html
        assert "a</span> → <span" in html

    def test_changed_multiline_value_in_a_dict_gets_a_line_diff(self):
        html = render.diff_html({"content": "a: 1\nb: 2\nc: 3\n"},
                                {"content": "a: 1\nb: 20\nc: 3\n"})
        nested = html[html.index("hitl-text-diff"):]
        assert "− b: 2<" in nested
        assert "+ b: 20<" in nested

    def test_json_text_on_both_sides_diffs_structurally(self):
        assert _diff.diff('{"a": 1}', '{"a": 2}').kind == "dict"

    def test_large_diff_is_folded_with_hidden_count(self):
        before = "\n".join(f"line {i}" for i in range(1000))
        after = "\n".join(f"LINE {i}" for i in range(1000))
        html = render.diff_html(before, after)
        assert "… 1,701 more diff lines hidden" in html  # 2000 changes + 1 hunk - 300

    def test_no_difference_says_so(self):
        assert "no difference" in render.diff_html({"a": 1}, {"a": 1})

    def test_card_shows_diff_only_with_before_or_after(self):
        assert "hitl-diff" in render.request_html(rich_request())
        assert "hitl-diff" not in render.request_html(rich_request(before=None, after=None))


class TestSignals:
    @pytest.mark.parametrize(("value", "band", "pct"), [(0.2, "low", "20%"),
                                                        (0.62, "medium", "62%"),
                                                        (0.95, "high", "95%")])
    def test_confidence_meter_percent_and_band(self, value, band, pct):
        html = render.confidence_html(value)
        assert f"hitl-confidence-{band}" in html
        assert pct in html
        assert f"width:{pct}" in html

    def test_missing_confidence_is_not_given_never_zero(self):
        html = render.confidence_html(None)
        assert "not given" in html
        assert "0%" not in html
        assert "not given" in render.request_html(rich_request(confidence=None))

    def test_uncertainty_notes_are_a_list(self):
        html = render.uncertainty_html(["a", "b"])
        assert html.count("<li>") == 2

    def test_risk_tier_score_and_reasons(self):
        html = render.risk_html(Risk("always", 0.9, ("irreversible", "external")))
        assert "always" in html
        assert "0.90" in html
        assert "<li>irreversible</li>" in html
        assert "<li>external</li>" in html

    def test_no_risk_no_section(self):
        assert render.risk_html(None) == ""


class TestDecision:
    def test_decided_card_collapses_to_one_line_summary(self):
        decision = Decision("reject", comment="wrong recipient", reviewer="ana",
                            decided_at=datetime(2026, 1, 2, 3, 5, tzinfo=timezone.utc))
        html = render.card_html(rich_request(), decision)
        summary = html[html.index("<summary>"):html.index("</summary>")]
        assert ("rejected by ana at 2026-01-02 03:05:00 UTC: &quot;wrong recipient&quot;"
                in summary)
        assert "<details class='hitl-collapsed'>" in html
        assert "awaiting review" not in html

    def test_edit_decision_shows_the_edited_arguments_diff(self):
        request = rich_request()
        html = render.decision_html(Decision("edit", args={**request.args, "to": "ceo@x"}),
                                    request)
        assert "Edited arguments" in html
        assert "ceo@x" in html

    def test_pending_card_lists_allowed_decisions(self):
        html = render.card_html(rich_request(allowed=("approve", "reject")))
        assert "awaiting review: approve, reject" in html

    def test_plain_text_card(self):
        text = render.card_text(rich_request(confidence=None), Decision("approve",
                                                                        reviewer="ana"))
        assert "confidence: not given" in text
        assert "risk: always (0.90)" in text
        assert text.endswith("approved by ana")


class TestPlainText:
    """``text/plain`` (a saved notebook read as text, a terminal, a log line) says what
    the HTML card says in words."""

    def test_it_carries_the_description_when_the_sentence_does_not(self):
        text = render.card_text(rich_request(description="Mail the CFO. She is away on Friday."))
        assert "She is away on Friday." in text

    def test_it_lists_every_argument_nested_ones_indented(self):
        text = render.card_text(rich_request())
        assert "    to: cfo@example.com" in text
        assert "    subject: Q3 numbers" in text
        assert "      cc: ana@example.com, bo@example.com" in text
        assert "      priority: 2" in text

    def test_it_shows_the_diff_as_plus_and_minus_lines(self):
        text = render.card_text(rich_request())
        assert "-threshold: 10" in text and "+threshold: 50" in text

    def test_it_shows_a_dict_diff_as_old_and_new_values(self):
        text = render.card_text(rich_request(before={"limit": 5}, after={"limit": 9}))
        assert "~ limit: 5 → 9" in text

    def test_it_lists_the_uncertainty_notes_and_risk_reasons(self):
        text = render.card_text(rich_request())
        assert "uncertain: the CFO may prefer a PDF" in text
        assert "sends email outside the team" in text

    def test_multi_line_values_keep_their_lines(self):
        text = render.card_text(rich_request(args={"body": "Hello,\n\nthe numbers."}))
        assert "      Hello," in text and "      the numbers." in text

    def test_long_values_are_cut_with_a_note(self):
        text = render.card_text(rich_request(args={"blob": "x" * 50_000}))
        assert len(text) < 3_000
        assert "more characters" in text


class TestTheme:
    def test_styles_use_jupyterlab_variables_and_fetch_nothing(self):
        html = render.card_html(rich_request())
        assert "var(--jp-border-color1" in html
        assert "var(--jp-ui-font-color2" in html
        for external in ("http://", "https://", "@import", "<link", "<script", "url("):
            assert external not in html
        assert_safe_html(html)


class TestBounded:
    def test_ten_megabyte_payload_stays_small_and_says_what_was_cut(self):
        big = "x" * 10_000_000
        request = rich_request(args={"body": big, "rows": list(range(200_000)),
                                     "table": {f"k{i}": i for i in range(50_000)}},
                               before=big, after=big[:-1] + "y", task=big, description=big,
                               steps=[big] * 100, uncertainty=[big] * 50)
        html = render.card_html(request)
        assert len(html) < 200_000
        assert "more characters not shown; the full value is" in html
        assert "card.request.args[&#x27;body&#x27;]" in html
        assert "more items not shown" in html
        assert "more keys not shown" in html
        assert "card.request.args" in html
        assert_safe_html(html)

    def test_markup_heavy_payload_that_escaping_inflates_stays_bounded(self):
        nasty = ('"<&>' * 2_500_000)[:10_000_000]
        lines = "\n".join([nasty[:5_000]] * 400)
        request = rich_request(args={f"k{i}": nasty for i in range(50)}, before=lines,
                               after=lines.replace("<", ">"), task=nasty, description=nasty,
                               steps=[nasty] * 50, uncertainty=[nasty] * 50,
                               risk=Risk("always", 1.0, (nasty,) * 50))
        decision = Decision("edit", args={f"k{i}": nasty + "x" for i in range(50)},
                            comment=nasty)
        for html in (render.card_html(request), render.card_html(request, decision)):
            assert len(html.encode()) < 200_000
            assert "hitl-args" in html      # cut, but still shown
            assert_safe_html(html)

    def test_deep_nesting_renders(self):
        deep: list = []
        for _ in range(5_000):
            deep = [deep]
        html = render.card_html(ReviewRequest("x", {"deep": deep}, before=deep, after=[deep]))
        assert len(html) < 200_000
        assert_safe_html(html)

    def test_a_part_over_its_cap_is_replaced_by_a_note(self, monkeypatch):
        monkeypatch.setitem(render.CAPS, "action", 100)
        html = render.request_html(rich_request())
        assert "the arguments would take" in html
        assert "see <code>card.request.args</code>" in html
        assert "hitl-sentence" not in html
