"""Graphs with async nodes: `areview`, awaited decisions, the same exactly-once path."""

from __future__ import annotations

import asyncio
import contextlib

import pandas as pd
import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

import hitl_nb
from hitl_nb import Decision, DecisionLog, RiskPolicy
from tests._policies import StackDepths
from tests.graphs import State, loop, mails, parallel, paying


def _async_graph(checkpointer):
    async def ask(state: State) -> dict:
        await asyncio.sleep(0)
        answer = interrupt({"action": "post_tweet", "args": {"text": "hello"}})
        return {"answers": [answer["type"]]}

    async def act(state: State) -> dict:
        return {"log": ["posted" if state["answers"][-1] == "approve" else "skipped"]}

    b = StateGraph(State)
    b.add_node("ask", ask)
    b.add_node("act", act)
    b.add_edge(START, "ask")
    b.add_edge("ask", "act")
    b.add_edge("act", END)
    return b.compile(checkpointer=checkpointer)


def test_review_points_async_graphs_to_areview(db):
    graph = _async_graph(hitl_nb.checkpointer(db))
    with pytest.raises(hitl_nb.HitlError, match=r"await hitl_nb\.areview"):
        hitl_nb.review(graph, {}, log=db, display=False)


def test_areview_approve_with_async_sqlite_checkpoints(db):
    async def main():
        graph = _async_graph(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(graph, {}, thread_id="a1", log=db, display=False,
                                        reviewer="ana")
        assert [r.action for r in session.pending] == ["post_tweet"]
        task = session.cards[0].approve()          # a button inside a running loop
        assert isinstance(task, asyncio.Future)
        await task
        await graph.checkpointer.conn.close()
        return session

    session = asyncio.run(main())
    assert session.done and session.result["log"] == ["posted"]
    assert list(hitl_nb.DecisionLog(db).to_pandas().status) == ["applied"]


def test_areview_pick_up_after_restart_and_double_decision(db):
    async def first():
        graph = _async_graph(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(graph, {}, thread_id="a2", log=db, display=False)
        await graph.checkpointer.conn.close()
        return session.pending[0].interrupt_id

    async def second():
        graph = _async_graph(await hitl_nb.acheckpointer(db))
        session = await hitl_nb.areview(graph, None, thread_id="a2", log=db, display=False,
                                        reviewer="bo")
        request = session.pending[0]
        await session.session.adecide(request, hitl_nb.Decision("reject", comment="no"))
        with pytest.raises(hitl_nb.AlreadyDecided, match="rejected by bo"):
            await session.session.adecide(request, hitl_nb.Decision("approve"))
        await graph.checkpointer.conn.close()
        return session, request.interrupt_id

    interrupt_id = asyncio.run(first())
    session, picked = asyncio.run(second())
    assert picked == interrupt_id
    assert session.done and session.result["log"] == ["skipped"]
    assert len(hitl_nb.DecisionLog(db)) == 1



# -- remembered policy choices ("always allow/reject this tool") ---------------------------
@contextlib.asynccontextmanager
async def _mails(db):
    """The `mails` graph (send_email, send_email, post_tweet) on a fresh async checkpointer,
    its connection closed on the way out (even when an assertion fails)."""
    graph = mails(await hitl_nb.acheckpointer(db), asynchronous=True)
    try:
        yield graph
    finally:
        await graph.checkpointer.conn.close()


async def _areview(graph, db, graph_input, thread_id, policy):
    return await hitl_nb.areview(graph, graph_input, thread_id=thread_id, log=db,
                                 display=False, reviewer="ana", policy=policy)


async def _answers(view):
    """The graph's answers so far: what the resumes delivered."""
    values = (await view.session.graph.aget_state(view.session.config)).values
    return values.get("answers", [])


def _pending(view):
    return [(r.action, r.args) for r in view.pending]


def _rows(db):
    df = DecisionLog(db).to_pandas()
    return list(zip(df.args.map(lambda a: a.get("to")), df.decision, df.reviewer, df.status,
                    strict=True))


TWEET = ("post_tweet", {"text": "Q3 is out"})
CFO, CEO = "cfo@example.com", "ceo@example.com"


def test_always_allow_click_approves_the_next_send_email_alone(db):
    async def main():
        async with _mails(db) as graph:
            view = await _areview(graph, db, {}, "m1", RiskPolicy(log=db))
            assert _pending(view) == [("send_email", {"to": CFO})]
            await view.cards[0].click("Always allow send_email")
            return view, await _answers(view)

    view, answers = asyncio.run(main())
    assert answers == ["send_email:approve", "send_email:approve"]   # resumed past mail_ceo
    assert _pending(view) == [TWEET]
    assert [c.request.action for c in view.cards] == ["post_tweet"]
    assert _rows(db) == [(CFO, "approve", "ana", "applied"),
                         (CEO, "approve", "policy:remembered-allow", "applied")]


def test_remembered_reject_rejects_each_send_email_at_astart(db):
    policy = RiskPolicy(log=db)
    policy.remember("send_email", "reject")

    async def main():
        async with _mails(db) as graph:
            view = await _areview(graph, db, {}, "m2", policy)
            return view, await _answers(view)

    view, answers = asyncio.run(main())
    assert answers == ["send_email:reject", "send_email:reject"]
    assert _pending(view) == [TWEET]
    assert _rows(db) == [(CFO, "reject", "policy:remembered-reject", "applied"),
                         (CEO, "reject", "policy:remembered-reject", "applied")]


def test_new_async_session_applies_a_persisted_choice_when_picking_up(db):
    async def run(graph_input):      # each call: a new graph, checkpointer and session
        async with _mails(db) as graph:
            view = await _areview(graph, db, graph_input, "m3", RiskPolicy(log=db))
            return view, await _answers(view)

    view, answers = asyncio.run(run({}))
    assert (_pending(view), answers) == ([("send_email", {"to": CFO})], [])
    RiskPolicy(log=db).remember("send_email", "allow", persist=True, reviewer="bo")
    view, answers = asyncio.run(run(None))
    assert answers == ["send_email:approve", "send_email:approve"]
    assert _pending(view) == [TWEET]
    assert [r[2] for r in _rows(db)] == ["policy:remembered-allow"] * 2


class _BobFirst(RiskPolicy):
    """Another process (bob, on his own connection) decides the first request between
    the session reading it and this policy answering for it."""

    def __init__(self, db):
        super().__init__(log=db)
        self.bob, self.raced = DecisionLog(db), False

    def remembered_decision(self, request):
        if not self.raced:
            self.raced = True
            self.bob.record(request, Decision("reject", reviewer="bob"))
        return super().remembered_decision(request)


def test_request_decided_by_another_process_meanwhile_stops_cleanly(db):
    policy = _BobFirst(db)
    policy.remember("send_email", "allow")

    async def main():
        async with _mails(db) as graph:
            view = await _areview(graph, db, {}, "m4", policy)      # does not raise
            at_start = (_pending(view), _rows(db))
            await view.session.aretry()  # bob's process went away: apply his decision once
            return at_start, view, await _answers(view)

    (pending, rows), view, answers = asyncio.run(main())
    assert pending == []                          # bob's decision, read back from the log
    assert rows == [(CFO, "reject", "bob", "recorded")]
    assert answers == ["send_email:reject", "send_email:approve"]
    assert _pending(view) == [TWEET]
    assert _rows(db) == [(CFO, "reject", "bob", "applied"),
                         (CEO, "approve", "policy:remembered-allow", "applied")]


def test_remembered_choice_leaves_a_request_another_reviewer_claimed(db):
    async def run(graph_input, policy):
        async with _mails(db) as graph:
            view = await _areview(graph, db, graph_input, "m5", policy)
            return view, await _answers(view)

    view, _ = asyncio.run(run({}, None))
    DecisionLog(db).claim_review(view.pending[0].key, "bob")
    RiskPolicy(log=db).remember("send_email", "allow", persist=True)
    view, answers = asyncio.run(run(None, RiskPolicy(log=db)))     # does not raise
    assert (_pending(view), answers) == ([("send_email", {"to": CFO})], [])
    assert _rows(db) == []
    assert "being reviewed by bob" in view.session.queue_note(view.pending[0])


def test_a_chain_of_remembered_decisions_loops_in_one_astart(db):
    policy = StackDepths(log=db)
    policy.remember("send_email", "allow")

    async def main():
        graph = loop(await hitl_nb.acheckpointer(db), 12, asynchronous=True)
        try:
            return await _areview(graph, db, {}, "m6", policy)
        finally:
            await graph.checkpointer.conn.close()

    view = asyncio.run(main())
    assert view.done and view.result["answers"] == ["approve"] * 12
    assert len(policy.depths) == 12 and len(set(policy.depths)) == 1, policy.depths


def test_resume_now_and_retry_buttons_take_the_async_path(db):
    """The session view's "Resume now" and retry call ``session.resume_now()`` /
    ``retry()``: on an async session they must schedule the awaited path (the sync path
    would call an AsyncSqliteSaver synchronously from the loop's thread and fail)."""

    async def main():
        graph = parallel(await hitl_nb.acheckpointer(db))
        try:
            view = await hitl_nb.areview(graph, {}, thread_id="p1", log=db, display=False,
                                         reviewer="ana")
            by_action = {c.request.action: c for c in view.cards}
            await by_action["delete_rows"].approve()
            task = view.resume_now()                      # the button's handler
            assert isinstance(task, asyncio.Future)
            await task
            assert [r.action for r in view.pending] == ["send_email"]
            retried = view.retry()                        # nothing recorded: a no-op task
            assert isinstance(retried, asyncio.Future)
            await retried
            assert [r.action for r in view.pending] == ["send_email"]
            await by_action["send_email"].approve()
            return view
        finally:
            await graph.checkpointer.conn.close()

    view = asyncio.run(main())
    assert view.done and view.error is None
    df = DecisionLog(db).to_pandas()
    assert sorted(df.action) == ["delete_rows", "send_email"]
    assert set(df.status) == {"applied"}


def test_failed_async_retry_releases_its_lease_and_a_later_one_applies_once(db, tmp_path):
    broken = tmp_path / "broken"
    broken.touch()

    async def main():
        graph = paying(await hitl_nb.acheckpointer(db), str(tmp_path), broken=str(broken))
        try:
            view = await hitl_nb.areview(graph, {"amount": 5.0}, thread_id="p1", log=db,
                                         display=False)
            session = view.session
            with pytest.raises(hitl_nb.ResumeFailed):
                await session.adecide(session.pending[0], Decision("approve"))
            with pytest.raises(hitl_nb.ResumeFailed, match="bank unreachable"):
                await session.aretry()                       # the pay node still raises
            row = DecisionLog(db).to_pandas().iloc[0]
            released = (row.status, pd.isna(row.owner))
            broken.unlink()
            await session.aretry()
            return released, session
        finally:
            await graph.checkpointer.conn.close()

    released, session = asyncio.run(main())
    assert released == ("recorded", True)
    assert session.done and session.error is None and session.result["paid"] == "r-p1"
    assert (tmp_path / "calls.jsonl").read_text().count('"p1"') == 1
    assert DecisionLog(db).to_pandas().status.tolist() == ["applied"]


def test_areview_of_a_thread_that_never_ran_says_so(db):
    async def main():
        graph = _async_graph(await hitl_nb.acheckpointer(db))
        try:
            with pytest.raises(hitl_nb.HitlError, match="has no checkpoint"):
                await hitl_nb.areview(graph, None, thread_id="nobody", log=db, display=False)
        finally:
            await graph.checkpointer.conn.close()

    asyncio.run(main())
