"""Remembered policy choices ("always allow/reject this tool") applied by a session.

`Session` and `AsyncSession` share the picking; each decides through its own path
(``decide`` / ``adecide``), so an automatic decision is validated, recorded, leased and
resumed like a click, logged with reviewer ``policy:remembered-allow|reject``::

    with AutoPass(session) as todo:
        while (found := todo.next()) is not None:
            session.decide(*found)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import Decision, ReviewRequest

if TYPE_CHECKING:
    from .session import Session


class AutoPass:
    """One pass of remembered choices over ``session.pending``.

    `next` re-reads the pending requests each time (a resume may reveal new ones) and
    offers each request at most once per pass. A pass opened while another runs on the
    same session is empty: the resume the outer pass triggers refreshes the session, and
    the outer pass picks up what it revealed, so a chain of automatic decisions loops
    instead of recursing.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[tuple[str, str, int]] = set()
        self.outer = session.policy is not None and not getattr(session, "_auto_pass", False)

    def __enter__(self) -> AutoPass:
        if self.outer:
            self.session._auto_pass = True  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.outer:
            self.session._auto_pass = False  # type: ignore[attr-defined]

    def next(self) -> tuple[ReviewRequest, Decision] | None:
        """The next pending request a remembered choice decides, with that decision."""
        if not self.outer:
            return None
        for request in self.session.pending:
            if request.key in self.seen:
                continue
            self.seen.add(request.key)
            decision = self.session.policy.remembered_decision(request)
            if decision is not None:
                return request, decision
        return None
