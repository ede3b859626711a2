"""A rough HTML preview of Block Kit blocks, for notebooks (not Slack's exact look).

Example::

    slack.preview(slack.blocks(request))     # displays as HTML in a notebook
"""

from __future__ import annotations

import html
import re
from typing import Any

_LINK = re.compile(r"<(https?://[^|<>\s]+)\|([^<>]+)>")  # only ours: agent "<" is escaped
_CODEBLOCK = re.compile(r"```(.*?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def _unslack(raw: str) -> str:
    """Slack-escaped text -> HTML-escaped text (entities back to characters, escaped once)."""
    return html.escape(raw.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    raw = obj.get("text", "")
    if obj.get("type") != "mrkdwn":
        return _unslack(raw)
    parts, last = [], 0
    for m in _LINK.finditer(raw):   # real "<url|label>" links: only ones we wrote
        parts.append(_format(_unslack(raw[last:m.start()])))
        parts.append(f"<a href='{html.escape(m.group(1))}'>{_unslack(m.group(2))}</a>")
        last = m.end()
    parts.append(_format(_unslack(raw[last:])))
    return "".join(parts)


def _format(safe: str) -> str:
    safe = _CODEBLOCK.sub(lambda m: f"<pre style='{_PRE}'>{m.group(1)}</pre>", safe)
    safe = _CODE.sub(r"<code>\1</code>", safe)
    safe = _BOLD.sub(r"<b>\1</b>", safe)
    safe = _ITALIC.sub(r"<i>\1</i>", safe)
    for code, char in _EMOJI.items():
        safe = safe.replace(code, char)
    return safe.replace("\n", "<br>")


_PRE = "background:#f6f6f6;padding:4px;margin:2px 0;white-space:pre-wrap;word-break:break-all"
_EMOJI = {":white_check_mark:": "✅", ":no_entry:": "⛔", ":pencil2:": "✏️",
          ":speech_balloon:": "💬", ":scissors:": "✂️"}
_COLOURS = {"primary": "#007a5a", "danger": "#e01e5a"}


def _block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        return f"<div style='font-size:1.2em;font-weight:bold'>{_text(block['text'])}</div>"
    if kind == "divider":
        return "<hr style='margin:4px 0'>"
    if kind == "context":
        parts = " · ".join(_text(e) for e in block.get("elements", ()))
        return f"<div style='color:#616061;font-size:0.9em'>{parts}</div>"
    if kind == "section":
        out = f"<div>{_text(block.get('text'))}</div>" if block.get("text") else ""
        fields = "".join(f"<div style='padding:2px 4px'>{_text(f)}</div>"
                         for f in block.get("fields", ()))
        if fields:
            out += f"<div style='display:grid;grid-template-columns:1fr 1fr'>{fields}</div>"
        return out
    if kind == "actions":
        buttons = "".join(
            f"<span style='display:inline-block;border:1px solid #ccc;border-radius:4px;"
            f"padding:2px 10px;margin-right:6px;color:{'#fff' if e.get('style') else '#000'};"
            f"background:{_COLOURS.get(e.get('style', ''), '#fff')}'>{_text(e.get('text'))}"
            "</span>" for e in block.get("elements", ()))
        return f"<div style='margin-top:4px'>{buttons}</div>"
    return f"<div><i>{html.escape(str(kind))} block</i></div>"


class Preview:
    """Blocks shown as HTML in a notebook (``_repr_html_``); ``.html`` is the string.

    ``blocks``: Block Kit blocks (`blocks`' result); unknown block types show as a note,
    never raise. `preview` builds one.

    Example::

        slack.Preview(slack.blocks(request)).html
    """

    def __init__(self, blocks: list[dict[str, Any]]) -> None:
        self.blocks = blocks
        self.html = ("<div class='hitl-slack-preview' style='border:1px solid #ddd;"
                     "border-left:4px solid #4a154b;border-radius:4px;padding:8px;"
                     "font-family:sans-serif;max-width:40em'>"
                     + "".join(_block(b) for b in blocks) + "</div>")

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        kinds = ", ".join(str(b.get("type")) for b in self.blocks)
        return f"Preview({len(self.blocks)} blocks: {kinds})"


def preview(blocks: list[dict[str, Any]]) -> Preview:
    """An HTML preview of ``blocks`` (escaped: agent text stays text). A rough look, not
    Slack's exact one; it never raises for unknown blocks.

    Example::

        slack.preview(slack.blocks(session.pending[0]))    # in a notebook: the message
    """
    return Preview(blocks)
