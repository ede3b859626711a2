"""A decision log that mixes people's decisions with a policy's and timeouts', written by
hand through the public log API. Tests state their expected exports and report literally.

Row n is interrupt ``m{n}``, decided n minutes after 10:00 (so the log's order is ROWS').
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import hitl_nb
from hitl_nb import Decision, ReviewRequest

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)

# thread, action, args, decision, edited args, comment, reviewer
ROWS = [
    # the case: a person rejects a delete, a policy lets a read-only search through
    ("t1", "delete_records", {"table": "users"}, "reject", None, "never users", "ana"),
    ("t1", "search_docs", {"q": "users table"}, "approve", None, None, "policy:read_only"),
    ("t1", "delete_records", {"table": "tmp_users"}, "approve", None, None, "ana"),
    # a rejection, a timeout approving the same proposal again, then a person's edit
    ("t2", "send_email", {"to": "all@x.com"}, "reject", None, "too wide", "bo"),
    ("t2", "send_email", {"to": "all@x.com"}, "approve", None, None, "timeout"),
    ("t2", "send_email", {"to": "all@x.com"}, "edit", {"to": "cfo@x.com"}, "CFO only", "bo"),
    # a remembered "reject" of the policy, then a person approves another path
    ("t3", "write_file", {"path": "/etc/hosts"}, "reject", None, None,
     "policy:remembered-reject"),
    ("t3", "write_file", {"path": "/tmp/hosts"}, "approve", None, None, "ana"),
    # an approval BEFORE a rejection of the same action pairs with nothing
    ("t4", "search_docs", {"q": "q3"}, "approve", None, None, "cy"),
    ("t4", "search_docs", {"q": "q3 revenue"}, "reject", None, "not again", "cy"),
]


def build(path: str) -> hitl_nb.DecisionLog:
    """Write ROWS to a fresh log at ``path``."""
    log = hitl_nb.DecisionLog(path)
    for n, (thread, action, args, kind, edited, comment, who) in enumerate(ROWS):
        at = T0 + timedelta(minutes=n)
        request = ReviewRequest(action=action, args=args, thread_id=thread,
                                interrupt_id=f"m{n}", task=f"task {thread}",
                                requested_at=at - timedelta(seconds=30), format="hitl_nb")
        log.record(request, Decision(kind, args=edited, comment=comment, reviewer=who,
                                     decided_at=at))
    return log
