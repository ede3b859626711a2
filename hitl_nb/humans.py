"""Which decisions a person took: the one definition the analysis modules share.

A decision is *automatic* when its reviewer is a policy (``policy`` or ``policy:<rule>``)
or a deadline (``timeout``, ``timeout:...``); every other decision is *human*. Analyses of
reviewers' judgement (calibration, agreement, fatigue, suggested rules) count human
decisions only: a policy must not grade itself.

Example::

    humans(df)            # the rows decided by people
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Decisions that let the action go ahead (as in ``df.hitl.approval_rate``).
APPROVED = ("approve", "edit")


def is_automatic(reviewer: Any) -> bool:
    """True when one ``reviewer`` name is a policy's or a timeout's, not a person's."""
    return isinstance(reviewer, str) and (
        reviewer == "policy" or reviewer.startswith(("policy:", "timeout")))


def automatic(reviewer: pd.Series) -> pd.Series:
    """True where ``reviewer`` names a policy or a timeout, not a person."""
    who = reviewer.astype(str)
    return (who.str.startswith("policy:") | (who == "policy") | who.str.startswith("timeout")
            ).rename("automatic")


def humans(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of decision frame ``df`` whose reviewer is a person."""
    return df[~automatic(df["reviewer"])]
