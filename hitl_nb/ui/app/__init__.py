"""The reviewer web app: `python -m hitl_nb serve hitl.db --graph module:attr`.

Voila renders ``reviewer.ipynb`` (shipped next to this file), which shows a `ReviewerApp`.
"""

from __future__ import annotations

from pathlib import Path

from ._pending import PendingThread, load_graph, pending_threads
from .reviewer import ReviewerApp, from_env

#: The notebook Voila serves.
NOTEBOOK = Path(__file__).with_name("reviewer.ipynb")

__all__ = ["NOTEBOOK", "PendingThread", "ReviewerApp", "from_env", "load_graph",
           "pending_threads"]
