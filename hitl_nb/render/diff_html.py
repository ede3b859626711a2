"""A diff as escaped HTML: a line diff for text, a table of changed keys for dicts.

`render.diff_html` (re-exported there) is what the card shows under "What would change"
and what the edit form's live diff redraws; `hitl_nb.render.diff` computes the changes.
Long diffs fold with a count of what is hidden; every value is escaped and clipped.
"""

from __future__ import annotations

from typing import Any

from . import diff as _diff
from .html import ADDED_BG, MONO, MUTED, REMOVED_BG, clip, escape, fit, short

MAX_DIFF_LINES, MAX_DIFF_CHANGES = 300, 100
MAX_TEXT_DIFF_LINES = 40  # lines of a changed text value inside a dict diff
DIFF_CAP = 30_000  # characters of HTML for one diff


def diff_html(before: Any, after: Any, label: str = "What would change") -> str:
    """Line diff (text) or structural diff (dicts); long diffs fold with a count."""
    d = _diff.diff(before, after)
    added, removed = d.stats
    head = (f"<div style='font-weight:bold;margin-top:6px'>{escape(label)} "
            f"<span style='{MUTED};font-weight:normal'>(+{added} −{removed})</span></div>")
    if d.empty:
        return (f"<div class='hitl-diff'>{head}<div style='{MUTED}'>no difference</div>"
                "</div>")
    note = f"<div style='{MUTED}'>{escape(d.note)}</div>" if d.note else ""
    if d.kind == "dict":
        kept = fit((_change_row(c, i < 5) for i, c in enumerate(d.changes[:MAX_DIFF_CHANGES])),
                   DIFF_CAP)
        rows, hidden = "".join(kept), len(d.changes) - len(kept)
        body = (f"<table class='hitl-dict-diff' style='border-collapse:collapse;{MONO}'>"
                f"{rows}</table>")
        unit = "changed keys"
    else:
        kept = fit((_line(x) for x in d.lines[:MAX_DIFF_LINES]), DIFF_CAP)
        lines, hidden = "".join(kept), len(d.lines) - len(kept)
        body = (f"<pre class='hitl-line-diff' style='{MONO};margin:2px 0;overflow-x:auto;"
                f"white-space:pre-wrap'>{lines}</pre>")
        unit = "diff lines"
    more = (f"<div class='hitl-folded' style='{MUTED}'>… {hidden:,} more {unit} hidden</div>"
            if hidden else "")
    return f"<div class='hitl-diff'>{head}{note}{body}{more}</div>"


def _line(line: _diff.Line) -> str:
    text = escape(clip(line.text, 300))
    if line.kind == "hunk":
        return f"<div style='{MUTED}'>{text}</div>"
    if line.kind == "added":
        return f"<div class='hitl-added' style='background:{ADDED_BG}'>+ {text}</div>"
    if line.kind == "removed":
        return f"<div class='hitl-removed' style='background:{REMOVED_BG}'>− {text}</div>"
    return f"<div class='hitl-context'>  {text}</div>"


def _change_row(change: _diff.Change, detailed: bool = True) -> str:
    key = escape(short(".".join(change.path), 120))
    old, new = escape(short(change.old, 200)), escape(short(change.new, 200))
    cell = "padding:1px 6px;vertical-align:top"
    if change.kind == "added":
        value = f"<span style='background:{ADDED_BG}'>{new}</span>"
    elif change.kind == "removed":
        value = f"<span style='background:{REMOVED_BG};text-decoration:line-through'>{old}</span>"
    elif detailed and _is_long_text(change.old) and _is_long_text(change.new):
        value = _text_change(change.old, change.new)
    else:
        value = (f"<span style='background:{REMOVED_BG}'>{old}</span> → "
                 f"<span style='background:{ADDED_BG}'>{new}</span>")
    return (f"<tr class='hitl-{change.kind}'><td style='{cell}'>{change.kind}</td>"
            f"<th style='{cell};text-align:left'>{key}</th><td style='{cell}'>{value}</td></tr>")


def _is_long_text(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > 80)


def _text_change(old: str, new: str) -> str:
    """A changed multi-line value inside a dict: its own small line diff."""
    d = _diff.line_diff(old, new, context=1)
    shown, hidden = _diff.fold([x for x in d.lines if x.kind != "hunk"], MAX_TEXT_DIFF_LINES)
    more = f"<div style='{MUTED}'>… {hidden:,} more diff lines hidden</div>" if hidden else ""
    return (f"<div class='hitl-text-diff' style='white-space:pre-wrap'>"
            f"{''.join(_line(x) for x in shown)}</div>{more}")
