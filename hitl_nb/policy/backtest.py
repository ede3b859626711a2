"""Back-testing a policy on the decision log: what it would have asked, what it would have
let through, how much reviewer time it would have saved.

Requests are replayed in the order they were decided; the policy's history only sees the
decisions made before each one (no look-ahead). Decisions a policy took (reviewer
``policy:...``) are skipped: there is no human answer to compare with.

Example::

    report = policy.backtest("hitl.db")
    report.reviews, report.misses, report.time_saved_s
    table, ax = hitl_nb.compare(strict, lenient, "hitl.db")
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ..humans import is_automatic
from ..store.log import DecisionLog
from .history import History

if TYPE_CHECKING:  # pandas is imported on first use: `import hitl_nb` stays fast
    import pandas as pd

    from .core import RiskPolicy

_MISSED_COLUMNS = ["thread_id", "interrupt_id", "action", "args", "decision", "comment",
                   "reviewer", "rule", "reasons"]


def frame_of(log_or_df: Any) -> pd.DataFrame:
    """The decision rows of a `DecisionLog`, a log path/URL, or a DataFrame as given."""
    import pandas as pd

    if isinstance(log_or_df, pd.DataFrame):
        return log_or_df
    if isinstance(log_or_df, DecisionLog):
        return log_or_df.to_pandas()
    if isinstance(log_or_df, (str, os.PathLike)):
        return DecisionLog(log_or_df).to_pandas()
    raise TypeError(f"backtest() needs a DecisionLog, its path, or its DataFrame; got "
                    f"{type(log_or_df).__name__}")


@dataclass
class Backtest:
    """What one policy would have done with the logged requests.

    ``misses`` counts requests the policy would have approved alone that a human
    rejected, edited or answered instead (listed in ``missed``); ``time_saved_s`` sums
    the logged review latency of every request it would have decided alone.
    """

    policy: str
    requests: int
    reviews: int
    automatic: int
    misses: int
    time_saved_s: float
    skipped: int
    missed: pd.DataFrame
    rows: pd.DataFrame

    @property
    def review_rate(self) -> float:
        return self.reviews / self.requests if self.requests else 0.0

    def summary(self) -> dict[str, Any]:
        return {"policy": self.policy, "requests": self.requests, "reviews": self.reviews,
                "review_rate": round(self.review_rate, 4), "automatic": self.automatic,
                "misses": self.misses, "time_saved_min": round(self.time_saved_s / 60, 2)}

    def __repr__(self) -> str:
        text = (f"Backtest of {self.policy!r} on {self.requests} human-decided requests: "
                f"{self.reviews} reviews asked ({self.review_rate:.0%}), {self.automatic} "
                f"decided alone, {self.misses} human rejections/edits let through, "
                f"{self.time_saved_s / 60:.1f} reviewer minutes saved")
        if self.skipped:
            text += f" ({self.skipped} automatic decisions in the log skipped)"
        return text


def _context(row: dict[str, Any]) -> dict[str, Any]:
    request = row.get("request")
    notes = request.get("uncertainty") if isinstance(request, dict) else None
    return {"uncertainty": notes or []}


def _float(value: Any) -> float | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else float(value)


def _when(row: dict[str, Any]) -> Any:
    """When the request was asked (its decision time when the log lacks it)."""
    import pandas as pd

    at = row.get("requested_at")
    return row.get("decided_at") if at is None or pd.isna(at) else at


def budget_curve(policy: RiskPolicy, log_or_df: Any, budgets: Any,
                 overflow: str | None = None) -> Any:
    """The back-test under each review budget (`hitl_nb.policy.budget.BudgetCurve`), the
    overflow handled as ``overflow`` (default: the policy's own, else ``"wait"``)."""
    from .budget import simulate_budgets

    report = backtest(policy, log_or_df)
    how = overflow or getattr(policy, "overflow", "wait")
    return simulate_budgets(report.rows, budgets, how, policy.name)


def backtest(policy: RiskPolicy, log_or_df: Any) -> Backtest:
    """Replay every human-decided request of the log through ``policy`` (see module doc)."""
    import pandas as pd

    df = frame_of(log_or_df)
    if "decided_at" in df:
        df = df.sort_values("decided_at", kind="stable")
    history = History(policy.history.by if policy.history else None)
    rows, skipped = [], 0
    for row in df.astype(object).to_dict("records"):
        reviewer = str(row.get("reviewer") or "")
        if is_automatic(reviewer):
            skipped += 1
            continue
        action, args = str(row["action"]), row.get("args")
        verdict = policy.verdict(action, args, _float(row.get("confidence")), _context(row),
                                 history=history, remembered=False)
        human = str(row["decision"])
        auto = verdict.decision == "approve"
        rows.append({
            "thread_id": row.get("thread_id"), "interrupt_id": row.get("interrupt_id"),
            "action": action, "args": args, "decision": human, "comment": row.get("comment"),
            "reviewer": reviewer, "tier": verdict.risk.tier, "score": verdict.risk.score,
            "rule": verdict.rule, "reasons": "; ".join(verdict.risk.reasons),
            "would_review": not auto, "miss": auto and human != "approve",
            "latency_s": _float(row.get("latency_s")),
            "requested_at": _when(row),
        })
        history.add(action, args, human, reviewer, row.get("edited_args"))
    table = pd.DataFrame(rows, columns=[*_MISSED_COLUMNS, "tier", "score", "would_review",
                                        "miss", "latency_s", "requested_at"])
    table["requested_at"] = pd.to_datetime(table["requested_at"], utc=True)
    auto_rows = table[~table.would_review.astype(bool)]
    missed = table[table.miss.astype(bool)][_MISSED_COLUMNS].reset_index(drop=True)
    return Backtest(policy=policy.name, requests=len(table),
                    reviews=int(table.would_review.astype(bool).sum()),
                    automatic=len(auto_rows), misses=len(missed),
                    time_saved_s=float(auto_rows.latency_s.fillna(0).sum()), skipped=skipped,
                    missed=missed, rows=table)


class Comparison(NamedTuple):
    """``table`` (one row per policy) and ``ax`` (reviews asked vs misses let through)."""

    table: pd.DataFrame
    ax: Any


def compare(*policies_and_log: Any, log: Any = None, names: list[str] | None = None,
            ax: Any = None) -> Comparison:
    """Back-test several policies on one log: ``table, ax = compare(a, b, log)``.

    The plot puts each policy at (reviews asked, misses let through): lower left is better;
    the label says how many reviewer minutes it saves. ``log`` (or the last positional
    argument): a `DecisionLog`, its path, or its DataFrame. ``names``: the policies' labels
    (default: each policy's ``name``). ``ax``: a matplotlib Axes to draw on.

    Raises `TypeError` without a policy and a log, or for a log of another type.

    Example::

        table, ax = hitl_nb.compare(strict, relaxed, "hitl.db", names=["strict", "relaxed"])
        table[["reviews", "misses", "time_saved_min"]]
    """
    import pandas as pd

    policies = list(policies_and_log)
    if log is None:
        if len(policies) < 2:
            raise TypeError("compare(policy_a, policy_b, log): pass the policies, then the log")
        log = policies.pop()
    if not policies:
        raise TypeError("compare() needs at least one policy")
    df = frame_of(log)
    reports = [backtest(p, df) for p in policies]
    labels = list(names) if names else [r.policy for r in reports]
    if len(set(labels)) != len(labels):
        labels = [f"{label} #{i + 1}" for i, label in enumerate(labels)]
    table = pd.DataFrame([r.summary() for r in reports])
    table["policy"] = labels
    table = table.set_index("policy")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 4))
    from matplotlib.ticker import MaxNLocator

    colours = [f"C{i}" for i in range(len(table))]
    ax.scatter(table.reviews, table.misses, s=80, zorder=3, c=colours)
    for label, row in table.iterrows():
        ax.annotate(f"{label}\n{row.time_saved_min:.0f} min saved", (row.reviews, row.misses),
                    textcoords="offset points", xytext=(8, 4), fontsize=9)
    ax.set_xlabel("reviews asked (fewer = less reviewer load)")
    ax.set_ylabel("human rejections/edits let through")
    ax.set_title(f"Back-test on {reports[0].requests} logged requests")
    ax.set_xlim(0, max(reports[0].requests, 1) * 1.15)
    ax.set_ylim(-0.5, max(1, int(table.misses.max())) * 1.3 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    return Comparison(table, ax)
