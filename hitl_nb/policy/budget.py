"""A review budget: at most ``per_hour`` human reviews an hour, the riskiest first.

Requests that need a human compete for the hour's reviews by risk score (highest first,
then oldest). What happens to the rest, the *overflow*, is chosen explicitly:

- ``"wait"`` (default): they stay in the queue and compete again in the next hour (no
  action goes ahead unreviewed; the cost is delay);
- ``"reject"``: they are rejected without review (safe, but blocks actions a human
  would have approved);
- ``"approve"``: they go ahead without review (fast, but lets through what a human
  would have rejected or edited: misses).

Hours are clock hours (UTC) of the request time; budgets are whole reviews per hour.

Example::

    curve = simulate_budgets(backtest_rows, [5, 10, 20], overflow="approve")
    curve.table; curve.plot()
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ..model import ReviewRequest, utcnow
from .history import AUTOMATIC_PREFIX

if TYPE_CHECKING:  # pandas is imported on first use: `import hitl_nb` stays fast
    import pandas as pd

    from .core import RiskPolicy

__all__ = ["OVERFLOWS", "BudgetCurve", "Triage", "check_budget", "simulate",
           "simulate_budgets", "split", "triage"]

OVERFLOWS = ("wait", "reject", "approve")
T = TypeVar("T")


def check_budget(budget: float | None, overflow: str) -> None:
    """Raise ValueError for a budget below one review an hour or an unknown overflow."""
    if budget is not None and (not isinstance(budget, (int, float)) or budget < 1
                               or not math.isfinite(budget)):
        raise ValueError(f"budget is reviews per hour, at least 1; got {budget!r}")
    if overflow not in OVERFLOWS:
        raise ValueError(f"overflow must be one of {', '.join(OVERFLOWS)}; got {overflow!r}")


def split(items: Sequence[T], scores: Sequence[float], room: int) -> tuple[list[T], list[T]]:
    """(the ``room`` highest-scored items, the rest); ties keep the given order."""
    order = sorted(range(len(items)), key=lambda i: -scores[i])
    keep = set(order[:max(0, room)])
    return [items[i] for i in order if i in keep], [items[i] for i in order if i not in keep]


@dataclass(frozen=True)
class Triage:
    """Requests needing a human under a review budget: ``review`` (riskiest first) and
    ``overflow``; ``decision`` is what the overflow gets (None: it waits in the queue)."""

    review: list[ReviewRequest]
    overflow: list[ReviewRequest]
    decision: str | None


def reviewed_since(policy: RiskPolicy, since: datetime) -> int:
    """Human decisions in the policy's log since ``since`` (0 without a log)."""
    log = policy.log
    if log is None:
        return 0
    return log.count_decided(since, excluding=[AUTOMATIC_PREFIX, "timeout"])


def triage(policy: RiskPolicy, requests: Iterable[ReviewRequest],
           reviewed_last_hour: int | None = None, now: datetime | None = None) -> Triage:
    """`RiskPolicy.triage`: the requests needing a human, split by the policy's budget."""
    needing = []
    for r in requests:
        risk = r.risk or policy.assess(r.action, r.args, r.confidence,
                                       {"uncertainty": r.uncertainty})
        if risk.needs_review:
            needing.append((r, risk.score))
    items = [r for r, _ in needing]
    if policy.budget is None:
        return Triage(items, [], None)
    used = reviewed_last_hour if reviewed_last_hour is not None else \
        reviewed_since(policy, (now or utcnow()) - timedelta(hours=1))
    review, rest = split(items, [s for _, s in needing], int(policy.budget) - used)
    return Triage(review, rest, None if policy.overflow == "wait" else policy.overflow)


