"""Notes the log keeps for hitl_nb itself: text values by key, in table ``hitl_meta``.

The engine notes there why a thread is stuck (key ``stuck:<thread_id>``, see
`hitl_nb.engine.unsaved`), so that re-opening the thread says so. The table also holds
the log's ``schema_version``, which belongs to `hitl_nb.store.migrate`: a note cannot
overwrite it. `hitl_nb.DecisionLog` exposes its `Notes` as ``log.notes``.

Example::

    log.notes.put("stuck:t1", '{"checkpoint_id": "1ef..."}')
    log.notes.get("stuck:t1")      # '{"checkpoint_id": "1ef..."}'
"""

from __future__ import annotations

from typing import Any

from ..model import HitlError
from .sql import Placeholders

__all__ = ["RESERVED", "Notes"]

#: Keys of ``hitl_meta`` that the store writes itself.
RESERVED = frozenset({"schema_version"})


class Notes:
    """The ``hitl_meta`` rows of one backend ``db``, with its placeholders ``q``."""

    def __init__(self, db: Any, q: Placeholders) -> None:
        self.db = db
        self.q = q

    def put(self, key: str, value: str) -> None:
        """Keep ``value`` under ``key``, replacing what was there, in one transaction.
        Raises `HitlError` for a key the store keeps itself, `LogReadOnly` on a log that
        cannot be written."""
        if key in RESERVED:
            raise HitlError(f"{key!r} belongs to the decision log itself; pick another key")
        with self.db.transaction() as cur:
            cur.execute(self.q("INSERT INTO hitl_meta (key, value) VALUES (?, ?)"
                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                        (key, value))

    def get(self, key: str) -> str | None:
        """The value kept under ``key`` (None when there is none)."""
        rows = self.db.query(self.q("SELECT value FROM hitl_meta WHERE key = ?"), (key,))
        return rows[0][0] if rows else None
