"""Pure functions: a request or decision -> escaped HTML (and plain text).

The card's functions live in `card`; the pieces they are built from in `html` (escaping,
JSON, styles), `parts` (arguments), `diff` / `diff_html` (edits), `signals` (confidence,
risk), `text` (plain text), `describe` (a tool's sentence) and `context` (the task and
steps read from the graph's state).

Example::

    from hitl_nb import render
    html = render.card_html(request)            # the whole static card
    text = render.card_text(request, decision)  # the same, as plain text
"""

from __future__ import annotations

from .card import (
    CAPS,
    LONG_TEXT,
    STEPS_CAP,
    action_html,
    card_html,
    card_text,
    context_html,
    decision_html,
    decision_line_html,
    decision_text,
    error_html,
    meta_html,
    request_html,
    sentence,
    signals_html,
    steps_html,
    summary_text,
    title,
    value_html,
)
from .diff_html import diff_html
from .html import clip, escape, fit, plain, short, to_json
from .parts import args_html, raw_json_html
from .signals import confidence_html, risk_html, uncertainty_html

__all__ = ["CAPS", "LONG_TEXT", "STEPS_CAP", "action_html", "args_html", "card_html",
           "card_text", "clip", "confidence_html", "context_html", "decision_html",
           "decision_line_html", "decision_text", "diff_html", "error_html", "escape", "fit",
           "meta_html", "plain", "raw_json_html", "request_html", "risk_html", "sentence", "short",
           "signals_html", "steps_html", "summary_text", "title", "to_json",
           "uncertainty_html", "value_html"]
