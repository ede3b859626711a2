"""ipywidgets views: thin, no logic."""

from __future__ import annotations

from .args_editor import ArgsEditor
from .card import ReviewCard
from .form import SchemaForm
from .session_view import SessionView

__all__ = ["ArgsEditor", "ReviewCard", "SchemaForm", "SessionView"]
