"""InboxView: pages, filters, sort, open in place, claims and bulk decisions via its buttons
(`view.click(label)`: what a browser click on that button does)."""

from __future__ import annotations

import pytest

from hitl_nb import Decision, HitlError, Inbox, InboxView
from tests._team import ledger_counts, start_threads, team


def test_pages_through_the_queue_with_buttons(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 5)
    view = InboxView(Inbox(db, graph=graph), page_size=2)
    seen = [r.thread_id for r in view.rows]
    assert view.table.page == {"number": 1, "pages": 3, "first": True, "last": False,
                               "stuck": False}
    view.click("Next ▶")
    seen += [r.thread_id for r in view.rows]
    view.click("Next ▶")
    seen += [r.thread_id for r in view.rows]
    assert view.table.page["last"]
    assert sorted(seen) == ["t0", "t1", "t2", "t3", "t4"]
    view.click("◀ Prev")
    assert view.page == 1


def test_filters_and_sort_reload_the_rows(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 3)
    start_threads(graph, log, 2, prefix="big", amount=5000.0)
    view = InboxView(Inbox(db, graph=graph))
    view.filter(tier="always")
    assert sorted(r.thread_id for r in view.rows) == ["big0", "big1"]
    view.filter(tier=None, order="confidence")
    assert [r.confidence for r in view.rows] == [0.6, 0.6, 0.9, 0.9, 0.9]
    view.filter(age=3600.0)
    assert view.rows == []
    assert "0 pending" in view.header


def test_a_filter_chosen_in_the_browser_reloads_the_rows(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 2)
    start_threads(graph, log, 1, prefix="big", amount=5000.0)
    view = InboxView(Inbox(db, graph=graph))
    tiers = view.table.options["tier"]
    view.table._handle_custom_msg({"click": "Filter", "state": {
        "filters": {"tier": tiers.index("always")}}}, [])
    assert [r.thread_id for r in view.rows] == ["big0"]


def test_bulk_approve_button_resumes_each_selected_thread_once(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 4)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    keys = [key for key, _row in view.table.rows]
    view.table.selected = [keys[0], keys[2]]                  # two ticked boxes
    view.table.comment = "month-end batch"
    view.click("Approve selected")
    assert ledger_counts(ledger) == {"t0": 1, "t2": 1}
    df = log.to_pandas()
    assert sorted(df.thread_id) == ["t0", "t2"] and set(df.comment) == {"month-end batch"}
    assert set(df.status) == {"applied"}
    assert sorted(r.thread_id for r in view.rows) == ["t1", "t3"]
    assert "2 approved" in view.table.status


def test_bulk_reject_reports_requests_someone_else_decided(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 2)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    view.select(view.rows)
    Inbox(db, graph=graph, reviewer="bob").decide(view.rows[0], Decision("approve"))
    view.click("Reject selected")
    assert "1 rejected, 1 not" in view.table.status
    assert "approved by bob" in view.table.status
    assert ledger_counts(ledger) == {"t0": 1}
    assert sorted(log.to_pandas().decision) == ["approve", "reject"]


def test_open_claims_and_shows_the_card_in_place(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 2, approvals=2)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    view.table._handle_custom_msg({"click": "Open", "state": {
        "row": view.table.rows[0][0]}}, [])                   # that row's "Open"
    opened = view.opened
    assert opened is not None and opened in view.detail.children
    assert "being reviewed by ana" in InboxView(Inbox(db, graph=graph, reviewer="bob")) \
        .table.rows[0][1]
    card = opened.cards[0]
    card.approve()
    assert "1 of 2 approvals (ana)" in card.note
    assert "1 of 2 approvals" in view.table.rows[0][1]
    assert ledger_counts(ledger) == {}


def test_open_a_request_claimed_by_someone_else_offers_take_over(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 1)
    Inbox(db, reviewer="bob").claim(Inbox(db).pending[0])
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    assert view.open_thread(view.rows[0]) is None
    assert "being reviewed by bob" in view.table.status
    assert view.table.extra == ["Take over"]
    view.click("Take over")
    assert view.opened is not None
    view.opened.cards[0].approve()
    assert ledger_counts(ledger) == {"t0": 1}
    assert log.to_pandas().reviewer.tolist() == ["ana"]


def test_card_shows_time_left_in_the_opened_thread(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 1, timeout_s=3600)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    assert "left" in view.table.rows[0][1]
    opened = view.open_thread(view.rows[0])
    assert "min" in opened.cards[0].note and "left" in opened.cards[0].note


def test_static_html_lists_the_rows_escaped(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 1, to="<script>x</script>")
    view = InboxView(Inbox(db, graph=graph))
    bundle = view._repr_mimebundle_()
    html = (bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"]
    assert "t0" in html and "1 pending" in html
    assert "<script>" not in html


def test_recover_button_resumes_decisions_recorded_before_a_crash(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 2)
    request = Inbox(db).list(order="thread")[0]
    log.record(request, Decision("approve", reviewer="ana"))    # a kernel died right after
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    assert "1 decided, not yet resumed" in view.header
    assert view.table.page["stuck"]                            # "Resume recorded decisions"
    view.click("Resume recorded decisions")
    assert ledger_counts(ledger) == {"t0": 1}
    assert "not yet resumed" not in view.header
    assert not view.table.page["stuck"]


def test_the_inbox_is_a_few_widgets_whatever_the_number_of_rows(db, ledger):
    from ipywidgets.widgets.widget import _instances

    graph, log = team(db, ledger)
    start_threads(graph, log, 12)
    before = set(_instances)
    view = InboxView(Inbox(db, graph=graph), page_size=20)
    assert len(view.rows) == 12
    assert len(set(_instances) - before) <= 6    # box, list, detail box and their layouts


def test_unknown_button_is_an_error_shown_in_the_inbox(db, ledger):
    graph, _log = team(db, ledger)
    view = InboxView(Inbox(db, graph=graph))
    with pytest.raises(HitlError, match="no button"):
        view.click("Delete everything")
    assert "no button" in view.table.status
