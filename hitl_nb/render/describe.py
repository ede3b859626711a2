"""The action in plain language: one sentence a reviewer reads before anything else.

Register a describer for your own tool; it gets the arguments (and, when it takes two
parameters, the whole `ReviewRequest`) and returns a sentence::

    @hitl_nb.describer("send_email")
    def _(args):
        return f"Send an email to {args['to']} with subject {args['subject']!r}"

Without one, the sentence comes from the tool's name and its argument names
("Send email to cfo@example.com, subject “Q3 numbers”"). A describer that raises or
returns a non-string falls back to that default, so a card always renders.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from ..model import ReviewRequest
from .html import short

Describer = Callable[..., str]

_DESCRIBERS: dict[str, Describer] = {}

#: Argument names read as a preposition ("to cfo@…") rather than "name value".
_PREPOSITIONS = {
    "to": "to", "recipient": "to", "recipients": "to", "email": "to", "cc": "cc",
    "path": "at", "file": "at", "filename": "at", "file_path": "at", "url": "at",
    "query": "for", "q": "for", "amount": "of", "channel": "in", "table": "in",
    "subject": "with subject", "title": "titled", "id": "#",
}
MAX_ARGS = 3  # arguments named in the default sentence
COUNT_LINES = 1_000_000  # characters of a text argument whose lines the sentence counts


def describer(action: str) -> Callable[[Describer], Describer]:
    """Decorator: use ``fn(args)`` (or ``fn(args, request)``) to describe ``action``.

    The sentence it returns heads the card (plain text, escaped); a describer that raises
    or returns nothing falls back to the default sentence, so it never breaks a card.
    Raises `ValueError` when ``action`` is not a non-empty string.

    Example::

        @hitl_nb.describer("send_email")
        def _(args):
            return f"Email {args['to']}: {args['subject']!r}"
    """
    if not isinstance(action, str) or not action:
        raise ValueError("describer() needs the tool or action name, e.g. 'send_email'")

    def register(fn: Describer) -> Describer:
        _DESCRIBERS[action] = fn
        return fn

    return register


def unregister(action: str) -> None:
    """Forget the describer of ``action`` (tests, notebooks re-run from the top)."""
    _DESCRIBERS.pop(action, None)


def describe(request: ReviewRequest) -> str:
    """One plain-text sentence saying what the agent wants to do (never raises)."""
    fn = _DESCRIBERS.get(request.action)
    if fn is not None:
        try:
            text = fn(request.args, request) if _takes_two(fn) else fn(request.args)
        except Exception:  # a user's describer must not break the card
            text = None
        if isinstance(text, str) and text.strip():
            return text.strip()
    return default_sentence(request)


def default_sentence(request: ReviewRequest) -> str:
    """"Send email to a@b.c, subject “Hi”" from the action name and argument names."""
    action = request.action or "review"
    # An action that is already a phrase ("Email the CFO the Q3 summary") reads as is;
    # a tool name is read as words, or replaced by the first sentence of its description.
    lead = _lead_sentence(request.description)
    head = action if " " in action.strip() else lead or humanize(action)
    args = request.args
    if isinstance(args, dict) and args:
        parts = [_phrase(str(k), v) for k, v in list(args.items())[:MAX_ARGS]]
        rest = len(args) - MAX_ARGS
        if rest > 0:
            parts.append(f"and {rest} more argument{'s' if rest > 1 else ''}")
        return f"{head}{':' if head is lead else ''} {', '.join(parts)}"
    if args not in (None, {}, [], ""):
        return f"{head}: {short(args)}"
    return head


def _lead_sentence(description: Any) -> str | None:
    """The first sentence of a tool's description when it is short and says something."""
    if not isinstance(description, str) or not description.strip():
        return None
    first = re.split(r"(?<=[.!?])\s|\n", description.strip(), maxsplit=1)[0].strip()
    first = first.rstrip(".")
    if not first or len(first) > 80 or first.lower().startswith(_BOILERPLATE):
        return None
    return first


#: Descriptions that frameworks write for every tool (they say nothing about this one).
_BOILERPLATE = ("tool execution requires approval", "tool execution pending approval",
                "please approve", "please review", "approve or reject")


def humanize(name: str) -> str:
    """``send_email`` / ``sendEmail`` / ``send-email`` -> ``Send email``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    words = " ".join(words.split()).lower()
    return words[:1].upper() + words[1:] if words else "Review"


def _phrase(key: str, value: Any) -> str:
    if isinstance(value, str) and (len(value) > 80 or "\n" in value.strip()):
        # Lines are counted in place (no copy); past COUNT_LINES characters the size is
        # given in characters, so a 10 MB argument costs no more than a 1 MB one.
        start, end = _stripped(value)
        lines = value.count("\n", start, end) + 1 if len(value) <= COUNT_LINES else 1
        size = f"{lines} lines" if lines > 1 else f"{len(value):,} characters"
        return f"{humanize(key).lower()} ({size})"
    if isinstance(value, (dict, list)) and len(short(value, 200)) > 40:
        unit = "key" if isinstance(value, dict) else "item"
        return f"{humanize(key).lower()} ({len(value)} {unit}{'s' if len(value) != 1 else ''})"
    shown = f"“{short(value)}”" if isinstance(value, str) else short(value)
    prep = _PREPOSITIONS.get(key.lower())
    if prep == "#":
        return f"#{short(value, 30)}"
    if prep:
        return f"{prep} {shown}"
    return f"{humanize(key).lower()} {shown}"


def _stripped(text: str) -> tuple[int, int]:
    """Where ``text.strip()`` starts and ends in ``text`` (without copying a long text)."""
    head, tail = text[:256], text[-256:]
    start = len(head) - len(head.lstrip()) if head.strip() else len(text) - len(text.lstrip())
    end = (len(text) - len(tail) + len(tail.rstrip()) if tail.strip()
           else len(text.rstrip()))
    return start, max(start, end)


def _takes_two(fn: Describer) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
