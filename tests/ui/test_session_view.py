"""The session view's widgets: nothing opened or sent until the view is shown, then
every card and the header in the opening state, and changes sent as they happen."""

from __future__ import annotations

from typing import Any

import hitl_nb
from tests.graphs import single
from tests.markup import unpack


def opened(view: Any) -> list[Any]:
    """The view and those of its widgets whose comm is open."""
    return [w for w in (view, view.status, *view.cards) if w.comm is not None]


def test_a_view_never_shown_opens_no_comm_and_still_decides(db, start):
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    view = start(single(hitl_nb.checkpointer(db), {"action": "pay"}), {})
    assert opened(view) == [] and set(_instances) == before
    assert "waiting for 1 review" in view.header
    assert "waiting for 1 review" in view.status.html
    view.cards[0].click("Approve")
    assert view.done and "done" in view.status.html and opened(view) == []


def test_showing_a_view_opens_it_with_the_header_and_every_card(db, start):
    view = start(single(hitl_nb.checkpointer(db), {"action": "pay <b>me</b>"}), {})
    view._repr_mimebundle_()                                     # displayed after the run
    assert opened(view) == [view, view.status, *view.cards]
    state = view.get_state()
    assert state["children"] == [f"IPY_MODEL_{w.model_id}" for w in (view.status,
                                                                     *view.cards)]
    assert "waiting for 1 review" in unpack(view.status.markup)
    assert "pay &lt;b&gt;me&lt;/b&gt;" in unpack(view.cards[0].markup)


def test_a_shown_view_sends_the_header_as_the_graph_runs(db):
    graph = single(hitl_nb.checkpointer(db), {"action": "pay"})
    session = hitl_nb.Session(graph, thread_id="t1", log=db, reviewer="ana")
    view = hitl_nb.SessionView(session)
    view._repr_mimebundle_()                                     # displayed before the run
    sent: list[str] = []
    view.status.comm.send = lambda data=None, buffers=None, **_: sent.append(
        unpack(data["state"].get("markup", "")))
    session.start({})
    assert any("running ask" in m for m in sent)
    assert "waiting for 1 review" in sent[-1]
    card = view.cards[0]
    assert card.comm is not None and "pay" in unpack(card.markup)       # opened as it was added
    card.click("Approve")
    assert "done" in sent[-1] and "Result" in sent[-1]
