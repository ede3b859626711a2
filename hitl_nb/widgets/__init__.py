"""ipywidgets views: thin, no logic."""

from __future__ import annotations

from .card import ReviewCard
from .inbox_view import InboxView
from .session_view import SessionView

__all__ = ["InboxView", "ReviewCard", "SessionView"]
