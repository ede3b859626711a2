"""Modals for the decisions that need more than a click: Reject (optional comment),
Edit (one field per argument) and Respond (an answer), and reading their submissions.

A view's ``private_metadata`` carries the request's key and the message to update; the
request itself is loaded again from the graph when the modal is submitted.
"""

from __future__ import annotations

import json
from typing import Any

from ... import render
from ...errors import ModalErrors
from ...model import Decision, InvalidResponse, ReviewRequest
from ._blocks import ACTION_PREFIX
from ._mrkdwn import MAX_INPUT, MAX_METADATA, MAX_MODAL_TITLE, cut, escape, inline, mrkdwn, plain

MAX_ARG_INPUTS = 90   # a modal holds 100 blocks


def _view(kind: str, title: str, submit: str, meta: dict[str, Any],
          body: list[dict[str, Any]]) -> dict[str, Any]:
    metadata = json.dumps(meta, separators=(",", ":"), ensure_ascii=False)
    if len(metadata) > MAX_METADATA:
        raise InvalidResponse("this request's ids are too long for a Slack modal; decide it "
                              "in the notebook")
    return {"type": "modal", "callback_id": ACTION_PREFIX + kind,
            "title": plain(title, MAX_MODAL_TITLE), "submit": plain(submit, MAX_MODAL_TITLE),
            "close": plain("Cancel", MAX_MODAL_TITLE), "private_metadata": metadata,
            "blocks": body}


def _about(request: ReviewRequest) -> dict[str, Any]:
    text = f"{inline(render.title(request))}"
    if request.description:
        text += "\n" + cut(escape(request.description), 1500, "…")
    return {"type": "section", "text": mrkdwn(text)}


def _text_input(block_id: str, label: str, *, optional: bool, multiline: bool = True,
                initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value",
                               "multiline": multiline, "max_length": MAX_INPUT}
    if initial:
        element["initial_value"] = initial
    return {"type": "input", "block_id": block_id, "optional": optional,
            "label": plain(escape(label), 2000), "element": element}


def _comment() -> dict[str, Any]:
    return _text_input("comment", "Comment (optional)", optional=True)


def reject_view(request: ReviewRequest, meta: dict[str, Any]) -> dict[str, Any]:
    """A modal asking for an optional comment before rejecting."""
    return _view("reject", "Reject", "Reject", meta, [_about(request), _comment()])


def respond_view(request: ReviewRequest, meta: dict[str, Any]) -> dict[str, Any]:
    """A modal for a free (or JSON, when the request has a schema) answer."""
    label = "Your answer (JSON)" if request.response_schema else "Your answer"
    return _view("respond", "Respond", "Send", meta,
                 [_about(request), _text_input("answer", label, optional=False)])


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else render.to_json(value, None)


def edit_view(request: ReviewRequest, meta: dict[str, Any]) -> dict[str, Any]:
    """A modal with one field per argument (strings as they are, other values as JSON).

    Too many or too long arguments fall back to one JSON field; arguments over Slack's
    3,000 characters per field raise `InvalidResponse` (edit them in the notebook).
    """
    args = request.args if isinstance(request.args, dict) else {}
    texts = [_as_text(v) for v in args.values()]
    if len(args) <= MAX_ARG_INPUTS and all(len(t) <= MAX_INPUT for t in texts):
        fields = [_text_input(f"arg:{i}", str(key) + ("" if isinstance(v, str) else " (JSON)"),
                              optional=True, multiline=len(t) > 60 or "\n" in t, initial=t)
                  for i, ((key, v), t) in enumerate(zip(args.items(), texts, strict=True))]
    else:
        whole = render.to_json(args)
        if len(whole) > MAX_INPUT:
            raise InvalidResponse(
                f"the arguments of {request.action!r} are too long to edit in Slack "
                f"({len(whole):,} characters, a field holds {MAX_INPUT:,}); edit them in the "
                "notebook")
        fields = [_text_input("args:json", "Arguments (JSON)", optional=False, initial=whole)]
    return _view("edit", "Edit", "Approve edit", meta, [_about(request), *fields, _comment()])


def _values(view: dict[str, Any]) -> dict[str, str | None]:
    state = view.get("state", {}).get("values", {})
    return {block: (actions.get("value") or {}).get("value") for block, actions in state.items()}


def read(kind: str, request: ReviewRequest, view: dict[str, Any]) -> Decision:
    """The `Decision` a submitted modal asks for; `ModalErrors` names the bad fields."""
    values = _values(view)
    comment = (values.get("comment") or "").strip() or None
    if kind == "reject":
        return Decision("reject", comment=comment)
    if kind == "respond":
        text = values.get("answer") or ""
        answer: Any = text
        if request.response_schema:
            try:
                answer = json.loads(text)
            except json.JSONDecodeError:
                answer = text
        return Decision("respond", response=answer)
    return Decision("edit", args=_edited_args(request, values), comment=comment)


def _edited_args(request: ReviewRequest, values: dict[str, str | None]) -> dict[str, Any]:
    if "args:json" in values:
        try:
            args = json.loads(values["args:json"] or "")
        except json.JSONDecodeError as exc:
            raise ModalErrors({"args:json": f"not valid JSON: {exc}"}) from exc
        if not isinstance(args, dict):
            raise ModalErrors({"args:json": "the arguments must be a JSON object"})
        return args
    out: dict[str, Any] = {}
    errors = {}
    original = request.args if isinstance(request.args, dict) else {}
    for i, (key, old) in enumerate(original.items()):
        text = values.get(f"arg:{i}") or ""
        if isinstance(old, str):
            out[key] = text
            continue
        try:
            out[key] = json.loads(text)
        except json.JSONDecodeError as exc:
            example = render.to_json(old, None)[:80]
            errors[f"arg:{i}"] = f"{key} must be JSON (e.g. {example}): {exc}"
    if errors:
        raise ModalErrors(errors)
    return out
