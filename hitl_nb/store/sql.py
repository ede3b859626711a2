"""What every part of the decision log shares: the placeholder rule and cell conversions.

The parts (`decisions`, `queue`, `votes`, `resume`, `outcome_rows`, `opinions`,
`choices`, `notes`) are written once, with ``?`` placeholders; ``placeholders(dialect)``
gives the function that turns them into the backend's (``%s`` on PostgreSQL). Times are
stored as epoch seconds.

Example::

    q = placeholders("postgres")
    q("SELECT 1 FROM hitl_decisions WHERE thread_id = ?")  # '... thread_id = %s'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .fastjson import loads as _safe_loads

__all__ = ["Placeholders", "dt", "epoch", "loads", "placeholders"]

#: Turns a statement written with ``?`` into the backend's placeholders.
Placeholders = Callable[[str], str]


def _same(sql: str) -> str:
    return sql


def _pyformat(sql: str) -> str:
    return sql.replace("?", "%s")


def placeholders(dialect: str) -> Placeholders:
    """The placeholder function of a backend's ``dialect`` (``sqlite`` or ``postgres``)."""
    return _same if dialect == "sqlite" else _pyformat


def loads(text: str | None) -> Any:
    """A stored JSON cell (see `hitl_nb.store.jsonsafe` for what odd values became)."""
    return None if text is None else _safe_loads(text)


def epoch(moment: datetime | None) -> float | None:
    """A datetime as stored: epoch seconds (None stays None)."""
    return None if moment is None else moment.timestamp()


def dt(seconds: float | None) -> datetime | None:
    """A stored time as a UTC datetime (None stays None)."""
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)
