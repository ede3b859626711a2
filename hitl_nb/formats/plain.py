"""Plain ``interrupt(value)``: any value, the fallback for every payload.

The action's name and arguments are found where people put them (see `_shapes`): the
seed article's ``{"action": {"tool": "send_email", "to": ..., "body": ...}, "message":
...}``, ``{"action": "deploy", "params": {...}}``, a LangChain ToolCall alone or under
``tool_call``, an OpenAI function call, a pydantic model or dataclass. A string is a
question; a list or any other value is shown as a table or tree.

The default resume value is a dict, so the common pattern works unchanged::

    human = interrupt({"action": {"tool": "send_email", "to": "cfo@example.com"},
                       "message": "Please approve or reject this action"})
    if human["approved"]: send(**human["args"])     # {"to": ...}: edited or proposed

It carries ``approved`` (bool), ``type`` ("approve", "reject", "edit", "respond"),
``comment``, ``args`` and ``response``. ``args`` are the edited arguments, or the proposed
ones, in the form they were proposed in: the same keys, JSON text for an OpenAI call's
``arguments``, an instance of the same class for a model or dataclass payload.
With ``interrupt(value, response_schema=...)`` the resume value is the reviewer's
response itself, validated against the schema.

When the paused code reads its answer otherwise (``if answer:``, ``answer == "approve"``,
``answer.get("action")``), the session sets ``request.expects`` from the node's source
(`hitl_nb.engine.reads`) and `expected_value` sends what that code reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Decision, InvalidResponse, ReviewRequest
from . import _shapes
from ._common import META_KEYS, check_against_schema, is_valid, rich_fields

NAME = "plain"
PRIORITY = 1000
MAPPED = True  # review(..., resume=mapper) replaces the default resume value

Mapper = Callable[[ReviewRequest, Decision], Any]


def shape(value: Any) -> _shapes.Shape:
    """Where ``value`` keeps its action's name and arguments."""
    return _shapes.find(value, META_KEYS)


def resume_args(request: ReviewRequest, decision: Decision) -> Any:
    """The arguments for the resume value, in the form they were proposed in."""
    found = shape(request.raw)
    if decision.type != "edit":
        return found.original if request.raw is not None else request.args
    return found.back(decision.args) if request.raw is not None else decision.args


def default_value(request: ReviewRequest, decision: Decision) -> dict[str, Any]:
    """The documented dict: approved, type, comment, args, response."""
    return {
        "approved": decision.approved,
        "type": decision.type,
        "comment": decision.comment,
        "args": resume_args(request, decision),
        "response": decision.response,
    }


def expected_value(request: ReviewRequest, decision: Decision) -> Any:
    """The value for a node whose code reads its answer as ``request.expects`` says
    (see `hitl_nb.engine.reads`): True/False, the compared words, the reviewer's text,
    the proposed or edited value, or the documented dict plus the keys it reads."""
    how = request.expects or {}
    kind, kind_type = how.get("as"), decision.type
    if kind == "bool":
        return decision.approved
    if kind == "text":
        if kind_type == "reject" and how.get("else") and decision.comment and \
                decision.comment.strip().lower() != how["approve"].strip().lower():
            return decision.comment  # the code's other branch reads it as the change
        return how[kind_type] if kind_type in ("approve", "reject") else decision.response
    if kind == "answer":
        return _number(decision.response) if how.get("number") else decision.response
    if kind == "value":
        if kind_type == "respond":
            return decision.response
        args = resume_args(request, decision)
        return args.get(how["arg"]) if isinstance(args, dict) else args
    value = default_value(request, decision)
    if kind != "dict":
        return value
    args = resume_args(request, decision)
    args = args if isinstance(args, dict) else {}
    proposed = resume_args(request, Decision("approve"))
    proposed = proposed if isinstance(proposed, dict) else {}
    for key, words in how["set"].items():
        value[key] = words[kind_type]
    for key in how["args"]:  # an edit that leaves a key out keeps its proposed value
        value[key] = args[key] if key in args else proposed.get(key)
    text = decision.response if kind_type == "respond" else decision.comment
    for key in how["comment"]:
        value[key] = text
    for key in how["value"]:
        value[key] = text if kind_type in ("respond", "reject") else _arg_for(key, args)
    if how.get("inbox") and kind_type == "respond":
        value["args"] = decision.response  # Agent Inbox: a response's text is its args
    return value


#: Key names that want one value (``result["edited_text"]``), not the arguments' dict.
_SCALAR = ("text", "content", "summary", "draft", "response", "answer", "output", "body")
_GENERIC = {"edited", "new", "updated", "modified", "revised", "final", "llm", "generated"}


def _arg_for(key: str, args: dict[str, Any]) -> Any:
    """What a value key such as ``edited_response`` reads: the argument sharing a word
    with it (``draft_response``), the only argument, or all of them (``data``)."""
    if not any(word in key.lower() for word in _SCALAR):
        return args
    words = set(key.lower().split("_")) - _GENERIC
    shared = [name for name in args if words & set(name.lower().split("_"))]
    if len(shared) == 1:
        return args[shared[0]]
    return next(iter(args.values())) if len(args) == 1 else args


def _number(text: Any) -> Any:
    """``"42"`` as 42 and ``"2.5"`` as 2.5, for code that compares the answer to a
    number; anything else as it was."""
    for kind in (int, float):
        try:
            return kind(str(text).strip())
        except ValueError:
            continue
    return text


def request_for(found: _shapes.Shape, fmt: str,
                response_schema: dict[str, Any] | None = None) -> ReviewRequest:
    """A request showing ``found``: Edit offered when it has named arguments."""
    allowed: tuple[Any, ...] = ("approve", "reject", "respond")
    if found.editable:
        allowed = ("approve", "reject", "edit", "respond")
    fields = rich_fields(found.source) if found.source is not None else {}
    return ReviewRequest(action=found.name or "", args=found.args,
                         description=found.description, details=found.details,
                         allowed=allowed, format=fmt,
                         response_schema=response_schema, **fields)


def parse(value: Any, response_schema: dict[str, Any] | None) -> list[ReviewRequest]:
    request = request_for(shape(value), NAME, response_schema)
    if response_schema:
        # The schema describes the resume value. Approve/reject stay available only
        # when their default dict fits it (e.g. a model with ``approved: bool``).
        probe = request.replace(raw=value)
        fit = [t for t in ("approve", "reject")
               if is_valid(default_value(probe, Decision(t)), response_schema)]
        request.allowed = (*fit, "respond")
    return [request]


def validate(request: ReviewRequest, decision: Decision) -> None:
    if request.response_schema and decision.type == "respond":
        check_against_schema(decision.response, request.response_schema, "response")
    if decision.type == "edit" and request.raw is not None:
        try:
            shape(request.raw).back(decision.args)
        except Exception as exc:  # a model or dataclass refusing the edited fields
            raise InvalidResponse(
                f"the edited arguments do not fit {type(request.raw).__name__} for "
                f"{request.action!r}: {exc}") from exc


def resume_value(requests: list[ReviewRequest], decisions: list[Decision],
                 mapper: Mapper | None = None) -> Any:
    request, decision = requests[0], decisions[0]
    if mapper is not None:
        return mapper(request, decision)
    if request.response_schema and decision.type == "respond":
        return decision.response
    if request.expects is not None:
        return expected_value(request, decision)
    return default_value(request, decision)
