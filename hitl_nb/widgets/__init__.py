"""ipywidgets views: thin, no logic."""

from __future__ import annotations

from .card import ReviewCard
from .form import ArgsEditor, SchemaForm
from .session_view import SessionView

__all__ = ["ArgsEditor", "ReviewCard", "SchemaForm", "SessionView"]
