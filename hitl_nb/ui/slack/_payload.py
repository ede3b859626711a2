"""Small readers of Slack payloads and of the log, for the interactivity app."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...analysis.log import DecisionLog
from ...model import ReviewRequest, Risk

Key = tuple[str, str, int]


def message_of(body: dict[str, Any]) -> tuple[Any, Any]:
    """(channel id, message ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return channel, ts


def error_block(view: dict[str, Any], request: ReviewRequest, message: str) -> str | None:
    """The modal input to show ``message`` under: the argument it names, else the first."""
    inputs = [b.get("block_id") for b in view.get("blocks", ()) if b.get("type") == "input"]
    keys = list(request.args) if isinstance(request.args, dict) else []
    for i, key in enumerate(keys):   # jsonschema errors say "... at <key>/...: ..."
        if f"arg:{i}" in inputs and re.search(rf" at {re.escape(str(key))}[/:]", message):
            return f"arg:{i}"
    return inputs[0] if inputs else None


def stored_request(log: DecisionLog, key: Key | None) -> ReviewRequest | None:
    """The request as it was recorded with its decision (to redraw a decided message)."""
    if key is None:
        return None
    df = log.to_pandas(thread_id=key[0])
    rows = df[(df.interrupt_id == key[1]) & (df.action_index == key[2])]
    if rows.empty or not isinstance(rows.iloc[0].request, dict):
        return None
    data = rows.iloc[0].request
    fields = {k: data.get(k) for k in ("action", "args", "description", "format", "thread_id",
                                       "interrupt_id", "index", "count", "node", "task",
                                       "before", "after", "confidence", "details")
              if data.get(k) is not None}
    return ReviewRequest(**fields, allowed=tuple(data.get("allowed") or ()),
                         uncertainty=list(data.get("uncertainty") or []),
                         risk=Risk.from_dict(data.get("risk")),
                         requested_at=datetime.fromisoformat(data["requested_at"])
                         if data.get("requested_at") else None)
