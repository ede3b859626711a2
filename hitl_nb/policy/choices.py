"""A policy's memory: remembered "always allow / always reject this tool" choices (for the
session, or persisted in the log's database) and the first verdict given for each call.

Example::

    m = Memory("default", log)
    m.remember("search_web", "allow", persist=True, reviewer="ana")
    m.choice("search_web")        # Remembered(tool='search_web', choice='allow', ...)
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..store import schema as _schema
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
        self._ready = False

    # -- database -----------------------------------------------------------------------
    def _db(self) -> Any:
        if self.log is None:
            return None
        if not self._ready:
            self.log.setup()
            self.log._db.executescript(_schema.POLICY)
            self._ready = True
        return self.log._db

    def _q(self, sql: str) -> str:
        return self.log._q(sql) if self.log is not None else sql

    # -- remembered choices -------------------------------------------------------------
    def remember(self, tool: str, choice: str, *, persist: bool, reviewer: str = "") -> Remembered:
        if choice not in CHOICES:
            raise ValueError(f"choice must be 'allow' or 'reject', got {choice!r}")
        if not isinstance(tool, str) or not tool:
            raise ValueError("remember() needs the tool's name")
        now = datetime.now(timezone.utc)
        if persist:
            db = self._db()
            if db is None:
                raise ValueError("persist=True needs a decision log: RiskPolicy(log='hitl.db')")
            with db.transaction() as cur:
                cur.execute(self._q(
                    "DELETE FROM hitl_policy_choices WHERE policy = ? AND tool = ?"),
                    (self.policy, tool))
                cur.execute(self._q(
                    "INSERT INTO hitl_policy_choices (policy, tool, choice, reviewer, created_at)"
                    " VALUES (?, ?, ?, ?, ?)"), (self.policy, tool, choice, reviewer,
                                                  now.timestamp()))
            with self._lock:
                self._session.pop(tool, None)
            return Remembered(tool, choice, "persisted", reviewer, now)
        item = Remembered(tool, choice, "session", reviewer, now)
        with self._lock:
            self._session[tool] = item
        return item

    def _persisted(self, tool: str | None = None) -> list[Remembered]:
        db = self._db()
        if db is None:
            return []
        sql = "SELECT tool, choice, reviewer, created_at FROM hitl_policy_choices WHERE policy = ?"
        params: tuple[Any, ...] = (self.policy,)
        if tool is not None:
            sql += " AND tool = ?"
            params += (tool,)
        rows = db.query(self._q(sql + " ORDER BY tool"), params)
        return [Remembered(t, c, "persisted", r or "", datetime.fromtimestamp(at, timezone.utc))
                for t, c, r, at in rows]

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
        db = self._db()
        if db is not None:
            sql, params = "WHERE policy = ?", (self.policy,)
            if tool is not None:
                sql, params = sql + " AND tool = ?", (*params, tool)
            with db.transaction() as cur:
                cur.execute(self._q(f"SELECT COUNT(*) FROM hitl_policy_choices {sql}"), params)
                count += int(cur.fetchone()[0])
                cur.execute(self._q(f"DELETE FROM hitl_policy_choices {sql}"), params)
        return count

    # -- first verdicts -----------------------------------------------------------------
    def stored_verdict(self, thread_id: str, call_key: str) -> dict[str, Any] | None:
        """The verdict stored for this call, if any (memory first, then the database)."""
        with self._lock:
            if (thread_id, call_key) in self._verdicts:
                return self._verdicts[(thread_id, call_key)]
        db = self._db()
        if db is None:
            return None
        rows = db.query(self._q(
            "SELECT verdict FROM hitl_policy_verdicts WHERE policy = ? AND thread_id = ?"
            " AND call_key = ?"), (self.policy, thread_id, call_key))
        if not rows:
            return None
        with self._lock:
            return self._verdicts.setdefault((thread_id, call_key), json.loads(rows[0][0]))

    def first_verdict(self, thread_id: str, call_key: str, verdict: dict[str, Any]) -> dict:
        """Store ``verdict`` for this call unless one is stored; return the stored one."""
        key = (thread_id, call_key)
        with self._lock:
            if key in self._verdicts:
                return self._verdicts[key]
        db = self._db()
        if db is not None:
            with db.transaction() as cur:
                cur.execute(self._q(
                    "INSERT INTO hitl_policy_verdicts (policy, thread_id, call_key, verdict,"
                    " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (policy, thread_id,"
                    " call_key) DO NOTHING"),
                    (self.policy, thread_id, call_key, json.dumps(verdict), time.time()))
                cur.execute(self._q(
                    "SELECT verdict FROM hitl_policy_verdicts WHERE policy = ? AND thread_id = ?"
                    " AND call_key = ?"), (self.policy, thread_id, call_key))
                verdict = json.loads(cur.fetchone()[0])
        with self._lock:
            return self._verdicts.setdefault(key, verdict)
