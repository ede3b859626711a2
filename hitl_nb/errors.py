"""Every exception hitl_nb defines, in one place. Users catch `HitlError` (or one below
it); every message says what to do. All are re-exported from `hitl_nb` (but the internal
ones at the bottom).

```
Exception
├── HitlError                       every error hitl_nb raises on purpose
│   ├── AlreadyDecided              decided already (by someone, or another process)
│   │   ├── StaleRequest            the interrupt is no longer pending: the card is old
│   │   └── Expired                 the deadline passed; the timeout action was recorded
│   ├── InvalidResponse (ValueError)  the decision does not fit the request
│   │   ├── InvalidForm             a typed response or edit does not validate
│   │   ├── NotAllowed              a decision type the request does not allow
│   │   └── ModalErrors             Slack: a modal's input (block id -> message)
│   ├── ClaimedByOther              another reviewer holds a claim on the request
│   ├── MissingCheckpointer         the graph cannot pause and resume
│   ├── UnserializableValue (TypeError)  the checkpointer refused a value
│   ├── ResumeFailed                the graph raised while resuming (decision kept)
│   ├── ArgumentsChanged            a node re-run proposed other arguments
│   ├── EffectInProgress            another process runs this effect right now
│   ├── SameReviewer                a second opinion from the first reviewer
│   └── LogUnavailable              the decision log cannot be opened, read or written
│       ├── LogBusy                 its write lock was held too long; try again
│       ├── LogReadOnly             it can be read, not written
│       └── IncompatibleLog         not a log this hitl_nb can use
├── IntegrityError                  internal: a unique key refused a row (any backend)
└── Unsupported                     internal: Arrow cannot type a column (stdlib path)
UserWarning
└── UnreadableValue                 a stored JSON value shown as a marked stand-in
```

Example::

    try:
        session.decide(request, hitl_nb.Decision("approve"))
    except hitl_nb.AlreadyDecided as exc:
        print(exc.decision)         # the decision that was taken first
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Decision

__all__ = ["AlreadyDecided", "ArgumentsChanged", "ClaimedByOther", "EffectInProgress", "Expired",
           "HitlError", "IncompatibleLog", "IntegrityError", "InvalidForm",
           "InvalidResponse", "LogBusy", "LogReadOnly", "LogUnavailable",
           "MissingCheckpointer", "ModalErrors", "NotAllowed", "ResumeFailed",
           "SameReviewer", "StaleRequest", "UnreadableValue", "UnserializableValue",
           "Unsupported"]


class HitlError(Exception):
    """Base class of every error hitl_nb raises on purpose."""


class AlreadyDecided(HitlError):
    """The request was decided already (by this or another reviewer, or process)."""

    def __init__(self, message: str, decision: Decision | None = None) -> None:
        super().__init__(message)
        self.decision = decision


class StaleRequest(AlreadyDecided):
    """The interrupt is no longer pending in the graph: the card is out of date."""


class Expired(AlreadyDecided):
    """The request's deadline passed: its timeout action was recorded instead."""


class InvalidResponse(HitlError, ValueError):
    """A decision or response does not fit what the request allows or its schema."""


class InvalidForm(InvalidResponse):
    """A typed response or edit does not validate; ``fields`` maps field -> problem."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


class NotAllowed(InvalidResponse):
    """The decision type is not one the request allows (e.g. Edit on an approve-only tool)."""


class ModalErrors(InvalidResponse):
    """Input a modal cannot accept; ``errors`` maps block ids to messages for Slack."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class ClaimedByOther(HitlError):
    """Another reviewer claimed the request for a while; take it over explicitly with
    ``inbox.claim(request, you, take_over=True)``."""

    def __init__(self, message: str, reviewer: str | None = None) -> None:
        super().__init__(message)
        self.reviewer = reviewer


class MissingCheckpointer(HitlError):
    """The graph was compiled without a checkpointer, so it cannot pause and resume."""


class UnserializableValue(HitlError, TypeError):
    """The checkpointer refused a value of the graph (an interrupt payload, a node's
    update): LangGraph could not save the step, so the thread is stuck before it.
    ``type_name`` names the value's type, ``where`` where it was found (or None)."""

    def __init__(self, message: str, type_name: str | None = None,
                 where: str | None = None) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.where = where


class ResumeFailed(HitlError):
    """The graph raised while resuming. The decisions stay recorded; ``retry()`` applies
    them once after the cause is fixed. The original exception is ``__cause__``."""


class ArgumentsChanged(HitlError):
    """A node re-run on resume proposed other arguments than the reviewer decided on
    (``request_review(..., on_change="raise")``). Nothing was done with them."""


class EffectInProgress(HitlError):
    """Another live process is running the effect of this key right now."""


class SameReviewer(HitlError):
    """A second opinion from the reviewer who took the request's real decision."""


class LogUnavailable(HitlError):
    """The decision log's database cannot be opened, read or written (damaged file,
    unreachable server, missing folder). The message names it and what to do."""


class LogBusy(LogUnavailable):
    """Another process held the log's write lock longer than ``busy_timeout``; nothing was
    written, so the same decision can be tried again."""


class LogReadOnly(LogUnavailable):
    """The log can be read but not written (a read-only file or folder, or
    ``DecisionLog(..., read_only=True)``); nothing was written."""


class IncompatibleLog(LogUnavailable):
    """The database holds something hitl_nb cannot use as its decision log (a foreign
    ``hitl_decisions`` table, or a log written by a newer hitl_nb). Nothing was changed."""


class IntegrityError(Exception):
    """A unique constraint refused a row (backend-neutral)."""


class Unsupported(Exception):
    """The Arrow path cannot give exactly the stdlib path's frame for this log."""


class UnreadableValue(UserWarning):
    """A stored JSON value could not be parsed; it is shown as a marked stand-in."""
