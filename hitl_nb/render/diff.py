"""What would change: a line diff for text (difflib) or a structural diff for dicts.

Pure data, no HTML: `render.diff_html` and Slack turn it into markup. Inputs are bounded
(`MAX_LINES`, `MAX_CHARS` per side) so a huge before/after costs bounded time, and
`fold` keeps the first lines of a long diff and counts the rest.

Example::

    d = diff("a\\nb\\n", "a\\nc\\n")
    [(line.kind, line.text) for line in d.lines]
    # [('hunk', '@@ -1,2 +1,2 @@'), ('context', 'a'), ('removed', 'b'), ('added', 'c')]
    diff({"to": "a@x"}, {"to": "b@x", "cc": "c@x"}).changes
    # [Change(path=('to',), kind='changed', ...), Change(path=('cc',), kind='added', ...)]
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .html import to_json

MAX_LINES = 1_000      # lines of each side fed to difflib (300 diff lines show)
MAX_CHARS = 400_000    # characters of each side fed to difflib
CONTEXT = 3            # unchanged lines shown around each change
MAX_DEPTH = 6          # structural diff recursion; deeper dicts compare as wholes


@dataclass(frozen=True)
class Line:
    kind: Literal["hunk", "context", "added", "removed"]
    text: str


@dataclass(frozen=True)
class Change:
    path: tuple[str, ...]
    kind: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None


@dataclass
class Diff:
    """``kind`` is "lines" (``lines``) or "dict" (``changes``); ``note`` says what was cut."""

    kind: Literal["lines", "dict"]
    lines: list[Line] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.lines and not self.changes

    @property
    def stats(self) -> tuple[int, int]:
        """(added, removed) lines, or (added + changed, removed + changed) keys."""
        if self.kind == "lines":
            return (sum(1 for x in self.lines if x.kind == "added"),
                    sum(1 for x in self.lines if x.kind == "removed"))
        return (sum(1 for c in self.changes if c.kind != "removed"),
                sum(1 for c in self.changes if c.kind != "added"))


def diff(before: Any, after: Any, context: int = CONTEXT) -> Diff:
    """Structural diff when both sides are dicts (or JSON objects), else a line diff."""
    b, a = _as_mapping(before), _as_mapping(after)
    if b is not None and a is not None:
        return Diff("dict", changes=dict_diff(b, a))
    return line_diff(_as_text(before), _as_text(after), context)


def line_diff(before: str, after: str, context: int = CONTEXT) -> Diff:
    """A unified line diff with ``context`` lines around each change."""
    b_lines, b_cut = _bounded_lines(before)
    a_lines, a_cut = _bounded_lines(after)
    out: list[Line] = []
    for raw in difflib.unified_diff(b_lines, a_lines, lineterm="", n=context):
        if raw.startswith(("---", "+++")) and not out:
            continue
        if raw.startswith("@@"):
            out.append(Line("hunk", raw))
        elif raw.startswith("+"):
            out.append(Line("added", raw[1:]))
        elif raw.startswith("-"):
            out.append(Line("removed", raw[1:]))
        else:
            out.append(Line("context", raw[1:]))
    cut = b_cut or a_cut
    note = (f"compared the first {MAX_LINES:,} lines / {MAX_CHARS:,} characters of each "
            "side only" if cut else "")
    return Diff("lines", lines=out, note=note)


def dict_diff(before: Mapping[str, Any], after: Mapping[str, Any],
              path: tuple[str, ...] = ()) -> list[Change]:
    """Added, removed and changed keys (nested dicts are followed, ``path`` names them)."""
    changes: list[Change] = []
    for key in before:
        if key not in after:
            changes.append(Change((*path, str(key)), "removed", old=before[key]))
    for key, new in after.items():
        where = (*path, str(key))
        if key not in before:
            changes.append(Change(where, "added", new=new))
            continue
        old = before[key]
        if isinstance(old, Mapping) and isinstance(new, Mapping) and len(path) < MAX_DEPTH:
            changes.extend(dict_diff(old, new, where))
        elif not _same(old, new):
            changes.append(Change(where, "changed", old=old, new=new))
    return changes


def fold(items: list[Any], limit: int) -> tuple[list[Any], int]:
    """The first ``limit`` items and how many were left out."""
    return (items, 0) if len(items) <= limit else (items[:limit], len(items) - limit)


def _same(a: Any, b: Any) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # odd objects with a raising __eq__
        return False


def _as_mapping(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{") and len(value) <= MAX_CHARS:
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else to_json(value, limit=MAX_CHARS)


def _bounded_lines(text: str) -> tuple[list[str], bool]:
    cut = len(text) > MAX_CHARS
    lines = text[:MAX_CHARS].splitlines()
    if len(lines) > MAX_LINES:
        lines, cut = lines[:MAX_LINES], True
    return lines, cut
