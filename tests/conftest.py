"""Shared fixtures: a fresh SQLite file per test, the seed graph, a fixed reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest

import hitl_nb
from hitl_nb.examples import seed_graph


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A fresh SQLite file holding both checkpoints and the decision log."""
    return str(tmp_path / "hitl.db")


@pytest.fixture
def seed(db: str):
    """The plan -> review -> execute | cancel graph, checkpointed in ``db``."""
    return seed_graph(checkpointer=hitl_nb.checkpointer(db))


@pytest.fixture
def start(db: str):
    """``start(graph, input, thread_id=...)``: a review session that never displays."""

    def _start(graph, graph_input, thread_id="t1", **kwargs):
        kwargs.setdefault("reviewer", "ana")
        return hitl_nb.review(graph, graph_input, thread_id=thread_id, log=db, display=False,
                              **kwargs)

    return _start

