"""Pure functions: a request or decision -> escaped HTML (and plain text).

The same functions serve the live widget, the static ``text/html`` of a saved notebook
and Slack. Every string that came from an agent or a tool goes through `escape` before
it becomes markup; agent text never lands in an attribute, a URL or a style. Styles use
JupyterLab's CSS variables (with fallbacks), so cards follow the light and dark themes.
Output is bounded: long values fold, big structures are cut with a note saying how to see
the full value (``card.request.args[...]``, ``card.request.raw``).

Example::

    from hitl_nb import render
    html = render.card_html(request)            # the whole static card
    text = render.card_text(request, decision)  # the same, as plain text
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from ..model import Decision, ReviewRequest
from . import text as _lines
from .answers import answers_line
from .context import message_dict
from .describe import describe
from .diff_html import diff_html
from .html import (
    BAD,
    BOX,
    GOOD,
    MAX_TEXT,
    MONO,
    MUTED,
    clip,
    escape,
    fit,
    plain,
    short,
    to_json,
)
from .parts import args_html, raw_json_html
from .signals import _score, confidence_html, risk_html, uncertainty_html

__all__ = [
    "MAX_TEXT",
    "args_html",
    "card_html",
    "card_text",
    "clip",
    "confidence_html",
    "context_html",
    "decision_html",
    "decision_line_html",
    "decision_text",
    "diff_html",
    "error_html",
    "escape",
    "meta_html",
    "plain",
    "raw_json_html",
    "request_html",
    "risk_html",
    "sentence",
    "short",
    "signals_html",
    "steps_html",
    "summary_text",
    "title",
    "to_json",
    "uncertainty_html",
    "value_html",
]

MAX_STEPS, STEP_CHARS = 12, 2_000
STEPS_CAP = 25_000  # characters of HTML for the steps
LONG_TEXT = 2_000  # task / description characters shown


def _text(value: Any) -> str | None:
    """A free-text field as a string (payloads may carry anything there)."""
    if value is None or isinstance(value, str):
        return value or None
    return plain(value, LONG_TEXT)


def title(request: ReviewRequest) -> str:
    """The card's heading, plain text."""
    return request.action or "review"


def sentence(request: ReviewRequest) -> str:
    """The action in plain language (a registered describer, or the default)."""
    return describe(request)


def summary_text(request: ReviewRequest) -> str:
    """One line of plain text: action, what it does, description."""
    parts = [title(request)]
    said = sentence(request)
    if said != parts[0]:
        parts.append(said)
    description = (_text(request.description) or "").strip()
    if description:
        first = description.splitlines()[0]
        if first not in said:
            parts.append(first)
    return short(" | ".join(parts), 400)


# -- context ------------------------------------------------------------------------
def meta_html(request: ReviewRequest) -> str:
    """Where the request comes from: node, thread, when, "action i of n"."""
    bits = []
    if request.count > 1:
        bits.append(f"action {request.index + 1} of {request.count}")
    if request.node:
        bits.append(f"node <b>{escape(short(request.node, 80))}</b>")
    if request.thread_id:
        bits.append(f"thread <code>{escape(short(request.thread_id, 80))}</code>")
    if request.requested_at:
        when = request.requested_at.astimezone(timezone.utc)
        bits.append(f"requested {when:%Y-%m-%d %H:%M:%S} UTC")
    if not bits:
        return ""
    return f"<div class='hitl-meta' style='{MUTED}'>{' · '.join(bits)}</div>"


def context_html(request: ReviewRequest) -> str:
    """The original task and, collapsed, what the agent did so far."""
    parts = []
    task = _text(request.task)
    if task:
        parts.append(f"<div class='hitl-task'><b>Task:</b> <span style='white-space:pre-wrap'>"
                     f"{escape(clip(task, LONG_TEXT))}</span></div>")
    parts.append(steps_html(request.steps))
    return "".join(parts)


def steps_html(steps: list[Any]) -> str:
    """The agent's steps so far (messages, tool calls and results), collapsed."""
    if not steps:
        return ""
    newest_first = fit((f"<li style='margin:2px 0'>{_step(s)}</li>" for s in
                        reversed(steps[-MAX_STEPS:])), STEPS_CAP)
    items = "".join(reversed(newest_first))
    hidden = len(steps) - len(newest_first)
    note = (f"<div style='{MUTED}'>{hidden:,} earlier steps not shown "
            "(see card.request.steps)</div>" if hidden else "")
    return (f"<details class='hitl-steps' style='margin:4px 0'><summary>What the agent did so "
            f"far ({len(steps):,} step{'s' if len(steps) != 1 else ''})</summary>{note}"
            f"<ol start='{hidden + 1}' style='margin:2px 0;padding-left:2em'>{items}</ol>"
            "</details>")


