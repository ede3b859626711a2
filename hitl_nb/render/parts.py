"""Arguments as a readable table, and the raw JSON behind a toggle (bounded HTML).

Long strings fold behind "show more"; nested dicts and lists become indented tables
(up to `MAX_DEPTH`, deeper values as JSON); a shared budget caps rows and characters so
a 10 MB argument renders in a few tens of kilobytes, with a note naming where the full
value is (``card.request.args['body']``).

Example::

    args_html({"to": "cfo@example.com", "meta": {"cc": ["a", "b"]}})
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

from .html import MONO, MUTED, escape, short, to_json

MAX_ROWS = (40, 15, 8)      # rows shown per table, by depth
MAX_DEPTH = len(MAX_ROWS)   # deeper values show as JSON
INLINE = 160                # characters shown before "show more"
FOLDED = 5_000              # characters behind "show more"
BUDGET = 24_000             # escaped characters of values per args table
RAW_JSON = 20_000           # characters of the raw JSON toggle
_CELL = "padding:1px 8px 1px 0;vertical-align:top;text-align:left"


@dataclass
class _Budget:
    chars: int = BUDGET

    def take(self, n: int) -> int:
        got = max(0, min(n, self.chars))
        self.chars -= got
        return got


def args_html(args: Any, where: str = "card.request.args") -> str:
    """Arguments as a key/value table (dicts, lists) or a folded value."""
    if args in ({}, None, []):
        return ""
    budget = _Budget()
    if isinstance(args, (dict, list, tuple)):
        return _table(args, where, 0, budget)
    return f"<div class='hitl-args'>{_value(args, where, 0, budget)}</div>"


def _table(value: dict | list | tuple, where: str, depth: int, budget: _Budget) -> str:
    limit = MAX_ROWS[min(depth, MAX_DEPTH - 1)]
    source = value.items() if isinstance(value, dict) else enumerate(value)
    rows = []
    for key, item in islice(source, limit):
        if budget.chars <= 0:
            break
        path = f"{where}[{key!r}]" if isinstance(value, dict) else f"{where}[{key}]"
        label = escape(short(str(key), 80))
        rows.append(f"<tr><th style='{_CELL}'>{label}</th>"
                    f"<td style='{_CELL}'>{_value(item, path, depth + 1, budget)}</td></tr>")
    hidden = len(value) - len(rows)
    note = ""
    if hidden:
        unit = "keys" if isinstance(value, dict) else "items"
        note = (f"<div class='hitl-truncated' style='{MUTED}'>… {hidden:,} more {unit} not "
                f"shown; the full value is <code>{escape(short(where, 120))}</code></div>")
    indent = "margin-left:1.2em;" if depth else ""
    return (f"<table class='hitl-args' style='{indent}border-collapse:collapse'>"
            f"{''.join(rows)}</table>{note}")


def _value(value: Any, where: str, depth: int, budget: _Budget) -> str:
    if isinstance(value, (dict, list, tuple)) and value:
        if depth < MAX_DEPTH and (isinstance(value, dict) or not _simple_list(value)):
            return _table(value, where, depth, budget)
        if not isinstance(value, dict):
            joined = ", ".join(short(v, 80) for v in value[:20])
            budget.take(len(joined))
            more = (f"<div class='hitl-truncated' style='{MUTED}'>… {len(value) - 20:,} more "
                    f"items not shown; the full value is <code>{escape(short(where, 120))}"
                    "</code></div>" if len(value) > 20 else "")
            return f"<code style='{MONO}'>{escape(joined)}</code>{more}"
        text = to_json(value, limit=FOLDED)
    elif isinstance(value, str):
        text = value
    else:
        text = to_json(value, None, limit=FOLDED)
    return _folded(text, where, budget)


def _simple_list(value: list | tuple) -> bool:
    return all(isinstance(v, (str, int, float, bool)) or v is None for v in value[:50]) \
        and sum(len(str(v)) for v in value[:20]) < 200


def _folded(text: str, where: str, budget: _Budget) -> str:
    """Short text inline; long text shows its start and folds the rest behind a toggle."""
    if len(text) <= INLINE and "\n" not in text:
        budget.take(len(text))
        return f"<span class='hitl-value' style='white-space:pre-wrap'>{escape(text)}</span>"
    shown = min(len(text), FOLDED, max(budget.chars, 0))
    body = escape(text[:shown])
    budget.take(len(body))          # the budget counts escaped characters (up to 6 each)
    cut = len(text) - shown
    note = (f"<div class='hitl-truncated' style='{MUTED}'>… {cut:,} more characters not "
            f"shown; the full value is <code>{escape(short(where, 120))}</code></div>"
            if cut else "")
    head = text[:INLINE].split("\n", 1)[0]
    return (f"<details class='hitl-fold'><summary><span style='white-space:pre-wrap'>"
            f"{escape(head)}</span> <span style='{MUTED}'>… show more ({len(text):,} "
            f"characters)</span></summary><pre style='{MONO};white-space:pre-wrap;margin:2px 0'>"
            f"{body}</pre>{note}</details>")


def raw_json_html(value: Any, where: str = "card.request.raw", limit: int = RAW_JSON) -> str:
    """The value as JSON behind a "raw JSON" toggle, cut at ``limit`` with a note."""
    text = to_json(value, limit=limit + 1)
    cut = len(text) > limit
    text = text[:limit]
    body = escape(text)
    while len(body) > limit:        # markup-heavy text: escaping grew it
        text, cut = text[: len(text) // 2], True
        body = escape(text)
    note = (f"<div class='hitl-truncated' style='{MUTED}'>… cut at {len(text):,} characters; "
            f"the full value is <code>{escape(short(where, 120))}</code></div>" if cut else "")
    return (f"<details class='hitl-raw'><summary style='{MUTED}'>raw JSON</summary>"
            f"<pre style='{MONO};white-space:pre-wrap;margin:2px 0'>{body}</pre>"
            f"{note}</details>")
