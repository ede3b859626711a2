"""From how the code uses an answer (a `Use`) to what each decision resumes it with.

The result is plain data, kept on the request as ``ReviewRequest.expects`` and turned
into the resume value by `hitl_nb.formats.plain`:

- ``{"as": "bool"}``: ``if answer:`` -> Approve resumes with True, Reject with False;
- ``{"as": "text", "approve": "yes", "reject": "no"}``: ``if answer == "yes":`` -> the
  compared strings (Respond sends the reviewer's text);
- ``{"as": "answer", "number": False}``: ``name = interrupt("What is your name?")`` ->
  the reviewer's text (a number when the code compares it to one; ``choices``: the
  words the code compares it to, ``choice == "left"``);
- ``{"as": "value", "arg": "content"}``: ``edited = interrupt({"instruction": ...,
  "content": draft})`` -> Approve sends the proposed value, Edit the edited one;
- ``{"as": "dict", "set": {...}, "args": [...], "comment": [...], "value": [...]}``:
  ``answer.get("action") == "approve"`` -> the documented dict, plus the keys the code
  reads: the compared strings, edited arguments at the top level, the comment.

An answer that is only passed on says what it wants through its variable's name
(``approved``, ``edited``, ``name``), the key it is stored under (``{"text_1": value}``)
or its annotation; a question the code writes in words, not a yes/no one (``{"a":
interrupt("Name for a?")}``), wants the reviewer's text; ``{"answers": [interrupt(v)]}``
says nothing. None (the documented dict) whenever the code gives no clear signal. The words that
count as approving or rejecting are below; a comparison with other words only is no
signal: a vocabulary of other words only (``choice == "left"``) is answered by typing
one of them (Respond only: nothing takes a branch by itself), and one with a rejecting word
but no approving one fails closed (the dict equals no string).
"""

from __future__ import annotations

import re
from typing import Any

from ...model import ReviewRequest
from ._ast import Use

APPROVE = ("approve", "approved", "approval", "accept", "accepted", "yes", "y", "ok",
           "okay", "confirm", "confirmed", "proceed", "continue", "go", "allow",
           "allowed", "true", "lgtm", "send", "execute", "run", "publish", "ship")
REJECT = ("reject", "rejected", "deny", "denied", "decline", "declined", "no", "n",
          "cancel", "cancelled", "canceled", "stop", "abort", "false", "block", "skip",
          "ignore", "refuse")
EDIT = ("edit", "edited", "modify", "modified", "change", "update", "updated")
RESPOND = ("respond", "response", "feedback", "comment", "reply", "answer", "revise")

#: The documented dict's keys: code that reads only these already works.
DOCUMENTED = frozenset({"approved", "type", "comment", "args", "response"})
_COMMENT = re.compile(r"feedback|comment|message|reason|note|instruction|explanation|"
                      r"why|critique|suggest|correction", re.I)
_VALUE = re.compile(r"edit|content|text|value|output|summary|modified|revised|answer|"
                    r"result|draft|updated|new_|data|response", re.I)
#: Names under which code keeps an answer it passes on as it is (``edited = interrupt(...)``).
_TEXTISH = re.compile(r"^(name|age|answer|reply|user_input|human_input|input_text|text|"
                      r"clarification|guidance|instructions?|email|city|choice)$|feedback|"
                      r"edited|revised|corrected|updated|modified|content|draft|summary|"
                      r"(^|_)text_?\d*$", re.I)
#: Those of them that say the answer is the proposed value, edited, even for a tool call.
_EDITISH = re.compile(r"edited|revised|corrected|updated|modified|content|draft|summary|"
                      r"(^|_)text_?\d*$", re.I)
_YES_NO = re.compile(r"\b(yes|no|y/n|reject|deny)\b", re.I)
_BOOLISH = re.compile(r"approv|confirm|accept|allow|proceed|consent|permit|^ok$|"
                      r"^is_ok|go_ahead|should_", re.I)


def _first(found: list[str], words: tuple[str, ...]) -> str | None:
    return next((s for s in found if s.strip().lower() in words), None)


