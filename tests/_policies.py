"""Policies the tests watch (shared by the policy and engine tests)."""

from __future__ import annotations

import sys

from hitl_nb import RiskPolicy


class StackDepths(RiskPolicy):
    """Notes how deep the call stack is each time a session asks for a remembered choice."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.depths: list[int] = []

    def remembered_decision(self, request):
        frame, depth = sys._getframe(), 0
        while frame is not None:
            frame, depth = frame.f_back, depth + 1
        self.depths.append(depth)
        return super().remembered_decision(request)
