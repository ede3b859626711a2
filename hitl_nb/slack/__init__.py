"""Compatibility: Slack approvals live in `hitl_nb.ui.slack` (names load lazily there).

Example::

    from hitl_nb import slack
    slack.blocks(session.pending[0])
"""

from __future__ import annotations

from typing import Any

from ..ui import slack as _slack

__all__ = list(_slack.__all__)


def __getattr__(name: str) -> Any:
    return getattr(_slack, name)


def __dir__() -> list[str]:
    return dir(_slack)
