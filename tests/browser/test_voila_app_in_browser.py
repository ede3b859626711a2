"""The reviewer web app (`python -m hitl_nb serve`, Voila) in a real browser: a click and a
key press decide, the graphs resume, the log has the rows. One server for the module."""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import sys
import urllib.request

import pytest
from _lab import LIVE_CARD, expect, free_port, jupyter_env, stop, wait_http

import hitl_nb
from hitl_nb.examples import seed_graph


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """Two seed threads waiting for review, and the app serving their log."""
    tmp_path = tmp_path_factory.mktemp("voila")
    db = tmp_path / "team.db"
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(db))
    for thread in ("voila-1", "voila-2"):
        hitl_nb.review(graph, {"task": f"task of {thread}"}, thread_id=thread, log=db,
                       display=False)
    token, port = secrets.token_hex(16), free_port()
    log = open(tmp_path / "voila.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "hitl_nb", "serve", str(db), "--graph",
         "hitl_nb.examples:seed_graph", "--port", str(port), "--token", token,
         "--reviewer", "web-reviewer"],
        env=jupyter_env(tmp_path / "jupyter"), cwd=tmp_path, stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/login", proc)
        yield url, token, db
    finally:
        stop(proc)
        log.close()


def test_app_refuses_a_visitor_without_the_token(app_server):
    url, _token, _db = app_server
    with urllib.request.urlopen(f"{url}/", timeout=30) as resp:
        assert "/login" in resp.url
        assert b"hitl-reviewer-app" not in resp.read()


def test_decision_in_app_resumes_graph_and_logs_row(app_server, browser):
    url, token, db = app_server
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{url}/?token={token}", timeout=120_000)
        app = page.locator(".hitl-reviewer-app")
        app.wait_for(timeout=120_000)
        assert "Reviews waiting: 2" in app.inner_text()
        row = app.locator(".hitl-thread-row").filter(has_text="voila-1")
        row.get_by_role("button", name="Open").click()
        card = app.locator(LIVE_CARD).first
        card.wait_for(timeout=30_000)
        text = card.inner_text()
        assert "send_email" in text and "cfo@example.com" in text
        card.get_by_role("button", name="Approve", exact=True).click()
        result = app.locator(".hitl-result").first
        result.wait_for(timeout=30_000)
        assert "done: send_email(to='cfo@example.com'" in result.inner_text()
        page.wait_for_function("() => document.querySelector('.hitl-reviewer-app')"
                               ".innerText.includes('Reviews waiting: 1')")
        row = app.locator(".hitl-thread-row").filter(has_text="voila-2")
        row.get_by_role("button", name="Open").click()           # now by keys alone
        card = app.locator(LIVE_CARD).filter(has_text="task of voila-2")
        card.focus()
        page.keyboard.press("r")
        page.keyboard.type("wrong list")
        page.keyboard.press("Enter")
        expect(card.locator(".hitl-summary")).to_contain_text("rejected by web-reviewer",
                                                              timeout=30_000)
        page.wait_for_function("() => document.querySelector('.hitl-reviewer-app')"
                               ".innerText.includes('Reviews waiting: 0')")
        page.screenshot(path=db.parent / "app.png")
    finally:
        page.close()
    assert dialogs == []
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT thread_id, decision, comment, reviewer, status"
                            " FROM hitl_decisions ORDER BY id").fetchall()
    assert rows == [("voila-1", "approve", None, "web-reviewer", "applied"),
                    ("voila-2", "reject", "wrong list", "web-reviewer", "applied")]
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(db))
    state = graph.get_state({"configurable": {"thread_id": "voila-1"}})
    assert not state.interrupts
    assert state.values["result"].startswith("done: send_email(to='cfo@example.com'")
    state = graph.get_state({"configurable": {"thread_id": "voila-2"}})
    assert state.values["result"] == "cancelled by the reviewer"
