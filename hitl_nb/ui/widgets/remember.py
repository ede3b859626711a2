"""`RememberBox`: "Always allow / always reject this tool" under a review card.

Shown when the session has a `RiskPolicy`. A click remembers the choice (for this
session, or persisted in the log database when "remember across sessions" is ticked)
and decides the card the same way; later requests for the tool are decided alone.
"Always allow" is not offered when the request's risk tier is ``always``: a remembered
allow never overrides an always rule.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w


class RememberBox(w.HBox):
    """Two buttons and a checkbox remembering a choice for ``card.request.action``."""

    def __init__(self, card: Any, policy: Any) -> None:
        self.card = card
        self.policy = policy
        tool = card.request.action
        risk = card.request.risk
        self.persist = w.Checkbox(value=False, description="remember across sessions",
                                  indent=False, layout=w.Layout(width="auto"))
        self.buttons: dict[str, w.Button] = {}
        if "approve" in card.request.allowed and not (risk and risk.tier == "always"):
            self.buttons["allow"] = w.Button(description=f"Always allow {tool}",
                                             tooltip=f"Approve, and approve {tool} from now on",
                                             layout=w.Layout(width="auto"))
            self.buttons["allow"].on_click(lambda _: self.allow())
        if "reject" in card.request.allowed:
            self.buttons["reject"] = w.Button(description=f"Always reject {tool}",
                                              tooltip=f"Reject, and reject {tool} from now on",
                                              layout=w.Layout(width="auto"))
            self.buttons["reject"].on_click(lambda _: self.reject())
        for kind, button in self.buttons.items():
            button.add_class(f"hitl-always-{kind}")
        children = [*self.buttons.values(), self.persist] if self.buttons else []
        super().__init__(children, layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.add_class("hitl-remember")

    def allow(self) -> Any:
        """Remember "always allow" for the tool, then approve this request."""
        self.policy.remember(self.card.request.action, "allow", persist=self.persist.value)
        return self.card.approve(self.card.comment.value or None)

    def reject(self) -> Any:
        """Remember "always reject" for the tool, then reject this request."""
        self.policy.remember(self.card.request.action, "reject", persist=self.persist.value)
        return self.card.reject(self.card.comment.value or None)

    def set_disabled(self, disabled: bool) -> None:
        for control in (*self.buttons.values(), self.persist):
            control.disabled = disabled
