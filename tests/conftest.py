"""Shared fixtures: a fresh SQLite file per test, the seed graph, a fixed reviewer."""

from __future__ import annotations

import functools
import gc
import os
import uuid
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


@pytest.fixture
def open_session(db: str):
    """``open_session(graph, input, thread_id=...)``: an engine `Session`, started, with
    no widget: for tests of the engine (``start`` gives the notebook's view)."""

    def _open(graph, graph_input, thread_id="t1", **kwargs):
        kwargs.setdefault("reviewer", "ana")
        return hitl_nb.Session(graph, thread_id=thread_id, log=db, **kwargs).start(graph_input)

    return _open


# -- the queue/log backends: SQLite always, PostgreSQL when reachable (and always in CI) --
PG_URL = os.environ.get("HITL_NB_TEST_POSTGRES_URL",
                        "postgresql://hitl:hitl@127.0.0.1:5432/hitl")


@functools.lru_cache(maxsize=1)
def _postgres_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'hitl_nb[postgres]')"
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def _with_params(url: str, **params: str) -> str:
    from urllib.parse import urlencode

    return url + ("&" if "?" in url else "?") + urlencode(params)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path: Path):
    """Where checkpoints and the log live: a fresh SQLite file, or a fresh PostgreSQL
    schema (dropped afterwards). Fails instead of skipping under CI=true."""
    if request.param == "sqlite":
        yield str(tmp_path / "team.db")
        return
    problem = _postgres_problem()
    if problem:
        where = PG_URL.split("@")[-1]
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but PostgreSQL at {where} is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {where} ({problem}); start one with "
                    "`source .ci/postgres.sh` or set HITL_NB_TEST_POSTGRES_URL")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    yield _with_params(PG_URL, options=f"-csearch_path={schema}", application_name=schema)
    gc.collect()
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE application_name = %s AND pid <> pg_backend_pid()", (schema,))
        admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """The file `payment_graph`'s pay node appends one line to per payment."""
    return tmp_path / "ledger.jsonl"
