"""`InboxView`: the team queue as a widget. Paginated, filtered and sorted in SQL by the
`Inbox`; opens a thread's cards in place; bulk approve/reject (each request still logged
and resumed one by one). A thin view: handlers are one line, logic lives in `Inbox`.
A few widgets, not dozens: the list (filters, one page of rows, pager, bulk buttons) is
one anywidget (`InboxTable`); an opened thread's session view shows below it.

Example::

    view = hitl_nb.InboxView(hitl_nb.Inbox("team.db", graph=graph, reviewer="ana"))
    view                                  # in a notebook
    view.filter(tier="always", order="confidence")
    view.select(view.rows[:3]); view.click("Approve selected")
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ipywidgets as w
import traitlets as t

from ... import render
from ...engine.inbox import Inbox
from ...model import ClaimedByOther, Decision, HitlError, ReviewRequest
from ...render.text import duration as _duration
from ._front import FrontEnd
from .session_view import SessionView

_ACTIONS = [("any action", None)]
_AGES = [("any age", None), ("older than 1 min", 60.0), ("older than 1 h", 3600.0),
         ("older than 1 day", 86400.0)]
_TIERS = [("any tier", None), ("always", "always"), ("uncertain", "uncertain"),
          ("never", "never")]
_SORTS = [("oldest first", "age"), ("newest first", "newest"),
          ("lowest confidence", "confidence"), ("deadline", "deadline"), ("action", "action"),
          ("thread", "thread")]
_REVIEWERS = [("anyone", None), ("unclaimed", "")]    # + "claimed by me (ana)"


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


class InboxTable(FrontEnd):
    """The inbox's list in one widget; every click goes to its `InboxView`."""

    rows = t.List().tag(sync=True)          # [[key, row html], ...]
    page = t.Dict().tag(sync=True)          # number, pages, first, last, stuck
    options = t.Dict().tag(sync=True)       # filter name -> option labels
    filters = t.Dict().tag(sync=True)       # filter name -> chosen option index
    selected = t.List().tag(sync=True)      # keys of the selected rows
    comment = t.Unicode("").tag(sync=True)
    status = t.Unicode("").tag(sync=True)
    extra = t.List().tag(sync=True)         # "Take over" or "Close"
    front_end_writes = ("comment", "selected", "filters", "row")

    def __init__(self, view: InboxView) -> None:
        self._view = view
        super().__init__(kind="inbox")

    def set_state(self, sync_data: dict[str, Any]) -> None:
        self._row = sync_data.pop("row", None)   # which row's "Open" was clicked
        super().set_state(sync_data)

    def click(self, label: str) -> Any:
        return self._view.click(label, row=getattr(self, "_row", None))


