"""ipywidgets views: thin, no logic."""

from __future__ import annotations

from .card import ReviewCard
from .session_view import SessionView

__all__ = ["ReviewCard", "SessionView"]
