"""Compatibility: the reviewer web app lives in `hitl_nb.ui.app`."""

from __future__ import annotations

from .ui.app import NOTEBOOK, PendingThread, ReviewerApp, from_env, load_graph, pending_threads

__all__ = ["NOTEBOOK", "PendingThread", "ReviewerApp", "from_env", "load_graph",
           "pending_threads"]
