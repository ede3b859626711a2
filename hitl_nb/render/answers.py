"""One line saying what the paused code receives for each decision, when it is not the
documented dict (``request.expects``, set by `hitl_nb.engine.reads`).

Example::

    answers_line(request)   # 'The node receives: Approve -> True, Reject -> False'
"""

from __future__ import annotations

from ..model import ReviewRequest
from .html import short


def answers_line(request: ReviewRequest) -> str | None:
    """Plain text (escape it before it becomes HTML), or None for the documented dict."""
    how = request.expects
    if not how:
        return None
    kind = how.get("as")
    said = {
        "bool": {"approve": "True", "reject": "False"},
        "text": {"approve": repr(how.get("approve")), "reject": repr(how.get("reject")),
                 "respond": "your text"},
        "answer": {"respond": "your answer" + (" (as a number)" if how.get("number") else
                                               _choices(how.get("choices")))},
        "value": {"approve": f"the proposed {how.get('arg')}",
                  "edit": f"the edited {how.get('arg')}", "respond": "your text"},
    }.get(kind)
    if said is None:  # a dict: name what it adds
        marks = how.get("set", {})
        added = [f"{key} ({', '.join(_said(words, request.allowed))})"
                 for key, words in marks.items()]
        added += list(how.get("args", ())) + list(how.get("comment", ())) + \
            list(how.get("value", ()))
        return short("The node receives the decision dict with " + ", ".join(added), 300) \
            if added else None
    parts = [f"{t.capitalize()} -> {said[t]}" for t in request.allowed if t in said]
    return short("The node receives: " + ", ".join(parts), 300) if parts else None


def _said(words: dict[str, str], allowed: tuple[str, ...]) -> list[str]:
    """``Approve -> 'continue'`` for each allowed decision the code compares a key to."""
    return [f"{kind.capitalize()} -> {words[kind]!r}" for kind in allowed if kind in words]


def _choices(words: list[str] | None) -> str:
    """`` (the code checks for 'left', 'right')`` when it compares the answer to words."""
    return f" (the code checks for {', '.join(map(repr, words))})" if words else ""
