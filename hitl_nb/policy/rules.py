"""The building blocks of a policy's rules: tool patterns, argument conditions, `Rule`.

Conditions read like the sentence they produce::

    arg("amount") > 1000                 # "amount 5000 > 1000"
    arg("recipients").len() > 10         # "len(recipients) 14 > 10"
    Rule("pay_*", arg("amount") > 1000)  # pay_invoice: amount 5000 > 1000
"""

from __future__ import annotations

import fnmatch
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}


def matches(tool: str, pattern: str) -> bool:
    """Glob match of a tool name (``delete_*``, ``send_?mail``, ``*``); case-sensitive."""
    return fnmatch.fnmatchcase(tool, pattern)


class Condition:
    """A test on a call's arguments that can say what it found (``explain``)."""

    def __init__(self, text: str, test: Callable[[Mapping[str, Any]], bool],
                 explain: Callable[[Mapping[str, Any]], str] | None = None) -> None:
        self.text = text
        self._test = test
        self._explain = explain or (lambda args: text)

    def __call__(self, args: Any) -> bool:
        if not isinstance(args, Mapping):
            return False
        try:
            return bool(self._test(args))
        except (KeyError, TypeError, ValueError):  # a missing or odd argument does not match
            return False

    def explain(self, args: Mapping[str, Any]) -> str:
        return self._explain(args)

    def __and__(self, other: Condition) -> Condition:
        return Condition(f"({self.text} and {other.text})", lambda a: self(a) and other(a),
                         lambda a: f"{self.explain(a)} and {other.explain(a)}")

    def __or__(self, other: Condition) -> Condition:
        return Condition(f"({self.text} or {other.text})", lambda a: self(a) or other(a),
                         lambda a: self.explain(a) if self(a) else other.explain(a))

    def __repr__(self) -> str:
        return self.text


class _Value:
    """An argument (or its length) awaiting a comparison."""

    def __init__(self, text: str, get: Callable[[Mapping[str, Any]], Any]) -> None:
        self.text = text
        self.get = get

    def len(self) -> _Value:
        """The argument's length: ``arg("recipients").len() > 10``."""
        return _Value(f"len({self.text})", lambda a: len(self.get(a)))

    def _compare(self, op: str, other: Any) -> Condition:
        fn = _OPS[op]
        return Condition(f"{self.text} {op} {other!r}", lambda a: fn(self.get(a), other),
                         lambda a: f"{self.text} {_show(self.get(a))} {op} {other!r}")

    def __gt__(self, other: Any) -> Condition:
        return self._compare(">", other)

    def __ge__(self, other: Any) -> Condition:
        return self._compare(">=", other)

    def __lt__(self, other: Any) -> Condition:
        return self._compare("<", other)

    def __le__(self, other: Any) -> Condition:
        return self._compare("<=", other)

    def __eq__(self, other: Any) -> Condition:  # type: ignore[override]
        return self._compare("==", other)

    def __ne__(self, other: Any) -> Condition:  # type: ignore[override]
        return self._compare("!=", other)

    __hash__ = None  # type: ignore[assignment]

    def isin(self, values: Iterable[Any]) -> Condition:
        """``arg("env").isin(["prod", "live"])``."""
        values = list(values)
        return Condition(f"{self.text} in {values!r}", lambda a: self.get(a) in values,
                         lambda a: f"{self.text} is {_show(self.get(a))}")


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def arg(name: str) -> _Value:
    """An argument of the call, to compare in a `Rule`: ``arg("amount") > 1000``.

    ``name``: the argument's key. Comparisons (``>``, ``>=``, ``<``, ``<=``, ``==``,
    ``!=``), ``.isin(values)`` and ``.len()`` build a condition, combined with ``&`` and
    ``|``; a call without the argument (or with one that cannot be compared) does not
    match, it never raises.

    Example::

        hitl_nb.Rule("send_email", hitl_nb.arg("to").len() > 10)
        big = hitl_nb.arg("amount") > 1000
        hitl_nb.Rule("pay_*", big | hitl_nb.arg("currency").isin(["BTC"]))
    """
    return _Value(name, lambda a: a[name])


@dataclass(frozen=True)
class Rule:
    """``tools`` (a glob or list of globs) and, optionally, a condition on the arguments.

    ``when`` is a `Condition` (``arg("amount") > 1000``) or any ``callable(args) -> bool``;
    ``reason`` is the sentence shown when it matches (``{tool}`` is filled in).

    Example::

        Rule("send_email", arg("to").len() > 10, reason="{tool} goes to more than 10 people")

    Raises `TypeError` when ``when`` is neither a condition nor a callable.
    """

    tools: str | tuple[str, ...] = "*"
    when: Any = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.tools, str):
            object.__setattr__(self, "tools", (self.tools,))
        else:
            object.__setattr__(self, "tools", tuple(self.tools))
        if self.when is not None and not callable(self.when):
            raise TypeError(f"Rule(when=...) must be a condition or a callable, got "
                            f"{type(self.when).__name__}")

    def match(self, tool: str, args: Any) -> str | None:
        """The reason sentence when the rule matches this call, else None."""
        if not any(matches(tool, p) for p in self.tools):
            return None
        if self.when is not None:
            try:
                hit = bool(self.when(args))
            except Exception:  # a user predicate that cannot read these args: no match
                hit = False
            if not hit:
                return None
        if self.reason:
            return self.reason.format(tool=tool)
        if isinstance(self.when, Condition):
            return f"{tool}: {self.when.explain(args)}"
        if self.when is not None:
            return f"{tool}: {getattr(self.when, '__name__', 'condition')} holds"
        return f"{tool} matches {', '.join(self.tools)}"

    def __repr__(self) -> str:
        text = "|".join(self.tools)
        if self.when is not None:
            text += f" if {self.when!r}" if isinstance(self.when, Condition) \
                else f" if {getattr(self.when, '__name__', 'condition')}(args)"
        if self.reason:
            text += f" ({self.reason.format(tool='|'.join(self.tools))})"
        return text
