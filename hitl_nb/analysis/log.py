"""`hitl_nb.DecisionLog`: the stored log (`hitl_nb.store.log`) plus what is read from it.

The storage layer keeps rows; the analyses (failure report, training exports, Parquet,
suggested rules) sit above it, so the public class is the store's log with these methods
added here. The engine and the adapters build logs through this class.

Example::

    log = hitl_nb.DecisionLog("hitl.db")
    print(log.failure_report())
    log.export_sft("sft.jsonl")
"""

from __future__ import annotations

import os
from typing import Any

from ..store.log import DecisionLog as StoredLog


class DecisionLog(StoredLog):
    """Durable store of review decisions (a SQLite path, a connection, or a PostgreSQL URL).

    - ``target``: a SQLite file path (default ``hitl.db``; ``":memory:"`` for a throwaway
      log), an open ``sqlite3.Connection``, or a ``postgresql://`` URL (``postgres`` extra).
    - ``frame_cache``: a SQLite log of 100,000 decisions or more keeps a columnar copy next
      to it (``<log>-frame.arrow``) so `to_pandas` reads only what changed since; False
      writes and reads none (see :mod:`hitl_nb.store.frame.cache`).
    - ``read_only``: open it for analysis without writing anything (SQLite ``mode=ro``; no
      tables created, no WAL switch); recording raises `LogReadOnly`. A log whose file or
      folder cannot be written is read the same way, found out on first use.
    - ``busy_timeout``: seconds a write waits for another process's write lock
      (PostgreSQL: ``lock_timeout``) before `LogBusy`; nothing is written then, so the
      card stays decidable.

    ``setup()`` is lazy and idempotent: the tables are created on first use.

    Every log naming the same file or URL (with the same options) in one process shares one
    connection, closed when the last such log is closed or collected, or at exit.

    Raises `LogUnavailable` when the database cannot be opened or reached,
    `IncompatibleLog` (on first use) for a foreign or newer database, `LogReadOnly` /
    `LogBusy` from writes as above, and `AlreadyDecided` when a request is recorded twice.

    Example::

        log = hitl_nb.DecisionLog("hitl.db")
        df = log.to_pandas()
        df.hitl.approval_rate(by="action")
        hitl_nb.DecisionLog("postgresql://hitl@db/hitl", read_only=True).failure_report()
    """

    def failure_report(self, **options: Any) -> str:
        """Markdown: what reviewers reject and change, by action and by argument, with
        examples (rules to paste into a system prompt). See `hitl_nb.analysis.report`."""
        from .report import failure_report

        return failure_report(self.to_pandas(), **options)

    def export_sft(self, path: str | os.PathLike[str], **options: Any) -> int:
        """Write the actions people approved or corrected as chat-format JSONL (automatic
        decisions only with ``include_automatic=True``); return the count."""
        from .export import export_sft

        return export_sft(self.to_pandas(), path, **options)

    def export_preferences(self, path: str | os.PathLike[str], **options: Any) -> int:
        """Write prompt/chosen/rejected JSONL pairs (people's edits, and their rejections
        followed by a later call of the same action); return the count."""
        from .export import export_preferences

        return export_preferences(self.to_pandas(), path, **options)

    def to_parquet(self, path: str | os.PathLike[str]) -> int:
        """Write the decisions to Parquet (``parquet`` extra: pyarrow); return the rows."""
        from .export import to_parquet

        return to_parquet(self.to_pandas(), path)

    def suggest_policy(self, current: Any = None, **thresholds: Any) -> Any:
        """Rules proposed from this log's human decisions (tools safe to stop reviewing,
        tools to review always), each with its evidence, the suggested `RiskPolicy`, and
        its back-test beside ``current``'s: see `hitl_nb.policy.suggest`."""
        from ..policy.core import RiskPolicy
        from ..policy.suggest import suggest_policy

        current = current if current is not None else RiskPolicy(name="current")
        return suggest_policy(self.to_pandas(), current, **thresholds)
