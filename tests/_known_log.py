"""A small decision log with known contents, written through the public log API.

``ROWS`` is the source of truth that tests compute expected answers from (in plain
Python, not with the code under test).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import hitl_nb
from hitl_nb import Decision, ReviewRequest, Risk

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

# thread, action, args, decision, edited args, comment, reviewer, latency s, tier, day
ROWS = [
    ("th1", "send_email", {"to": "all@x.com", "subject": "Q3"}, "reject", None,
     "wrong recipient", "ana", 10.0, "always", 0),
    ("th1", "send_email", {"to": "cfo@x.com", "subject": "Q3"}, "approve", None, None,
     "ana", 20.0, "always", 0),
    ("th2", "send_email", {"to": "all@x.com", "subject": "Q4"}, "edit",
     {"to": "cfo@x.com", "subject": "Q4"}, "only the CFO", "bo", 30.0, "always", 0),
    ("th3", "delete_rows", {"table": "users", "where": "1=1"}, "reject", None, "too broad",
     "bo", 40.0, "always", 0),
    ("th4", "delete_rows", {"table": "users", "where": "id=4"}, "reject", None, "Too broad ",
     "ana", 50.0, "always", 0),
    ("th5", "search", {"q": "revenue"}, "approve", None, None, "policy:read_only", 0.0,
     "never", 1),
    ("th5", "search", {"q": "revenue 2025"}, "approve", None, None, "ana", 60.0, "never", 1),
    ("th6", "search", {"q": "x"}, "approve", None, None, "timeout", 300.0, "uncertain", 1),
    ("th7", "search", {"q": "y"}, "approve", None, None, "policy:read_only", 0.0, "never", 1),
    ("th8", "write_file", {"path": "a.txt", "text": "hi"}, "edit",
     {"path": "b.txt", "text": "hi!"}, None, "ana", 70.0, "uncertain", 1),
]
#: (row number in ROWS, ok, detail) outcomes recorded after the decisions.
OUTCOMES = [(7, False, "search timed out and a human redid it"), (1, True, "sent")]
AUTOMATIC = ("policy:", "timeout")


def is_auto(reviewer: str) -> bool:
    return reviewer.startswith(AUTOMATIC)


def build(path: str) -> hitl_nb.DecisionLog:
    """Write ROWS (and OUTCOMES) to a fresh log at ``path``."""
    log = hitl_nb.DecisionLog(path)
    for n, (thread, action, args, kind, edited, comment, who, latency, tier, day) in \
            enumerate(ROWS):
        asked = T0 + timedelta(days=day, minutes=10 * n)
        request = ReviewRequest(
            action=action, args=args, thread_id=thread, interrupt_id=f"i{n}",
            task=f"task of {thread}", steps=[f"planned {action}"], confidence=0.1 * n,
            risk=Risk(tier, 0.05 * n), requested_at=asked, format="hitl_nb")
        decision = Decision(kind, args=edited, comment=comment, reviewer=who,
                            decided_at=asked + timedelta(seconds=latency))
        log.record(request, decision)
    for n, ok, detail in OUTCOMES:
        log.record_outcome(f"i{n}", ok=ok, detail=detail,
                           when=T0 + timedelta(days=3))
    return log
