"""Keys, queue mode and a session of 100 pending cards, in real JupyterLab."""

from __future__ import annotations

import textwrap
import time

from _lab import LIVE_CARD, code_notebook, decision_rows, expect, wait_rows


def batch_notebook(n: int, db: str, *tail: str) -> object:
    """A graph pausing with one LangChain batched request of ``n`` emails (``n`` cards)."""
    graph = textwrap.dedent(f"""
        from typing import Any, TypedDict

        from langgraph.graph import END, START, StateGraph
        from langgraph.types import interrupt

        import hitl_nb

        class State(TypedDict, total=False):
            decisions: Any

        def ask(state):
            reply = interrupt({{
                "action_requests": [{{"name": "send_email", "description": f"Mail {{i}}",
                                      "args": {{"to": f"user{{i}}@example.com",
                                               "subject": f"note {{i}}"}}}}
                                    for i in range({n})],
                "review_configs": [{{"action_name": "send_email",
                                    "allowed_decisions": ["approve", "edit", "reject"]}}]}})
            return {{"decisions": [d["type"] for d in reply["decisions"]]}}

        builder = StateGraph(State)
        builder.add_node("ask", ask)
        builder.add_edge(START, "ask")
        builder.add_edge("ask", END)
        graph = builder.compile(checkpointer=hitl_nb.checkpointer({db!r}))
    """)
    return code_notebook(graph, *tail)


def _focused_index(page) -> int:
    return page.evaluate("""() => [...document.querySelectorAll('.hitl-card.hitl-live')]
                                  .indexOf(document.activeElement)""")


def test_keys_decide_a_session_without_the_mouse(lab, open_page, page_errors):
    nb = batch_notebook(3, "keys.db", 'session = hitl_nb.review(graph, {"decisions": None}, '
                        'thread_id="keys-1", log="keys.db", reviewer="keys")')
    path = lab.copy(nb, "keys")
    page = open_page(path)
    cells_before = page.locator(".jp-Cell").count()
    lab.run_all(page)
    cards = page.locator(LIVE_CARD)
    expect(cards).to_have_count(3, timeout=60_000)
    first = cards.nth(0)
    first.focus()
    page.keyboard.press("?")                                  # the keys, listed
    expect(first.locator(".hitl-keys")).to_be_visible()
    assert "Next / previous pending card" in first.locator(".hitl-keys").inner_text()
    page.keyboard.press("?")
    page.keyboard.press("j")
    assert _focused_index(page) == 1
    page.keyboard.press("k")
    assert _focused_index(page) == 0
    page.keyboard.press("a")                                  # approve the first ...
    expect(first.locator(".hitl-summary")).to_contain_text("approved by keys")
    page.wait_for_function("() => [...document.querySelectorAll('.hitl-card.hitl-live')]"
                           ".indexOf(document.activeElement) === 1")   # ... focus moves on
    page.keyboard.press("r")                                  # reject the second: the box
    comment = cards.nth(1).get_by_role("textbox", name="Comment")
    expect(comment).to_be_focused()
    page.keyboard.type("a j k r e", delay=5)                  # typing: no shortcut fires
    page.keyboard.press("Enter")
    expect(cards.nth(1).locator(".hitl-summary")).to_contain_text('rejected by keys')
    cards.nth(2).focus()
    page.keyboard.press("e")                                  # edit opens, Esc closes it
    expect(cards.nth(2).get_by_role("button", name="Submit edit")).to_be_visible()
    page.keyboard.press("Escape")
    expect(cards.nth(2).get_by_role("button", name="Submit edit")).to_be_hidden()
    assert _focused_index(page) == 2
    page.keyboard.press("a")
    result = page.locator(".hitl-result").first
    expect(result).to_contain_text('"reject"', timeout=30_000)   # the graph resumed
    assert [r[1:3] for r in wait_rows(path.parent / "keys.db", 3)] == [
        ("approve", None), ("reject", "a j k r e"), ("approve", None)]
    assert page.locator(".jp-Cell").count() == cells_before   # JupyterLab's keys stayed off
    expect(cards.nth(0).get_by_role("button", name="details")).to_have_count(1)
    assert page_errors == []


def test_queue_mode_shows_progress_skips_and_undoes(lab, open_page, page_errors):
    nb = batch_notebook(3, "queue.db", 'session = hitl_nb.review(graph, {"decisions": None}, '
                        'thread_id="queue-1", log="queue.db", reviewer="q", display=False)',
                        "queue = hitl_nb.review_queue(session, undo_s=1.5)\nqueue")
    path = lab.copy(nb, "queue")
    db = path.parent / "queue.db"
    page = open_page(path)
    lab.run_all(page)
    card = page.locator(LIVE_CARD)
    expect(card).to_have_count(1, timeout=60_000)
    bar = card.locator(".hitl-queue-bar")
    expect(bar).to_contain_text("1 of 3")
    expect(card).to_contain_text("user0@example.com")
    card.get_by_role("button", name="Skip").click()
    expect(card).to_contain_text("user1@example.com")
    card.get_by_role("button", name="Approve", exact=True).click()
    expect(bar).to_contain_text("approving in")
    bar.get_by_role("button", name="Undo").click()            # records nothing
    expect(bar).not_to_contain_text("approving in")
    assert decision_rows(db) == []
    card.focus()
    page.keyboard.press("a")                                  # the window ends: recorded
    expect(bar).to_contain_text("2 of 3", timeout=15_000)
    assert [r[1] for r in wait_rows(db, 1)] == ["approve"]
    expect(card).to_contain_text("user2@example.com")
    assert page_errors == []


def test_a_session_of_100_pending_cards_renders_and_stays_responsive(lab, open_page,
                                                                     page_errors):
    nb = batch_notebook(100, "many.db", 'session = hitl_nb.review(graph, {"decisions": None},'
                        ' thread_id="many-1", log="many.db", reviewer="many")')
    path = lab.copy(nb, "many")
    page = open_page(path)
    started = time.monotonic()
    lab.run_all(page)
    cards = page.locator(LIVE_CARD)
    expect(cards).to_have_count(100, timeout=120_000)
    rendered = time.monotonic() - started
    last = cards.nth(99)
    last.scroll_into_view_if_needed()
    clicked = time.monotonic()
    last.get_by_role("button", name="Approve", exact=True).click()
    expect(last.locator(".hitl-summary")).to_contain_text("approved by many")
    answered = time.monotonic() - clicked
    print(f"\n100 pending cards: run all -> 100 live cards in {rendered:.1f} s; "
          f"a click on the 100th decided and collapsed in {answered * 1000:.0f} ms")
    assert answered < 5.0
    assert [r[1] for r in wait_rows(path.parent / "many.db", 1)] == ["approve"]
    assert page_errors == []
