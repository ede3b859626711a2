"""The outcomes part of the log: table ``hitl_outcomes``, what happened after a decision.

The decision row keeps the latest outcome (``outcome_ok``, ``outcome_detail``,
``outcome_at``); ``hitl_outcomes`` keeps them all. `hitl_nb.DecisionLog` owns one
`Outcomes` and delegates to it (``log.record_outcome``, ``log.outcomes``); inside a graph
node, `hitl_nb.record_outcome` (`hitl_nb.store.outcomes`) finds the thread itself::

    outcomes = Outcomes(db, placeholders(db.dialect))
    outcomes.record("interrupt-1", ok=False, detail="SMTP 550")
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..model import HitlError
from .jsonsafe import dumps
from .sql import Placeholders

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Outcomes"]


class Outcomes:
    """The ``hitl_outcomes`` rows of one backend ``db``, with its placeholders ``q``."""

    def __init__(self, db: Any, q: Placeholders) -> None:
        self.db = db
        self.q = q

    def record(self, interrupt_id: str | None = None, *, ok: bool | None,
                       detail: Any = None, thread_id: str | None = None,
                       index: int | None = None, when: datetime | None = None) -> int:
        """Record what happened after a decision (tool result or error, a later human fix).

        Without ``interrupt_id`` the outcome belongs to the thread's latest decision. The
        decision row keeps the latest outcome (``outcome_ok``, ``outcome_detail``,
        ``outcome_at``); table ``hitl_outcomes`` keeps them all. Returns the rows updated.

        Example::

            log.record_outcome(iid, ok=False, detail="SMTP 550: mailbox unavailable")
        """
        if interrupt_id is None and thread_id is None:
            raise HitlError("record_outcome needs an interrupt_id or a thread_id")
        where, params = [], []
        for col, value in (("interrupt_id", interrupt_id), ("thread_id", thread_id),
                           ("action_index", index)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = ("SELECT thread_id, interrupt_id, action_index FROM hitl_decisions WHERE "
               + " AND ".join(where) + " ORDER BY decided_at DESC, id DESC")
        keys = self.db.query(self.q(sql), params)
        if interrupt_id is None:
            keys = [k for k in keys if k[1] == keys[0][1]] if keys else []
        if not keys:
            raise HitlError(f"no decision is recorded for interrupt {interrupt_id!r} (thread "
                            f"{thread_id!r}); record the decision before its outcome")
        at = (when or datetime.now(timezone.utc)).timestamp()
        text = detail if isinstance(detail, str) or detail is None else dumps(detail)
        flag = None if ok is None else int(bool(ok))
        with self.db.transaction() as cur:
            for key in keys:
                cur.execute(self.q(
                    "INSERT INTO hitl_outcomes (thread_id, interrupt_id, action_index, ok,"
                    " detail, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"), (*key, flag, text, at))
                cur.execute(self.q(
                    "UPDATE hitl_decisions SET outcome_ok = ?, outcome_detail = ?, outcome_at = ?"
                    " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?"),
                    (flag, text, at, *key))
        return len(keys)

    def frame(self) -> pd.DataFrame:
        """Every recorded outcome (several per decision are possible), oldest first."""
        import pandas as pd

        names, rows = self.db.columns(
            "SELECT thread_id, interrupt_id, action_index, ok, detail, recorded_at"
            " FROM hitl_outcomes ORDER BY recorded_at")
        df = pd.DataFrame.from_records(rows, columns=names)
        df["ok"] = df["ok"].astype("boolean")
        df["recorded_at"] = pd.to_datetime(df["recorded_at"].astype("float64"), unit="s",
                                           utc=True)
        return df
