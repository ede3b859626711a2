"""Helpers shared by the team-queue tests (and run as the reviewer subprocess).

As a script: ``python tests/_team.py TARGET LEDGER MODE REVIEWER THREAD...`` opens each
thread in a new `Session` and, with MODE ``approve``, approves its pending request;
with ``open`` it only opens it (recovery); ``race REVIEWER GOFILE`` is `race`. One JSON
line per thread on stdout. A MODE ending in ``-async`` does the same with `AsyncSession`
(``astream``, ``aget_state``) on an async checkpointer: the engine's other driver.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hitl_nb
from hitl_nb import Decision, DecisionLog, HitlError, Session, StaleRequest
from hitl_nb.engine.aio import AsyncSession
from hitl_nb.examples import payment_graph

WORKER = str(Path(__file__).resolve())
#: How long a racing worker waits for the test's "go" file before giving up.
GO_TIMEOUT_S = 120.0


def team(target: str, ledger: Path | str | None):
    """(graph, log) on ``target``: the payment graph and its shared decision log."""
    return payment_graph(hitl_nb.checkpointer(target),
                         ledger=str(ledger) if ledger else None), DecisionLog(target)


def start_threads(graph, log, n: int, prefix: str = "t", **state) -> list[str]:
    """Run ``n`` payment threads until their review; return their ids."""
    ids = []
    for i in range(n):
        thread = f"{prefix}{i}"
        inp = {"task": f"invoice {i}", "amount": 100.0 + i, "to": f"vendor {i % 7}", **state}
        Session(graph, thread_id=thread, log=log, reviewer="setup").start(inp)
        ids.append(thread)
    return ids


def ledger_counts(ledger: Path) -> dict[str, int]:
    """thread id -> how many times ``pay`` ran for it."""
    counts: dict[str, int] = {}
    if ledger.exists():
        for line in ledger.read_text().splitlines():
            thread = json.loads(line)["thread_id"]
            counts[thread] = counts.get(thread, 0) + 1
    return counts


#: The engine's two drivers: the crash and race tests run on both.
DRIVERS = ("sync", "async")


def reopen(target: str, ledger: Path | str | None, thread: str, driver: str, *,
           reviewer: str | None = None, approve: bool = False
           ) -> tuple[list[str], bool, object]:
    """Open ``thread`` in a new session of ``driver`` (recovering what a crash left),
    approve its first pending request when ``approve``; return (the pending actions
    before deciding, done, result)."""
    if driver == "sync":
        graph, log = team(target, ledger)
        session = Session(graph, thread_id=thread, log=log, reviewer=reviewer).start(None)
        before = [r.action for r in session.pending]
        if approve and session.pending:
            session.decide(session.pending[0], Decision("approve"))
        return before, session.done, session.result

    async def run() -> tuple[list[str], bool, object]:
        async with hitl_nb.acheckpointer(target) as saver:
            graph = payment_graph(saver, ledger=str(ledger) if ledger else None)
            session = AsyncSession(graph, thread_id=thread, log=DecisionLog(target),
                                   reviewer=reviewer)
            await session.astart(None)
            before = [r.action for r in session.pending]
            if approve and session.pending:
                await session.adecide(session.pending[0], Decision("approve"))
            return before, session.done, session.result

    return asyncio.run(run())


def race(target: str, ledger: str, reviewer: str, go: str) -> None:
    """List the inbox, say "ready", wait for the ``go`` file, then approve every request
    seen in the list (as a reviewer clicking through a loaded inbox would)."""
    graph, log = team(target, ledger)
    inbox = hitl_nb.Inbox(log, graph=graph, reviewer=reviewer)
    seen = inbox.list(order="thread")
    print("ready", flush=True)
    deadline = time.monotonic() + GO_TIMEOUT_S
    while not Path(go).exists():  # polled, with a deadline: the test may have failed
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {go} within {GO_TIMEOUT_S} s")
        time.sleep(0.01)
    for request in seen:
        try:
            inbox.decide(request, Decision("approve"))
            print(json.dumps({"thread": request.thread_id, "won": True}), flush=True)
        except HitlError as exc:
            print(json.dumps({"thread": request.thread_id, "won": False,
                              "error": type(exc).__name__, "message": str(exc)}), flush=True)


async def arace(target: str, ledger: str, reviewer: str, go: str) -> None:
    """`race` through `AsyncSession`: each listed request decided with ``adecide``."""
    log = DecisionLog(target)
    seen = hitl_nb.Inbox(log, reviewer=reviewer).list(order="thread")
    print("ready", flush=True)
    deadline = time.monotonic() + GO_TIMEOUT_S
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {go} within {GO_TIMEOUT_S} s")
        await asyncio.sleep(0.01)
    async with hitl_nb.acheckpointer(target) as saver:
        graph = payment_graph(saver, ledger=ledger)
        for request in seen:
            try:
                session = AsyncSession(graph, thread_id=request.thread_id, log=log,
                                       reviewer=reviewer)
                await session.astart(None)
                live = next((r for r in session.requests if r.key == request.key), None)
                if live is None:
                    first = log.get(*request.key)
                    raise StaleRequest(f"no longer pending: it was "
                                       f"{first.summary() if first else 'resumed'}", first)
                await session.adecide(live, Decision("approve"))
                print(json.dumps({"thread": request.thread_id, "won": True}), flush=True)
            except HitlError as exc:
                print(json.dumps({"thread": request.thread_id, "won": False,
                                  "error": type(exc).__name__, "message": str(exc)}),
                      flush=True)


async def aopen(target: str, ledger: str, mode: str, reviewer: str, threads: list[str]
                ) -> None:
    """`main`'s approve / open through `AsyncSession`."""
    log = DecisionLog(target)
    async with hitl_nb.acheckpointer(target) as saver:
        graph = payment_graph(saver, ledger=ledger)
        for thread in threads:
            session = AsyncSession(graph, thread_id=thread, log=log, reviewer=reviewer)
            try:
                await session.astart(None)
                if mode == "approve":
                    await session.adecide(session.pending[0], Decision("approve"))
                print(json.dumps({"thread": thread, "won": True}), flush=True)
            except HitlError as exc:
                print(json.dumps({"thread": thread, "won": False,
                                  "error": type(exc).__name__, "message": str(exc)}),
                      flush=True)


def main(argv: list[str]) -> None:
    target, ledger, mode, reviewer, *threads = argv
    if mode == "race":
        race(target, ledger, reviewer, threads[0])
        return
    if mode == "race-async":
        asyncio.run(arace(target, ledger, reviewer, threads[0]))
        return
    if mode.endswith("-async"):
        asyncio.run(aopen(target, ledger, mode.removesuffix("-async"), reviewer, threads))
        return
    graph, log = team(target, ledger)
    for thread in threads:
        session = Session(graph, thread_id=thread, log=log, reviewer=reviewer)
        try:
            session.start(None)
            if mode == "approve":
                session.decide(session.pending[0], Decision("approve"))
            print(json.dumps({"thread": thread, "won": True}), flush=True)
        except HitlError as exc:
            print(json.dumps({"thread": thread, "won": False, "error": type(exc).__name__,
                              "message": str(exc)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
