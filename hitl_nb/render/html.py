"""Escaping and bounded text: the bottom of every render path (widget, static HTML, Slack).

Every string that came from an agent or a tool goes through `escape` before it becomes
markup. `to_json` and `clip` never produce more than their limit, whatever the input
size, so a 10 MB payload costs the time of its first few kilobytes.

Example::

    escape("<b>hi</b>")             # '&lt;b&gt;hi&lt;/b&gt;'
    to_json({"a": [1, 2]}, None)    # '{"a": [1, 2]}'
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

MAX_TEXT = 20_000  # characters of any one value shown before folding

# Inline styles on JupyterLab's theme variables (with fallbacks for other front ends).
MUTED = "color:var(--jp-ui-font-color2,#757575);font-size:0.9em"
BOX = ("border:1px solid var(--jp-border-color2,#e0e0e0);border-radius:4px;"
       "padding:4px 8px;margin:4px 0")
MONO = "font-family:var(--jp-code-font-family,monospace);font-size:0.9em"
GOOD, WARN, BAD = ("var(--jp-success-color1,#388e3c)", "var(--jp-warn-color1,#f57c00)",
                   "var(--jp-error-color1,#d32f2f)")
ADDED_BG, REMOVED_BG = "rgba(46,160,67,0.22)", "rgba(248,81,73,0.22)"


def escape(value: Any) -> str:
    """HTML-escape any value (non-strings are shown as JSON first); quotes too."""
    text = value if isinstance(value, str) else to_json(value, limit=MAX_TEXT)
    return html.escape(_printable(text), quote=True)


def _printable(text: str) -> str:
    """Control characters, lone surrogates and bidi overrides as visible escapes."""
    if text.isprintable() or not _ODD.search(text):
        return text
    return "".join(_visible(c) for c in text)


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: What `_visible` changes: control characters but newline and tab, surrogates, bidi.
_ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _visible(c: str) -> str:
    if c in "\n\t" or c.isprintable():
        return c
    category = unicodedata.category(c)
    if category == "Cs":
        return "\ufffd"
    if category == "Cc" or c in _BIDI:
        return f"\\u{ord(c):04x}"
    return c


def to_json(value: Any, indent: int | None = 2, limit: int | None = None) -> str:
    """Readable JSON for any value; ``str`` for what JSON cannot encode.

    With ``limit`` the encoding stops after that many characters (and says so), so
    huge values cost bounded time.
    """
    encoder = json.JSONEncoder(indent=indent, ensure_ascii=False, default=str,
                               check_circular=True)
    try:
        if limit is None:
            return encoder.encode(value)
        value = _head(value, limit, [limit + 1])
        chunks: list[str] = []
        size = 0
        for chunk in encoder.iterencode(value):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return clip("".join(chunks), limit, more=False)
        return "".join(chunks)
    except (ValueError, TypeError, RecursionError, OverflowError):
        try:
            return clip(str(value), limit or MAX_TEXT)
        except (RecursionError, ValueError):  # deeply nested or odd objects
            return f"<{type(value).__name__} too deeply nested to show>"


def _head(value: Any, limit: int, budget: list[int]) -> Any:
    """``value`` cut to what its first ``limit`` characters of JSON can show: strings to
    ``limit`` characters, containers to the items written before ``budget`` (characters
    still to come before the cut, counted low: quotes, key and separator, one per other
    node) runs out, so a 10 MB value encodes in the time of its first few kilobytes."""
    if isinstance(value, str):
        budget[0] -= len(value) + 2
        return value[: limit + 1]
    if budget[0] <= 0 or not isinstance(value, (dict, list, tuple)):
        budget[0] -= 1
        return value
    budget[0] -= 1  # the opening bracket
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if budget[0] <= 0:
                break
            budget[0] -= (len(key) if isinstance(key, str) else 0) + (4 if out else 3)
            out[key] = _head(item, limit, budget)
        return out
    items: list[Any] = []
    for item in value:
        if budget[0] <= 0:
            break
        budget[0] -= 1 if items else 0
        items.append(_head(item, limit, budget))
    return items


def fit(pieces: Iterable[str], cap: int) -> list[str]:
    """The first of ``pieces`` (lazily made HTML) that fit in ``cap`` characters.

    At least one piece is kept when there is one (each piece is bounded by its maker)."""
    kept: list[str] = []
    size = 0
    for piece in pieces:
        if kept and size + len(piece) > cap:
            break
        kept.append(piece)
        size += len(piece)
    return kept


def clip(text: str, limit: int = MAX_TEXT, more: bool = True) -> str:
    """``text`` cut to ``limit`` characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    if more:
        return f"{text[:limit]}\n… ({len(text) - limit:,} more characters not shown)"
    return f"{text[:limit]}\n… (cut at {limit:,} characters)"


def plain(value: Any, limit: int = MAX_TEXT) -> str:
    """A value as text: strings as they are, everything else as JSON (both bounded)."""
    return clip(value, limit) if isinstance(value, str) else to_json(value, limit=limit)


def short(value: Any, limit: int = 60) -> str:
    """A value on one short line (for sentences and summaries), plain text."""
    text = value if isinstance(value, str) else to_json(value, None, limit=limit + 10)
    text = " ".join(text[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
