"""Drive one graph thread: run -> pending requests -> decide -> resume, exactly once.

One engine, two drivers. `BaseSession` holds the state and every step of deciding and
resuming, written once as generators that *yield* what they need from the graph
(`ReadState`: ``get_state``; `Stream`: a run) and get the answer back. `Session` drives
them with ``stream`` / ``get_state``, `AsyncSession` (``aio.py``) with ``astream`` /
``aget_state``: the checks, the crash points, the lease and the durability are the same
code for both (as httpx shares one base between ``Client`` and ``AsyncClient``).

The folder: `steps` (what a step asks its driver), `snapshot` (what the graph's state
says: pending requests), `base` (`BaseSession`: the state and the steps), `applying`
(its resume steps), `resume` (their pure parts), `sync`
(`Session`); ``aio.py`` beside it holds `AsyncSession`.

No widgets here: `hitl_nb.review` wraps a `Session` in a `SessionView`. The path of one
decision reads top to bottom: ``_decide`` validates it, checks that its interrupt is
pending right now, commits it to the log, and once every pending request is decided
``_apply`` takes the log's lease, resumes the graph with an id-keyed ``Command`` and
marks the rows applied.
"""

from __future__ import annotations

from .base import BaseSession, Listener
from .snapshot import check_graph, is_async_graph, requests_in
from .steps import DURABILITY, ReadState, Steps, Stream
from .sync import Session

__all__ = ["DURABILITY", "BaseSession", "Listener", "ReadState", "Session", "Steps", "Stream",
           "check_graph", "is_async_graph", "requests_in"]
