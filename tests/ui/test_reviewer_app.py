"""The reviewer app's logic without a browser: what it lists, what it opens, the graph."""

from __future__ import annotations

import pytest

import hitl_nb
from hitl_nb.examples import seed_graph
from hitl_nb.ui.app import ReviewerApp, load_graph, pending_threads


@pytest.fixture
def two_waiting(seed, start, db):
    """Threads w1 and w2 paused at the seed graph's review node."""
    return [start(seed, {"task": f"task {t}"}, thread_id=t) for t in ("w1", "w2")]


def test_pending_threads_lists_undecided_requests_oldest_first(two_waiting, db):
    threads = pending_threads(hitl_nb.DecisionLog(db))
    assert [t.thread_id for t in threads] == ["w1", "w2"]
    assert threads[0].actions == ["send_email"]
    assert threads[0].requested_at.tzinfo is not None


def test_decided_thread_leaves_the_list(two_waiting, db):
    two_waiting[0].cards[0].approve()
    assert [t.thread_id for t in pending_threads(hitl_nb.DecisionLog(db))] == ["w2"]


def test_thread_resumed_outside_hitl_nb_leaves_the_list_when_graph_given(two_waiting, seed, db):
    from langgraph.types import Command

    seed.invoke(Command(resume={"approved": True}), {"configurable": {"thread_id": "w2"}})
    log = hitl_nb.DecisionLog(db)
    assert [t.thread_id for t in pending_threads(log)] == ["w1", "w2"]
    assert [t.thread_id for t in pending_threads(log, seed)] == ["w1"]


def test_load_graph_accepts_factory_taking_checkpointer(two_waiting, db):
    graph = load_graph("hitl_nb.examples:seed_graph", db)
    assert graph.get_state({"configurable": {"thread_id": "w1"}}).interrupts


def test_load_graph_explains_a_factory_that_does_not_fit(monkeypatch, db, tmp_path):
    (tmp_path / "odd_factories.py").write_text(
        "def numbers(checkpointer):\n    return 42\n\n"
        "def two_args(a, b):\n    return None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(hitl_nb.HitlError, match="returned int, not a compiled graph"):
        load_graph("odd_factories:numbers", db)
    with pytest.raises(hitl_nb.HitlError, match="failed"):
        load_graph("odd_factories:two_args", db)


def test_load_graph_accepts_compiled_graph(monkeypatch, db, tmp_path):
    module = tmp_path / "my_agent.py"
    module.write_text("import hitl_nb\nfrom hitl_nb.examples import seed_graph\n"
                      f"graph = seed_graph(checkpointer=hitl_nb.checkpointer({db!r}))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = load_graph("my_agent:graph", "ignored.db")
    assert graph.checkpointer is not None


@pytest.mark.parametrize(("spec", "message"), [
    ("no_colon", "module:attr"),
    ("no_such_module_xyz:graph", "cannot import"),
    ("hitl_nb.examples:nothing_here", "no attribute"),
    ("hitl_nb.examples:SeedState", "compiled graph or a factory"),
    ("hitl_nb.examples:END", "compiled graph or a factory"),
])
def test_load_graph_explains_a_bad_spec(spec, message, db):
    with pytest.raises(hitl_nb.HitlError, match=message):
        load_graph(spec, db)


def test_open_button_shows_cards_and_approve_resumes_graph(two_waiting, db):
    app = ReviewerApp(db, "hitl_nb.examples:seed_graph", reviewer="web")
    assert "Reviews waiting: 2" in app.header.value
    open_w1 = app.thread_list.children[0].children[0]
    open_w1.click()
    assert app.session is not None
    assert app.session.thread_id == "w1"
    app.session.cards[0].click("Approve")
    assert app.session.done
    assert "Reviews waiting: 1" in app.header.value
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert (row.thread_id, row.decision, row.reviewer, row.status) == (
        "w1", "approve", "web", "applied")
    state = seed_graph(checkpointer=hitl_nb.checkpointer(db)).get_state(
        {"configurable": {"thread_id": "w1"}})
    assert state.values["result"].startswith("done:")


def test_app_without_graph_lists_but_cannot_open(two_waiting, db):
    app = ReviewerApp(db)
    assert "--graph" in app.header.value
    assert all(row.children[0].disabled for row in app.thread_list.children)
    with pytest.raises(hitl_nb.HitlError, match="--graph"):
        app.open_thread("w1")


def test_app_escapes_thread_ids(seed, start, db):
    start(seed, {"task": "x"}, thread_id="<img src=x onerror=alert(1)>")
    app = ReviewerApp(db, seed)
    label = app.thread_list.children[0].children[1].value
    assert "<img" not in label
    assert "&lt;img" in label
