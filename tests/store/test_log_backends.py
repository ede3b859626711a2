"""The decision log and checkpointer keep the same API on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

import hitl_nb
from hitl_nb.examples import seed_graph
from tests.paths import REPO


def test_review_approve_and_log_on_either_backend(backend):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    session = hitl_nb.review(graph, {"task": "send the Q3 numbers"}, thread_id="t1",
                             log=backend, display=False, reviewer="ana")
    session.cards[0].approve(comment="fine")
    assert session.done and session.result["result"].startswith("done:")
    df = hitl_nb.DecisionLog(backend).to_pandas()
    assert df[["decision", "reviewer", "comment", "status"]].values.tolist() == \
        [["approve", "ana", "fine", "applied"]]
    assert str(df.decided_at.dt.tz) == "UTC"


def test_second_decision_is_refused_naming_the_first(backend):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    first = hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=backend, display=False,
                           reviewer="ana")
    request = first.pending[0]
    log = hitl_nb.DecisionLog(backend)
    log.record(request, hitl_nb.Decision("reject", reviewer="bob"))
    with pytest.raises(hitl_nb.AlreadyDecided, match="rejected by bob"):
        log.record(request, hitl_nb.Decision("approve", reviewer="ana"))
    assert len(log) == 1


def test_pending_review_is_found_again_by_a_new_process_view(backend):
    graph = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    hitl_nb.review(graph, {"task": "x"}, thread_id="t1", log=backend, display=False)
    again = seed_graph(checkpointer=hitl_nb.checkpointer(backend))
    session = hitl_nb.review(again, None, thread_id="t1", log=backend, display=False)
    assert [r.action for r in session.pending] == ["send_email"]


def test_unreachable_postgres_says_what_to_check():
    with pytest.raises(hitl_nb.LogUnavailable, match="cannot connect to PostgreSQL at"):
        hitl_nb.DecisionLog("postgresql://nobody:x@127.0.0.1:1/none")


@pytest.mark.slow
@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_postgres_cases_skip_locally_but_fail_in_ci_without_a_server(ci, outcome):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CI": ci,
           "HITL_NB_TEST_POSTGRES_URL": "postgresql://nobody:x@127.0.0.1:1/none"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=-ra",
         "tests/store/test_log_backends.py::test_second_decision_is_refused_naming_the_first"
         "[postgres]"], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=120)
    assert outcome in run.stdout, run.stdout
    assert "PostgreSQL" in run.stdout and "127.0.0.1:1/none" in run.stdout


def test_async_checkpointer_on_every_backend(backend):
    import asyncio

    from tests.graphs import single

    async def main():
        graph = single(await hitl_nb.acheckpointer(backend), {"action": "go"},
                       asynchronous=True)
        session = await hitl_nb.areview(graph, {}, thread_id="a", log=backend, display=False)
        await session.session.adecide(session.pending[0], hitl_nb.Decision("approve"))
        await graph.checkpointer.conn.close()
        return session

    session = asyncio.run(main())
    assert session.done and session.result["answers"][0]["type"] == "approve"
    session.log.close()
