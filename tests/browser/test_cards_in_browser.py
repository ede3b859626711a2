"""A card in real JupyterLab: edit in the form and in JSON with a live diff, Enter in the
comment box rejects and the card collapses, hostile text stays text, both themes read."""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap

import pytest
from _lab import (
    LIVE_CARD,
    LIVE_DIFF,
    REPO,
    THEME_SETTINGS,
    code_notebook,
    expect,
    open_json_editor,
    reject_with_comment,
    wait_rows,
)

EMAIL = {"to": "cfo@exampel.com", "subject": "Q3 revenue",
         "body": "Q3 revenue was 4.2 M EUR, +12 % on Q2."}

XSS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=\"window.__hitl_xss='img';alert('img')\">",
    "<a href=\"javascript:alert('link')\">click me</a>",
    "<svg onload=\"window.__hitl_xss='svg';alert('svg')\"><script>alert('svg')</script></svg>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "\"><img src=x onerror=alert('attr')>",
]


def card_notebook(action: str, args: dict, description: str) -> object:
    """A one-node graph that pauses with a plain interrupt carrying ``args``."""
    graph = textwrap.dedent(f"""
        from typing import Any, TypedDict

        from langgraph.graph import END, START, StateGraph
        from langgraph.types import interrupt

        import hitl_nb

        class State(TypedDict, total=False):
            answer: Any

        def propose(state):
            return {{"answer": interrupt({{"action": {action!r}, "args": {args!r},
                                           "description": {description!r}}})}}

        builder = StateGraph(State)
        builder.add_node("propose", propose)
        builder.add_edge(START, "propose")
        builder.add_edge("propose", END)
        graph = builder.compile(checkpointer=hitl_nb.checkpointer("card.db"))
    """)
    return code_notebook(graph, 'session = hitl_nb.review(graph, {"answer": None}, '
                                'thread_id="card-1", log="card.db", reviewer="browser")')


def _row(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT decision, comment, edited_args, status"
                            " FROM hitl_decisions").fetchall()


def _open_card(lab, open_page, folder, nb):
    path = lab.copy(nb, folder)
    page = open_page(path)
    lab.run_all(page)
    card = page.locator(LIVE_CARD).first
    card.wait_for(timeout=60_000)
    return page, card, path.parent / "card.db"


def test_edit_in_form_submits_edited_args_and_resumes(lab, open_page, page_errors):
    nb = card_notebook("send_email", EMAIL, "Send the Q3 summary")
    page, card, db = _open_card(lab, open_page, "edit", nb)
    editor = open_json_editor(card)
    assert json.loads(editor.input_value()) == EMAIL
    edited = {**EMAIL, "to": "cfo@example.com"}
    diff = card.locator(LIVE_DIFF)
    editor.fill(json.dumps(edited, indent=2))
    expect(diff).to_contain_text("cfo@example.com", timeout=10_000)   # the live diff follows
    card.get_by_role("button", name="Submit edit").click()
    result = page.locator(".hitl-result").first
    result.wait_for(timeout=30_000)
    assert "cfo@example.com" in result.inner_text()
    [(decision, comment, edited_args, status)] = _row(db)
    assert (decision, comment, status) == ("edit", None, "applied")
    assert json.loads(edited_args) == edited
    assert page_errors == []


def test_hostile_text_in_card_is_shown_as_text_and_runs_nothing(lab, open_page, page_errors):
    args = {f"field{i}": v for i, v in enumerate(XSS)} | {XSS[1]: "key"}
    nb = card_notebook(XSS[1], args, XSS[0] + XSS[3])
    page, card, db = _open_card(lab, open_page, "xss", nb)
    reject_with_comment(card, XSS[1])
    page.locator(".hitl-result").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)  # give an injected onerror/onload the chance to fire
    session = page.locator(".hitl-session").first
    for tag in ("script", "img", "svg", "iframe", "a[href^='javascript']"):
        assert session.locator(tag).count() == 0, f"a <{tag}> from the agent reached the DOM"
    assert XSS[0] in page.locator(".hitl-result").first.inner_text()  # shown, as text
    assert page.evaluate("window.__hitl_xss") is None
    assert page_errors == [], f"a dialog fired: {page_errors}"
    assert _row(db)[0][:2] == ("reject", XSS[1])


def _luminance(css: str) -> float:
    r, g, b = (int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_card_reads_in_theme_and_screenshot_is_saved(lab, open_page, page_errors, theme,
                                                      tmp_path):
    if theme == "dark":
        lab.write_setting(THEME_SETTINGS, {"theme": "JupyterLab Dark"})
    try:
        nb = card_notebook("send_email", EMAIL, "Send the Q3 summary to the CFO")
        page, card, _ = _open_card(lab, open_page, f"theme-{theme}", nb)
    finally:
        lab.remove_setting(THEME_SETTINGS)
    light = page.evaluate("document.body.dataset.jpThemeLight")
    assert light == ("true" if theme == "light" else "false")
    title = card.locator(".hitl-title").first
    text = _luminance(title.evaluate("el => getComputedStyle(el).color"))
    assert (text > 0.6) if theme == "dark" else (text < 0.4), f"title luminance {text:.2f}"
    page.wait_for_timeout(300)  # let the theme's transitions settle before the picture
    # The README's pictures: refreshed with HITL_NB_UPDATE_SCREENSHOTS=1, else kept aside.
    folder = REPO / "docs" if os.environ.get("HITL_NB_UPDATE_SCREENSHOTS") == "1" else tmp_path
    shot = folder / f"lab-card-{theme}.png"
    page.locator(".hitl-session").first.screenshot(path=shot)
    assert shot.stat().st_size > 5_000
    assert page_errors == []


def test_live_diff_follows_typing_in_the_form_and_enter_in_the_comment_rejects(
        lab, open_page, page_errors):
    nb = card_notebook("send_email", EMAIL, "Send the Q3 summary")
    page, card, db = _open_card(lab, open_page, "form", nb)
    card.get_by_role("button", name="Edit", exact=True).click()
    body = card.get_by_role("textbox", name="body")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Regards, Ana", delay=5)
    expect(card.locator(LIVE_DIFF)).to_contain_text("Regards, Ana", timeout=10_000)
    card.get_by_role("button", name="Cancel").click()               # nothing decided
    card.get_by_role("button", name="Reject", exact=True).click()
    comment = card.get_by_role("textbox", name="Comment")
    comment.fill("wrong quarter")
    comment.press("Enter")
    summary = card.locator(".hitl-summary")
    expect(summary).to_contain_text('rejected by browser', timeout=30_000)
    expect(card.locator(".hitl-full")).to_be_hidden()              # collapsed to one line
    card.get_by_role("button", name="details").click()
    expect(card.locator(".hitl-full")).to_be_visible()
    assert [r[:3] for r in wait_rows(db, 1)] == [("card-1", "reject", "wrong quarter")]
    assert page_errors == []