def _step(step: Any) -> str:
    step = _message_dict(step)
    if not isinstance(step, dict):
        return f"<span style='white-space:pre-wrap'>{escape(plain(step, STEP_CHARS))}</span>"
    who = step.get("role") or step.get("type") or ("tool" if "tool" in step else "")
    name = step.get("name") or step.get("tool")
    head = f"<b>{escape(short(who, 30))}</b>" if who else ""
    if name:
        head += f" <code>{escape(short(name, 60))}</code>"
    body = []
    content = step.get("content", step.get("result", step.get("output")))
    if content not in (None, "", []):
        text = plain(content, STEP_CHARS)
        block = "display:block;margin-left:1em;" if "\n" in text.strip() else ""
        body.append(f"<span style='{block}white-space:pre-wrap'>{escape(text.strip())}</span>")
    if step.get("args") is not None:
        body.append(f"<code style='{MONO}'>{escape(short(step['args'], 300))}</code>")
    for call in (step.get("tool_calls") or [])[:5]:
        if isinstance(call, dict):
            body.append(f"→ calls <code>{escape(short(call.get('name'), 60))}</code>"
                        f"(<code style='{MONO}'>{escape(short(call.get('args'), 200))}</code>)")
    if not head and not body:
        body.append(f"<code style='{MONO}'>{escape(short(step, 300))}</code>")
    return f"{head}{': ' if head and body else ''}{' '.join(body)}"


def _message_dict(step: Any) -> Any:
    """LangChain messages (objects with ``type``/``content``) as plain dicts."""
    if isinstance(step, dict):
        return step
    return message_dict(step) or step


# -- the action ---------------------------------------------------------------------
def action_html(request: ReviewRequest) -> str:
    """The sentence, the description, the arguments as a table, the raw JSON toggle."""
    said = sentence(request)
    parts = [f"<div class='hitl-sentence' style='font-size:1.05em;margin:4px 0'>"
             f"{escape(said)}</div>"]
    description = (_text(request.description) or "").strip()
    if description and description.rstrip(".") not in said:
        parts.append(f"<div class='hitl-description' style='white-space:pre-wrap;{MUTED}'>"
                     f"{escape(clip(description, LONG_TEXT))}</div>")
    parts.append(args_html(request.args))
    if request.details:
        parts.append(f"<div class='hitl-details-label' style='{MUTED};margin-top:4px'>"
                     "Also in the request:</div>"
                     f"{args_html(request.details, 'card.request.details')}")
    if request.args not in (None, {}, []):
        parts.append(raw_json_html(request.args, "card.request.args"))
    answers = answers_line(request)
    if answers:
        parts.append(f"<div class='hitl-answers' style='{MUTED};margin-top:4px'>"
                     f"{escape(answers)}</div>")
    return "".join(parts)


def signals_html(request: ReviewRequest) -> str:
    """Confidence (always shown, "not given" when missing), uncertainty, risk."""
    return (f"<div class='hitl-signals' style='{BOX}'>{confidence_html(request.confidence)}"
            f"{uncertainty_html(request.uncertainty)}{risk_html(request.risk)}</div>")


# -- the whole card -----------------------------------------------------------------
def request_html(request: ReviewRequest) -> str:
    """The body of a card: heading, context, the action, the diff, confidence and risk."""
    parts = [f"<div class='hitl-title' style='font-weight:bold;font-size:1.15em'>"
             f"{escape(short(title(request), 200))}</div>", meta_html(request),
             _capped(context_html(request), "the context", "card.request.task / .steps",
                     CAPS["context"]),
             _capped(action_html(request), "the arguments", "card.request.args",
                     CAPS["action"])]
    if request.before is not None or request.after is not None:
        parts.append(_capped(diff_html(request.before, request.after), "the diff",
                             "card.request.before / .after", CAPS["diff"]))
    parts.append(_capped(signals_html(request), "the confidence and risk notes",
                         "card.request.uncertainty / .risk", CAPS["signals"]))
    return (f"<div class='hitl-body' style='line-height:1.45;overflow-wrap:anywhere'>"
            f"{''.join(parts)}</div>")


#: Characters of HTML each part of a card may take: a last guard that keeps a card under
#: ~200 KB whatever the payload (escaping can grow text up to six times).
CAPS = {"context": 40_000, "action": 64_000, "diff": 32_000, "signals": 16_000,
        "decision": 32_000}


def _capped(markup: str, what: str, where: str, cap: int) -> str:
    """``markup`` when it fits ``cap``, else a note saying what was left out and where
    the full value is (the whole card then stays under ~200 KB whatever the payload)."""
    if len(markup) <= cap:
        return markup
    return (f"<div class='hitl-truncated' style='{MUTED}'>{escape(what)} would take "
            f"{len(markup) // 1000:,} KB here and is not shown; see "
            f"<code>{escape(where)}</code></div>")


