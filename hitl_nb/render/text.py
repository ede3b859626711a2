"""The card as plain text (``text/plain``, terminals, log lines): bounded, no markup.

Everything the HTML card says in words is here too: the description, every argument
(nested values indented, long ones cut with a note), the diff and the uncertainty notes.

Example::

    args_text({"to": "cfo@example.com", "meta": {"cc": ["a", "b"]}})
    # ['to: cfo@example.com', 'meta:', '  cc: a, b']
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from . import diff as _diff
from .html import clip, short, to_json

MAX_LINES = 60          # lines of arguments, and of a diff
VALUE_CHARS = 300       # characters of one value on its line
TEXT_CHARS = 2_000      # characters of the description


def args_text(args: Any, depth: int = 0, budget: list[int] | None = None) -> list[str]:
    """Arguments as indented ``key: value`` lines (a list of values as ``- item``)."""
    budget = budget if budget is not None else [MAX_LINES]
    pad = "  " * depth
    if not isinstance(args, (dict, list, tuple)):
        return [f"{pad}{_one_line(args)}"] if args not in (None, "") else []
    items = islice(args.items() if isinstance(args, dict) else enumerate(args), MAX_LINES + 1)
    out: list[str] = []
    for i, (key, value) in enumerate(items):
        if budget[0] <= 0:
            out.append(f"{pad}… {len(args) - i:,} more not shown")
            break
        budget[0] -= 1
        label = f"{short(str(key), 60)}:" if isinstance(args, dict) else "-"
        nested = isinstance(value, (dict, list, tuple)) and value and depth < 3 \
            and not _simple(value)
        if nested:
            out.append(f"{pad}{label}")
            out.extend(args_text(value, depth + 1, budget))
        elif isinstance(value, str) and "\n" in value.strip():
            out.append(f"{pad}{label} |")
            body = _block(value)
            budget[0] -= len(body)
            out.extend(f"{pad}  {line}" for line in body)
        else:
            out.append(f"{pad}{label} {_one_line(value)}")
    return out


def _simple(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) <= 10 and all(
        isinstance(v, (str, int, float, bool)) or v is None for v in value) \
        and sum(len(str(v)) for v in value) < 120


def _one_line(value: Any) -> str:
    if isinstance(value, (list, tuple)) and _simple(value):
        return ", ".join(v if isinstance(v, str) else to_json(v, None) for v in value)
    text = value if isinstance(value, str) else to_json(value, None, limit=VALUE_CHARS + 40)
    text = text.replace("\r\n", "\n").replace("\n", " ⏎ ")
    return _cut(text, VALUE_CHARS)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else \
        f"{text[:limit]} … ({len(text) - limit:,} more characters)"


def _block(text: str, max_lines: int = 20) -> list[str]:
    """A multi-line string as its lines (bounded)."""
    lines = [_cut(line, VALUE_CHARS) for line in text.strip().splitlines()]
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"… {len(lines) - max_lines:,} more lines"]
    return lines


def diff_text(before: Any, after: Any) -> list[str]:
    """The diff as ``+``/``-`` lines (text) or ``key: old → new`` lines (dicts)."""
    d = _diff.diff(before, after)
    if d.empty:
        return ["(no difference)"]
    if d.kind == "dict":
        mark = {"added": "+", "removed": "-", "changed": "~"}
        lines = [f"{mark[c.kind]} {'.'.join(c.path)}: " + (
            _one_line(c.new) if c.kind == "added" else _one_line(c.old) if c.kind == "removed"
            else f"{_one_line(c.old)} → {_one_line(c.new)}") for c in d.changes]
    else:
        sign = {"hunk": "", "context": " ", "added": "+", "removed": "-"}
        lines = [f"{sign[x.kind]}{clip(x.text, VALUE_CHARS)}" for x in d.lines]
    kept, hidden = _diff.fold(lines, MAX_LINES)
    return kept + ([f"… {hidden:,} more diff lines not shown"] if hidden else [])


def description_text(text: Any) -> list[str]:
    """The description's lines, bounded."""
    if text is None:
        return []
    value = text if isinstance(text, str) else to_json(text, limit=TEXT_CHARS)
    return clip(value.strip(), TEXT_CHARS).splitlines()


def duration(seconds: float) -> str:
    """A wait or a time left, to the minute or second: ``"1 h 5 min"``, ``"3 min 2 s"``."""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds} s"
