"""hitl_nb: human-in-the-loop review of LangGraph agents, native to Jupyter notebooks.

Example::

    import hitl_nb
    session = hitl_nb.review(graph, {"task": "send the Q3 numbers"}, thread_id="t1")
    session.cards[0].approve()
"""

from __future__ import annotations

from ._lazy import after_import
from .analysis.log import DecisionLog
from .engine.inbox import Inbox
from .engine.request import gate, request_review
from .engine.session import Session
from .errors import (
    AlreadyDecided,
    ArgumentsChanged,
    ClaimedByOther,
    EffectInProgress,
    Expired,
    HitlError,
    IncompatibleLog,
    InvalidForm,
    InvalidResponse,
    LogBusy,
    LogReadOnly,
    LogUnavailable,
    MissingCheckpointer,
    NotAllowed,
    ResumeFailed,
    SameReviewer,
    StaleRequest,
    UnreadableValue,
    UnserializableValue,
)
from .model import Decision, ReviewRequest, Risk
from .policy.backtest import compare
from .policy.core import RiskPolicy, Rule, SafeHistory, arg, wilson_interval, wilson_lower_bound
from .render.describe import describer
from .store.effects import idempotency_key, once
from .store.outcomes import record_outcome
from .ui.api import acheckpointer, areview, checkpointer, review
from .ui.widgets import InboxView, ReviewCard, ReviewQueue, SessionView, review_queue

# df.hitl: registered once pandas is imported (now, or later by anyone): `import hitl_nb`
# itself does not import pandas (README, Performance).
after_import("pandas", lambda: __import__("hitl_nb.analysis.accessor"))

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
    "UnreadableValue",
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
