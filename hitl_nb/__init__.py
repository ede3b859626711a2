"""hitl_nb: human-in-the-loop review of LangGraph agents, native to Jupyter notebooks.

Example::

    import hitl_nb
    session = hitl_nb.review(graph, {"task": "send the Q3 numbers"}, thread_id="t1")
    session.cards[0].approve()
"""

from __future__ import annotations

from ._api import acheckpointer, areview, checkpointer, review
from ._backtest import compare
from ._db import LogBusy, LogReadOnly, LogUnavailable
from ._effects import EffectInProgress, idempotency_key, once
from ._lazy import after_import
from ._migrate import IncompatibleLog
from ._opinions import SameReviewer
from ._outcome import record_outcome
from .describe import describer
from .inbox import Inbox
from .log import DecisionLog
from .model import (
    AlreadyDecided,
    ClaimedByOther,
    Decision,
    Expired,
    HitlError,
    InvalidForm,
    InvalidResponse,
    MissingCheckpointer,
    NotAllowed,
    ReviewRequest,
    Risk,
    StaleRequest,
    UnserializableValue,
)
from .policy import RiskPolicy, Rule, SafeHistory, arg, wilson_interval, wilson_lower_bound
from .request import ArgumentsChanged, gate, request_review
from .session import ResumeFailed, Session
from .widgets import InboxView, ReviewCard, ReviewQueue, SessionView, review_queue

# df.hitl: registered once pandas is imported (now, or later by anyone): `import hitl_nb`
# itself does not import pandas (README, Performance).
after_import("pandas", lambda: __import__("hitl_nb._accessor"))

__version__ = "0.1.0"

__all__ = [
    "AlreadyDecided",
    "ArgumentsChanged",
    "ClaimedByOther",
    "Decision",
    "DecisionLog",
    "EffectInProgress",
    "Expired",
    "HitlError",
    "Inbox",
    "InboxView",
    "IncompatibleLog",
    "InvalidForm",
    "InvalidResponse",
    "LogBusy",
    "LogReadOnly",
    "LogUnavailable",
    "MissingCheckpointer",
    "NotAllowed",
    "ResumeFailed",
    "ReviewCard",
    "ReviewQueue",
    "ReviewRequest",
    "Risk",
    "RiskPolicy",
    "Rule",
    "SafeHistory",
    "SameReviewer",
    "Session",
    "SessionView",
    "StaleRequest",
    "UnserializableValue",
    "__version__",
    "acheckpointer",
    "areview",
    "arg",
    "checkpointer",
    "compare",
    "describer",
    "gate",
    "idempotency_key",
    "once",
    "record_outcome",
    "request_review",
    "review",
    "review_queue",
    "wilson_interval",
    "wilson_lower_bound",
]
