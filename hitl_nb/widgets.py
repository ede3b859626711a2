"""Compatibility: the notebook widgets live in `hitl_nb.ui.widgets`."""

from __future__ import annotations

from .ui.widgets import (
    ArgsEditor,
    InboxView,
    ReviewCard,
    ReviewQueue,
    SchemaForm,
    SessionView,
    review_queue,
)

__all__ = ["ArgsEditor", "InboxView", "ReviewCard", "ReviewQueue", "SchemaForm", "SessionView",
           "review_queue"]
