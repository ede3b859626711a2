"""Slack text helpers: escape agent text for mrkdwn, cut to Slack's limits with a note.

Slack's mrkdwn has three control characters, ``&``, ``<`` and ``>``: ``<!channel>``,
``<@U123>`` and ``<https://x|label>`` only exist when a ``<`` reaches Slack unescaped.
`escape` turns them into entities, so agent text can never ping or link; text objects
built here also set ``verbatim`` so Slack does not auto-link bare URLs or channel names.

Example::

    >>> escape("<!channel> & co")
    '&lt;!channel&gt; &amp; co'
"""

from __future__ import annotations

import re
from typing import Any

from ... import render

# Slack's documented limits (https://docs.slack.dev/reference/block-kit)
MAX_BLOCKS = 50
MAX_TEXT = 3000            # any text object (section text, context element)
MAX_FIELD = 2000           # one item of a section's fields
MAX_FIELDS = 10            # fields per section
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75       # Slack documents 75 for buttons (the 150 is the header's)
MAX_VALUE = 2000           # a button's value
MAX_ID = 255               # action_id / block_id
MAX_CONTEXT_ELEMENTS = 10
MAX_MODAL_TITLE = 24
MAX_METADATA = 3000        # a view's private_metadata
MAX_INPUT = 3000           # a plain_text_input's value

_ENTITY = re.compile(r"&[a-z]{0,4}$")


def escape(value: Any) -> str:
    """Agent text (or any value, shown as JSON) with ``&``, ``<``, ``>`` escaped for Slack.

    Never raises: a value JSON cannot encode is shown as its ``str``.

    Example::

        slack.escape("<!channel> & co")     # "&lt;!channel&gt; &amp; co"
    """
    text = value if isinstance(value, str) else render.to_json(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int, note: str = "… (cut)") -> str:
    """``text`` (already escaped) cut to at most ``limit`` characters, ending in ``note``.

    Never splits an entity such as ``&amp;`` (a half entity would show as garbage).
    """
    if len(text) <= limit:
        return text
    keep = max(0, limit - len(note))
    head = _ENTITY.sub("", text[:keep])
    return (head + note)[:limit]


def cut_note(text: str, limit: int) -> str:
    """`cut` with a note that says how many characters were left out."""
    if len(text) <= limit:
        return text
    note = f"\n… ({len(text) - limit + 40:,} more characters not shown)"
    return cut(text, limit, note)


def code(text: str) -> str:
    """Escaped text as a mrkdwn code block (a ``` inside cannot close it early)."""
    return "```" + escape(text).replace("```", "`\u200b``") + "```"


def inline(text: str) -> str:
    """Escaped text as inline code (backticks inside become look-alikes)."""
    return "`" + escape(text).replace("`", "ˋ").replace("\n", " ") + "`"


def code_block(text: str, limit: int, prefix: str = "") -> str:
    """``prefix`` + a code block of ``text``, the whole at most ``limit`` characters."""
    whole = prefix + code(text)
    if len(whole) <= limit:
        return whole
    budget = limit - len(prefix) - 6 - 60
    body = cut(escape(text).replace("```", "`\u200b``"), max(0, budget), "")
    left = len(text) - len(body)
    return f"{prefix}```{body}```\n… (about {max(left, 1):,} more characters not shown)"[:limit]


def mrkdwn(text: str) -> dict[str, Any]:
    """A verbatim mrkdwn text object (no auto-linking), cut to ``MAX_TEXT``."""
    return {"type": "mrkdwn", "text": cut_note(text, MAX_TEXT), "verbatim": True}


def plain(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    """A plain_text object (Slack shows it literally), cut to ``limit``."""
    text = text if text.strip() else "(empty)"
    return {"type": "plain_text", "text": cut(text, limit, "…"), "emoji": False}
