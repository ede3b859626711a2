"""`InboxView`: the team queue as a widget. Paginated, filtered and sorted in SQL by the
`Inbox`; opens a thread's cards in place; bulk approve/reject (each request still logged
and resumed one by one). A thin view: handlers are one line, logic lives in `Inbox`.

Example::

    view = hitl_nb.InboxView(hitl_nb.Inbox("team.db", graph=graph, reviewer="ana"))
    view                                  # in a notebook
    view.select(view.rows[:3]); view.approve_selected()
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ipywidgets as w

from ... import render
from ...engine.inbox import Inbox
from ...model import ClaimedByOther, Decision, HitlError, ReviewRequest
from ...render.text import duration as _duration
from .session_view import SessionView

_AGES = [("any age", None), ("older than 1 min", 60.0), ("older than 1 h", 3600.0),
         ("older than 1 day", 86400.0)]
_TIERS = [("any tier", None), ("always", "always"), ("uncertain", "uncertain"),
          ("never", "never")]
_SORTS = [("oldest first", "age"), ("newest first", "newest"),
          ("lowest confidence", "confidence"), ("deadline", "deadline"), ("action", "action"),
          ("thread", "thread")]


def row_html(request: ReviewRequest, now: datetime) -> str:
    """One queue row: thread, action, tier, confidence, age, deadline, approvals, claim."""
    e = render.escape
    bits = [f"<code>{e(request.thread_id)}</code>", f"<b>{e(request.action)}</b>"]
    if request.risk:
        bits.append(f"<span class='hitl-tier'>{e(request.risk.tier)}</span>")
    if request.confidence is not None:
        bits.append(f"{request.confidence:.0%} sure")
    if request.requested_at:
        bits.append(f"waiting {_duration((now - request.requested_at).total_seconds())}")
    if request.expires_at:
        left = (request.expires_at - now).total_seconds()
        bits.append("<b>expired</b>" if left <= 0 else f"{_duration(left)} left")
    approvals = Inbox.approvals_text(request)
    if approvals:
        bits.append(e(approvals))
    holder = request.extra.get("claimed_by")
    if holder:
        bits.append(f"<i>being reviewed by {e(holder)}</i>")
    return "<span class='hitl-inbox-row'>" + " · ".join(bits) + "</span>"


class InboxView(w.VBox):
    """Every pending review across threads; ``rows`` is the current page."""

    def __init__(self, inbox: Inbox, page_size: int = 20) -> None:
        self.inbox = inbox
        self.page_size = page_size
        self.page = 0
        self.rows: list[ReviewRequest] = []
        self.selected: dict[tuple, ReviewRequest] = {}
        self.opened: SessionView | None = None
        self._syncing = False
        self.action = w.Dropdown(description="", options=[("any action", None)])
        self.tier = w.Dropdown(options=_TIERS)
        self.age = w.Dropdown(options=_AGES)
        self.reviewer = w.Dropdown(options=self._reviewer_options())
        self.order = w.Dropdown(options=_SORTS)
        for control in (self.action, self.tier, self.age, self.reviewer, self.order):
            control.layout.width = "auto"
            control.observe(lambda _: self._syncing or self.first_page(), names="value")
        self.prev = w.Button(description="◀ Prev", layout={"width": "auto"})
        self.next = w.Button(description="Next ▶", layout={"width": "auto"})
        self.page_label = w.HTML()
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.comment = w.Text(placeholder="Comment for the selected (optional)")
        self.approve_button = w.Button(description="Approve selected", button_style="success")
        self.reject_button = w.Button(description="Reject selected", button_style="danger")
        self.select_page_button = w.Button(description="Select page")
        self.recover_button = w.Button(description="Resume recorded decisions",
                                       layout={"display": "none"})
        self.recover_button.add_class("hitl-inbox-recover")
        self.recover_button.on_click(lambda _: self.recover())
        for b, cls in ((self.approve_button, "approve"), (self.reject_button, "reject"),
                       (self.prev, "prev"), (self.next, "next")):
            b.add_class(f"hitl-inbox-{cls}")
        self.prev.on_click(lambda _: self.prev_page())
        self.next.on_click(lambda _: self.next_page())
        self.refresh_button.on_click(lambda _: self.refresh())
        self.select_page_button.on_click(lambda _: self.select(self.rows))
        self.approve_button.on_click(lambda _: self.approve_selected(self.comment.value or None))
        self.reject_button.on_click(lambda _: self.reject_selected(self.comment.value or None))
        self.header = w.HTML()
        self.rows_box = w.VBox()
        self.status = w.HTML(placeholder="")
        self.detail = w.VBox()
        super().__init__([
            self.header,
            w.HBox([self.action, self.tier, self.age, self.reviewer, self.order]),
            self.rows_box,
            w.HBox([self.prev, self.page_label, self.next, self.refresh_button,
                    self.recover_button]),
            w.HBox([self.select_page_button, self.comment, self.approve_button,
                    self.reject_button]),
            self.status, self.detail])
        self.add_class("hitl-inbox")
        self.refresh()

    # -- state -------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        """The current filters, as `Inbox.list` takes them."""
        return {"action": self.action.value, "tier": self.tier.value,
                "older_than_s": self.age.value, "reviewer": self.reviewer.value}

    @property
    def total(self) -> int:
        return self.inbox.count(**self.filters())

    def refresh(self) -> None:
        """Expire overdue requests, then reload the current page from the queue."""
        self.inbox.expire()
        self._sync_options()
        total = self.total
        pages = max(1, -(-total // self.page_size))
        self.page = min(self.page, pages - 1)
        self.rows = self.inbox.list(order=self.order.value, limit=self.page_size,
                                    offset=self.page * self.page_size, **self.filters())
        now = self.inbox.clock()
        self.rows_box.children = [self._row(r, now) for r in self.rows]
        self.page_label.value = f"&nbsp;page {self.page + 1} of {pages}&nbsp;"
        self.prev.disabled = self.page == 0
        self.next.disabled = self.page >= pages - 1
        stuck = self.inbox.count(state="decided")  # recorded, not applied (a crash?)
        self.recover_button.layout.display = None if stuck and self.inbox.graph else "none"
        self.header.value = (f"<b>Inbox</b> · {total} pending"
                             + (f" · {stuck} decided, not yet resumed" if stuck else "")
                             + f" · reviewing as <code>{render.escape(self.inbox.reviewer)}"
                             f"</code> · {len(self.selected)} selected")

    def first_page(self) -> None:
        self.page = 0
        self.refresh()

    def next_page(self) -> None:
        self.page += 1
        self.refresh()

    def prev_page(self) -> None:
        self.page = max(0, self.page - 1)
        self.refresh()

    def recover(self) -> list[str]:
        """Resume, once, decisions recorded before a crash (see `Inbox.recover`)."""
        threads = self.inbox.recover()
        self.refresh()
        return threads

    # -- selection and bulk decisions ----------------------------------------------------
    def select(self, requests: list[ReviewRequest], on: bool = True) -> None:
        """Add (or with ``on=False`` remove) requests to the selection."""
        for r in requests:
            if on:
                self.selected[r.key] = r
            else:
                self.selected.pop(r.key, None)
        self.refresh()

    def approve_selected(self, comment: str | None = None) -> list[tuple[ReviewRequest, Any]]:
        """Approve every selected request, one by one (each logged and resumed once)."""
        return self._bulk("approve", comment)

    def reject_selected(self, comment: str | None = None) -> list[tuple[ReviewRequest, Any]]:
        """Reject every selected request, one by one."""
        return self._bulk("reject", comment)

    def _bulk(self, kind: str, comment: str | None) -> list[tuple[ReviewRequest, Any]]:
        outcomes = self.inbox.decide_many(list(self.selected.values()), kind, comment)
        self.selected.clear()
        done = sum(isinstance(o, Decision) for _, o in outcomes)
        failed = [f"<li><code>{render.escape(r.thread_id)}</code>: {render.escape(str(o))}</li>"
                  for r, o in outcomes if not isinstance(o, Decision)]
        verb = {"approve": "approved", "reject": "rejected"}.get(kind, kind)
        self.status.value = (f"<div class='hitl-bulk'>{done} {verb}"
                             + (f", {len(failed)} not:<ul>{''.join(failed)}</ul>" if failed else "")
                             + "</div>")
        self.refresh()
        return outcomes

    # -- opening a thread in place -----------------------------------------------------------
    def open_thread(self, request: ReviewRequest, take_over: bool = False) -> SessionView | None:
        """Claim ``request`` and show its thread's cards below the list. If someone else
        holds it, say so and offer "Take over" instead (returns None)."""
        try:
            self.inbox.claim(request, take_over=take_over)
        except ClaimedByOther as exc:
            take = w.Button(description="Take over", button_style="warning")
            take.add_class("hitl-inbox-take-over")
            take.on_click(lambda _: self.open_thread(request, take_over=True))
            self.detail.children = [w.HTML(f"<div class='hitl-claimed'>"
                                           f"{render.escape(str(exc))}</div>"), take]
            return None
        try:
            view = SessionView(self.inbox.session(request.thread_id))
        except HitlError as exc:
            self.status.value = f"<div class='hitl-error'>{render.escape(str(exc))}</div>"
            return None
        view.session.listen(lambda event, _: event == "changed" and self.refresh())
        close = w.Button(description="Close", layout={"width": "auto"})
        close.on_click(lambda _: self.close_detail())
        self.opened = view
        self.detail.children = [close, view]
        self.refresh()
        return view

    def close_detail(self) -> None:
        """Hide the opened thread and release its claims."""
        if self.opened is not None:
            for r in self.opened.session.pending:
                self.inbox.release(r)
        self.opened = None
        self.detail.children = []
        self.refresh()

    # -- rendering -------------------------------------------------------------------------
    def _row(self, request: ReviewRequest, now: datetime) -> w.HBox:
        tick = w.Checkbox(value=request.key in self.selected, indent=False,
                          layout={"width": "2em"})
        tick.observe(lambda ch: self._tick(request, ch["new"]), names="value")
        opener = w.Button(description="Open", layout={"width": "auto"})
        opener.add_class("hitl-inbox-open")
        opener.on_click(lambda _: self.open_thread(request))
        return w.HBox([tick, w.HTML(row_html(request, now)), opener])

    def _tick(self, request: ReviewRequest, on: bool) -> None:
        if on:
            self.selected[request.key] = request
        else:
            self.selected.pop(request.key, None)
        self.header.value = self.header.value.rsplit(" · ", 1)[0] + \
            f" · {len(self.selected)} selected"

    def _reviewer_options(self) -> list[tuple[str, str | None]]:
        me = self.inbox.reviewer
        return [("anyone", None), ("unclaimed", ""), (f"claimed by me ({me})", me)]

    def _sync_options(self) -> None:
        actions = [("any action", None), *((a, a) for a in self.inbox.actions())]
        if [o[1] for o in actions] != [o[1] for o in self.action.options]:
            value = self.action.value
            self._syncing = True
            try:
                self.action.options = actions
                self.action.value = value if value in dict(actions).values() else None
            finally:
                self._syncing = False

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        now = self.inbox.clock()
        rows = "".join(f"<li>{row_html(r, now)}</li>" for r in self.rows)
        data["text/html"] = f"<div class='hitl-inbox'>{self.header.value}<ul>{rows}</ul></div>"
        return bundle
