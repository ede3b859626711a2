"""Views: thin, no logic. A card is one anywidget (`ReviewCard`); `SessionView`,
`InboxView` and `ReviewQueue` are a few widgets each, all drawn by ``_card.js``."""

from __future__ import annotations

from .args_editor import ArgsEditor
from .card import ReviewCard
from .form import SchemaForm
from .inbox_view import InboxView
from .queue import ReviewQueue, review_queue
from .session_view import SessionView

__all__ = ["ArgsEditor", "InboxView", "ReviewCard", "ReviewQueue", "SchemaForm", "SessionView",
           "review_queue"]
