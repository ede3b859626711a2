"""Do reviewers agree? Chance-corrected agreement between independent opinions.

Input is a *votes frame*: one row per (request, reviewer) vote, with ``thread_id``,
``interrupt_id``, ``action_index``, ``action``, ``reviewer``, ``decision`` and optionally
``shadow`` (True for a second opinion, `DecisionLog.opinions` gives one). Only human votes
count (`hitl_nb.humans`), one per reviewer and request; a request is *paired* when at
least two reviewers voted on it.

- **Cohen's κ** (every paired request has exactly two votes): rater 1 is the real
  decision (the earliest vote when none is real), rater 2 the second opinion.
  ``κ = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the share of requests where both agree and
  ``p_e = sum_k p1(k) · p2(k)`` the agreement expected by chance from each rater's own
  rates. 1 is perfect agreement, 0 no better than chance, below 0 worse than chance.
- **Fleiss' κ** (some request has three votes or more): with ``n_ij`` votes for category
  ``j`` on request ``i`` and ``n_i`` votes on it, ``P_i = (sum_j n_ij² - n_i) / (n_i (n_i
  - 1))``, ``P = mean_i P_i``, ``p_j = sum_i n_ij / sum_i n_i``, ``P_e = sum_j p_j²``,
  ``κ = (P - P_e) / (1 - P_e)`` (requests with different vote counts allowed; with a
  constant count it is Fleiss' 1971 statistic).

κ is NaN when chance agreement is already 1 (every vote in one category): it is
undefined, not perfect. The categories are the decision types (``on="decision"``), or
approved (approve/edit) vs not (``on="approved"``).

Example::

    result = agreement(log.opinions(), by="action")
    result.table            # kappa, method, requests, votes, reviewers, observed, expected
    result.disagreements    # one row per paired request where the votes differ
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..humans import APPROVED, humans

__all__ = ["Agreement", "agreement", "cohen_kappa", "fleiss_kappa"]

TABLE = ["kappa", "method", "requests", "votes", "reviewers", "observed", "expected"]
KEY = ["thread_id", "interrupt_id", "action_index"]


def _kappa(observed: float, expected: float) -> float:
    return float("nan") if expected >= 1 else (observed - expected) / (1 - expected)


def cohen_kappa(first: Sequence[Any], second: Sequence[Any]) -> tuple[float, float, float]:
    """(κ, observed agreement, chance agreement) of two raters' labels, item by item."""
    if len(first) != len(second):
        raise ValueError("cohen_kappa needs one label per item from each rater")
    n = len(first)
    if not n:
        return float("nan"), float("nan"), float("nan")
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    ca, cb = Counter(first), Counter(second)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return _kappa(observed, expected), observed, expected


def fleiss_kappa(counts: Any) -> tuple[float, float, float]:
    """(κ, mean observed agreement P, chance agreement P_e) of an items × categories matrix
    of vote counts (each item with at least two votes)."""
    m = np.asarray(counts, dtype=float)
    if m.ndim != 2 or not len(m):
        return float("nan"), float("nan"), float("nan")
    n_i = m.sum(axis=1)
    if (n_i < 2).any():
        raise ValueError("every item needs at least two votes for Fleiss' kappa")
    per_item = ((m * m).sum(axis=1) - n_i) / (n_i * (n_i - 1))
    observed = float(per_item.mean())
    p = m.sum(axis=0) / n_i.sum()
    expected = float((p * p).sum())
    return _kappa(observed, expected), observed, expected


@dataclass(frozen=True)
class Agreement:
    """``table``: one row per group (``all`` without ``by``) with ``kappa``, ``method``
    (cohen/fleiss), ``requests`` (paired), ``votes``, ``reviewers``, ``observed`` and
    ``expected`` agreement; ``disagreements``: the paired requests whose votes differ."""

    table: pd.DataFrame
    disagreements: pd.DataFrame

    @property
    def kappa(self) -> float | pd.Series:
        """κ overall (one group), or per group."""
        k = self.table["kappa"]
        return float(k.iloc[0]) if len(k) == 1 else k

    def __repr__(self) -> str:
        return (f"Agreement over {int(self.table['requests'].sum())} paired requests, "
                f"{len(self.disagreements)} disagreements:\n{self.table.to_string()}")


def _votes(df: pd.DataFrame, on: str) -> pd.DataFrame:
    votes = humans(df).copy()
    if "action_index" not in votes:
        votes["action_index"] = 0
    if "shadow" not in votes:
        votes["shadow"] = False
    order = ["shadow", "decided_at"] if "decided_at" in votes else ["shadow"]
    votes = votes.sort_values(order, kind="stable")  # the real decision first
    votes = votes.drop_duplicates([*KEY, "reviewer"], keep="first")
    kind = votes["decision"].astype(str)
    if on == "approved":
        kind = kind.isin(APPROVED).map({True: "approved", False: "not approved"})
    elif on != "decision":
        raise ValueError(f"on must be 'decision' or 'approved', got {on!r}")
    votes["vote"] = kind
    size = votes.groupby(KEY, sort=False)["vote"].transform("size")
    return votes[size >= 2]


def _measure(group: pd.DataFrame) -> dict[str, Any]:
    items = [g for _, g in group.groupby(KEY, sort=False)]
    reviewers = group["reviewer"].astype(str).nunique()
    base = {"requests": len(items), "votes": len(group), "reviewers": reviewers}
    if all(len(g) == 2 for g in items):
        k, o, e = cohen_kappa([g["vote"].iloc[0] for g in items],
                              [g["vote"].iloc[1] for g in items])
        return {"kappa": k, "method": "cohen", **base, "observed": o, "expected": e}
    labels = sorted(group["vote"].unique())
    counts = [[int((g["vote"] == c).sum()) for c in labels] for g in items]
    k, o, e = fleiss_kappa(counts)
    return {"kappa": k, "method": "fleiss", **base, "observed": o, "expected": e}


def _disagreements(votes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, g in votes.groupby(KEY, sort=False):
        if g["vote"].nunique() < 2:
            continue
        comments = {str(r): str(c) for r, c in zip(g["reviewer"], g.get("comment", []),
                                                   strict=False)
                    if isinstance(c, str) and c.strip()}
        rows.append({**dict(zip(KEY, key, strict=True)), "action": str(g["action"].iloc[0]),
                     "votes": dict(zip(g["reviewer"].astype(str), g["vote"], strict=True)),
                     "comments": comments})
    return pd.DataFrame(rows, columns=[*KEY, "action", "votes", "comments"])


def agreement(df: pd.DataFrame, by: str | None = None, on: str = "decision") -> Agreement:
    """Agreement between reviewers in votes frame ``df`` (see the module docstring)."""
    votes = _votes(df, on)
    if by is None:
        groups = [("all", votes)]
    else:
        groups = [(str(k), g) for k, g in votes.groupby(votes[by].astype(str), sort=True)]
    rows = {name: _measure(g) for name, g in groups if len(g)}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=TABLE)
    table.index.name = by or "group"
    return Agreement(table.astype({"requests": "int64", "votes": "int64",
                                   "reviewers": "int64"}), _disagreements(votes))
