"""Plain data: what a reviewer is asked (`ReviewRequest`) and what they answer (`Decision`).

Everything above this module (formats, render, log, session, widgets) speaks in these
types; nothing here imports LangGraph or ipywidgets.
"""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from .errors import (  # noqa: F401 (re-exported)
    AlreadyDecided,
    ClaimedByOther,
    Expired,
    HitlError,
    InvalidForm,
    InvalidResponse,
    MissingCheckpointer,
    NotAllowed,
    StaleRequest,
    UnserializableValue,
)

DecisionType = Literal["approve", "reject", "edit", "respond"]
DECISION_TYPES: tuple[DecisionType, ...] = ("approve", "reject", "edit", "respond")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the default clock)."""
    return datetime.now(timezone.utc)


def default_reviewer() -> str:
    """The OS user name, or ``"unknown"`` where it cannot be found."""
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database in some containers
        return "unknown"


#: How many characters of agent or reviewer text a message or status line quotes.
QUOTE_LIMIT = 300


def quote(text: object, limit: int = QUOTE_LIMIT,
          where: str = "full text in the decision log") -> str:
    """``text`` as it is when short, else its first ``limit`` characters and a note saying
    how long it is and where the whole is: every error message and status line that
    repeats agent or reviewer text goes through here.

    Example::

        quote("x" * 1_048_576)  # 300 x, then "… (1,048,576 characters; full text in …)"
    """
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters; {where})"


@dataclass(frozen=True)
class Risk:
    """A policy's verdict: ``tier`` is ``"always"``, ``"uncertain"`` or ``"never"``
    (a review is needed always, on uncertainty, or never); ``score`` in [0, 1].

    ``reasons``: why, one short sentence per rule that matched (shown on the card and
    kept in the log).

    Example::

        risk = hitl_nb.RiskPolicy(irreversible=["send_*"]).assess("send_email", {"to": "x"})
        risk.tier, risk.reasons     # ("always", ("send_email is irreversible",))
        risk.needs_review           # True
    """

    tier: str
    score: float
    reasons: tuple[str, ...] = ()

    @property
    def needs_review(self) -> bool:
        """True unless the tier is ``"never"``."""
        return self.tier != "never"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (``tier``, ``score``, ``reasons``), as the log stores it."""
        return {"tier": self.tier, "score": self.score, "reasons": list(self.reasons)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Risk | None:
        """The risk `to_dict` wrote, or None for anything without a ``tier`` (never
        raises: a malformed score reads as 0.0)."""
        if not isinstance(data, Mapping) or "tier" not in data:
            return None
        try:
            score = float(data.get("score", 0.0))
        except (TypeError, ValueError):
            score = 0.0
        reasons = data.get("reasons") or ()
        if isinstance(reasons, str):
            reasons = (reasons,)
        return cls(str(data["tier"]), score, tuple(str(r) for r in reasons))


@dataclass
class ReviewRequest:
    """One action awaiting a human decision.

    A LangGraph interrupt becomes one request, or several when its payload batches
    several actions (``index`` of ``count``). ``format`` names the module in
    :mod:`hitl_nb.formats` that parsed it and knows its resume value. Sessions build
    requests; you read them on cards, in `Inbox.list` and in `RiskPolicy` rules.

    - ``action``: the tool or action name; ``args``: its proposed arguments (what "Edit"
      changes); ``description``: one line for the reviewer.
    - ``allowed``: the decision types offered.
    - ``thread_id``, ``interrupt_id``, ``index`` (of ``count``): where it came from (`key`).
    - ``node``, ``namespace``: the node that paused and its subgraph path; ``raw``: the
      interrupt's payload as it was.
    - ``args_schema`` / ``response_schema``: JSON schemas of the arguments and of a typed
      answer ("Respond" shows a form).
    - ``task``, ``steps``: what the agent was asked and did so far; ``before`` /
      ``after``: values shown as a diff.
    - ``confidence`` (0..1) and ``uncertainty``: the agent's own doubt; ``risk``: the
      policy's `Risk`.
    - ``requested_at``: when it was first seen; ``expires_at``, ``on_timeout``: the
      deadline and the decision taken when it passes.
    - ``approvals`` / ``rejections``: how many distinct reviewers must approve, or
      reject, it.
    - ``extra``: the queue's notes (``claimed_by``, votes); ``details``: other payload
      keys, shown beside the arguments (not editable).
    - ``expects``: for a plain ``interrupt()``, how the paused code reads the answer
      (True/False, "approve"/"reject", the text, a dict); None: the documented dict.

    Plain data: building one never raises on its values (`Decision` and the session check
    what a reviewer sends).

    Example::

        request = session.pending[0]
        request.action, request.args, request.key
        request.replace(args={"to": "cfo@acme.com"})   # a changed copy
    """

    action: str
    args: Any = field(default_factory=dict)
    description: str | None = None
    allowed: tuple[DecisionType, ...] = DECISION_TYPES
    format: str = "plain"
    thread_id: str = ""
    interrupt_id: str = ""
    index: int = 0
    count: int = 1
    node: str | None = None
    namespace: tuple[str, ...] = ()
    raw: Any = None
    response_schema: dict[str, Any] | None = None
    args_schema: dict[str, Any] | None = None
    task: str | None = None
    steps: list[Any] = field(default_factory=list)
    before: Any = None
    after: Any = None
    confidence: float | None = None
    uncertainty: list[str] = field(default_factory=list)
    risk: Risk | None = None
    requested_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None      # after it, ``on_timeout`` is decided for it
    on_timeout: DecisionType = "reject"
    approvals: int = 1                      # distinct approvals needed (M-of-N)
    rejections: int = 1                     # rejections that reject it
    #: other keys of the payload, shown on the card beside the arguments (not editable)
    details: dict[str, Any] = field(default_factory=dict)
    #: how the paused code reads a plain interrupt's answer (`hitl_nb.engine.reads`):
    #: None for the documented dict, else e.g. ``{"as": "bool"}``
    expects: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        """What identifies the request in the log: (thread_id, interrupt_id, index)."""
        return (self.thread_id, self.interrupt_id, self.index)

    def replace(self, **changes: Any) -> ReviewRequest:
        """A copy with ``changes`` applied (as `dataclasses.replace`: a shallow copy, the
        fields not named keep their values); raises `TypeError` for a field it does not
        have."""
        if unknown := changes.keys() - _REQUEST_FIELDS:
            raise TypeError(f"ReviewRequest has no field {sorted(unknown)[0]!r}")
        new = object.__new__(type(self))   # no __init__ to run: a request is plain data,
        new.__dict__.update(self.__dict__, **changes)   # 3x faster than dataclasses'
        return new

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (used for the log's ``request`` column and Slack)."""
        return {
            "action": self.action,
            "args": self.args,
            "description": self.description,
            "details": self.details,
            "allowed": list(self.allowed),
            "format": self.format,
            "thread_id": self.thread_id,
            "interrupt_id": self.interrupt_id,
            "index": self.index,
            "count": self.count,
            "node": self.node,
            "task": self.task,
            "steps": self.steps,
            "before": self.before,
            "after": self.after,
            "confidence": self.confidence,
            "uncertainty": list(self.uncertainty),
            "risk": self.risk.to_dict() if self.risk else None,
            "requested_at": self.requested_at.isoformat() if self.requested_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "on_timeout": self.on_timeout,
            "approvals": self.approvals,
            "rejections": self.rejections,
            "raw": self.raw,
        }


_REQUEST_FIELDS = frozenset(f.name for f in dataclasses.fields(ReviewRequest))


@dataclass
class Decision:
    """What a reviewer (or a policy) decided about one request.

    ``type``: ``"approve"``, ``"reject"``, ``"edit"`` or ``"respond"``.
    ``args`` holds the edited arguments for ``edit``; ``response`` the free or typed
    answer for ``respond``. ``comment``: the reviewer's note (the agent sees it on a
    rejection). ``reviewer``: who decided (the session's reviewer when empty).
    ``decided_at``: when (set by the session when None). ``request_review()`` returns one
    of these to the node, with ``idempotency_key`` (stable per decision: `hitl_nb.once`)
    and ``args_digest`` (of the arguments the reviewer saw) set.

    Raises `InvalidResponse` for an unknown ``type``.

    Example::

        session.decide(request, hitl_nb.Decision("reject", comment="wrong recipient"))
        hitl_nb.Decision("edit", args={"to": "cfo@acme.com"}).approved   # True
    """

    type: DecisionType
    args: Any = None
    comment: str | None = None
    response: Any = None
    reviewer: str = ""
    decided_at: datetime | None = None
    idempotency_key: str | None = field(default=None, compare=False)
    args_digest: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.type not in DECISION_TYPES:
            raise InvalidResponse(
                f"unknown decision type {self.type!r}; use one of {', '.join(DECISION_TYPES)}"
            )

    @property
    def approved(self) -> bool:
        """True for approve and edit (the action goes ahead, perhaps changed)."""
        return self.type in ("approve", "edit")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (ISO ``decided_at``, plus ``approved``); `from_dict` reads it."""
        out = {
            "type": self.type,
            "approved": self.approved,
            "args": self.args,
            "comment": self.comment,
            "response": self.response,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }
        for name in ("idempotency_key", "args_digest"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """The decision `to_dict` wrote. Raises `KeyError` without ``type``,
        `InvalidResponse` for an unknown one."""
        decided = data.get("decided_at")
        if isinstance(decided, str):
            decided = datetime.fromisoformat(decided)
        return cls(
            type=data["type"],
            args=data.get("args"),
            comment=data.get("comment"),
            response=data.get("response"),
            reviewer=data.get("reviewer") or "",
            decided_at=decided,
            idempotency_key=data.get("idempotency_key"),
            args_digest=data.get("args_digest"),
        )

    def summary(self) -> str:
        """One line: ``approved by ana at 14:02 UTC: "looks fine"``."""
        verb = {"approve": "approved", "reject": "rejected", "edit": "edited",
                "respond": "answered"}[self.type]
        text = verb
        if self.reviewer:
            text += f" by {quote(self.reviewer, 100)}"
        if self.decided_at:
            text += f" at {self.decided_at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
        if self.comment:
            text += f': "{quote(self.comment)}"'
        return text
