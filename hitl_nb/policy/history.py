"""What the log says about a tool: human approval counts (Wilson bound) and the arguments
humans have approved before (for unexpected-input detection).

Example::

    h = History()
    h.add("send_email", {"to": "a@b.c"}, "approve", reviewer="ana")
    h.counts("send_email")          # (1, 1)
    wilson_lower_bound(48, 50)      # 0.865...
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..humans import is_automatic

#: Reviewer names written by a policy start with this (``policy:read-only``).
AUTOMATIC_PREFIX = "policy:"


def wilson_lower_bound(approved: int, total: int, z: float = 1.96) -> float:
    """Lower bound of the Wilson score interval for ``approved / total`` (95% by default).

    ``z``: the normal quantile of the confidence level (1.96: 95%; 2.58: 99%). With no
    decisions it is 0. Raises `ValueError` when ``approved`` is not within 0..``total``.

    Example::

        wilson_lower_bound(48, 50)          # 0.865...
        wilson_lower_bound(48, 50, z=2.58)  # 0.82...: stricter at 99%
    """
    if total <= 0:
        return 0.0
    return wilson_interval(approved, total, z)[0]


def wilson_interval(approved: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval ``(low, high)`` for ``approved / total`` (95% by default).

    With ``p = k/n``: ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``. Unlike the
    normal approximation it stays inside [0, 1] and is sensible for small ``n`` and for
    rates near 0 or 1. With no decisions it is (0, 1): nothing is known. ``z``: the
    normal quantile of the confidence level (1.96: 95%). Raises `ValueError` when
    ``approved`` is not within 0..``total``.

    Example::

        wilson_interval(10, 10)     # (0.72..., 1.0)
        wilson_interval(0, 0)       # (0.0, 1.0)
    """
    if total <= 0:
        return 0.0, 1.0
    if not 0 <= approved <= total:
        raise ValueError(f"approved must be between 0 and total ({total}), got {approved}")
    p = approved / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    scale = 1 + z2 / total
    low = 0.0 if approved == 0 else max(0.0, (centre - margin) / scale)
    high = 1.0 if approved == total else min(1.0, (centre + margin) / scale)
    return low, high


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass
class SeenArgs:
    """Arguments humans approved for one tool: the keys and each numeric key's range."""

    examples: int = 0
    keys: set[str] = field(default_factory=set)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    def add(self, args: Any) -> None:
        if not isinstance(args, Mapping):
            return
        self.examples += 1
        for key, value in args.items():
            self.keys.add(str(key))
            number = _number(value)
            if number is not None:
                lo, hi = self.ranges.get(str(key), (number, number))
                self.ranges[str(key)] = (min(lo, number), max(hi, number))

    def surprises(self, tool: str, args: Any) -> list[str]:
        """Sentences for each new key and each number outside its approved range."""
        if not isinstance(args, Mapping):
            return []
        out = []
        times = f"{self.examples} approved {tool} call{'s' if self.examples != 1 else ''}"
        for key, value in args.items():
            key = str(key)
            if key not in self.keys:
                out.append(f"argument '{key}' was never seen in {times}")
                continue
            number = _number(value)
            if number is not None and key in self.ranges:
                lo, hi = self.ranges[key]
                if not lo <= number <= hi:
                    out.append(f"{key} {_fmt(number)} is outside the approved range "
                               f"{_fmt(lo)}–{_fmt(hi)}")
        return out


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


class History:
    """Human decisions per (tool, argument class), and approved arguments per tool.

    ``by(args) -> str`` puts calls of one tool into classes (e.g. by recipient domain);
    counts are kept per class. Automatic decisions (reviewer ``policy:...``) are ignored:
    a policy must not learn from itself.
    """

    def __init__(self, by: Callable[[Any], Any] | None = None) -> None:
        self.by = by
        self._counts: dict[tuple[str, Any], list[int]] = {}
        self._seen: dict[str, SeenArgs] = {}

    def klass(self, args: Any) -> Any:
        if self.by is None:
            return None
        try:
            return self.by(args)
        except Exception:  # a class function that cannot read these args: no class
            return None

    def add(self, tool: str, args: Any, decision: str, reviewer: str = "",
            edited_args: Any = None) -> None:
        """Count one decision (``approve`` counts as approved; reject/edit/respond do not)."""
        if is_automatic(reviewer):
            return
        counts = self._counts.setdefault((tool, self.klass(args)), [0, 0])
        counts[1] += 1
        if decision == "approve":
            counts[0] += 1
            self._seen.setdefault(tool, SeenArgs()).add(args)
        elif decision == "edit":
            self._seen.setdefault(tool, SeenArgs()).add(edited_args)

    def counts(self, tool: str, args: Any = None) -> tuple[int, int]:
        """(approved, total) human decisions for ``tool`` in the class of ``args``."""
        approved, total = self._counts.get((tool, self.klass(args)), (0, 0))
        return approved, total

    def seen(self, tool: str) -> SeenArgs:
        return self._seen.get(tool, SeenArgs())

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]],
                  by: Callable[[Any], Any] | None = None) -> History:
        """Build from decision rows (dicts with action, args, decision, reviewer, edited_args)."""
        history = cls(by)
        for row in rows:
            history.add(str(row["action"]), row.get("args"), str(row["decision"]),
                        str(row.get("reviewer") or ""), row.get("edited_args"))
        return history


@dataclass(frozen=True)
class SafeHistory:
    """The "never" rule from history: stop reviewing a tool humans safely approve.

    A tool (per argument class ``by(args)``) needs no review once it has at least
    ``min_decisions`` human decisions and the Wilson lower bound of its approval rate
    (``z`` = 1.96: 95%) is strictly above ``above``. Only ``approve`` counts as approved;
    automatic decisions never count.

    Example::

        policy = hitl_nb.RiskPolicy(
            history=hitl_nb.SafeHistory(min_decisions=20, above=0.8,
                                        by=lambda a: a["to"].split("@")[-1]),
            log="hitl.db")
    """

    min_decisions: int = 20
    above: float = 0.8
    by: Callable[[Any], Any] | None = None
    z: float = 1.96

    def __repr__(self) -> str:
        by = f" per {getattr(self.by, '__name__', 'class')}(args)" if self.by else ""
        return f">= {self.min_decisions} human decisions{by} with approval lower bound > " \
               f"{self.above:g}"
