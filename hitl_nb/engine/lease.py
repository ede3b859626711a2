"""Keep a resume's lease alive while the graph runs (a heartbeat).

`DecisionLog.claim` leases a thread's decisions for ``lease_s`` seconds before the
resume. A resume can run longer than that (a slow tool, a long LLM call after the
approval). On this host a live owner is recognised by its pid, but a process on another
host sharing the PostgreSQL queue only sees the lease's deadline; without renewal it
would take the decision over and resume it a second time. `keep_lease` renews the lease
every third of ``lease_s`` from a daemon thread until the resume returns; a process
that dies stops renewing, so its lease lapses and recovery applies the decision once.

Example::

    with keep_lease(log, "t1", ["i1"], owner, lease_s=300):
        graph.invoke(Command(resume=...), config)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any


@contextmanager
def keep_lease(log: Any, thread_id: str, interrupt_ids: Sequence[str], owner: str,
               lease_s: float) -> Iterator[None]:
    """Renew ``owner``'s lease on these decisions every ``lease_s / 3`` s inside the block."""
    stop = threading.Event()
    every = max(lease_s / 3.0, 0.05)

    def beat() -> None:
        while not stop.wait(every):
            try:
                log.renew_resume_lease(thread_id, interrupt_ids, owner, lease_s)
            except Exception:  # a busy database: try again at the next beat
                continue

    thread = threading.Thread(target=beat, name=f"hitl-lease-{thread_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
