"""Are reviewers reading? Rubber-stamping and fatigue from decision times.

Definitions (human decisions only, see `hitl_nb.humans`; an *approval* here is a plain
``approve``: an edit shows the reviewer read and changed the card):

- **review session**: one reviewer's decisions in time order; a gap of more than
  ``session_gap_s`` (30 minutes) between two decisions starts a new session. *Position*
  counts decisions within a session from 1.
- **time on card** (``read_s``): the shortest time the reviewer can have spent on the
  card: the logged latency (request to decision), capped by the time since the same
  reviewer's previous decision in the session (a queue's waiting time is not reading).
- **reading threshold** (``min_read_s``): ``base_s + chars / chars_per_s`` where ``chars``
  is the length of the arguments as compact JSON plus the length of the diff's before
  and after texts (when the request carried them). Defaults: ``base_s`` = 1 s to take in
  the card and click, ``chars_per_s`` = 25 (about 250 words a minute, a brisk silent
  reading speed for prose, faster than anyone reads arguments).
- **fast approval**: an approval with ``read_s < min_read_s``.
- **longest streak**: the longest run of consecutive approvals in decision order.
- **rubber stamp**: at least ``min_decisions`` decisions, an approval rate of at least
  ``stamp_rate`` (0.9) and at least ``stamp_fast`` (half) of the approvals fast.
- **early/late**: positions ``1..early`` of a session against the later ones; the median
  time on card and the approval rate of each show what a long session does.

Example::

    f = fatigue(df)
    f.summary            # one row per reviewer
    f.by_position        # median read_s and approval rate per position bucket
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..humans import humans

__all__ = ["Fatigue", "card_chars", "fatigue", "rubber_stamp_section"]

#: Position buckets of `Fatigue.by_position` (right edges inclusive).
BUCKETS = (0, 5, 10, 20, 50, np.inf)
BUCKET_LABELS = ("1-5", "6-10", "11-20", "21-50", "51+")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                             separators=(",", ":"),
                                                             default=str)


def card_chars(args: Any, request: Any = None) -> int:
    """Characters a reviewer must read: the arguments as compact JSON, plus the diff's
    ``before`` and ``after`` texts when the request carried them."""
    size = len(_text(args)) if args is not None else 0
    if isinstance(request, dict):
        size += len(_text(request.get("before"))) + len(_text(request.get("after")))
    return size


@dataclass(frozen=True)
class Fatigue:
    """``summary`` (one row per group), ``by_position`` (per group and position bucket)
    and ``decisions`` (each human decision with session, position, read_s, min_read_s,
    fast)."""

    summary: pd.DataFrame
    by_position: pd.DataFrame
    decisions: pd.DataFrame

    @property
    def rubber_stamps(self) -> list[str]:
        """The groups (reviewers) flagged as rubber stamps."""
        return [str(k) for k in self.summary.index[self.summary["rubber_stamp"]]]

    def plot(self, ax: Any = None) -> Any:
        """Median time on card by position in the session, one line per group; the Axes."""
        from ..render.plot import axes as _axes

        ax = _axes(ax)
        for key, part in self.by_position.groupby(level=0, observed=True):
            part = part.droplevel(0)
            ax.plot(part.index.astype(str), part["read_s"], marker="o", label=str(key))
        ax.set_xlabel("position in the review session")
        ax.set_ylabel("median time on card (s)")
        ax.set_title("Time on card over a review session")
        ax.legend(fontsize=8)
        return ax


def _streak(approvals: pd.Series) -> int:
    best = run = 0
    for ok in approvals:
        run = run + 1 if ok else 0
        best = max(best, run)
    return best


def _rate(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else float("nan")


def fatigue(df: pd.DataFrame, by: str = "reviewer", *, session_gap_s: float = 1800.0,
            base_s: float = 1.0, chars_per_s: float = 25.0, early: int = 10,
            min_decisions: int = 20, stamp_rate: float = 0.9,
            stamp_fast: float = 0.5) -> Fatigue:
    """Rubber-stamping and fatigue measures of decision frame ``df`` (module docstring)."""
    d = humans(df).sort_values("decided_at", kind="stable").copy()
    who = d["reviewer"].astype(str)
    at = d["decided_at"]
    gap = at.groupby(who, sort=False).diff().dt.total_seconds()
    new = gap.isna() | (gap > session_gap_s)
    d["session"] = new.astype(int).groupby(who, sort=False).cumsum()
    d["position"] = d.groupby([who, d["session"]], sort=False).cumcount() + 1
    latency = pd.to_numeric(d["latency_s"], errors="coerce")
    since = gap.where(~new)
    d["read_s"] = np.fmin(latency, since)
    requests = d["request"] if "request" in d else pd.Series(None, index=d.index)
    chars = [card_chars(a, r) for a, r in zip(d["args"], requests, strict=True)]
    d["min_read_s"] = base_s + np.asarray(chars, dtype=float) / chars_per_s
    approve = d["decision"].astype(str) == "approve"
    d["approved"] = approve
    d["fast"] = approve & (d["read_s"] < d["min_read_s"])
    rows = {}
    keys = d[by].astype(str)
    for key, g in d.groupby(keys, sort=True):
        ok = g["approved"]
        first = g["position"] <= early
        n_ok = int(ok.sum())
        fast = int(g["fast"].sum())
        rate = _rate(ok)
        fast_share = fast / n_ok if n_ok else float("nan")
        rows[key] = {
            "decisions": len(g), "approvals": n_ok, "approval_rate": rate,
            "fast_approvals": fast, "fast_share": fast_share,
            "longest_streak": _streak(ok),
            "sessions": int(g.groupby(g["reviewer"].astype(str))["session"].nunique().sum()),
            "read_s_early": float(g.loc[first, "read_s"].median()),
            "read_s_late": float(g.loc[~first, "read_s"].median()),
            "approval_early": _rate(ok[first]), "approval_late": _rate(ok[~first]),
            "rubber_stamp": bool(len(g) >= min_decisions and rate >= stamp_rate
                                 and n_ok and fast_share >= stamp_fast),
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = by
    bucket = pd.cut(d["position"], BUCKETS, labels=BUCKET_LABELS)
    by_position = d.groupby([keys, bucket], observed=True).agg(
        decisions=("approved", "size"), read_s=("read_s", "median"),
        approval_rate=("approved", "mean"))
    by_position.index.names = [by, "position"]
    cols = ["thread_id", "interrupt_id", "action", "reviewer", "decision", "decided_at",
            "session", "position", "read_s", "min_read_s", "fast"]
    return Fatigue(summary, by_position, d[[c for c in cols if c in d]].reset_index(drop=True))


def rubber_stamp_section(df: pd.DataFrame, **kwargs: Any) -> list[str]:
    """Markdown lines for the failure report: reviewers who look like rubber stamps (see
    `fatigue`), or nothing when none does."""
    if not len(df):
        return []
    f = fatigue(df, **kwargs)
    if not f.rubber_stamps:
        return []
    lines = ["## Reviewers who may be rubber-stamping", ""]
    for name in f.rubber_stamps:
        r = f.summary.loc[name]
        lines.append(f"- `{name}` approved {r.approvals} of {r.decisions} "
                     f"({r.approval_rate:.0%}); {r.fast_approvals} approvals "
                     f"({r.fast_share:.0%}) came faster than the card can be read; longest "
                     f"run of approvals: {r.longest_streak}.")
    base, speed = kwargs.get("base_s", 1.0), kwargs.get("chars_per_s", 25.0)
    lines += ["", f"Faster than the card can be read: less time on the card than {base:g} s "
              f"plus {speed:g} characters a second of its arguments and diff. Their approvals"
              " say little about the actions: ask second opinions on their requests.", ""]
    return lines
