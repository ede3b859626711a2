"""The decision log's data side: automatic decisions, outcomes, reports and exports.

`hitl_nb.DecisionLog` inherits these methods; they only use its public ``record``,
``to_pandas`` and ``setup`` plus the portable ``_db`` / ``_q`` seam.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..model import Decision, HitlError, ReviewRequest, Risk
from .jsonsafe import dumps as _dumps

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LogData"]


class LogData:
    """Mixin of `hitl_nb.DecisionLog` (see there)."""

    # Provided by DecisionLog: setup(), record(), to_pandas(), _q(sql) and _db.
    _db: Any

    def record_auto(self, action: str, args: Any = None, *, decision: str = "approve",
                    reviewer: str = "policy", comment: str | None = None,
                    thread_id: str = "", task: str | None = None, steps: Any = None,
                    confidence: float | None = None, risk: Risk | None = None,
                    when: datetime | None = None) -> int:
        """Log a decision taken without a human, for an action that never became an
        interrupt (a policy let it through or blocked it). It is ``applied`` at once.

        Example::

            log.record_auto("read_file", {"path": "a.txt"}, reviewer="policy:read_only")
        """
        when = when or datetime.now(timezone.utc)
        request = ReviewRequest(action=action, args=args if args is not None else {},
                                thread_id=thread_id, interrupt_id=f"auto-{uuid.uuid4().hex}",
                                task=task, steps=list(steps or []), confidence=confidence,
                                risk=risk, requested_at=when, format="auto")
        return self.record(request, Decision(decision, args=args if decision == "edit" else None,
                                             comment=comment, reviewer=reviewer,
                                             decided_at=when), status="applied")

    def record_outcome(self, interrupt_id: str | None = None, *, ok: bool | None,
                       detail: Any = None, thread_id: str | None = None,
                       index: int | None = None, when: datetime | None = None) -> int:
        """Record what happened after a decision (tool result or error, a later human fix).

        Without ``interrupt_id`` the outcome belongs to the thread's latest decision. The
        decision row keeps the latest outcome (``outcome_ok``, ``outcome_detail``,
        ``outcome_at``); table ``hitl_outcomes`` keeps them all. Returns the rows updated.

        Example::

            log.record_outcome(iid, ok=False, detail="SMTP 550: mailbox unavailable")
        """
        self.setup()
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
        keys = self._db.query(self._q(sql), params)
        if interrupt_id is None:
            keys = [k for k in keys if k[1] == keys[0][1]] if keys else []
        if not keys:
            raise HitlError(f"no decision is recorded for interrupt {interrupt_id!r} (thread "
                            f"{thread_id!r}); record the decision before its outcome")
        at = (when or datetime.now(timezone.utc)).timestamp()
        text = detail if isinstance(detail, str) or detail is None else _dumps(detail)
        flag = None if ok is None else int(bool(ok))
        with self._db.transaction() as cur:
            for key in keys:
                cur.execute(self._q(
                    "INSERT INTO hitl_outcomes (thread_id, interrupt_id, action_index, ok,"
                    " detail, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"), (*key, flag, text, at))
                cur.execute(self._q(
                    "UPDATE hitl_decisions SET outcome_ok = ?, outcome_detail = ?, outcome_at = ?"
                    " WHERE thread_id = ? AND interrupt_id = ? AND action_index = ?"),
                    (flag, text, at, *key))
        return len(keys)

    def outcomes(self) -> pd.DataFrame:
        """Every recorded outcome (several per decision are possible), oldest first."""
        import pandas as pd

        self.setup()
        names, rows = self._db.columns(
            "SELECT thread_id, interrupt_id, action_index, ok, detail, recorded_at"
            " FROM hitl_outcomes ORDER BY recorded_at")
        df = pd.DataFrame.from_records(rows, columns=names)
        df["ok"] = df["ok"].astype("boolean")
        df["recorded_at"] = pd.to_datetime(df["recorded_at"].astype("float64"), unit="s",
                                           utc=True)
        return df