def decision_text(decision: Decision) -> str:
    """The decision in one line of plain text."""
    return clip(decision.summary(), 600)


def decision_line_html(decision: Decision) -> str:
    """The decision as one coloured line (a ``span``): mark, who, what, when, comment."""
    mark, colour = ("✓", GOOD) if decision.approved else ("✗", BAD)
    if decision.type == "respond":
        mark, colour = "↩", "var(--jp-info-color1,#0097a7)"
    return (f"<span class='hitl-decision' style='color:{colour};font-weight:bold'>{mark} "
            f"{escape(decision_text(decision))}</span>")


def decision_html(decision: Decision, request: ReviewRequest | None = None,
                  line: str | None = None) -> str:
    """The one-line summary shown once a request is decided (and an edit's diff);
    ``line``: its `decision_line_html`, when the caller has it already."""
    extra = ""
    if decision.type == "edit" and request is not None:
        extra = diff_html(request.args, decision.args, "Edited arguments")
    elif decision.type == "respond" and decision.response is not None:
        extra = (f"<pre class='hitl-response' style='{MONO};white-space:pre-wrap'>"
                 f"{escape(plain(decision.response, 5_000))}</pre>")
    extra = _capped(extra, "the edited arguments or response", "card.decision",
                    CAPS["decision"])
    return f"<div>{line or decision_line_html(decision)}</div>{extra}"


def card_html(request: ReviewRequest, decision: Decision | None = None) -> str:
    """A static card (nbviewer/GitHub): the request; once decided, a one-line summary
    that expands to the request."""
    style = ("border:1px solid var(--jp-border-color1,#bdbdbd);border-radius:6px;"
             "padding:8px 12px;margin:4px 0;"
             "background:var(--jp-layout-color1,transparent);"
             "font-family:var(--jp-ui-font-family,sans-serif);max-width:60em")
    body = request_html(request)
    if decision is None:
        allowed = ", ".join(a for a in request.allowed)
        return (f"<div class='hitl-card' style='{style}'>{body}<div class='hitl-allowed' "
                f"style='{MUTED}'><i>awaiting review: {escape(allowed)}</i></div></div>")
    return (f"<div class='hitl-card hitl-card-decided' style='{style}'>"
            f"<details class='hitl-collapsed'><summary>{escape(short(title(request), 120))}"
            f" — {decision_line_html(decision)}</summary>{body}"
            f"{decision_html(decision, request)}</details></div>")


def card_text(request: ReviewRequest, decision: Decision | None = None) -> str:
    """The card as plain text (``text/plain``, logs, terminals): the sentence, the
    description, every argument, the diff, confidence, uncertainty notes and risk."""
    said = sentence(request)
    lines = [f"[review] {title(request)}", f"  {said}"]
    description = (_text(request.description) or "").strip()
    if description and description.rstrip(".") not in said:
        lines += [f"  {line}" for line in _lines.description_text(description)]
    if _text(request.task):
        lines.append(f"  task: {short(request.task, 200)}")
    args = _lines.args_text(request.args)
    if args:
        lines.append("  arguments:")
        lines += [f"    {line}" for line in args]
    details = _lines.args_text(request.details) if request.details else []
    if details:
        lines.append("  also in the request:")
        lines += [f"    {line}" for line in details]
    answers = answers_line(request)
    if answers:
        lines.append(f"  {answers}")
    if request.before is not None or request.after is not None:
        lines.append("  what would change:")
        lines += [f"    {line}" for line in _lines.diff_text(request.before, request.after)]
    conf = "not given" if request.confidence is None else f"{round(request.confidence * 100)}%"
    lines.append(f"  confidence: {conf}")
    lines += [f"  uncertain: {short(note, 300)}" for note in request.uncertainty[:10]]
    if request.risk is not None:
        lines.append(f"  risk: {request.risk.tier} ({_score(request.risk.score)})")
        lines += [f"    {short(reason, 200)}" for reason in request.risk.reasons[:5]]
    lines.append(f"  {decision_text(decision)}" if decision else
                 f"  awaiting review: {', '.join(request.allowed)}")
    return "\n".join(lines)


def error_html(error: BaseException, note: str = "") -> str:
    """An error as one escaped line, its type in bold; ``note`` is trusted HTML after it.

    Example::

        error_html(ValueError("no such tool"))   # "<div class='hitl-error'><b>ValueError..."
    """
    return (f"<div class='hitl-error'><b>{escape(type(error).__name__)}</b>: "
            f"{escape(str(error))}{note}</div>")


def value_html(value: Any) -> str:
    """Any final value (a graph's result) as an escaped, folded JSON block."""
    return (f"<pre class='hitl-result' style='{MONO};white-space:pre-wrap'>"
            f"{escape(to_json(value, limit=MAX_TEXT))}</pre>")
