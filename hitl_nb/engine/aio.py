"""`AsyncSession`: the same review path for graphs with async nodes (``areview``)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from langgraph.types import Command

from .. import formats
from ..model import AlreadyDecided, ClaimedByOther, Decision, Expired, HitlError, ReviewRequest
from . import unsaved as _unsaved
from .lease import keep_lease
from .session import Session, _split


class AsyncSession(Session):
    """A `Session` whose graph runs with ``astream``/``aget_state``.

    ``decide``, ``resume_now`` and ``retry`` (what buttons call) schedule `adecide`,
    `aresume_now` and `aretry` on the running loop and return the task; code can
    ``await session.adecide(request, decision)`` directly. With a
    ``policy``, remembered choices are applied after `astart` and after each resume.
    """

    async def astart(self, input: Any = None) -> AsyncSession:
        if input is None:
            await self._arefresh()
            self._expire_due()  # records the timeout decisions; _arecover applies them
            await self._arecover()
        else:
            await self._arun(input)
            await self._aauto_decide()
            if self._expire_due():
                await self._arecover()
        return self

    async def _arun(self, graph_input: Any) -> None:
        self.busy = True
        self._emit("progress", "running")
        config, options = self._stream_args(graph_input)
        seen: list[Any] = []  # the updates, to name a value the checkpointer refuses
        try:
            async for mode, chunk in self.graph.astream(graph_input, config, **options):
                if mode == "updates":
                    seen.append(chunk)
                self._progress(mode, chunk)
        except TypeError as exc:
            if (err := _unsaved.refusal(exc, seen, self.graph, self.thread_id,
                                        graph_input)) is None:
                raise
            self._refused(err, await self.graph.aget_state(self.config))
            raise err from exc
        finally:
            self.busy = False
        self._absorb(await self._asnapshot())

    async def _asnapshot(self) -> Any:
        return await self.graph.aget_state(self.config, subgraphs=True)

    async def _arefresh(self) -> None:
        """`Session._refresh`, awaited: read the thread, then apply remembered choices."""
        self._absorb(await self._asnapshot())
        await self._aauto_decide()

    def _auto_decide(self) -> None:
        """Sync paths never decide alone here: `_aauto_decide` does, awaited."""

    async def _aauto_decide(self) -> None:
        """`Session._auto_decide` through `adecide` (recorded, leased, resumed alike)."""
        with self.autopass.over(self.policy, lambda: self.pending) as picks:
            for found in picks:
                try:
                    await self.adecide(*found)
                except ClaimedByOther:
                    continue  # left to the reviewer who claimed it
                except AlreadyDecided:  # another process decided (or resumes) it
                    self._absorb(await self._asnapshot())
                    return

    async def _apending_ids(self) -> set[str]:
        return {i.id for i in (await self.graph.aget_state(self.config)).interrupts}

    @staticmethod
    def _schedule(work: Coroutine[Any, Any, Any]) -> Any:
        """A task on the running loop (a button click in a notebook), else run it now."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(work)
        return asyncio.ensure_future(work)

    def decide(self, request: ReviewRequest, decision: Decision) -> Any:  # type: ignore[override]
        return self._schedule(self.adecide(request, decision))

    def resume_now(self) -> Any:  # type: ignore[override]
        """`aresume_now` as a task ("Resume now" button): never the sync graph path."""
        return self._schedule(self.aresume_now())

    def retry(self) -> Any:  # type: ignore[override]
        """`aretry` as a task (the error panel's retry)."""
        return self._schedule(self.aretry())

    async def adecide(self, request: ReviewRequest, decision: Decision) -> Decision:
        decision = self._stamp(decision)
        formats.validate(request, decision)
        try:
            final = self._record(request, decision, await self._apending_ids())
        except Expired:
            await self._arecover()  # resume with the timeout action just recorded
            raise
        if not final:
            return decision
        if not self.pending:
            await self._aapply(self._ready_interrupts())
        else:
            await self._aauto_decide()
        return decision

    def expire(self) -> list[ReviewRequest]:
        """Record the timeout action of every overdue request; `aexpire` also resumes."""
        due = self._expire_due()
        if due:
            self._emit("changed")
        return due

    async def aexpire(self) -> list[ReviewRequest]:
        due = self.expire()
        if due:
            await self._arecover()
        return due

    async def aresume_now(self) -> None:
        ready = self._ready_interrupts()
        if not ready:
            raise HitlError("no interrupt is fully decided yet; decide a card first")
        await self._aapply(ready)

    async def aretry(self) -> None:
        self.error = None
        await self._arefresh()
        await self._arecover()

    async def _aapply(self, interrupt_ids: list[str]) -> None:
        if not interrupt_ids:
            return
        if not self.log.claim(self.thread_id, interrupt_ids, self.owner, self.lease_s):
            raise AlreadyDecided(f"interrupts {', '.join(interrupt_ids)} of thread "
                                 f"{self.thread_id} are being resumed by another process")
        snapshot = await self.graph.aget_state(self.config)
        gone, live, finish = _split(snapshot, interrupt_ids)
        values = self._resume_map(live)
        try:
            with keep_lease(self.log, self.thread_id, interrupt_ids, self.owner, self.lease_s):
                if finish:
                    await self._arun(None)  # died mid-step: finish the run
                if gone:
                    self.log.mark_applied(self.thread_id, gone, {})
                if live:
                    await self._arun(Command(resume=values))
        except Exception as exc:
            self.log.release(self.thread_id, interrupt_ids, f"{type(exc).__name__}: {exc}")
            self.error = exc
            self._absorb(await self._asnapshot())
            self._fail(exc)
        if live:
            self.log.mark_applied(self.thread_id, live, values)
        await self._arefresh()

    async def _arecover(self) -> None:
        unapplied = self.log.unapplied(self.thread_id)
        pending = {r.interrupt_id for r in self.requests}
        stale = [i for i in unapplied if i not in pending]
        try:
            await self._aapply(stale)  # resumed before a crash: mark, or finish the run
            ready = set(self._ready_interrupts())
            await self._aapply([i for i in unapplied if i in ready])
        except AlreadyDecided as exc:  # another live process holds the lease
            self._emit("progress", str(exc))
