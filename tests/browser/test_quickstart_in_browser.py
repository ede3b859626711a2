"""Notebook 01 in real JupyterLab: run all, the card appears, a human clicks it."""

from __future__ import annotations

import sqlite3

from _lab import REPO, notebook_until_reviewer, reject_with_comment

QUICKSTART = REPO / "notebooks" / "01_quickstart.ipynb"


def _rows(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT thread_id, decision, comment, status FROM hitl_decisions"
                            " ORDER BY id").fetchall()


def _start(lab, open_page, folder):
    path = lab.copy(notebook_until_reviewer(QUICKSTART), folder, "01_quickstart.ipynb")
    page = open_page(path)
    lab.run_all(page)
    card = page.locator(".hitl-card").first
    card.wait_for(timeout=60_000)
    return page, card, path.parent / "quickstart.db"


def test_approve_click_in_lab_resumes_graph_and_logs_row(lab, open_page, page_errors):
    page, card, db = _start(lab, open_page, "approve")
    text = card.inner_text()
    assert "send_email" in text and "cfo@example.com" in text
    assert _rows(db) == []
    card.get_by_role("button", name="Approve", exact=True).click()
    result = page.locator(".hitl-result").first
    result.wait_for(timeout=30_000)
    assert "done: send_email(to='cfo@example.com'" in result.inner_text()
    assert "done" in page.locator(".hitl-session .hitl-status").first.inner_text()
    assert _rows(db) == [("quickstart-1", "approve", None, "applied")]
    assert page_errors == []


def test_reject_with_typed_comment_in_lab_cancels(lab, open_page, page_errors):
    page, card, db = _start(lab, open_page, "reject")
    reject_with_comment(card, "wrong quarter, use Q2")
    result = page.locator(".hitl-result").first
    result.wait_for(timeout=30_000)
    text = result.inner_text()
    assert "cancelled by the reviewer" in text
    assert "wrong quarter, use Q2" in text
    assert _rows(db) == [("quickstart-1", "reject", "wrong quarter, use Q2", "applied")]
    assert page_errors == []
