"""`failure_report`: what reviewers reject and change, as Markdown a prompt engineer
can paste into a system prompt ("rules learned from reviewers").

Rejections are grouped by action with their most frequent comments; edits by action
and by which argument keys reviewers changed, with counts and before/after examples.
Only human decisions count (policies and timeouts are not reviewers' judgement): the
rows ``df.hitl.humans()`` keeps, by the one definition of an automatic decision
(`HitlAccessor.automatic`) that the fine-tuning exports use too.

Example::

    from IPython.display import Markdown
    Markdown(hitl_nb.DecisionLog("hitl.db").failure_report())
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pandas as pd

from .fatigue import rubber_stamp_section

__all__ = ["changed_keys", "failure_report"]


def changed_keys(before: Any, after: Any) -> list[str]:
    """Top-level argument keys whose value differs (added, removed or changed).

    Example: ``changed_keys({"to": "a", "n": 1}, {"to": "b", "n": 1}) == ["to"]``
    """
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [] if before == after else ["(whole arguments)"]
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if before.get(k, _MISSING) != after.get(k, _MISSING)]


_MISSING = object()


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                            default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _code(value: Any, limit: int = 80) -> str:
    return "`" + _short(value, limit).replace("`", "'") + "`"


def _comments(frame: pd.DataFrame, n: int) -> list[tuple[str, int]]:
    """Most frequent comments, counted case- and space-insensitively (first wording shown)."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for comment in frame["comment"].dropna():
        text = " ".join(str(comment).split())
        if text:
            key = text.casefold()
            counts[key] += 1
            shown.setdefault(key, text)
    return [(shown[key], count) for key, count in counts.most_common(n)]


def _edit_examples(edits: pd.DataFrame, n: int) -> list[str]:
    """Up to ``n`` distinct before -> after examples, showing only the changed keys."""
    out, seen = [], set()
    for before, after, comment in zip(edits["args"], edits["edited_args"], edits["comment"],
                                      strict=True):
        keys = changed_keys(before, after)
        if isinstance(before, dict) and isinstance(after, dict):
            before = {k: before[k] for k in keys if k in before}
            after = {k: after[k] for k in keys if k in after}
        key = _short(before) + _short(after)
        if key in seen:
            continue
        seen.add(key)
        note = f' ("{_short(comment, 60)}")' if isinstance(comment, str) and comment else ""
        out.append(f"- {_code(before)} → {_code(after)}{note}")
        if len(out) == n:
            break
    return out


def failure_report(df: pd.DataFrame, *, examples: int = 3, min_count: int = 1) -> str:
    """Markdown report of rejections and edits in decision frame ``df``.

    ``examples`` caps comments and before/after pairs per action; actions with fewer
    than ``min_count`` rejections + edits are left out.
    """
    from .accessor import HitlAccessor

    humans = HitlAccessor(df).humans()
    kinds = humans["decision"].astype(str)
    total, rejected, edited = len(humans), int((kinds == "reject").sum()), \
        int((kinds == "edit").sum())
    lines = ["# What reviewers reject and change", ""]
    if not total:
        return "\n".join([*lines, "No human decisions are logged yet."]) + "\n"
    lines += [f"{total} human decisions: {rejected} rejected ({rejected / total:.0%}), "
              f"{edited} edited ({edited / total:.0%}).", ""]
    rules: list[str] = []
    actions = humans["action"].astype(str)
    order = (kinds.isin(["reject", "edit"])).groupby(actions).sum().sort_values(
        ascending=False, kind="stable")
    for action, bad in order.items():
        if bad < min_count or bad == 0:
            continue
        mine = humans[actions == action]
        mk = mine["decision"].astype(str)
        rej, edi = mine[mk == "reject"], mine[mk == "edit"]
        lines += [f"## `{action}`: {len(rej)} rejected, {len(edi)} edited of {len(mine)}", ""]
        if len(rej):
            top = _comments(rej, examples)
            lines.append(f"**Rejections ({len(rej)})**" + (", most frequent comments:" if top
                                                              else ", without comments."))
            lines += [f"- \"{_short(text)}\" ({count}×)" for text, count in top]
            lines.append("")
            reason = "; ".join(f'"{_short(t, 60)}"' for t, _ in top) or "no reason given"
            rules.append(f"- `{action}` was rejected {len(rej)} of {len(mine)} times "
                         f"({reason}).")
        if len(edi):
            changes: Counter[str] = Counter()
            samples: dict[str, tuple[Any, Any]] = {}
            for before, after in zip(edi["args"], edi["edited_args"], strict=True):
                for key in changed_keys(before, after):
                    changes[key] += 1
                    if key not in samples and isinstance(before, dict) \
                            and isinstance(after, dict):
                        samples[key] = (before.get(key), after.get(key))
            lines += [f"**Edits ({len(edi)})**, arguments reviewers changed:", "",
                      "| argument | times changed | example before | example after |",
                      "|---|---|---|---|"]
            for key, count in changes.most_common():
                b, a = samples.get(key, ("", ""))
                lines.append(f"| `{key}` | {count} | {_code(b, 40)} | {_code(a, 40)} |")
            lines += ["", "Example edits (changed arguments only):"]
            lines += _edit_examples(edi, examples)
            lines.append("")
            for key, count in changes.most_common(examples):
                b, a = samples.get(key, (None, None))
                example = f", e.g. {_code(b, 40)} → {_code(a, 40)}" if key in samples else ""
                rules.append(f"- For `{action}`, reviewers corrected `{key}` in {count} of "
                             f"{len(edi)} edits{example}.")
    if rules:
        lines += ["## Rules learned from reviewers", "",
                  "Paste into the agent's system prompt:", "", *rules, ""]
    lines += rubber_stamp_section(df)
    return "\n".join(lines)
