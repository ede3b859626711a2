"""Writing decision rows straight into a log, for the policy tests (no graph needed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import hitl_nb
from hitl_nb import Decision, ReviewRequest

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def add(log: hitl_nb.DecisionLog, action: str, decision: str, args: Any = None, *,
        reviewer: str = "ana", latency_s: float = 30.0, edited: Any = None,
        confidence: float | None = None, comment: str | None = None, n: int = 1) -> None:
    """Append ``n`` decided requests of ``action``, one minute apart, in order."""
    for _ in range(n):
        i = len(log)
        asked = T0 + timedelta(minutes=i)
        request = ReviewRequest(action=action, args=dict(args or {}), thread_id=f"t{i}",
                                interrupt_id=f"i{i}", requested_at=asked, confidence=confidence)
        log.record(request, Decision(decision, args=edited, comment=comment, reviewer=reviewer,
                                     decided_at=asked + timedelta(seconds=latency_s)))
