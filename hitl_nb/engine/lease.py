"""Keep a resume's lease alive while the graph runs (a heartbeat).

`DecisionLog.claim` leases a thread's decisions for ``lease_s`` seconds before the
resume. A resume can run longer than that (a slow tool, a long LLM call after the
approval). On this host a live owner is recognised by its pid, but a process on another
host sharing the PostgreSQL queue only sees the lease's deadline; without renewal it
would take the decision over and resume it a second time. `keep_lease` renews the lease
every third of ``lease_s`` until the resume returns; a process that dies stops renewing,
so its lease lapses and recovery applies the decision once.

One daemon thread per process renews every live lease (starting a thread per resume
cost about 1 ms of each review cycle). Leaving the block waits for a renewal of that
lease in flight, so none happens after the resume has returned.

Example::

    with keep_lease(log, "t1", ["i1"], owner, lease_s=300):
        graph.invoke(Command(resume=...), config)
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class _Lease:
    due: float
    token: int
    renew: Any = field(compare=False)   # () -> None
    every: float = field(compare=False)


class _Heartbeat:
    """The renewing thread: leases by due time; started on first use, again after fork."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[_Lease] = []
        self._live: set[int] = set()
        self._busy: int | None = None      # the token being renewed right now
        self._tokens = itertools.count()
        self._pid = 0

    def add(self, renew: Any, every: float) -> int:
        with self._cond:
            if self._pid != os.getpid():   # first use, or a forked child (no thread there)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="hitl-lease", daemon=True).start()
            token = next(self._tokens)
            self._live.add(token)
            lease = _Lease(time.monotonic() + every, token, renew, every)
            heapq.heappush(self._heap, lease)
            if self._heap[0] is lease:   # due first: the thread sleeps until an earlier one
                self._cond.notify()      # (waking it for nothing cost the resume its GIL)
            return token

    def remove(self, token: int) -> None:
        with self._cond:
            self._live.discard(token)
            if len(self._heap) > 2 * len(self._live) + 16:   # ended leases not yet due
                self._heap = [lease for lease in self._heap if lease.token in self._live]
                heapq.heapify(self._heap)
            while self._busy == token:     # a renewal in flight finishes first
                self._cond.wait()

    def _run(self) -> None:
        cond = self._cond
        while True:
            with cond:
                while self._heap and self._heap[0].token not in self._live:
                    heapq.heappop(self._heap)          # ended leases
                if not self._heap:
                    cond.wait()
                    continue
                lease = self._heap[0]
                wait = lease.due - time.monotonic()
                if wait > 0:
                    cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                self._busy = lease.token
            try:
                lease.renew()
            except Exception:  # a busy database: try again at the next beat
                pass
            finally:
                with cond:
                    self._busy = None
                    if lease.token in self._live:
                        lease.due = time.monotonic() + lease.every
                        heapq.heappush(self._heap, lease)
                    cond.notify_all()


_HEARTBEAT = _Heartbeat()


@contextmanager
def keep_lease(log: Any, thread_id: str, interrupt_ids: Sequence[str], owner: str,
               lease_s: float) -> Iterator[None]:
    """Renew ``owner``'s lease on these decisions every ``lease_s / 3`` s inside the block."""
    ids = list(interrupt_ids)
    token = _HEARTBEAT.add(lambda: log.renew_resume_lease(thread_id, ids, owner, lease_s),
                           max(lease_s / 3.0, 0.05))
    try:
        yield
    finally:
        _HEARTBEAT.remove(token)
