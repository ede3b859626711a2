"""Cards in Jupyter Notebook 7: a click and a key press decide, the graphs resume, the log
has the rows."""

from __future__ import annotations

from _lab import LIVE_CARD, code_notebook, expect, wait_rows

import hitl_nb
from hitl_nb.examples import seed_graph

SETUP = """
import hitl_nb
from hitl_nb.examples import seed_graph

graph = seed_graph(checkpointer=hitl_nb.checkpointer("nb7.db"))
"""


def _review(thread: str) -> str:
    return (f'session = hitl_nb.review(graph, {{"task": "mail the Q3 numbers"}}, '
            f'thread_id={thread!r}, log="nb7.db", reviewer="nb7")')


def test_click_and_key_press_decide_in_notebook_7(notebook7, browser, page_errors):
    path = notebook7.copy(code_notebook(SETUP, _review("nb7-click"), _review("nb7-key")),
                          "nb7")
    db = path.parent / "nb7.db"
    page = notebook7.open(browser, path)
    try:
        page.on("dialog", lambda d: (page_errors.append(d.message), d.dismiss()))
        notebook7.run_all(page)
        cards = page.locator(LIVE_CARD)
        expect(cards).to_have_count(2, timeout=60_000)
        expect(cards.nth(0)).to_contain_text("cfo@example.com")
        cards.nth(0).get_by_role("button", name="Approve", exact=True).click()
        expect(cards.nth(0).locator(".hitl-summary")).to_contain_text("approved by nb7")
        cards.nth(1).focus()
        page.keyboard.press("r")
        page.keyboard.type("not this quarter")
        page.keyboard.press("Enter")
        expect(cards.nth(1).locator(".hitl-summary")).to_contain_text("rejected by nb7")
        expect(page.locator(".hitl-result")).to_have_count(2, timeout=30_000)
    finally:
        page.close()
        notebook7.shutdown_kernels()
    assert wait_rows(db, 2) == [("nb7-click", "approve", None, "applied"),
                                ("nb7-key", "reject", "not this quarter", "applied")]
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(db))
    done = graph.get_state({"configurable": {"thread_id": "nb7-click"}}).values["result"]
    assert done.startswith("done: send_email(to='cfo@example.com'")
    assert page_errors == []
