"""The tiers of risk and `Verdict`: a risk plus what follows from it.

Its own module so that the parts applying a policy inside a node (`gate`, `bridge`) read
a stored verdict without importing `RiskPolicy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Risk
from .history import AUTOMATIC_PREFIX

ALWAYS, UNCERTAIN, NEVER = "always", "uncertain", "never"
TIERS = (ALWAYS, UNCERTAIN, NEVER)


@dataclass(frozen=True)
class Verdict:
    """A risk plus what follows from it: ``decision`` is ``"approve"`` or ``"reject"``
    when the policy decides alone (by ``rule``), None when a human is needed."""

    risk: Risk
    rule: str
    decision: str | None = None

    @property
    def reviewer(self) -> str:
        """How the log names an automatic decision: ``policy:<rule>``."""
        return f"{AUTOMATIC_PREFIX}{self.rule}"

    def to_dict(self) -> dict[str, Any]:
        return {"risk": self.risk.to_dict(), "rule": self.rule, "decision": self.decision}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        return cls(Risk.from_dict(data["risk"]) or Risk(UNCERTAIN, 0.5), str(data["rule"]),
                   data.get("decision"))
