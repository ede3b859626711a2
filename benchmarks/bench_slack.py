"""Measure the Slack path on this machine: blocks() cost, and a signed click's round trip
(HTTP POST -> verified -> logged -> graph resumed -> chat.update) against FakeSlack.

Run: ``PYTHONPATH=. python benchmarks/bench_slack.py [--quick]``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from slack_sdk import WebClient

import hitl_nb
from hitl_nb.examples import seed_graph
from hitl_nb.model import ReviewRequest, Risk
from hitl_nb.ui import slack
from hitl_nb.ui.slack.testing import FakeSlack, SlackUser


def bench_blocks(n: int = 200) -> None:
    small = ReviewRequest("send_email", {"to": "cfo@example.com", "body": "hi"},
                          thread_id="t", interrupt_id="i", before="a", after="b",
                          confidence=0.5, risk=Risk("always", 0.9, ("x",)))
    big = small.replace(args={f"k{i}": "v" * 300 for i in range(800)}, description="d" * 10_000,
                        before="\n".join(map(str, range(5000))), after="\n".join(
                            map(str, range(1, 5001))))
    for name, request in (("small", small), ("huge", big)):
        t = time.perf_counter()
        for _ in range(n):
            blocks = slack.blocks(request)
        ms = (time.perf_counter() - t) / n * 1000
        print(f"blocks({name}): {ms:.2f} ms, {len(blocks)} blocks")


def bench_clicks(n: int = 30) -> None:
    secret = "s3cret"
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        db = str(Path(tmp) / "bench.db")
        graph = seed_graph(checkpointer=hitl_nb.checkpointer(db))
        log = hitl_nb.DecisionLog(db)
        client = WebClient(token="xoxb-x", base_url=fake.api_url)
        bolt = slack.app(log=log, graph=graph, signing_secret=secret, client=client,
                         process_before_response=True)
        user = None
        times = []
        with slack.serve(bolt) as server:
            user = SlackUser(fake, server.url, secret, "U1", "ana")
            for i in range(n):
                session = hitl_nb.Session(graph, thread_id=f"t{i}", log=log)
                session.start({"task": "q3"})
                posted = slack.notify(session.pending[0], channel="C1", client=client)
                t = time.perf_counter()
                status, _ = user.click(posted.ts, "approve")
                times.append(time.perf_counter() - t)
                assert status == 200
        assert len(log) == n
        print(f"click round trip (verify, log, resume, chat.update), n={n}: "
              f"median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]  # CI (run_all.py --quick): keep it working, quickly
    bench_blocks(20 if quick else 200)
    bench_clicks(5 if quick else 30)
