"""The team inbox in real JupyterLab: tick rows, bulk approve, open a thread in place and
decide its card with a key."""

from __future__ import annotations

from _lab import LIVE_CARD, code_notebook, expect, wait_rows

import hitl_nb
from hitl_nb.examples import payment_graph

VIEW = """
import hitl_nb
from hitl_nb.examples import payment_graph

graph = payment_graph(hitl_nb.checkpointer("team.db"))
view = hitl_nb.InboxView(hitl_nb.Inbox("team.db", graph=graph, reviewer="ana"))
view
"""


def test_bulk_approve_and_open_in_place(lab, open_page, page_errors):
    path = lab.copy(code_notebook(VIEW), "inbox")
    db = path.parent / "team.db"
    graph = payment_graph(hitl_nb.checkpointer(db))
    for i in range(3):
        hitl_nb.Session(graph, thread_id=f"pay{i}", log=hitl_nb.DecisionLog(db),
                        reviewer="setup").start({"task": f"invoice {i}", "amount": 100.0 + i,
                                                 "to": f"vendor {i}"})
    page = open_page(path)
    lab.run_all(page)
    inbox = page.locator(".hitl-inbox-view")
    rows = inbox.locator(".hitl-inbox-row-item")
    expect(rows).to_have_count(3, timeout=60_000)
    expect(inbox).to_contain_text("3 pending")
    rows.nth(0).get_by_role("checkbox").check()
    rows.nth(1).get_by_role("checkbox").check()
    inbox.get_by_role("textbox", name="Comment for the selected").fill("month-end batch")
    inbox.get_by_role("button", name="Approve selected").click()
    expect(inbox.locator(".hitl-inbox-status")).to_contain_text("2 approved", timeout=30_000)
    expect(rows).to_have_count(1)
    assert {r[:3] for r in wait_rows(db, 2)} == {("pay0", "approve", "month-end batch"),
                                                  ("pay1", "approve", "month-end batch")}
    rows.nth(0).get_by_role("button", name="Open").click()
    card = page.locator(f".hitl-inbox-detail {LIVE_CARD}")
    expect(card).to_have_count(1, timeout=30_000)
    card.focus()
    page.keyboard.press("a")
    expect(card.locator(".hitl-summary")).to_contain_text("approved by ana", timeout=30_000)
    expect(inbox).to_contain_text("0 pending", timeout=30_000)
    assert [r[:2] for r in wait_rows(db, 3)][-1] == ("pay2", "approve")
    assert page_errors == []
