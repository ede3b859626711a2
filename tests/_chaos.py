"""The reviewer process of the chaos test (tests/engine/test_chaos.py), run as a script.

``python tests/_chaos.py TARGET FOLDER THREAD...`` builds the `paying` graph on TARGET,
prints ``ready``, then for each thread picks it up (recovering what a killed predecessor
left), approves its pending review and prints ``done THREAD`` once it is applied.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hitl_nb
from hitl_nb import Decision, DecisionLog, HitlError, Session
from tests.graphs import paying

SCRIPT = str(Path(__file__).resolve())


def main(target: str, folder: str, threads: list[str]) -> None:
    graph = paying(hitl_nb.checkpointer(target), folder)
    log = DecisionLog(target)
    print("ready", flush=True)
    for thread in threads:
        try:
            session = Session(graph, thread_id=thread, log=log, reviewer="chaos").start(None)
            if session.pending:
                session.decide(session.pending[0], Decision("approve"))
        except HitlError as exc:  # reported; the final recovery must still finish it
            print(f"error {thread} {type(exc).__name__}: {exc}", flush=True)
            continue
        if session.done:
            print(f"done {thread}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
