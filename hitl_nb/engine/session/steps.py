"""What a session's steps ask of their driver, and how a resume saves its checkpoints.

A step of `BaseSession` is a generator: it yields `ReadState` (answer with
``graph.get_state``) or `Stream` (run the graph) and gets the answer back. `Session`
answers with the sync API, `AsyncSession` with the async one.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from .snapshot import At, interrupt_ids

__all__ = ["DURABILITY", "ReadState", "Steps", "Stream"]


@dataclass(frozen=True)
class ReadState:
    """A step asks the driver for ``graph.get_state(config, subgraphs=...)``; with
    ``none_if_new``, None for a thread the checkpointer has never saved (one indexed read
    instead of building the snapshot).

    With ``ids``, only the ids of the interrupts the snapshot would list, as a set: read
    off the pending writes of the checkpoint while the thread still stands ``at`` the
    one a snapshot showed (`snapshot.interrupt_ids`), else off a new snapshot.
    """

    subgraphs: bool = False
    none_if_new: bool = False
    ids: bool = False
    at: At | None = None

    @property
    def reads_tuple(self) -> bool:
        """Whether the checkpoint tuple (``get_tuple``) may answer, before any snapshot."""
        return self.none_if_new or self.ids

    def from_tuple(self, saved: Any) -> tuple[bool, Any]:
        """(answered, the answer) from the thread's checkpoint tuple ``saved`` (None for
        a thread never saved); not answered: the driver reads the snapshot."""
        if self.none_if_new and saved is None:
            return True, None
        if self.ids and (ids := interrupt_ids(saved, self.at)) is not None:
            return True, ids
        return False, None

    def from_snapshot(self, snapshot: Any) -> Any:
        """The answer from ``get_state``'s snapshot: it, or its interrupts' ids."""
        return {i.id for i in snapshot.interrupts} if self.ids else snapshot


@dataclass(frozen=True)
class Stream:
    """A step asks the driver to run the graph: every ``(mode, chunk)`` goes to
    ``session._progress`` and every "updates" chunk into ``seen``."""

    graph_input: Any
    config: dict[str, Any]
    options: dict[str, Any]
    seen: list[Any] = field(default_factory=list)


#: What a step yields to its driver, what it gets back, what it returns.
Steps = Generator["ReadState | Stream", Any, Any]

#: How a resume saves its checkpoints (LangGraph's ``durability``): "sync" writes each
#: step's checkpoint before the next step starts, so recovery never re-runs a step whose
#: checkpoint was committed; "async" (LangGraph's default) writes it while the next step
#: runs; "exit" only at the end. README, Reliability.
DURABILITY = ("sync", "async", "exit")
