"""Pure functions: a request or decision -> escaped HTML (and plain text).

The same functions serve the live widget, the static ``text/html`` of a saved notebook
and, later, Slack. Every string that came from an agent or a tool goes through
`escape` before it becomes markup.
"""

from __future__ import annotations

import html
import json
from typing import Any

from .model import Decision, ReviewRequest

MAX_TEXT = 20_000  # characters of any one value shown before folding


def escape(value: Any) -> str:
    """HTML-escape any value (non-strings are shown as JSON first)."""
    text = value if isinstance(value, str) else to_json(value)
    return html.escape(text, quote=True)


def to_json(value: Any, indent: int | None = 2) -> str:
    """Readable JSON for any value; objects JSON cannot encode are shown with ``str``."""
    try:
        return json.dumps(value, indent=indent, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return str(value)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit:,} more characters not shown)"


def title(request: ReviewRequest) -> str:
    """The card's heading, plain text."""
    return request.action or "review"


def summary_text(request: ReviewRequest) -> str:
    """One line of plain text: action, description, arguments."""
    parts = [title(request)]
    if request.description:
        parts.append(request.description.strip().splitlines()[0])
    if request.args not in ({}, None):
        parts.append(clip(to_json(request.args, None), 300))
    return " | ".join(parts)


def args_html(args: Any) -> str:
    """Arguments as a key/value table (dicts) or a preformatted block."""
    if isinstance(args, dict) and args:
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:1em;vertical-align:top'>"
            f"{escape(str(k))}</th><td><code>{escape(clip(_plain(v)))}</code></td></tr>"
            for k, v in args.items())
        return f"<table class='hitl-args'>{rows}</table>"
    if args in ({}, None, []):
        return ""
    return f"<pre class='hitl-args'>{escape(clip(_plain(args)))}</pre>"


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def decision_html(decision: Decision) -> str:
    """The one-line summary shown once a request is decided."""
    colour = "var(--jp-success-color1, #2e7d32)" if decision.approved \
        else "var(--jp-error-color1, #c62828)"
    return f"<div class='hitl-decision' style='color:{colour}'>{escape(decision.summary())}</div>"


def request_html(request: ReviewRequest) -> str:
    """The body of a card: heading, description, task, arguments."""
    parts = [f"<div class='hitl-title' style='font-weight:bold;font-size:1.1em'>"
             f"{escape(title(request))}</div>"]
    if request.count > 1:
        parts.append(f"<div class='hitl-meta'>action {request.index + 1} of {request.count}"
                     "</div>")
    if request.task:
        parts.append(f"<div class='hitl-task'><b>Task:</b> {escape(clip(request.task))}</div>")
    if request.description:
        parts.append(f"<div class='hitl-description' style='white-space:pre-wrap'>"
                     f"{escape(clip(request.description))}</div>")
    parts.append(args_html(request.args))
    return "".join(parts)


def card_html(request: ReviewRequest, decision: Decision | None = None) -> str:
    """A static card (for nbviewer/GitHub): the request, and its decision once made."""
    body = request_html(request)
    if decision is not None:
        body += decision_html(decision)
    else:
        body += (f"<div class='hitl-allowed'><i>awaiting review: "
                 f"{escape(', '.join(request.allowed))}</i></div>")
    return ("<div class='hitl-card' style='border:1px solid var(--jp-border-color1,#ccc);"
            "border-radius:4px;padding:8px;margin:4px 0'>" + body + "</div>")


def value_html(value: Any) -> str:
    """Any final value (a graph's result) as an escaped, folded JSON block."""
    return f"<pre class='hitl-result'>{escape(clip(to_json(value)))}</pre>"
