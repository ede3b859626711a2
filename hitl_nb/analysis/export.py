"""Fine-tuning exports of the decision log: SFT and preference JSONL, Parquet, CSV.

- ``export_sft``: one line per approved or edited action, in the chat ``messages``
  format: system, the agent's context at request time (task, steps) as the user turn,
  and the action that went ahead (the reviewer's edit, else the proposal) as the
  assistant's tool call. OpenAI-style chat fine-tuning and TRL's ``SFTTrainer``
  (conversational datasets) read this format as is.
- ``export_preferences``: one line per pair with ``prompt`` (messages), ``chosen`` and
  ``rejected`` (one assistant message each): for an edit, chosen = the reviewer's edit,
  rejected = the agent's proposal; for a rejection, chosen = the first LATER approved or
  edited call of the SAME action in the same thread whose arguments differ, rejected =
  the rejected proposal (a rejection with no such call makes no pair, and so does an
  edit that changed nothing). This is TRL's
  conversational preference format (``DPOTrainer``); ``style="openai"`` writes OpenAI's
  preference fine-tuning keys (``input``/``preferred_output``/``non_preferred_output``).

Only what people decided becomes an example: decisions of a policy (reviewer
``policy:...``) or a timeout (``timeout``) are left out, on both sides of a pair, by the
same definition the failure report and ``df.hitl.humans()`` use (`HitlAccessor.automatic`).
``include_automatic=True`` takes them in. Decisions whose recorded outcome is not ok are
left out too: the action went ahead but failed, so it is no example to learn from.

Example::

    log.export_sft("sft.jsonl"); log.export_preferences("prefs.jsonl")
    log.export_sft("all.jsonl", include_automatic=True)   # policy and timeouts too
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..store.jsonsafe import dumps

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


def deciders(df: pd.DataFrame, include_automatic: bool = False) -> pd.DataFrame:
    """The rows of ``df`` that may become examples: people's decisions only (see
    `HitlAccessor.automatic`), or every row with ``include_automatic=True``."""
    from .accessor import HitlAccessor

    return df if include_automatic else HitlAccessor(df).humans()


def _went_ahead(row: Any) -> Any:
    """The arguments the action went ahead with: the edit when there is one."""
    return row.edited_args if str(row.decision) == "edit" else row.args


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


def sft_records(df: pd.DataFrame, system: str | None = SYSTEM, *,
                include_automatic: bool = False) -> Iterator[dict[str, Any]]:
    """The SFT examples of ``df``: people's approvals and edits whose outcome did not
    fail (see the module docstring)."""
    df = deciders(df, include_automatic)
    kinds = df["decision"].astype(str)
    for row in _usable(df[kinds.isin(["approve", "edit"])]).itertuples(index=False):
        yield {"messages": [*_prompt(row, system),
                            _call(str(row.action), _went_ahead(row), f"call_{row.interrupt_id}")]}


def _later_choice(row: Any, n: int, ahead: list[tuple[int, Any]]) -> Any | None:
    """The first call of ``ahead`` (calls of ``row``'s thread and action that went ahead,
    by position) after position ``n`` whose arguments differ from the rejected ones."""
    for m, other in ahead:
        if m > n and _went_ahead(other) != row.args:
            return other
    return None


def preference_records(df: pd.DataFrame, system: str | None = SYSTEM, style: str = "trl",
                       *, include_automatic: bool = False) -> Iterator[dict[str, Any]]:
    """The preference pairs of ``df``: people's edits, and people's rejections followed
    by a later approved or edited call of the same action (see the module docstring)."""
    if style not in ("trl", "openai"):
        raise ValueError(f"style must be 'trl' or 'openai', got {style!r}")
    df = deciders(df, include_automatic)
    df = df.sort_values(["decided_at", "id"] if "id" in df else ["decided_at"], kind="stable")
    rows = list(df.itertuples())
    usable = set(_usable(df).index)
    ahead: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for n, r in enumerate(rows):
        if str(r.decision) in ("approve", "edit") and r.Index in usable:
            ahead.setdefault((str(r.thread_id), str(r.action)), []).append((n, r))
    for n, row in enumerate(rows):
        kind = str(row.decision)
        if kind == "edit" and row.Index in usable and row.edited_args != row.args:
            chosen = _call(str(row.action), row.edited_args, f"call_{row.interrupt_id}")
        elif kind == "reject":
            nxt = _later_choice(row, n, ahead.get((str(row.thread_id), str(row.action)), []))
            if nxt is None:
                continue
            chosen = _call(str(nxt.action), _went_ahead(nxt), f"call_{nxt.interrupt_id}")
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
               system: str | None = SYSTEM, include_automatic: bool = False) -> int:
    """Write `sft_records` as JSONL; return how many. People's decisions only unless
    ``include_automatic=True``."""
    return _write(path, sft_records(df, system, include_automatic=include_automatic))


def export_preferences(df: pd.DataFrame, path: str | os.PathLike[str], *,
                       system: str | None = SYSTEM, style: str = "trl",
                       include_automatic: bool = False) -> int:
    """Write `preference_records` as JSONL; return how many. People's decisions only
    unless ``include_automatic=True``."""
    return _write(path, preference_records(df, system, style,
                                           include_automatic=include_automatic))


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """JSON columns as JSON text (for CSV)."""
    from ..store.frame.jsonarray import JSONDtype

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
