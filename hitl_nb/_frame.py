"""Rows of ``hitl_decisions`` -> a typed pandas DataFrame (pandas is imported lazily)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

_TIMES = ("requested_at", "decided_at", "applied_at", "lease_until")
_FLOATS = ("latency_s", "confidence", "risk_score")
_CATEGORIES = ("action", "decision", "reviewer", "risk_tier", "format", "status")
_JSON = ("args", "edited_args", "response", "request", "resume_value")


def _parse(text: Any) -> Any:
    return None if text is None else json.loads(text)


def decisions_frame(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Build the decision DataFrame: UTC datetimes, float latencies, categoricals, JSON."""
    df = pd.DataFrame.from_records(rows, columns=list(names))
    for col in _TIMES:
        if col in df:
            df[col] = pd.to_datetime(df[col].astype("float64"), unit="s", utc=True)
    for col in _FLOATS:
        if col in df:
            df[col] = df[col].astype("float64")
    for col in _CATEGORIES:
        if col in df:
            df[col] = df[col].astype("category")
    for col in _JSON:
        if col in df:
            df[col] = df[col].map(_parse, na_action="ignore").astype("object")
    for col in ("thread_id", "interrupt_id", "comment", "owner", "error"):
        if col in df:
            df[col] = df[col].astype("string")
    if "action_index" in df:
        df["action_index"] = df["action_index"].astype("int64")
    return df
