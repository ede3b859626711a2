"""Is the agent's confidence meaningful? Its stated confidence against what humans decided.

Each human decision with a confidence is one forecast ``c`` (the agent's confidence) and
one outcome ``y`` (1 when the reviewer approved or edited, so the action went ahead; 0
when they rejected or responded). Confidences are put into ``bins`` equal-width bins of
[0, 1] (bin ``b`` holds ``b/B <= c < (b+1)/B``; 1.0 falls in the last bin).

- **reliability table**: per bin, the mean confidence, the approval rate, the count and
  the Wilson 95% interval of the rate (`hitl_nb.policy.history.wilson_interval`);
- **ECE** (expected calibration error): ``sum_b (n_b / N) * |rate_b - conf_b|``, the gap
  between confidence and approval rate, weighted by how many decisions each bin holds.
  0 is perfectly calibrated; 0.2 means the agent is off by 20 points on average;
- **Brier score**: ``mean((c - y)^2)`` over the decisions (not binned): 0 is perfect, 0.25
  is what a constant confidence of 0.5 scores on a 50% approval rate.

Automatic decisions (policies, timeouts) are left out: see `hitl_nb.humans`.

Example::

    table = calibration(df, bins=5)
    table.attrs["ece"], table.attrs["brier"]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..humans import APPROVED, humans
from ..policy.history import wilson_interval

__all__ = ["COLUMNS", "brier_score", "calibration", "expected_calibration_error"]

COLUMNS = ["bin", "confidence", "approval_rate", "count", "low", "high"]


def _forecasts(df: pd.DataFrame) -> pd.DataFrame:
    """Human decisions with a confidence: columns ``c`` (confidence) and ``y`` (0/1)."""
    mine = humans(df)
    conf = pd.to_numeric(mine["confidence"], errors="coerce")
    keep = conf.notna()
    return pd.DataFrame({"c": conf[keep].astype(float),
                         "y": mine["decision"].astype(str)[keep].isin(APPROVED).astype(float)})


def _bin_of(c: pd.Series, bins: int) -> pd.Series:
    return np.minimum(np.floor(c.to_numpy() * bins + 1e-9).astype(int), bins - 1)


def _table(f: pd.DataFrame, bins: int, z: float) -> pd.DataFrame:
    rows = []
    if len(f):
        index = _bin_of(f["c"], bins)
        for b in sorted(set(index)):
            sel = f[index == b]
            k, n = int(sel["y"].sum()), len(sel)
            low, high = wilson_interval(k, n, z)
            rows.append({"bin": pd.Interval(b / bins, (b + 1) / bins, closed="left"),
                         "confidence": float(sel["c"].mean()), "approval_rate": k / n,
                         "count": n, "low": low, "high": high})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"count": "int64"})


def expected_calibration_error(table: pd.DataFrame) -> float:
    """``sum_b (n_b/N) |approval_rate_b - confidence_b|`` of a reliability table (NaN if empty)."""
    n = table["count"].sum()
    if not n:
        return float("nan")
    gap = (table["approval_rate"] - table["confidence"]).abs()
    return float((gap * table["count"]).sum() / n)


def brier_score(confidence: Any, approved: Any) -> float:
    """``mean((confidence - approved)^2)`` (NaN with no forecasts)."""
    c, y = np.asarray(confidence, dtype=float), np.asarray(approved, dtype=float)
    return float(np.mean((c - y) ** 2)) if len(c) else float("nan")


def calibration(df: pd.DataFrame, bins: int = 10, by: str | None = None,
                z: float = 1.96) -> pd.DataFrame:
    """The reliability table of decision frame ``df`` (see the module docstring).

    One row per non-empty bin: ``bin`` (an Interval), ``confidence`` (mean), ``approval_rate``,
    ``count``, ``low``/``high`` (Wilson interval, ``z`` = 1.96: 95%). ``.attrs`` holds
    ``ece``, ``brier`` and ``n`` (decisions counted): floats overall, or with ``by`` (e.g.
    ``"action"``) Series indexed by group, and the table gains ``by`` as its first column.
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    f = _forecasts(df)
    if by is None:
        table = _table(f, bins, z)
        table.attrs.update(ece=expected_calibration_error(table),
                           brier=brier_score(f["c"], f["y"]), n=len(f))
        return table
    groups = humans(df).loc[f.index, by].astype(str)
    parts, ece, brier, n = [], {}, {}, {}
    for key in sorted(groups.unique()):
        sub = f[groups == key]
        part = _table(sub, bins, z)
        part.insert(0, by, key)
        parts.append(part)
        ece[key], brier[key], n[key] = expected_calibration_error(part), \
            brier_score(sub["c"], sub["y"]), len(sub)
    table = pd.concat(parts, ignore_index=True) if parts else \
        pd.DataFrame(columns=[by, *COLUMNS])
    table.attrs.update(ece=pd.Series(ece, name="ece", dtype=float),
                       brier=pd.Series(brier, name="brier", dtype=float),
                       n=pd.Series(n, name="n", dtype="int64"))
    return table


def plot_calibration(df: pd.DataFrame, bins: int = 10, by: str | None = None,
                     ax: Any = None) -> Any:
    """Reliability diagram: approval rate (Wilson bars) against mean confidence per bin,
    one line per ``by`` group, the diagonal of perfect calibration; returns the Axes."""
    from ..render.plot import axes as _axes

    ax = _axes(ax)
    table = calibration(df, bins=bins, by=by)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfectly calibrated")
    groups = [(None, table)] if by is None else list(table.groupby(by, sort=True))
    for key, part in groups:
        ece = table.attrs["ece"] if key is None else table.attrs["ece"][key]
        label = f"{key + ': ' if key is not None else ''}ECE {ece:.2f}"
        err = np.vstack([part["approval_rate"] - part["low"],
                         part["high"] - part["approval_rate"]])
        ax.errorbar(part["confidence"], part["approval_rate"], yerr=err, marker="o",
                    capsize=3, label=label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("agent confidence (mean per bin)")
    ax.set_ylabel("human approval rate (95% Wilson)")
    ax.set_title("Calibration of the agent's confidence")
    ax.legend(loc="upper left", fontsize=8)
    return ax
