"""A `ReviewRequest` as Slack Block Kit, from the same model and render layer as the card.

Layout: header, the action in plain language, context (task, thread, requested at),
the arguments as fields, a diff in a code block, confidence and risk reasons, then the
buttons the request allows (Approve primary, Reject danger with a confirm dialog, Edit,
Respond). Once decided, the buttons give way to who decided what and when.
Every piece of agent text is escaped and cut to Slack's limits; whatever was cut is
said in a visible note with a pointer to the full request.

Example::

    from hitl_nb import slack
    client.chat_postMessage(channel="#reviews", blocks=slack.blocks(request),
                            text=slack.fallback_text(request))
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ... import render
from ...model import Decision, ReviewRequest
from ._mrkdwn import (
    MAX_BLOCKS,
    MAX_BUTTON_TEXT,
    MAX_FIELD,
    MAX_FIELDS,
    MAX_HEADER,
    MAX_ID,
    MAX_TEXT,
    MAX_VALUE,
    code_block,
    cut,
    escape,
    inline,
    mrkdwn,
    plain,
)

ACTION_PREFIX = "hitl_nb:"
LABELS = {"approve": "Approve", "reject": "Reject", "edit": "Edit", "respond": "Respond"}
VERBS = {"approve": ":white_check_mark: Approved", "reject": ":no_entry: Rejected",
         "edit": ":pencil2: Edited and approved", "respond": ":speech_balloon: Answered"}
_FIXED = 9  # header, action, context, diff, signals, cut note, divider, decision, retry


def request_key(request: ReviewRequest) -> str:
    """What a button carries to find its request again: compact JSON of (thread, interrupt,
    index). Raises ``ValueError`` when the ids are too long for Slack (2,000 characters)."""
    value = json.dumps({"t": request.thread_id, "i": request.interrupt_id, "n": request.index},
                       separators=(",", ":"), ensure_ascii=False)
    if len(value) > MAX_VALUE:
        raise ValueError(
            f"thread id + interrupt id take {len(value)} characters; a Slack button value holds "
            f"{MAX_VALUE}. Use a shorter thread_id for requests reviewed in Slack.")
    return value


def parse_key(value: str) -> tuple[str, str, int]:
    """The (thread_id, interrupt_id, index) a button's value carries (`request_key`'s
    inverse); raises `ValueError` / `KeyError` for a value it did not write."""
    data = json.loads(value)
    return str(data["t"]), str(data["i"]), int(data["n"])


def fallback_text(request: ReviewRequest, decision: Decision | None = None) -> str:
    """The notification text (shown where blocks cannot be: push, screen readers)."""
    head = f"Review needed: {render.summary_text(request)}" if decision is None \
        else f"{render.title(request)}: {decision.summary()}"
    return cut(escape(head), MAX_TEXT, "…")


def blocks(request: ReviewRequest, decision: Decision | None = None, *,
           link: str | None = None, note: str | None = None,
           retry: bool = False) -> list[dict[str, Any]]:
    """Block Kit blocks for ``request``: buttons while pending, the ``decision`` once made.

    ``link`` (a trusted URL, e.g. the notebook or Voila page) is where the full request
    lives when something had to be cut; without it the note names thread and interrupt.
    ``note`` is an extra line under the decision (e.g. "resume failed: ...") and ``retry``
    adds a button that applies a recorded decision whose resume failed. Long text is cut
    to Slack's limits, with a note saying so. Raises `ValueError` when the request's
    thread and interrupt ids are too long for a button's value (2,000 characters).

    Example::

        blocks = slack.blocks(session.pending[0], link="https://lab.example.com/nb")
        client.chat_postMessage(channel="#reviews", blocks=blocks, text="review needed")
    """
    cuts: list[str] = []
    out: list[dict[str, Any]] = [_header(request)]
    out.append({"type": "section", "block_id": "hitl_nb:action", "text": _action(request, cuts)})
    out.append({"type": "context", "block_id": "hitl_nb:context",
                "elements": _context(request, cuts)})
    budget = MAX_BLOCKS - _FIXED
    out += _args(request, budget, cuts)
    if request.before is not None or request.after is not None:
        out.append({"type": "section", "block_id": "hitl_nb:diff",
                    "text": mrkdwn(_diff(request, cuts))})
    signals = _signals(request, cuts)
    if signals:
        out.append({"type": "section", "block_id": "hitl_nb:signals", "text": mrkdwn(signals)})
    if cuts:
        out.append({"type": "context", "block_id": "hitl_nb:cut",
                    "elements": [mrkdwn(_cut_note(request, cuts, link))]})
    out.append({"type": "divider"})
    if decision is None and request.allowed:
        out.append(_buttons(request))
    elif decision is not None:
        out.append(decided_block(decision, note))
        if retry:
            out.append({"type": "actions", "block_id": "hitl_nb:retry", "elements": [{
                "type": "button", "action_id": ACTION_PREFIX + "retry",
                "text": plain("Retry resume"), "value": request_key(request)}]})
    return out


def decided_block(decision: Decision, note: str | None = None) -> dict[str, Any]:
    """The section that replaces the buttons: who decided what, when, and their comment."""
    who = escape(decision.reviewer or "someone")
    when = f"{decision.decided_at:%Y-%m-%d %H:%M:%S} UTC" if decision.decided_at else ""
    text = f"*{VERBS[decision.type]} by {who}*" + (f" at {when}" if when else "")
    if decision.comment:
        text += "\n>" + escape(decision.comment).replace("\n", "\n>")
    if decision.type == "edit" and decision.args is not None:
        text += "\n" + code_block(render.to_json(decision.args), 1500, "New arguments:\n")
    if decision.type == "respond" and decision.response is not None:
        text += "\n" + code_block(render.to_json(decision.response) if not isinstance(
            decision.response, str) else decision.response, 1500, "Answer:\n")
    if note:
        text += "\n_" + escape(note) + "_"
    return {"type": "section", "block_id": "hitl_nb:decision", "text": mrkdwn(text)}


# -- pieces ---------------------------------------------------------------------------------
def _header(request: ReviewRequest) -> dict[str, Any]:
    return {"type": "header", "block_id": "hitl_nb:header",
            "text": plain(escape(f"Review: {render.title(request)}"), MAX_HEADER)}


def _action(request: ReviewRequest, cuts: list[str]) -> dict[str, Any]:
    text = f"The agent wants to run {inline(render.title(request))}"
    if request.count > 1:
        text += f" (action {request.index + 1} of {request.count})"
    text += "."
    if request.description:
        text += "\n" + escape(request.description.strip())
    if len(text) > MAX_TEXT:
        cuts.append("the description")
    return mrkdwn(text)


def _context(request: ReviewRequest, cuts: list[str]) -> list[dict[str, Any]]:
    items = []
    if request.task:
        task = escape(request.task)
        if len(task) > 1500:
            cuts.append("the task")
        items.append(mrkdwn("*Task:* " + cut(task, 1500)))
    where = f"*Thread:* {inline(request.thread_id or '?')}"
    if request.node:
        where += f" · *Node:* {inline(request.node)}"
    items.append(mrkdwn(cut(where, 1000, "…`")))
    if request.requested_at:
        items.append(mrkdwn(f"*Requested:* {request.requested_at:%Y-%m-%d %H:%M:%S} UTC"))
    return items


def _field(key: str, value: Any, cuts: list[str]) -> dict[str, Any]:
    text = value if isinstance(value, str) else render.to_json(value)
    name = cut(f"*{escape(key)}*\n", 200, "…*\n")
    codey = "\n" in text or len(text) > 60
    full = name + (code_block(text, 10**9) if codey else escape(text))
    if len(full) > MAX_FIELD:
        cuts.append(f"argument {key[:40]!r}")
        room = MAX_FIELD - len(name)
        full = name + (code_block(text, room) if codey else cut(escape(text), room))
    return {"type": "mrkdwn", "text": full, "verbatim": True}


def _args(request: ReviewRequest, budget: int, cuts: list[str]) -> list[dict[str, Any]]:
    args = request.args
    if args in ({}, None, [], ""):
        return []
    if not isinstance(args, dict):
        text = args if isinstance(args, str) else render.to_json(args)
        block = code_block(text, MAX_TEXT, "*Arguments*\n")
        if "more characters not shown" in block:
            cuts.append("the arguments")
        return [{"type": "section", "block_id": "hitl_nb:args", "text": mrkdwn(block)}]
    items = list(args.items())
    shown = items[: budget * MAX_FIELDS]
    if len(shown) < len(items):
        cuts.append(f"{len(items) - len(shown)} more arguments")
    out = []
    for start in range(0, len(shown), MAX_FIELDS):
        fields = [_field(str(k), v, cuts) for k, v in shown[start:start + MAX_FIELDS]]
        section: dict[str, Any] = {"type": "section", "fields": fields,
                                   "block_id": f"hitl_nb:args:{start // MAX_FIELDS}"}
        if start == 0:
            section["text"] = mrkdwn("*Arguments*")
        out.append(section)
    return out


def diff_text(before: Any, after: Any) -> str:
    """A unified diff of ``before`` -> ``after`` (strings as they are, else JSON)."""
    def lines(value: Any) -> list[str]:
        text = value if isinstance(value, str) else render.to_json(value)
        return [line + "\n" for line in text.splitlines()]
    out = "".join(difflib.unified_diff(lines(before), lines(after), "before", "after", n=2,
                                       lineterm="\n"))
    return out or "(no change)"


def _diff(request: ReviewRequest, cuts: list[str]) -> str:
    text = code_block(diff_text(request.before, request.after), MAX_TEXT, "*What would change*\n")
    if "more characters not shown" in text:
        cuts.append("the diff")
    return text


def _signals(request: ReviewRequest, cuts: list[str]) -> str:
    lines = []
    if request.confidence is not None:
        lines.append(f"*Confidence:* {request.confidence:.0%}")
    if request.risk is not None:
        lines.append(f"*Risk:* {escape(request.risk.tier)} (score {request.risk.score:.2f})")
        lines += [f"• {escape(r)}" for r in request.risk.reasons]
    if request.uncertainty:
        lines.append("*Uncertain about:*")
        lines += [f"• {escape(u)}" for u in request.uncertainty]
    text = "\n".join(lines)
    if len(text) > MAX_TEXT:
        cuts.append("the risk reasons")
    return text


def _cut_note(request: ReviewRequest, cuts: list[str], link: str | None) -> str:
    what = escape(", ".join(dict.fromkeys(cuts)))
    where = (f"<{link}|open the full request>" if link else
             f"full request: thread {inline(request.thread_id)}, interrupt "
             f"{inline(request.interrupt_id)}, in the notebook "
             "(`hitl_nb.review(graph, None, thread_id=...)`)")
    return cut(f":scissors: Cut to fit Slack: {what}. {where}", MAX_TEXT, "…")


def _buttons(request: ReviewRequest) -> dict[str, Any]:
    value = request_key(request)
    elements = []
    for kind in request.allowed:
        button: dict[str, Any] = {
            "type": "button", "action_id": (ACTION_PREFIX + kind)[:MAX_ID],
            "text": plain(LABELS[kind], MAX_BUTTON_TEXT), "value": value}
        if kind == "approve":
            button["style"] = "primary"
        if kind == "reject":
            button["style"] = "danger"
            button["confirm"] = {
                "title": plain("Reject this action?", 100),
                "text": plain(escape(f"Reject {render.title(request)}? You can add a comment "
                                     "next."), 300),
                "confirm": plain("Reject", 30), "deny": plain("Cancel", 30),
                "style": "danger"}
        elements.append(button)
    return {"type": "actions", "block_id": "hitl_nb:buttons", "elements": elements}
