"""ipywidgets views: thin, no logic."""

from __future__ import annotations

from .args_editor import ArgsEditor
from .card import ReviewCard
from .form import SchemaForm
from .inbox_view import InboxView
from .session_view import SessionView

__all__ = ["ArgsEditor", "InboxView", "ReviewCard", "SchemaForm", "SessionView"]
