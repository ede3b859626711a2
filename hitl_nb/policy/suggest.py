"""Where can review be cut safely? Rules proposed from the log's human decisions.

For each tool (human decisions only, see `hitl_nb.humans`):

- **never** (review can be cut): at least ``min_decisions`` decisions and the Wilson 95%
  lower bound of its approval rate (plain ``approve`` only, as `SafeHistory` counts)
  strictly above ``above``. Proposed as a `SafeHistory` rule, so the suggested policy
  stops asking only once the history proves it (also when back-tested: no look-ahead);
- **always** (keep reviewing every call): at least ``always_min`` decisions and the
  Wilson lower bound of its rejected-or-edited rate at least ``always_above``: with 95%
  confidence reviewers change or stop at least that share of its calls;
- **keep**: neither; the current policy decides.

The suggested `RiskPolicy` is the current one (``current``, default ``RiskPolicy()``)
plus those rules, and both are back-tested on the same log.

Example::

    s = log.suggest_policy(current=policy)
    s.rules          # one row per tool, with its evidence
    s.backtests      # the current and the suggested policy's back-tests, side by side
    s.policy         # the suggested RiskPolicy
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..humans import humans
from .history import SafeHistory, wilson_interval
from .rules import Rule, matches

if TYPE_CHECKING:
    from .core import RiskPolicy

__all__ = ["Suggestion", "suggest_policy", "tool_evidence"]

RULE_COLUMNS = ["decisions", "approved", "rejected", "edited", "approval_low", "change_low",
                "rule", "evidence"]


def tool_evidence(df: pd.DataFrame, *, min_decisions: int = 20, above: float = 0.8,
                  always_min: int = 5, always_above: float = 0.2,
                  z: float = 1.96) -> pd.DataFrame:
    """One row per tool: counts, Wilson lower bounds, proposed ``rule`` and ``evidence``."""
    mine = humans(df)
    rows = {}
    kinds = mine["decision"].astype(str)
    for tool, k in kinds.groupby(mine["action"].astype(str), sort=True):
        n = len(k)
        ok, rej, edi = int((k == "approve").sum()), int((k == "reject").sum()), \
            int((k == "edit").sum())
        ok_low = wilson_interval(ok, n, z)[0]
        change_low = wilson_interval(rej + edi, n, z)[0]
        if n >= min_decisions and ok_low > above:
            rule = "never"
            evidence = (f"approved {ok}/{n} times; the approval rate is above "
                        f"{ok_low:.2f} (95% Wilson lower bound) > {above:g}")
        elif n >= always_min and change_low >= always_above:
            rule = "always"
            evidence = (f"rejected {rej} and edited {edi} of {n} times; at least "
                        f"{change_low:.0%} of its calls are stopped or changed (95% Wilson "
                        f"lower bound) >= {always_above:.0%}")
        else:
            need = [f"needs {min_decisions} decisions" if n < min_decisions else
                    f"approval lower bound {ok_low:.2f} <= {above:g}"]
            rule, evidence = "keep", f"approved {ok}/{n}; not enough evidence ({need[0]})"
        rows[tool] = {"decisions": n, "approved": ok, "rejected": rej, "edited": edi,
                      "approval_low": ok_low, "change_low": change_low, "rule": rule,
                      "evidence": evidence}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=RULE_COLUMNS)
    table.index.name = "action"
    return table


def _derived(current: RiskPolicy, always: list[str], history: SafeHistory) -> RiskPolicy:
    return type(current)(
        irreversible=current.irreversible,
        always=[*current.always,
                *(Rule(t, reason="suggested: reviewers often reject or edit {tool}")
                  for t in always)],
        read_only=current.read_only, reversible=current.reversible, never=current.never,
        min_confidence=current.min_confidence, uncertainty_notes=current.uncertainty_notes,
        unexpected_input=current.unexpected_input, schemas=current.schemas, history=history,
        default=current.default, precedence=current.precedence, log=current.log,
        name=f"suggested from {current.name}",
        budget=getattr(current, "budget", None),
        overflow=getattr(current, "overflow", "wait"))


@dataclass(frozen=True)
class Suggestion:
    """``rules`` (evidence per tool), ``policy`` (the suggested `RiskPolicy`), ``current``
    and ``backtests`` (a table: the current and the suggested policy's back-tests)."""

    rules: pd.DataFrame
    policy: RiskPolicy
    current: RiskPolicy
    backtests: pd.DataFrame

    def __repr__(self) -> str:
        lines = ["Suggested rules (human decisions per tool):"]
        for tool, r in self.rules.iterrows():
            lines.append(f"  {r.rule:<6} {tool}: {r.evidence}")
        lines += ["", "Back-test on the same log, current beside suggested:",
                  self.backtests.to_string()]
        return "\n".join(lines)


def suggest_policy(df: pd.DataFrame, current: RiskPolicy, *,
                   min_decisions: int = 20, above: float = 0.8, always_min: int = 5,
                   always_above: float = 0.2, z: float = 1.96) -> Suggestion:
    """Rules from decision frame ``df`` and the policy they make on top of ``current``
    (module docstring); `RiskPolicy.suggest` and `DecisionLog.suggest_policy` call it."""
    from .backtest import backtest

    rules = tool_evidence(df, min_decisions=min_decisions, above=above,
                          always_min=always_min, always_above=always_above, z=z)
    covered = [*current.irreversible, *(p for r in current.always for p in r.tools
                                        if r.when is None)]
    always = [t for t in rules.index[rules["rule"] == "always"]
              if not any(matches(t, p) for p in covered)]
    by = current.history.by if current.history is not None else None
    policy = _derived(current, always, SafeHistory(min_decisions, above, by, z))
    table = pd.DataFrame([backtest(p, df).summary() for p in (current, policy)])
    table.index = pd.Index(["current", "suggested"], name="policy")
    return Suggestion(rules, policy, current, table.drop(columns="policy"))
