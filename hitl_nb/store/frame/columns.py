"""The decision frame's columns by type, and their order: shared by every loader (`load`,
`arrow`, `arrow_types`, `cache`), which import them from here and never from each other's
parent.
"""

from __future__ import annotations

TIMES = ("requested_at", "decided_at", "applied_at", "lease_until", "outcome_at")
FLOATS = ("latency_s", "confidence", "risk_score")
CATEGORIES = ("action", "decision", "reviewer", "risk_tier", "format", "status")
STRINGS = ("thread_id", "interrupt_id", "comment", "owner", "error", "outcome_detail")
INTS = ("id", "action_index")
JSON = ("args", "edited_args", "response", "resume_value", "context", "request")
ORDER = ("id", "thread_id", "interrupt_id", "action_index", "action", "decision", "comment",
         "reviewer", "requested_at", "decided_at", "latency_s", "confidence", "risk_score",
         "risk_tier", "args", "edited_args", "response", "resume_value", "context", "request",
         "format",
         "status", "owner", "lease_until", "applied_at", "error", "outcome_ok",
         "outcome_detail", "outcome_at")
