"""Queue rows -> the inbox's listing as a DataFrame, column by column.

Every listed field (thread, action, tier, confidence, age, deadline, approvals, claim)
is a column of the queue table, so no stored request is parsed and no `ReviewRequest`
is built: this is what `Inbox.to_pandas` returns for 10,000 pending threads at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

COLUMNS = ("thread_id", "interrupt_id", "index", "action", "tier", "confidence",
           "requested_at", "age_s", "expires_at", "approvals", "claimed_by")
_WIDTH = 14  # len(_queue_log.ROW_COLUMNS)


def approvals_text(needed: int | None, so_far: int | None) -> str:
    """"1 of 2 approvals", or "" for a single-approval request."""
    if not needed or needed <= 1:
        return ""
    return f"{so_far or 0} of {needed} approvals"


def table(rows: Sequence[tuple], now: float) -> Any:
    """``rows`` (`DecisionLog.queue_rows`, any request column) at epoch ``now``.

    Times are ``datetime64[us, UTC]`` (NaT when unset), ``confidence`` and ``age_s``
    float64 (NaN when unknown), ``claimed_by`` None unless a claim is live at ``now``.
    """
    import numpy as np
    import pandas as pd

    cols = list(zip(*rows, strict=True)) if rows else [()] * _WIDTH
    (thread, iid, index, action, requested, _request, _state, confidence, tier, expires,
     needed, holder, until, so_far) = cols

    def floats(values: Sequence[Any]) -> np.ndarray:
        return np.array(values, dtype="float64") if values else np.empty(0, "float64")

    def times(seconds: np.ndarray) -> pd.Series:
        us = np.round(seconds * 1e6)  # as datetime.fromtimestamp rounds: half to even
        nat = np.isnan(us)
        ints = np.where(nat, np.iinfo(np.int64).min, us).astype("int64")
        return pd.Series(ints.view("datetime64[us]")).dt.tz_localize("UTC")

    asked = floats(requested)
    return pd.DataFrame({
        "thread_id": list(thread), "interrupt_id": list(iid),
        "index": np.array(index, dtype="int64") if index else np.empty(0, "int64"),
        "action": list(action), "tier": list(tier), "confidence": floats(confidence),
        "requested_at": times(asked), "age_s": now - asked,
        "expires_at": times(floats(expires)),
        "approvals": [approvals_text(n, s) for n, s in zip(needed, so_far, strict=True)],
        "claimed_by": [h if u is not None and u > now else None
                       for h, u in zip(holder, until, strict=True)],
    }, columns=list(COLUMNS))