def simulate(rows: pd.DataFrame, per_hour: int, overflow: str = "wait") -> dict[str, Any]:
    """Replay back-test ``rows`` (columns requested_at, would_review, score, decision,
    miss) under a budget of ``per_hour`` reviews; totals as a dict (see `BudgetCurve`)."""
    import pandas as pd

    check_budget(per_hour, overflow)
    per_hour = int(per_hour)
    asked = rows[rows["would_review"].astype(bool)]
    base_misses = int(rows["miss"].astype(bool).sum())
    hours = asked["requested_at"].dt.floor("h")
    arrivals: dict[Any, list[tuple[float, Any, str, Any]]] = {}
    for hour, at, score, decision in zip(hours, asked["requested_at"], asked["score"],
                                         asked["decision"], strict=True):
        arrivals.setdefault(hour, []).append((float(score), at, str(decision), hour))
    out = {"budget": per_hour, "reviews": 0, "misses": base_misses, "overflow": 0,
           "auto_approved": 0, "auto_rejected": 0, "wrongly_rejected": 0, "waited": 0,
           "mean_wait_h": 0.0, "max_wait_h": 0.0}
    waits: list[float] = []
    queue: list[tuple[float, Any, str, Any]] = []
    hour = min(arrivals) if arrivals else None
    last = max(arrivals) if arrivals else None
    while hour is not None and (hour <= last or queue):
        queue += arrivals.get(hour, [])
        queue.sort(key=lambda item: (-item[0], item[1]))
        now, rest = queue[:per_hour], queue[per_hour:]
        out["reviews"] += len(now)
        waits += [(hour - item[3]).total_seconds() / 3600 for item in now]
        out["overflow"] += sum(1 for item in rest if item[3] == hour)
        if overflow == "wait":
            queue = rest
        else:
            for _, _, decision, _ in rest:
                if overflow == "approve":
                    out["auto_approved"] += 1
                    out["misses"] += decision != "approve"
                else:
                    out["auto_rejected"] += 1
                    out["wrongly_rejected"] += decision in ("approve", "edit")
            queue = []
        hour = hour + pd.Timedelta(hours=1)
    late = [w for w in waits if w > 0]
    out["waited"] = len(late)
    out["mean_wait_h"] = float(sum(waits) / len(waits)) if waits else 0.0
    out["max_wait_h"] = float(max(waits)) if waits else 0.0
    return out


@dataclass(frozen=True)
class BudgetCurve:
    """One row per budget: ``reviews`` asked, ``misses`` (human rejections/edits let
    through, the policy's own plus the overflow's when it is approved), ``overflow``
    (requests over budget in their hour), ``auto_approved``/``auto_rejected``,
    ``wrongly_rejected`` (overflow a human approved), ``waited`` and the mean/max wait in
    hours (a reviewed request's hours in the queue)."""

    table: pd.DataFrame
    overflow: str
    policy: str = ""

    @property
    def measure(self) -> str:
        """The cost the curve plots for this overflow."""
        return {"approve": "misses", "reject": "wrongly_rejected", "wait": "mean_wait_h"}[
            self.overflow]

    def plot(self, ax: Any = None) -> Any:
        """One curve: reviews asked (x) against the overflow's cost (y: misses for
        approve, wrongly rejected for reject, mean wait in hours for wait), one point per
        budget, labelled; returns the Axes."""
        from ..render.plot import axes as _axes

        ax = _axes(ax)
        t = self.table
        y = t[self.measure]
        ax.plot(t["reviews"], y, marker="o")
        for budget, x, v in zip(t.index, t["reviews"], y, strict=True):
            ax.annotate(f"{budget}/h", (x, v), textcoords="offset points", xytext=(5, 4),
                        fontsize=8)
        label = {"misses": "human rejections/edits let through",
                 "wrongly_rejected": "human approvals rejected",
                 "mean_wait_h": "mean wait for review (hours)"}[self.measure]
        ax.set_xlabel("reviews asked")
        ax.set_ylabel(label)
        ax.set_title(f"Review budget ({self.overflow} the overflow)"
                     + (f": {self.policy}" if self.policy else ""))
        ax.grid(alpha=0.3)
        return ax


def simulate_budgets(rows: pd.DataFrame, budgets: Iterable[float], overflow: str = "wait",
                     policy: str = "") -> BudgetCurve:
    """`simulate` for each budget, as a `BudgetCurve` (indexed by budget)."""
    import pandas as pd

    table = pd.DataFrame([simulate(rows, int(b), overflow) for b in budgets])
    if len(table):
        table = table.set_index("budget")
    return BudgetCurve(table, overflow, policy)
