"""Remembered policy choices ("always allow/reject this tool") applied by a session.

The session owns one `AutoPass`; `Session` and `AsyncSession` share the picking and each
decides through its own path (``decide`` / ``adecide``), so an automatic decision is
validated, recorded, leased and resumed like a click, logged with reviewer
``policy:remembered-allow|reject``::

    with self.autopass.over(self.policy, lambda: self.pending) as picks:
        for request, decision in picks:
            self.decide(request, decision)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..model import Decision, ReviewRequest

if TYPE_CHECKING:
    from ..policy.core import RiskPolicy


class AutoPass:
    """Passes of remembered choices over a session's pending requests.

    A pass re-reads the pending requests after each pick (a resume may reveal new ones)
    and offers each request at most once. A pass opened while another runs is empty: the
    resume the outer pass triggers refreshes the session, and the outer pass picks up what
    it revealed, so a chain of automatic decisions loops instead of recursing.
    """

    def __init__(self) -> None:
        self.running = False

    @contextmanager
    def over(self, policy: RiskPolicy | None,
             pending: Callable[[], list[ReviewRequest]]
             ) -> Iterator[Iterator[tuple[ReviewRequest, Decision]]]:
        """The picks of one pass: (request, decision) for each remembered choice."""
        if policy is None or self.running:
            yield iter(())
            return
        self.running = True
        try:
            yield _picks(policy, pending)
        finally:
            self.running = False


def _picks(policy: RiskPolicy, pending: Callable[[], list[ReviewRequest]]
           ) -> Iterator[tuple[ReviewRequest, Decision]]:
    seen: set[tuple[str, str, int]] = set()
    while True:
        for request in pending():
            if request.key in seen:
                continue
            seen.add(request.key)
            decision = policy.remembered_decision(request)
            if decision is not None:
                yield request, decision
                break
        else:
            return
