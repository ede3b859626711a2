"""The policy's part of the log: remembered choices and first verdicts, per named policy.

``hitl_policy_choices`` holds "always allow / always reject this tool" choices persisted
by a `hitl_nb.RiskPolicy`; ``hitl_policy_verdicts`` the first verdict given for each call
(a node or middleware predicate that runs again on resume gets the same answer). The
tables (`hitl_nb.store.schema.POLICY`) are created on first use. `hitl_nb.DecisionLog`
exposes its `Choices` as ``log.choices``; the policy keeps session-only choices itself.

On a log that cannot be written, reading works (nothing is remembered when the tables
were never created) and every write raises `LogReadOnly`.

Example::

    log.choices.remember("default", "search_web", "allow", reviewer="ana")
    log.choices.listing("default")   # [('search_web', 'allow', 'ana', datetime(...))]
"""

from __future__ import annotations

import json
import time
from contextlib import suppress
from datetime import datetime
from typing import Any

from . import schema as _schema
from .db import LogReadOnly
from .migrate import _tables
from .sql import Placeholders, dt, epoch

__all__ = ["Choice", "Choices"]

#: A remembered choice as stored: (tool, choice, reviewer, when).
Choice = tuple[str, str, str, datetime]

_TABLES = {"hitl_policy_choices", "hitl_policy_verdicts"}


class Choices:
    """The ``hitl_policy_choices`` and ``hitl_policy_verdicts`` rows of one backend ``db``,
    with its placeholders ``q``."""

    def __init__(self, db: Any, q: Placeholders) -> None:
        self.db = db
        self.q = q
        self._exist = False  # the tables are known to exist

    def _ready(self) -> bool:
        """Create the tables once; False when they are missing and cannot be created (a
        read-only log that never held a policy's choices: looked at again next time)."""
        if not self._exist:
            if not self.db.read_only:
                with suppress(LogReadOnly):  # a file or server that cannot be written
                    self.db.executescript(_schema.POLICY)
                    self._exist = True
                    return True
            with self.db.snapshot() as cur:
                self._exist = _tables(cur, self.db.dialect) >= _TABLES
        return self._exist

    def _writable(self) -> None:
        """Create the tables unless they exist; raises `LogReadOnly` when they cannot be."""
        if not self._ready():
            self.db.executescript(_schema.POLICY)  # raises why it cannot write
            self._exist = True

    # -- remembered choices -------------------------------------------------------------
    def remember(self, policy: str, tool: str, choice: str, reviewer: str = "",
                 at: datetime | None = None) -> None:
        """Store ``policy``'s ``choice`` for ``tool`` (replacing the one it had), by
        ``reviewer`` at ``at`` (default now), in one transaction."""
        self._writable()
        with self.db.transaction() as cur:
            cur.execute(self.q("DELETE FROM hitl_policy_choices WHERE policy = ? AND tool = ?"),
                        (policy, tool))
            cur.execute(self.q(
                "INSERT INTO hitl_policy_choices (policy, tool, choice, reviewer, created_at)"
                " VALUES (?, ?, ?, ?, ?)"),
                (policy, tool, choice, reviewer, time.time() if at is None else epoch(at)))

    def listing(self, policy: str, tool: str | None = None) -> list[Choice]:
        """``policy``'s stored choices (only ``tool``'s when given), by tool name."""
        if not self._ready():
            return []
        sql = "SELECT tool, choice, reviewer, created_at FROM hitl_policy_choices WHERE policy = ?"
        params: tuple[Any, ...] = (policy,)
        if tool is not None:
            sql += " AND tool = ?"
            params += (tool,)
        rows = self.db.query(self.q(sql + " ORDER BY tool"), params)
        return [(t, c, r or "", dt(at)) for t, c, r, at in rows]

    def forget(self, policy: str, tool: str | None = None) -> int:
        """Drop ``policy``'s stored choice for ``tool`` (all its choices when None), in one
        transaction; how many were dropped."""
        self._writable()
        where, params = "WHERE policy = ?", (policy,)
        if tool is not None:
            where, params = where + " AND tool = ?", (*params, tool)
        with self.db.transaction() as cur:
            cur.execute(self.q(f"SELECT COUNT(*) FROM hitl_policy_choices {where}"), params)
            count = int(cur.fetchone()[0])
            cur.execute(self.q(f"DELETE FROM hitl_policy_choices {where}"), params)
        return count

    # -- first verdicts -----------------------------------------------------------------
    def verdict(self, policy: str, thread_id: str, call_key: str) -> dict[str, Any] | None:
        """The verdict stored for this call of ``policy`` in ``thread_id``, if any."""
        if not self._ready():
            return None
        rows = self.db.query(self.q(
            "SELECT verdict FROM hitl_policy_verdicts WHERE policy = ? AND thread_id = ?"
            " AND call_key = ?"), (policy, thread_id, call_key))
        return json.loads(rows[0][0]) if rows else None

    def first_verdict(self, policy: str, thread_id: str, call_key: str,
                      verdict: dict[str, Any]) -> dict[str, Any]:
        """Store ``verdict`` for this call unless one is stored, and return the stored one,
        in one transaction: of two processes storing at once, the first one wins for both."""
        self._writable()
        with self.db.transaction() as cur:
            cur.execute(self.q(
                "INSERT INTO hitl_policy_verdicts (policy, thread_id, call_key, verdict,"
                " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (policy, thread_id,"
                " call_key) DO NOTHING"),
                (policy, thread_id, call_key, json.dumps(verdict), time.time()))
            cur.execute(self.q(
                "SELECT verdict FROM hitl_policy_verdicts WHERE policy = ? AND thread_id = ?"
                " AND call_key = ?"), (policy, thread_id, call_key))
            return json.loads(cur.fetchone()[0])