class InboxView(w.VBox):
    """Every pending review across threads, as a widget; ``rows`` is the current page.

    - ``inbox``: the `Inbox` it shows (its reviewer claims what is opened).
    - ``page_size``: rows per page (default 20); filtering, sorting and paging run in SQL.
    Clicks that cannot be done raise what `Inbox` raises (e.g. `ClaimedByOther`) and
    show the message on the view.

    Example::

        view = hitl_nb.InboxView(hitl_nb.Inbox("hitl.db", graph=graph, reviewer="ana"))
        view.filter(tier="always")
        view.open_thread(view.rows[0]).cards[0].approve()
    """

    def __init__(self, inbox: Inbox, page_size: int = 20) -> None:
        self.inbox = inbox
        self.page_size = page_size
        self.page = 0
        self.rows: list[ReviewRequest] = []
        self.opened: SessionView | None = None
        self._claimed: ReviewRequest | None = None   # held by another reviewer: Take over?
        self._choices = {"action": _ACTIONS, "tier": _TIERS, "age": _AGES,
                         "reviewer": [*_REVIEWERS, (f"claimed by me ({inbox.reviewer})",
                                                    inbox.reviewer)],
                         "order": _SORTS}
        self.table = InboxTable(self)
        self.detail = w.VBox()
        self.detail.add_class("hitl-inbox-detail")
        super().__init__([self.table, self.detail])
        self.add_class("hitl-inbox")
        self.refresh()

    # -- state -------------------------------------------------------------------------
    @property
    def selected(self) -> dict[tuple, ReviewRequest]:
        """The selected requests (of any page seen), by key."""
        return {key: r for key, r in self._known.items() if _key(r) in self.table.selected}

    def _choice(self, name: str) -> Any:
        options = self._choices[name]
        index = self.table.filters.get(name, 0)
        return options[index][1] if 0 <= index < len(options) else None

    def filters(self) -> dict[str, Any]:
        """The current filters, as `Inbox.list` takes them."""
        return {"action": self._choice("action"), "tier": self._choice("tier"),
                "older_than_s": self._choice("age"), "reviewer": self._choice("reviewer")}

    def filter(self, **chosen: Any) -> None:
        """Choose filters by value (``tier="always"``, ``age=3600.0``, ``order="deadline"``,
        ``action=...``, ``reviewer=...``; None for any), as the dropdowns do; back to page 1.
        Raises `HitlError` for a value the dropdown does not offer."""
        filters = dict(self.table.filters)
        for name, value in chosen.items():
            values = [v for _label, v in self._choices[name]]
            if value not in values:
                raise HitlError(f"{name}={value!r} is not offered; choose one of {values}")
            filters[name] = values.index(value)
        self.table.filters = filters
        self.first_page()

    @property
    def total(self) -> int:
        """How many pending requests match the current filters (all pages)."""
        return self.inbox.count(**self.filters())

    def refresh(self) -> None:
        """Expire overdue requests, then reload the current page from the queue."""
        self.inbox.expire()
        self._choices["action"] = [*_ACTIONS, *((a, a) for a in self.inbox.actions())]
        total = self.total
        pages = max(1, -(-total // self.page_size))
        self.page = min(self.page, pages - 1)
        self.rows = self.inbox.list(order=self._choice("order") or "age",
                                    limit=self.page_size, offset=self.page * self.page_size,
                                    **self.filters())
        self._known = {**getattr(self, "_known", {}), **{r.key: r for r in self.rows}}
        now = self.inbox.clock()
        stuck = self.inbox.count(state="decided")  # recorded, not applied (a crash?)
        with self.table.hold_sync():
            self.table.options = {k: [label for label, _v in v] for k, v in self._choices.items()}
            self.table.rows = [[_key(r), row_html(r, now)] for r in self.rows]
            self.table.page = {"number": self.page + 1, "pages": pages, "first": self.page == 0,
                               "last": self.page >= pages - 1,
                               "stuck": bool(stuck and self.inbox.graph)}
            self.table.html = (f"<b>Inbox</b> · {total} pending"
                               + (f" · {stuck} decided, not yet resumed" if stuck else "")
                               + f" · reviewing as <code>{render.escape(self.inbox.reviewer)}"
                               f"</code> · {len(self.table.selected)} selected")

    @property
    def header(self) -> str:
        """The list's header line as HTML: pending count, reviewer, selection."""
        return self.table.html

    def first_page(self) -> None:
        """Show the first page (reloaded from the queue)."""
        self.page = 0
        self.refresh()

    def next_page(self) -> None:
        """Show the next page (the last one when there is no further page)."""
        self.page += 1
        self.refresh()

    def prev_page(self) -> None:
        """Show the previous page (the first one stays the first)."""
        self.page = max(0, self.page - 1)
        self.refresh()

    def recover(self) -> list[str]:
        """Resume, once, decisions recorded before a crash (see `Inbox.recover`)."""
        threads = self.inbox.recover()
        self.refresh()
        return threads

    # -- clicks ------------------------------------------------------------------------
    def click(self, label: str, row: str | None = None) -> Any:
        """What a browser click on the button ``label`` does (``row``: the key of the
        row whose "Open" was clicked, default the first row)."""
        try:
            return self._click(label, row)
        except BaseException as exc:
            self.table.error = exc
            self.table.status = f"<div class='hitl-error'>{render.escape(str(exc))}</div>"
            raise

    def _click(self, label: str, row: str | None) -> Any:
        if label == "Filter":
            return self.first_page()
        actions: dict[str, Any] = {
            "◀ Prev": self.prev_page, "Next ▶": self.next_page, "Refresh": self.refresh,
            "Select page": lambda: self.select(self.rows),
            "Approve selected": lambda: self.approve_selected(self.table.comment or None),
            "Reject selected": lambda: self.reject_selected(self.table.comment or None),
            "Resume recorded decisions": self.recover, "Close": self.close_detail,
            "Open": lambda: self.open_thread(self._row(row)),
            "Take over": lambda: self._claimed and self.open_thread(self._claimed, True)}
        if label not in actions:
            raise HitlError(f"no button {label!r} in the inbox; buttons: {', '.join(actions)}")
        return actions[label]()

    def _row(self, key: str | None) -> ReviewRequest:
        for r in self.rows:
            if key is None or _key(r) == key:
                return r
        raise HitlError("that row is no longer on this page; click Refresh")

    # -- selection and bulk decisions ----------------------------------------------------
    def select(self, requests: list[ReviewRequest], on: bool = True) -> None:
        """Add (or with ``on=False`` remove) requests to the selection."""
        keys = [k for k in self.table.selected if on or k not in {_key(r) for r in requests}]
        keys += [_key(r) for r in requests if on and _key(r) not in keys]
        self._known.update({r.key: r for r in requests})
        self.table.selected = keys
        self.refresh()

    def approve_selected(self, comment: str | None = None) -> list[tuple[ReviewRequest, Any]]:
        """Approve every selected request, one by one (each logged and resumed once)."""
        return self._bulk("approve", comment)

    def reject_selected(self, comment: str | None = None) -> list[tuple[ReviewRequest, Any]]:
        """Reject every selected request, one by one."""
        return self._bulk("reject", comment)

    def _bulk(self, kind: str, comment: str | None) -> list[tuple[ReviewRequest, Any]]:
        outcomes = self.inbox.decide_many(list(self.selected.values()), kind, comment)
        self.table.selected = []
        done = sum(isinstance(o, Decision) for _, o in outcomes)
        failed = [f"<li><code>{render.escape(r.thread_id)}</code>: {render.escape(str(o))}</li>"
                  for r, o in outcomes if not isinstance(o, Decision)]
        verb = {"approve": "approved", "reject": "rejected"}.get(kind, kind)
        self.table.status = (f"<div class='hitl-bulk'>{done} {verb}"
                             + (f", {len(failed)} not:<ul>{''.join(failed)}</ul>" if failed
                                else "") + "</div>")
        self.refresh()
        return outcomes

    # -- opening a thread in place -----------------------------------------------------------
    def open_thread(self, request: ReviewRequest, take_over: bool = False) -> SessionView | None:
        """Claim ``request`` and show its thread's cards below the list. If someone else
        holds it, say so and offer "Take over" instead (returns None)."""
        try:
            self.inbox.claim(request, take_over=take_over)
        except ClaimedByOther as exc:
            self._claimed = request
            self.table.status = (f"<div class='hitl-claimed'>{render.escape(str(exc))} "
                                 "Click <b>Take over</b> to review it anyway.</div>")
            self.table.extra = ["Take over"]
            return None
        try:
            view = SessionView(self.inbox.session(request.thread_id))
        except HitlError as exc:
            self.table.status = f"<div class='hitl-error'>{render.escape(str(exc))}</div>"
            return None
        view.session.listen(lambda event, _: event == "changed" and self.refresh())
        self.opened, self._claimed = view, None
        self.table.status, self.table.extra = "", ["Close"]
        self.detail.children = [view]
        self.refresh()
        return view

    def close_detail(self) -> None:
        """Hide the opened thread and release its claims."""
        if self.opened is not None:
            for r in self.opened.session.pending:
                self.inbox.release(r)
        self.opened = None
        self.table.extra = []
        self.detail.children = []
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        now = self.inbox.clock()
        rows = "".join(f"<li>{row_html(r, now)}</li>" for r in self.rows)
        data["text/html"] = f"<div class='hitl-inbox'>{self.table.html}<ul>{rows}</ul></div>"
        return bundle


def _key(request: ReviewRequest) -> str:
    return "/".join(map(str, request.key))
