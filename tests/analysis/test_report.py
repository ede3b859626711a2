"""log.failure_report(): rejections and edits by action and by changed argument."""

from __future__ import annotations

import re

import pytest

import hitl_nb
from hitl_nb.analysis.report import changed_keys
from tests import _known_log as K
from tests import _mixed_log as M


@pytest.fixture
def report(db):
    return K.build(db).failure_report()


def _section(report: str, action: str) -> str:
    match = re.search(rf"^## `{action}`.*?(?=^## |\Z)", report, re.S | re.M)
    assert match, f"no section for {action}"
    return match.group(0)


def test_headline_counts_only_human_decisions(report):
    humans = [r for r in K.ROWS if not K.is_auto(r[6])]
    rejected = sum(r[3] == "reject" for r in humans)
    edited = sum(r[3] == "edit" for r in humans)
    assert f"{len(humans)} human decisions: {rejected} rejected" in report
    assert f"{edited} edited" in report


def test_rejections_grouped_by_action_with_comment_counts(report):
    section = _section(report, "delete_rows")
    assert section.startswith("## `delete_rows`: 2 rejected, 0 edited of 2")
    assert '- "too broad" (2×)' in section
    assert "wrong recipient" not in section


def test_edits_list_changed_argument_keys_with_before_and_after(report):
    email = _section(report, "send_email")
    assert "| `to` | 1 | `all@x.com` | `cfo@x.com` |" in email
    assert "`subject`" not in email.split("Example edits")[0]
    assert '- `{"to": "all@x.com"}` → `{"to": "cfo@x.com"}` ("only the CFO")' in email
    files = _section(report, "write_file")
    assert "| `path` | 1 | `a.txt` | `b.txt` |" in files
    assert "| `text` | 1 | `hi` | `hi!` |" in files


def test_actions_reviewers_never_rejected_or_changed_are_left_out(report):
    assert "## `search`" not in report


def test_rules_section_is_ready_to_paste(report):
    rules = report.split("## Rules learned from reviewers", 1)[1]
    assert '- `delete_rows` was rejected 2 of 2 times ("too broad").' in rules
    assert ("- For `send_email`, reviewers corrected `to` in 1 of 1 edits, e.g. "
            "`all@x.com` → `cfo@x.com`.") in rules


def test_repeated_edits_are_shown_once_as_examples(db):
    log = hitl_nb.DecisionLog(db)
    for n in range(5):
        req = hitl_nb.ReviewRequest("send", {"to": "all", "n": n}, thread_id="t",
                                    interrupt_id=f"i{n}")
        log.record(req, hitl_nb.Decision("edit", args={"to": "cfo", "n": n}, reviewer="ana"))
    report = log.failure_report()
    assert report.count('- `{"to": "all"}` → `{"to": "cfo"}`') == 1
    assert "| `to` | 5 |" in report


def test_report_of_an_empty_log_says_so(db):
    assert "No human decisions" in hitl_nb.DecisionLog(db).failure_report()


def test_backticks_in_agent_text_cannot_break_the_markdown(db):
    log = hitl_nb.DecisionLog(db)
    req = hitl_nb.ReviewRequest("run", {"cmd": "echo `rm -rf`"}, thread_id="t",
                                interrupt_id="i")
    log.record(req, hitl_nb.Decision("edit", args={"cmd": "echo hi"}, reviewer="ana"))
    assert "`echo 'rm -rf'`" in log.failure_report()


@pytest.mark.parametrize(("before", "after", "keys"), [
    ({"a": 1, "b": 2}, {"a": 1, "b": 3}, ["b"]),
    ({"a": 1}, {"a": 1, "c": 0}, ["c"]),
    ({"a": 1, "b": 2}, {"b": 2}, ["a"]),
    ([1], [2], ["(whole arguments)"]),
    ({"a": 1}, {"a": 1}, []),
])
def test_changed_keys(before, after, keys):
    assert changed_keys(before, after) == keys


def test_report_on_a_mixed_log_counts_people_as_the_exports_do(db):
    # by hand from M.ROWS: the people's rows are m0 m2 m3 m5 m7 m8 m9
    report = M.build(db).failure_report()
    assert "7 human decisions: 3 rejected (43%), 1 edited (14%)." in report
    assert _section(report, "delete_records").startswith(
        "## `delete_records`: 1 rejected, 0 edited of 2")
    assert _section(report, "send_email").startswith(
        "## `send_email`: 1 rejected, 1 edited of 2")        # the timeout's m4 is not there
    assert _section(report, "search_docs").startswith(
        "## `search_docs`: 1 rejected, 0 edited of 2")       # the policy's m1 is not there
    assert "write_file" not in report                        # only a policy rejected it
