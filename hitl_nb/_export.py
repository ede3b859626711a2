"""Fine-tuning exports of the decision log: SFT and preference JSONL, Parquet, CSV.

- ``export_sft``: one line per approved or edited action, in the chat ``messages``
  format: system, the agent's context at request time (task, steps) as the user turn,
  and the action that went ahead (the reviewer's edit, else the proposal) as the
  assistant's tool call. OpenAI-style chat fine-tuning and TRL's ``SFTTrainer``
  (conversational datasets) read this format as is.
- ``export_preferences``: one line per pair with ``prompt`` (messages), ``chosen`` and
  ``rejected`` (one assistant message each): for an edit, chosen = the reviewer's edit,
  rejected = the agent's proposal; for a rejection followed by an approved action in the
  same thread, chosen = that later action, rejected = the rejected proposal. This is
  TRL's conversational preference format (``DPOTrainer``); ``style="openai"`` writes
  OpenAI's preference fine-tuning keys (``input``/``preferred_output``/
  ``non_preferred_output``) instead.

Decisions whose recorded outcome is not ok are left out of both: the action went ahead
but failed, so it is no example to learn from.

Example::

    log.export_sft("sft.jsonl"); log.export_preferences("prefs.jsonl")
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pandas as pd

from ._jsonsafe import dumps

__all__ = ["export_preferences", "export_sft", "to_csv", "to_parquet"]

SYSTEM = ("You are an agent that proposes tool calls. A human reviewer approves, edits or "
          "rejects each one; propose the call the reviewer would approve.")


def _prompt(row: Any, system: str | None) -> list[dict[str, Any]]:
    context = row.context if isinstance(row.context, dict) else {}
    task = context.get("task") or context.get("description") or "(no task recorded)"
    text = f"Task: {task}"
    steps = context.get("steps") or []
    if steps:
        text += "\nSteps so far:\n" + "\n".join(f"- {_text(s)}" for s in steps)
    messages = [{"role": "user", "content": text}]
    return ([{"role": "system", "content": system}] if system else []) + messages


def _text(step: Any) -> str:
    if isinstance(step, dict) and "content" in step:
        return f"{step.get('role') or step.get('type') or 'step'}: {step['content']}"
    return step if isinstance(step, str) else dumps(step) or "null"


def _call(action: str, args: Any, call_id: str) -> dict[str, Any]:
    """An assistant message making one tool call (OpenAI chat format)."""
    return {"role": "assistant", "content": "", "tool_calls": [{
        "id": call_id, "type": "function",
        "function": {"name": action, "arguments": dumps(args) or "null"}}]}


def _usable(df: pd.DataFrame) -> pd.DataFrame:
    if "outcome_ok" not in df:
        return df
    return df[~df["outcome_ok"].eq(False).fillna(False).astype(bool)]


def _write(path: str | os.PathLike[str], records: Iterator[dict[str, Any]]) -> int:
    count = 0
    tmp = f"{os.fspath(path)}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for record in records:
                fh.write(f"{dumps(record)}\n")
                count += 1
    except BaseException:
        os.remove(tmp)
        raise
    os.replace(tmp, path)  # never leave a half-written export behind
    return count


def sft_records(df: pd.DataFrame, system: str | None = SYSTEM) -> Iterator[dict[str, Any]]:
    """The SFT examples of ``df`` (see the module docstring)."""
    kinds = df["decision"].astype(str)
    for row in _usable(df[kinds.isin(["approve", "edit"])]).itertuples(index=False):
        args = row.edited_args if str(row.decision) == "edit" else row.args
        yield {"messages": [*_prompt(row, system),
                            _call(str(row.action), args, f"call_{row.interrupt_id}")]}


def preference_records(df: pd.DataFrame, system: str | None = SYSTEM, style: str = "trl"
                       ) -> Iterator[dict[str, Any]]:
    """The preference pairs of ``df`` (see the module docstring)."""
    if style not in ("trl", "openai"):
        raise ValueError(f"style must be 'trl' or 'openai', got {style!r}")
    df = df.sort_values(["decided_at", "id"] if "id" in df else ["decided_at"], kind="stable")
    usable = _usable(df)
    kinds = usable["decision"].astype(str)
    approved = usable[kinds.isin(["approve", "edit"])]
    for row in df.itertuples():
        kind = str(row.decision)
        if kind == "edit":
            if row.Index not in usable.index:
                continue
            chosen = _call(str(row.action), row.edited_args, f"call_{row.interrupt_id}")
        elif kind == "reject":
            later = approved[(approved["thread_id"] == row.thread_id)
                             & (approved["decided_at"] > row.decided_at)]
            if later.empty:
                continue
            nxt = later.iloc[0]
            args = nxt["edited_args"] if str(nxt["decision"]) == "edit" else nxt["args"]
            chosen = _call(str(nxt["action"]), args, f"call_{nxt['interrupt_id']}")
        else:
            continue
        rejected = _call(str(row.action), row.args, f"call_{row.interrupt_id}")
        prompt = _prompt(row, system)
        if style == "openai":
            yield {"input": {"messages": prompt}, "preferred_output": [chosen],
                   "non_preferred_output": [rejected]}
        else:
            yield {"prompt": prompt, "chosen": [chosen], "rejected": [rejected]}


def export_sft(df: pd.DataFrame, path: str | os.PathLike[str], *,
               system: str | None = SYSTEM) -> int:
    """Write `sft_records` as JSONL; return how many."""
    return _write(path, sft_records(df, system))


def export_preferences(df: pd.DataFrame, path: str | os.PathLike[str], *,
                       system: str | None = SYSTEM, style: str = "trl") -> int:
    """Write `preference_records` as JSONL; return how many."""
    return _write(path, preference_records(df, system, style))


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """JSON columns as JSON text (for CSV)."""
    from ._jsonarray import JSONDtype

    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, JSONDtype):
            out[col] = pd.array(out[col].array.text, dtype="string")
    return out


def to_parquet(df: pd.DataFrame, path: str | os.PathLike[str]) -> int:
    """Write ``df`` to Parquet (pyarrow; JSON columns as JSON text); return the rows."""
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError("Parquet needs pyarrow: pip install 'hitl_nb[parquet]'") from exc
    df.to_parquet(path, index=False)
    return len(df)


def to_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> int:
    """Write ``df`` to CSV (JSON columns as JSON text); return the rows."""
    _plain(df).to_csv(path, index=False)
    return len(df)