def expectation(use: Use, request: ReviewRequest, worded: bool = False
                ) -> dict[str, Any] | None:
    """What ``request``'s decisions should resume with, given the code's `Use`;
    ``worded``: the code writes the payload as a string (a literal or an f-string)."""
    if use.keys:
        return _as_dict(use, request)
    if use.text:
        approve = _first(use.text, APPROVE)
        if approve is None:  # ``choice == "left"``: the reviewer types one of the words
            if _first(use.text, REJECT) is None:
                return {"as": "answer", "number": False, "choices": list(use.text)}
            return None
        reject = _first(use.text, REJECT)
        if reject is None:  # the code's other branch takes anything: say why there
            return {"as": "text", "approve": approve, "else": True, "reject": next(
                w for w in ("reject", "no", "rejected") if w not in use.text)}
        return {"as": "text", "approve": approve, "reject": reject}
    names = [n for n in (use.name, *use.fields) if n]
    if use.truth or "bool" in use.types or (use.value and any(map(_BOOLISH.search, names))):
        return {"as": "bool"}
    if "dict" in use.types:
        return None
    if _names_a_tool(request.raw) and not any(map(_EDITISH.search, names)):
        return None  # an answer to a proposed call, passed on or formatted: the decision
    if not (use.number or "str" in use.types or any(map(_TEXTISH.search, names))):
        if use.value and worded and _asks_in_words(request):  # ``{"a": interrupt("Name for a?")}``
            return {"as": "answer", "number": False}
        return None  # passed on as it is, under a name that says nothing: the dict
    if isinstance(request.args, dict) and len(request.args) == 1 \
            and "edit" in request.allowed and not use.number:
        return {"as": "value", "arg": next(iter(request.args))}  # ``edited = interrupt(..)``
    if isinstance(request.raw, str) or use.number or "str" in use.types:
        return {"as": "answer", "number": use.number}
    return None


def _names_a_tool(raw: Any) -> bool:
    """The payload proposes a tool call (``{"action": ...}``, ``{"name": ..., "args": ...}``,
    ``{"tool_call": ...}``): an ``answer`` to it is a decision, not its argument edited."""
    return isinstance(raw, dict) and (any(k in raw for k in ("action", "tool", "tool_call"))
                                      or ("name" in raw and "args" in raw))


def _asks_in_words(request: ReviewRequest) -> bool:
    """The payload is a question in words that is not a yes/no one (its answer is text)."""
    text = request.raw
    return isinstance(text, str) and not (_BOOLISH.search(text) or _YES_NO.search(text))


def _as_dict(use: Use, request: ReviewRequest) -> dict[str, Any] | None:
    args = request.args if isinstance(request.args, dict) else {}
    marks: dict[str, dict[str, str]] = {}
    tops, comments, values = [], [], []
    inbox = False
    for key, said in use.keys.items():
        if key in ("approved", "args"):
            continue
        approve, reject = _first(said, APPROVE), _first(said, REJECT)
        edit, respond = _first(said, EDIT), _first(said, RESPOND)
        if _first(said, ("accept",)) and key == "type":  # Agent Inbox's words
            reject, respond = reject or _first(said, ("ignore",)) or "ignore", "response"
            inbox = True
        if approve or reject or edit or respond:
            marks[key] = {"approve": approve or "approve",
                          "reject": reject or respond or "reject",
                          "edit": edit or (approve if not _edits_apart(use, approve, args)
                                           else reject or respond or "edit"),
                          "respond": respond or reject or "respond"}
            if key == "type" and set(marks[key]) == set(marks[key].values()):
                del marks[key]  # compares ``type`` to our own words: nothing to add
        elif key in DOCUMENTED:
            continue
        elif key in args:
            tops.append(key)
        elif _COMMENT.search(key):
            comments.append(key)
        elif _VALUE.search(key):
            values.append(key)
    if not (marks or tops or comments or values):
        return None
    documented = bool(set(use.keys) & DOCUMENTED)
    allowed = ["approve"]
    if marks or documented or comments:
        allowed.append("reject")
    if "edit" in request.allowed and (tops or values or "args" in use.keys
                                      or any(m["edit"] != m["approve"] for m in marks.values())):
        allowed.append("edit")
    if "respond" in request.allowed and (comments or values or "response" in use.keys
                                         or any(_first(use.keys[k], RESPOND)
                                                for k in marks)):
        allowed.append("respond")
    if inbox and "respond" in request.allowed and "respond" not in allowed:
        allowed.append("respond")
    return {"as": "dict", "set": marks, "args": tops, "comment": comments,
            "value": values, "allowed": allowed, "inbox": inbox}


def _edits_apart(use: Use, approve: str | None, args: dict[str, Any]) -> bool:
    """Whether the code reads edited arguments only where ``approve`` did not match
    (``if answer.get("correct") == "y": keep() else: fix(answer.get("name"))``): an
    Edit then takes that other branch."""
    tested = use.tests.get(approve or "", set())
    sides = {side for key in args for (node, side) in use.where.get(key, ()) if node in tested}
    return sides == {"orelse"}


def allowed_for(expects: dict[str, Any], request: ReviewRequest) -> tuple[str, ...]:
    """The decisions that ``expects`` can express, among those ``request`` allows."""
    kind = expects["as"]
    if kind == "bool":
        wanted: tuple[str, ...] = ("approve", "reject")
    elif kind == "text":
        wanted = ("approve", "reject", "respond")
    elif kind == "answer":
        wanted = ("respond",)
    elif kind == "value":
        wanted = ("approve", "edit", "respond")
    else:
        wanted = tuple(expects["allowed"])
    kept = tuple(t for t in request.allowed if t in wanted)
    if kind == "answer" and "respond" not in kept:
        kept = ("respond",)
    return kept or request.allowed
