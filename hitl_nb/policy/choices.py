"""A policy's memory: remembered "always allow / always reject this tool" choices (for the
session, or persisted in the log's database) and the first verdict given for each call.
What is persisted is read and written through the log (``log.choices``,
`hitl_nb.store.choices`); the session's choices and a cache of verdicts stay here.

Example::

    m = Memory("default", log)
    m.remember("search_web", "allow", persist=True, reviewer="ana")
    m.choice("search_web")        # Remembered(tool='search_web', choice='allow', ...)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..store.log import DecisionLog

CHOICES = ("allow", "reject")


@dataclass(frozen=True, repr=False)
class Remembered:
    """One remembered choice: ``tool`` is always allowed or always rejected."""

    tool: str
    choice: str
    scope: str          # "session" or "persisted"
    reviewer: str = ""
    at: datetime | None = None

    def __str__(self) -> str:
        verb = "always allow" if self.choice == "allow" else "always reject"
        who = f" by {self.reviewer}" if self.reviewer else ""
        return f"{verb} {self.tool} ({self.scope}{who})"

    def __repr__(self) -> str:
        return f"<Remembered: {self}>"


class Memory:
    """Remembered choices and first verdicts of one named policy; ``log`` may be None."""

    def __init__(self, policy: str, log: DecisionLog | None) -> None:
        self.policy = policy
        self.log = log
        self._session: dict[str, Remembered] = {}
        self._verdicts: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.RLock()

    # -- remembered choices -------------------------------------------------------------
    def remember(self, tool: str, choice: str, *, persist: bool, reviewer: str = "") -> Remembered:
        if choice not in CHOICES:
            raise ValueError(f"choice must be 'allow' or 'reject', got {choice!r}")
        if not isinstance(tool, str) or not tool:
            raise ValueError("remember() needs the tool's name")
        now = datetime.now(timezone.utc)
        if persist:
            if self.log is None:
                raise ValueError("persist=True needs a decision log: RiskPolicy(log='hitl.db')")
            self.log.choices.remember(self.policy, tool, choice, reviewer, now)
            with self._lock:
                self._session.pop(tool, None)
            return Remembered(tool, choice, "persisted", reviewer, now)
        item = Remembered(tool, choice, "session", reviewer, now)
        with self._lock:
            self._session[tool] = item
        return item

    def _persisted(self, tool: str | None = None) -> list[Remembered]:
        if self.log is None:
            return []
        return [Remembered(t, c, "persisted", r, at)
                for t, c, r, at in self.log.choices.listing(self.policy, tool)]

    def choice(self, tool: str) -> Remembered | None:
        """The choice remembered for ``tool``: this session's first, then the database's."""
        with self._lock:
            item = self._session.get(tool)
        if item is not None:
            return item
        found = self._persisted(tool)
        return found[0] if found else None

    def all(self) -> list[Remembered]:
        with self._lock:
            session = list(self._session.values())
        names = {r.tool for r in session}
        return sorted(session + [r for r in self._persisted() if r.tool not in names],
                      key=lambda r: r.tool)

    def forget(self, tool: str | None = None) -> int:
        """Drop the remembered choice(s) for ``tool`` (all tools when None); how many."""
        with self._lock:
            if tool is None:
                count = len(self._session)
                self._session.clear()
            else:
                count = int(self._session.pop(tool, None) is not None)
        if self.log is not None:
            count += self.log.choices.forget(self.policy, tool)
        return count

    # -- first verdicts -----------------------------------------------------------------
    def stored_verdict(self, thread_id: str, call_key: str) -> dict[str, Any] | None:
        """The verdict stored for this call, if any (memory first, then the database)."""
        with self._lock:
            if (thread_id, call_key) in self._verdicts:
                return self._verdicts[(thread_id, call_key)]
        stored = None if self.log is None else \
            self.log.choices.verdict(self.policy, thread_id, call_key)
        if stored is None:
            return None
        with self._lock:
            return self._verdicts.setdefault((thread_id, call_key), stored)

    def first_verdict(self, thread_id: str, call_key: str, verdict: dict[str, Any]) -> dict:
        """Store ``verdict`` for this call unless one is stored; return the stored one."""
        key = (thread_id, call_key)
        with self._lock:
            if key in self._verdicts:
                return self._verdicts[key]
        if self.log is not None:
            verdict = self.log.choices.first_verdict(self.policy, thread_id, call_key, verdict)
        with self._lock:
            return self._verdicts.setdefault(key, verdict)
