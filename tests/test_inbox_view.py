"""InboxView: pages, filters, sort, open in place, claims and bulk decisions via its buttons."""

from __future__ import annotations

from hitl_nb import Decision, Inbox, InboxView
from tests._team import ledger_counts, start_threads, team


def test_pages_through_the_queue_with_buttons(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 5)
    view = InboxView(Inbox(db, graph=graph), page_size=2)
    seen = [r.thread_id for r in view.rows]
    assert view.prev.disabled and "page 1 of 3" in view.page_label.value
    view.next.click()
    seen += [r.thread_id for r in view.rows]
    view.next.click()
    seen += [r.thread_id for r in view.rows]
    assert view.next.disabled
    assert sorted(seen) == ["t0", "t1", "t2", "t3", "t4"]
    view.prev.click()
    assert view.page == 1


def test_filters_and_sort_reload_the_rows(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 3)
    start_threads(graph, log, 2, prefix="big", amount=5000.0)
    view = InboxView(Inbox(db, graph=graph))
    view.tier.value = "always"
    assert sorted(r.thread_id for r in view.rows) == ["big0", "big1"]
    view.tier.value = None
    view.order.value = "confidence"
    assert [r.confidence for r in view.rows] == [0.6, 0.6, 0.9, 0.9, 0.9]
    view.age.value = 3600.0
    assert view.rows == []
    assert "0 pending" in view.header.value


def test_bulk_approve_button_resumes_each_selected_thread_once(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 4)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    ticks = [row.children[0] for row in view.rows_box.children]
    ticks[0].value = True
    ticks[2].value = True
    assert "2 selected" in view.header.value
    view.comment.value = "month-end batch"
    view.approve_button.click()
    assert ledger_counts(ledger) == {"t0": 1, "t2": 1}
    df = log.to_pandas()
    assert sorted(df.thread_id) == ["t0", "t2"] and set(df.comment) == {"month-end batch"}
    assert set(df.status) == {"applied"}
    assert sorted(r.thread_id for r in view.rows) == ["t1", "t3"]
    assert "2 approved" in view.status.value


def test_bulk_reject_reports_requests_someone_else_decided(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 2)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    view.select(view.rows)
    Inbox(db, graph=graph, reviewer="bob").decide(view.rows[0], Decision("approve"))
    view.reject_button.click()
    assert "1 rejected, 1 not" in view.status.value
    assert "approved by bob" in view.status.value
    assert ledger_counts(ledger) == {"t0": 1}
    assert sorted(log.to_pandas().decision) == ["approve", "reject"]


def test_open_claims_and_shows_the_card_in_place(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 2, approvals=2)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    view.rows_box.children[0].children[2].click()             # "Open"
    opened = view.opened
    assert opened is not None and opened in view.detail.children
    assert "being reviewed by ana" in InboxView(Inbox(db, graph=graph, reviewer="bob")) \
        .rows_box.children[0].children[1].value
    card = opened.cards[0]
    card.approve()
    assert "1 of 2 approvals (ana)" in card.queue_note.value
    assert "1 of 2 approvals" in view.rows_box.children[0].children[1].value
    assert ledger_counts(ledger) == {}


def test_open_a_request_claimed_by_someone_else_offers_take_over(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 1)
    Inbox(db, reviewer="bob").claim(Inbox(db).pending[0])
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    assert view.open_thread(view.rows[0]) is None
    assert "being reviewed by bob" in view.detail.children[0].value
    view.detail.children[1].click()                            # "Take over"
    assert view.opened is not None
    view.opened.cards[0].approve()
    assert ledger_counts(ledger) == {"t0": 1}
    assert log.to_pandas().reviewer.tolist() == ["ana"]


def test_card_shows_time_left_in_the_opened_thread(db, ledger):
    graph, log = team(db, ledger)
    start_threads(graph, log, 1, timeout_s=3600)
    view = InboxView(Inbox(db, graph=graph, reviewer="ana"))
    assert "left" in view.rows_box.children[0].children[1].value
    opened = view.open_thread(view.rows[0])
    assert "min" in opened.cards[0].queue_note.value and "left" in \
        opened.cards[0].queue_note.value


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
    assert "1 decided, not yet resumed" in view.header.value
    assert view.recover_button.layout.display is None
    view.recover_button.click()
    assert ledger_counts(ledger) == {"t0": 1}
    assert "not yet resumed" not in view.header.value
    assert view.recover_button.layout.display == "none"
