"""Risk policies: when a human is needed (`RiskPolicy`), and the parts it is built from.

- `core`: `RiskPolicy`, `Verdict`, the tiers;
- `rules`: `Rule`, `arg` (tool globs and argument predicates);
- `history`: `SafeHistory`, Wilson bounds over past human decisions;
- `choices`: remembered "always allow / reject";
- `budget`: review budgets and triage; `backtest`: replay a policy over a log;
- `gate` and `bridge`: a policy applied inside a node (`gate`, `interrupt_on`).
"""

from __future__ import annotations

from .core import (
    ALWAYS,
    NEVER,
    TIERS,
    UNCERTAIN,
    Condition,
    Remembered,
    RiskPolicy,
    Rule,
    SafeHistory,
    Triage,
    Verdict,
    arg,
    wilson_interval,
    wilson_lower_bound,
)

__all__ = ["ALWAYS", "NEVER", "TIERS", "UNCERTAIN", "Condition", "Remembered", "RiskPolicy",
           "Rule", "SafeHistory", "Triage", "Verdict", "arg", "wilson_interval",
           "wilson_lower_bound"]
