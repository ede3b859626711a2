"""`AsyncSession`: the same review path for graphs with async nodes (``areview``).

The steps are `BaseSession`'s, the very ones `Session` runs; only the driver differs:
it answers them with ``astream`` and ``aget_state``, under an asyncio lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from ..model import Decision, ReviewRequest
from .session import BaseSession, ReadState, Steps, Stream


class AsyncSession(BaseSession):
    """A session whose graph runs with ``astream``/``aget_state``.

    ``decide``, ``resume_now`` and ``retry`` (what buttons call) schedule `adecide`,
    `aresume_now` and `aretry` on the running loop and return the task; code can
    ``await session.adecide(request, decision)`` directly. With a ``policy``,
    remembered choices are applied after `astart` and after each resume.
    """

    _alock: tuple[Any, asyncio.Lock] | None = None

    async def astart(self, input: Any = None) -> AsyncSession:
        """`Session.start`, awaited."""
        return await self._adrive(self._start(input))

    async def adecide(self, request: ReviewRequest, decision: Decision) -> Decision:
        """`Session.decide`, awaited."""
        return await self._adrive(self._decide(request, decision))

    async def aresume_now(self) -> None:
        """`Session.resume_now`, awaited."""
        await self._adrive(self._resume_now())

    async def aexpire(self) -> list[ReviewRequest]:
        """`Session.expire`, awaited: record the timeout actions, then resume."""
        return await self._adrive(self._expire())

    async def aretry(self) -> None:
        """`Session.retry`, awaited."""
        await self._adrive(self._retry())

    async def arefresh(self) -> None:
        """`Session.refresh`, awaited."""
        await self._adrive(self._refresh())

    # -- what buttons call: tasks on the running loop ------------------------------------
    @staticmethod
    def _schedule(work: Coroutine[Any, Any, Any]) -> Any:
        """A task on the running loop (a button click in a notebook), else run it now."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(work)
        return asyncio.ensure_future(work)

    def decide(self, request: ReviewRequest, decision: Decision) -> Any:
        """`adecide` as a task (a card's button)."""
        return self._schedule(self.adecide(request, decision))

    def resume_now(self) -> Any:
        """`aresume_now` as a task ("Resume now" button): never the sync graph path."""
        return self._schedule(self.aresume_now())

    def retry(self) -> Any:
        """`aretry` as a task (the error panel's retry)."""
        return self._schedule(self.aretry())

    def expire(self) -> list[ReviewRequest]:
        """Record the timeout action of every overdue request; `aexpire` also resumes."""
        due = self._expire_due()
        if due:
            self._emit("changed")
        return due

    # -- the driver ------------------------------------------------------------------------
    def _lock_for_loop(self) -> asyncio.Lock:
        """The session's asyncio lock, one per event loop (``asyncio.run`` makes new ones)."""
        loop = asyncio.get_running_loop()
        if self._alock is None or self._alock[0] is not loop:
            self._alock = (loop, asyncio.Lock())
        return self._alock[1]

    async def _adrive(self, steps: Steps) -> Any:
        """Run ``steps`` to the end under the session's lock, answering each request."""
        async with self._lock_for_loop():
            try:
                op = next(steps)
                while True:
                    try:
                        answer = await self._aanswer(op)
                    except BaseException as exc:  # the step handles it (or it propagates)
                        op = steps.throw(exc)
                    else:
                        op = steps.send(answer)
            except StopIteration as stop:
                return stop.value

    async def _aanswer(self, op: ReadState | Stream) -> Any:
        if isinstance(op, ReadState):
            saver = self.graph.checkpointer
            if op.reads_tuple and isinstance(saver, BaseCheckpointSaver):
                answered, answer = op.from_tuple(await saver.aget_tuple(self.config))
                if answered:
                    return answer
            return op.from_snapshot(
                await self.graph.aget_state(self.config, subgraphs=op.subgraphs))
        async for mode, chunk in self.graph.astream(op.graph_input, op.config, **op.options):
            if mode == "updates":
                op.seen.append(chunk)
            self._progress(mode, chunk)
        return None
