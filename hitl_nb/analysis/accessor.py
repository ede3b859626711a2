"""``df.hitl``: analysis helpers on a decision DataFrame (``DecisionLog.to_pandas()``).

Registered on import of :mod:`hitl_nb`. Methods return plain pandas objects; plot
methods draw with matplotlib (``plot`` extra) and return the Axes.

Definitions used throughout:

- *approved*: ``decision`` is ``approve`` or ``edit`` (the action went ahead);
- *automatic*: the reviewer is a policy (``policy:<rule>``) or a ``timeout``;
- an automatic decision is *overridden* when its outcome was recorded as not ok
  (``log.record_outcome(..., ok=False)``) or a human decided the same action later in
  the same thread.

Example::

    df = hitl_nb.DecisionLog("hitl.db").to_pandas()
    df.hitl.approval_rate(by="action")
    df.hitl.plot_latency()
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..humans import automatic
from ..render.plot import axes as _axes

__all__ = ["HitlAccessor"]

_APPROVED = ("approve", "edit")


def _rate(mask: pd.Series, df: pd.DataFrame, by: Any) -> float | pd.Series:
    if by is None:
        return float(mask.mean()) if len(mask) else float("nan")
    return mask.groupby([df[b] for b in _cols(by)], observed=True).mean().rename(mask.name)


def _cols(by: Any) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


@pd.api.extensions.register_dataframe_accessor("hitl")
class HitlAccessor:
    """Decision-log analysis: ``df.hitl.approval_rate()``, ``df.hitl.plot_latency()``..."""

    def __init__(self, df: pd.DataFrame) -> None:
        missing = {"decision", "reviewer", "action"} - set(df.columns)
        if missing:
            raise AttributeError(f"df.hitl needs a decision-log frame (DecisionLog.to_pandas());"
                                 f" this one lacks {', '.join(sorted(missing))}")
        self._df = df

    # -- masks ------------------------------------------------------------------------
    @property
    def approved(self) -> pd.Series:
        """True where the action went ahead (approve or edit)."""
        return self._df["decision"].astype(str).isin(_APPROVED).rename("approved")

    @property
    def automatic(self) -> pd.Series:
        """True where a policy (``policy:...``) or a timeout decided, not a human."""
        return automatic(self._df["reviewer"])

    def humans(self) -> pd.DataFrame:
        """Only the decisions taken by people."""
        return self._df[~self.automatic]

    # -- rates ------------------------------------------------------------------------
    def approval_rate(self, by: str | list[str] | None = "action") -> float | pd.Series:
        """Share of decisions approved (approve or edit), per ``by`` group or overall."""
        return _rate(self.approved.rename("approval_rate"), self._df, by)

    def edit_rate(self, by: str | list[str] | None = None) -> float | pd.Series:
        """Share of decisions where the reviewer changed the arguments."""
        mask = (self._df["decision"].astype(str) == "edit").rename("edit_rate")
        return _rate(mask, self._df, by)

    def rejection_rate(self, by: str | list[str] | None = None) -> float | pd.Series:
        """Share of decisions rejected."""
        mask = (self._df["decision"].astype(str) == "reject").rename("rejection_rate")
        return _rate(mask, self._df, by)

    def latency_summary(self, by: str | list[str] | None = None, *,
                        humans_only: bool = True) -> pd.DataFrame:
        """Seconds from request to decision: count, mean, median, p90, max (per group).

        Automatic decisions are left out unless ``humans_only=False``.
        """
        df = self.humans() if humans_only else self._df
        lat = df["latency_s"].dropna()
        stats = ["count", "mean", "median", ("p90", lambda s: s.quantile(0.9)), "max"]
        if by is None:
            return lat.agg([s if isinstance(s, str) else s[1] for s in stats]).set_axis(
                ["count", "mean", "median", "p90", "max"]).to_frame("latency_s").T
        keys = [df.loc[lat.index, b] for b in _cols(by)]
        return lat.groupby(keys, observed=True).agg(
            count="count", mean="mean", median="median",
            p90=lambda s: s.quantile(0.9), max="max")

    def top_rejection_reasons(self, n: int = 10, by: str | None = None) -> pd.Series:
        """The most frequent comments on rejections (trimmed, case-folded), with counts."""
        df = self._df[self._df["decision"].astype(str) == "reject"]
        reasons = df["comment"].astype("string").str.strip().str.lower()
        reasons = reasons[reasons.notna() & (reasons != "")]
        if by is None:
            return reasons.value_counts().head(n).rename("rejections")
        counts = reasons.groupby(df.loc[reasons.index, by], observed=True).value_counts()
        return counts.groupby(level=0, observed=True).head(n).rename("rejections")

    def overridden(self) -> pd.Series:
        """True for automatic decisions later overridden (see the module docstring)."""
        df = self._df
        auto = self.automatic
        bad = df["outcome_ok"].eq(False).fillna(False).astype(bool) if "outcome_ok" in df \
            else pd.Series(False, index=df.index)
        human = df[~auto]
        later: set[tuple[Any, Any, Any]] = set()
        if len(human):
            last_human = human.groupby(["thread_id", "action"], observed=True)["decided_at"].max()
            for (thread, action, at) in df[auto][["thread_id", "action", "decided_at"]].itertuples(
                    index=False, name=None):
                latest = last_human.get((thread, action))
                if latest is not None and latest > at:
                    later.add((thread, action, at))
        keys = zip(df["thread_id"], df["action"], df["decided_at"], strict=True)
        followed = pd.Series([k in later for k in keys], index=df.index, dtype=bool)
        return (auto & (bad | followed)).rename("overridden")

    def override_rate(self, by: str | list[str] | None = None) -> float | pd.Series:
        """Share of AUTOMATIC decisions that were overridden (NaN when there are none)."""
        auto = self.automatic
        mask = self.overridden()[auto].rename("override_rate")
        return _rate(mask, self._df[auto], by)

    # -- reviewer analytics (each in its own module) ------------------------------------
    def calibration(self, bins: int = 10, by: str | None = None) -> pd.DataFrame:
        """Reliability table of the agent's confidence against human approvals, with
        ``.attrs["ece"]`` and ``.attrs["brier"]``: see `hitl_nb.analysis.calibration`."""
        from .calibration import calibration

        return calibration(self._df, bins=bins, by=by)

    def plot_calibration(self, bins: int = 10, by: str | None = None, ax: Any = None) -> Any:
        """Reliability diagram (confidence vs approval rate, Wilson bars); the Axes."""
        from .calibration import plot_calibration

        return plot_calibration(self._df, bins=bins, by=by, ax=ax)

    def agreement(self, by: str | None = None, on: str = "decision") -> Any:
        """Cohen's / Fleiss' κ between reviewers on a votes frame (``log.opinions()``),
        with the disagreements: see `hitl_nb.analysis.agreement`."""
        from .agreement import agreement

        return agreement(self._df, by=by, on=on)

    def fatigue(self, by: str = "reviewer", **kwargs: Any) -> Any:
        """Fast approvals, approval streaks and session effects per reviewer: see
        `hitl_nb.analysis.fatigue` for the definitions and ``kwargs``."""
        from .fatigue import fatigue

        return fatigue(self._df, by=by, **kwargs)

    def plot_fatigue(self, ax: Any = None, **kwargs: Any) -> Any:
        """Median time on card by position in the review session, per reviewer; the Axes."""
        return self.fatigue(**kwargs).plot(ax=ax)

    # -- plots ------------------------------------------------------------------------
    def plot_approval_over_time(self, freq: str = "D", ax: Any = None) -> Any:
        """Line: approval rate per period (``freq``: "h", "D", "W"...) by decision time."""
        ax = _axes(ax)
        frame = pd.DataFrame({"at": self._df["decided_at"],
                              "ok": self.approved.astype(float)})
        s = frame.groupby(pd.Grouper(key="at", freq=freq))["ok"].mean().dropna()
        ax.plot(s.index, s.to_numpy(), marker="o")
        ax.set_ylim(0, 1.05)
        ax.set_title("Approval rate over time")
        ax.set_xlabel(f"decided at (UTC, per {freq})")
        ax.set_ylabel("approval rate")
        ax.figure.autofmt_xdate()
        return ax

    def plot_latency(self, bins: int = 30, ax: Any = None, *, humans_only: bool = True) -> Any:
        """Histogram of review latency in seconds (human decisions by default)."""
        ax = _axes(ax)
        df = self.humans() if humans_only else self._df
        ax.hist(df["latency_s"].dropna().to_numpy(), bins=bins)
        ax.set_title("Review latency")
        ax.set_xlabel("latency (seconds from request to decision)")
        ax.set_ylabel("decisions")
        return ax

    def plot_decisions(self, ax: Any = None) -> Any:
        """Stacked bars: decisions per action and risk tier, split by decision type."""
        ax = _axes(ax)
        df = self._df
        tier = df["risk_tier"].astype(object).fillna("none") if "risk_tier" in df \
            else pd.Series("none", index=df.index)
        label = df["action"].astype(str) + " (" + tier.astype(str) + ")"
        table = pd.crosstab(label, df["decision"].astype(str))
        table.plot.bar(stacked=True, ax=ax, rot=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
        ax.set_title("Decisions by action and risk tier")
        ax.set_xlabel("action (risk tier)")
        ax.set_ylabel("decisions")
        ax.set_ylim(0, table.sum(axis=1).max() * 1.05 if len(table) else 1)
        ax.legend(title="decision", bbox_to_anchor=(1.01, 1), loc="upper left")
        ax.figure.tight_layout()
        return ax
