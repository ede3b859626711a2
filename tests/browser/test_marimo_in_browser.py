"""Cards in marimo (`marimo run`, headless): `mo.ui.anywidget(card)` shows the card, a
click and a key press decide through the Python-side handlers, the graphs resume, the log
has the rows; the queue, one widget, reviews a whole session there too."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from _lab import LIVE_CARD, expect, free_port, jupyter_env, stop, wait_http, wait_rows

import hitl_nb
from hitl_nb.examples import seed_graph

NOTEBOOK = textwrap.dedent('''
    import marimo

    app = marimo.App()


    @app.cell
    def _():
        import marimo as mo

        import hitl_nb
        from hitl_nb.examples import seed_graph

        graph = seed_graph(checkpointer=hitl_nb.checkpointer("marimo.db"))
        sessions = [hitl_nb.review(graph, {"task": "mail the Q3 numbers"}, thread_id=t,
                                   log="marimo.db", reviewer="marimo", display=False)
                    for t in ("marimo-click", "marimo-key")]
        mo.vstack([mo.ui.anywidget(s.cards[0]) for s in sessions])
        return


    @app.cell
    def _():
        import uuid

        import hitl_nb as hn
        from hitl_nb.examples import seed_graph as seed

        # every page load of `marimo run` runs the notebook again: a thread of its own
        view = hn.review(seed(checkpointer=hn.checkpointer("marimo.db")),
                         {"task": "mail the Q3 numbers"},
                         thread_id=f"marimo-view-{uuid.uuid4().hex[:8]}",
                         log="marimo.db", reviewer="marimo")
        view
        return


    if __name__ == "__main__":
        app.run()
''')


@pytest.fixture(scope="module")
def marimo_app(chromium, tmp_path_factory):
    """``marimo run`` serving the notebook above from a temporary folder."""
    pytest.importorskip("marimo")
    folder = tmp_path_factory.mktemp("marimo")
    (folder / "cards.py").write_text(NOTEBOOK)
    port = free_port()
    log = open(folder / "marimo.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "marimo", "run", "cards.py", "--headless",
                             "--no-token", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=folder, env=jupyter_env(folder / "jupyter"), stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc)
        yield f"http://127.0.0.1:{port}/", folder
    finally:
        stop(proc)
        log.close()


def test_click_and_key_press_decide_in_marimo(marimo_app, browser):
    url, folder = marimo_app
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(url)
        cards = page.locator(f"{LIVE_CARD}:not(:has(.hitl-queue-bar:not([hidden])))")
        expect(cards).to_have_count(2, timeout=90_000)
        expect(cards.nth(0)).to_contain_text("cfo@example.com")
        cards.nth(0).get_by_role("button", name="Approve", exact=True).click()
        expect(cards.nth(0).locator(".hitl-summary")).to_contain_text("approved by marimo",
                                                                       timeout=30_000)
        cards.nth(1).focus()
        page.keyboard.press("a")
        expect(cards.nth(1).locator(".hitl-summary")).to_contain_text("approved by marimo",
                                                                       timeout=30_000)
    finally:
        page.close()
    db = folder / "marimo.db"
    assert [r for r in wait_rows(db, 2) if not r[0].startswith("marimo-view")] == [
        ("marimo-click", "approve", None, "applied"), ("marimo-key", "approve", None, "applied")]
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(db))
    for thread in ("marimo-click", "marimo-key"):
        state = graph.get_state({"configurable": {"thread_id": thread}})
        assert not state.interrupts and state.values["result"].startswith("done: send_email")
    assert dialogs == []


def test_a_session_view_shows_as_its_queue_in_marimo(marimo_app, browser):
    """`hitl_nb.review(...)` as a cell's last expression: marimo draws anywidgets only, so
    the view shows as its review queue (`SessionView._display_`); a click decides, the
    graph finishes and the queue shows the result."""
    url, folder = marimo_app
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(url)
        queue = page.locator(f"{LIVE_CARD}:has(.hitl-queue-bar:not([hidden]))")
        expect(queue).to_have_count(1, timeout=90_000)
        expect(queue).to_contain_text("1 of 1")
        expect(queue).to_contain_text("cfo@example.com")
        queue.get_by_role("button", name="Approve", exact=True).click()
        expect(queue).to_contain_text("The graph finished.", timeout=30_000)
        expect(queue).to_contain_text("done: send_email")
    finally:
        page.close()
    rows = [r[1:] for r in wait_rows(folder / "marimo.db", 1) if r[0].startswith("marimo-view")]
    assert rows == [("approve", None, "applied")]
