"""Compatibility: the notebook widgets live in `hitl_nb.ui.widgets`."""

from __future__ import annotations

from .ui.widgets import ArgsEditor, InboxView, ReviewCard, SchemaForm, SessionView

__all__ = ["ArgsEditor", "InboxView", "ReviewCard", "SchemaForm", "SessionView"]
