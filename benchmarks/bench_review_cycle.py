"""The review cycle's overhead: hitl_nb against resuming a graph by hand.

One cycle runs a 5-step graph whose steps 2, 3 and 4 each call plain ``interrupt()``,
through to the end:

- hitl_nb: ``hitl_nb.review(graph, input, display=False)``, then three times: build
  the card, click its Approve button (``card.click("Approve")``, what a browser click
  on it runs), which logs
  the decision and resumes the graph;
- baseline: ``graph.invoke(input)``, then three times
  ``graph.invoke(Command(resume={"approved": True}))``: no card, no log;
- the same with the view shown before the run (what ``display`` does in a notebook:
  every widget opens its comm and sends its state and each change; no front end here
  to receive them). Not shown (``display=False``), the view opens no comm and sends
  nothing; a card's body is rendered when first read;
- and, to tell the widgets' share from the logic's, the same cycle without widgets:
  ``Session.start`` and ``Session.decide(request, Decision("approve"))`` (log, checks,
  resume), once with the default ``durability="sync"`` (each step's checkpoint saved
  before the next step starts) and once with ``durability="async"`` (LangGraph's
  default, what the bare baseline uses): the difference is the price of never re-running
  a saved step after a crash.

Both graphs use the same checkpointer type (SQLite, ``hitl_nb.checkpointer(path)``),
each its own file; cycles alternate so the machine's noise hits both. Target: at most
1.3x.

    python benchmarks/bench_review_cycle.py            # 30 cycles each
    python benchmarks/bench_review_cycle.py --quick    # 3 cycles each
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any, TypedDict

from _common import interleaved, main
from _common import result as make_result
from ipywidgets.widgets.widget import _instances as widget_instances
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

import hitl_nb
from hitl_nb import Decision, ReviewCard, Session, SessionView

STEPS = ("plan", "draft", "check", "send", "report")
REVIEWED = {"draft": "write_draft", "check": "run_checks", "send": "send_email"}


class State(TypedDict, total=False):
    task: str
    done: list[str]


def _step(name: str):
    def node(state: State) -> State:
        if name in REVIEWED:
            answer = interrupt({"action": REVIEWED[name], "args": {"task": state["task"],
                                                                  "step": name}})
            if not answer["approved"]:
                return {"done": [*state.get("done", []), f"{name}: rejected"]}
        return {"done": [*state.get("done", []), name]}
    node.__name__ = name
    return node


def build_graph(checkpointer: Any) -> Any:
    """plan -> draft* -> check* -> send* -> report (* pauses for a review)."""
    builder = StateGraph(State)
    for name in STEPS:
        builder.add_node(name, _step(name))
    builder.add_edge(START, STEPS[0])
    for a, b in itertools.pairwise(STEPS):
        builder.add_edge(a, b)
    builder.add_edge(STEPS[-1], END)
    return builder.compile(checkpointer=checkpointer)


class Cycles:
    """Both sides of the comparison, each on its own SQLite file in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.ours_graph = build_graph(hitl_nb.checkpointer(folder / "ours.db"))
        self.log = hitl_nb.DecisionLog(folder / "ours.db")
        self.shown_graph = build_graph(hitl_nb.checkpointer(folder / "shown.db"))
        self.shown_log = hitl_nb.DecisionLog(folder / "shown.db")
        self.bare_graph = build_graph(hitl_nb.checkpointer(folder / "bare.db"))
        self.logic_graph = build_graph(hitl_nb.checkpointer(folder / "logic.db"))
        self.logic_log = hitl_nb.DecisionLog(folder / "logic.db")
        self.async_graph = build_graph(hitl_nb.checkpointer(folder / "async.db"))
        self.async_log = hitl_nb.DecisionLog(folder / "async.db")
        self.n = 0
        self.older_widgets = set(widget_instances)

    def ours(self) -> None:
        self.n += 1
        view = hitl_nb.review(self.ours_graph, {"task": "mail the Q3 numbers"},
                              thread_id=f"ours-{self.n}", log=self.log, display=False)
        for _ in REVIEWED:
            view.cards[0].click("Approve")
        if not view.done or view.result["done"] != list(STEPS):
            raise AssertionError(f"hitl_nb cycle did not finish: {view.result!r}")

    def shown(self) -> None:
        """`ours` with the view displayed first (its ``_repr_mimebundle_``), as
        ``hitl_nb.review`` does in a notebook before it starts the graph."""
        self.n += 1
        session = Session(self.shown_graph, thread_id=f"shown-{self.n}", log=self.shown_log)
        view = SessionView(session)
        view._repr_mimebundle_()
        session.start({"task": "mail the Q3 numbers"})
        for _ in REVIEWED:
            view.cards[0].click("Approve")
        if not view.done or view.result["done"] != list(STEPS):
            raise AssertionError(f"shown cycle did not finish: {view.result!r}")

    def tidy(self) -> None:
        """Close the widgets made since the benchmark began, untimed: each cycle starts
        from the same heap instead of one holding every earlier card."""
        for key in [k for k in widget_instances if k not in self.older_widgets]:
            widget_instances[key].close()

    def card_cost(self, repeat: int) -> tuple[int, float, float]:
        """Widget objects in one shown card of this graph, and the median times to build
        one (what a cycle does; its comm opens when shown) and to build and show one."""
        session = Session(self.logic_graph, thread_id="card-cost", log=self.logic_log)
        session.start({"task": "mail the Q3 numbers"})
        request = session.pending[0]
        self.tidy()
        before = len(widget_instances)
        ReviewCard(request, session.decide)._repr_mimebundle_()
        count = len(widget_instances) - before
        build, shown = interleaved(
            [lambda: ReviewCard(request, session.decide),
             lambda: ReviewCard(request, session.decide)._repr_mimebundle_()],
            repeat=repeat, between=self.tidy)
        return count, build, shown

    def logic(self, durability: str = "sync") -> None:
        self.n += 1
        graph, log = ((self.logic_graph, self.logic_log) if durability == "sync"
                      else (self.async_graph, self.async_log))
        session = Session(graph, thread_id=f"logic-{self.n}", log=log,
                          durability=durability)
        session.start({"task": "mail the Q3 numbers"})
        for _ in REVIEWED:
            session.decide(session.pending[0], Decision("approve"))
        if not session.done or session.result["done"] != list(STEPS):
            raise AssertionError(f"session cycle did not finish: {session.result!r}")

    def bare(self) -> None:
        self.n += 1
        config = {"configurable": {"thread_id": f"bare-{self.n}"}}
        out = self.bare_graph.invoke({"task": "mail the Q3 numbers"}, config)
        for _ in REVIEWED:
            out = self.bare_graph.invoke(Command(resume={"approved": True}), config)
        if out.get("done") != list(STEPS):
            raise AssertionError(f"bare cycle did not finish: {out!r}")


def run(quick: bool) -> list[dict[str, Any]]:
    repeat = 3 if quick else 30
    with tempfile.TemporaryDirectory(prefix="hitl-bench-") as tmp:
        cycles = Cycles(Path(tmp))
        bare, ours, logic, logic_async = interleaved(
            [cycles.bare, cycles.ours, cycles.logic, lambda: cycles.logic("async")],
            repeat=repeat, warmup=1 if quick else 2, between=cycles.tidy)
        bare_again, shown = interleaved([cycles.bare, cycles.shown], repeat=repeat,
                                        warmup=1 if quick else 2, between=cycles.tidy)
        counts = len(cycles.log), len(cycles.shown_log), len(cycles.logic_log)
        widgets, build, build_shown = cycles.card_cost(repeat)
        cycles.log.close()
        cycles.shown_log.close()
        cycles.logic_log.close()
        cycles.async_log.close()
    if counts != ((repeat + (1 if quick else 2)) * len(REVIEWED),) * 3:
        raise AssertionError(f"expected one logged decision per click, got {counts}")
    note = f"median of {repeat} cycles each, interleaved"
    baseline = "graph.invoke(Command(resume=...))"
    return [
        make_result("review cycle (5 steps, 3 interrupts)", baseline=baseline,
                    baseline_value=bare, value=ours, max_ratio=1.3,
                    note=f"{note}; build card + click Approve + log + resume; one card "
                         f"is {widgets} widget objects once shown, built in "
                         f"{build * 1e3:.2f} ms, built and shown in {build_shown * 1e3:.2f} ms"),
        make_result("  the same, view shown (comms open)", baseline=baseline,
                    baseline_value=bare_again, value=shown,
                    note=f"{note} in a second pass (bare and shown); for information: the "
                         "view displayed before the run, each widget sends its state and "
                         "changes (no front end here)"),
        make_result("  the same without widgets (Session.decide)", baseline=baseline,
                    baseline_value=bare, value=logic, max_ratio=1.3,
                    note=f"{note}; checks + log + resume, no card; durability='sync'"),
        make_result("  the same, durability='async' (LangGraph's default)",
                    baseline=baseline, baseline_value=bare, value=logic_async,
                    max_ratio=1.3, note=f"{note}; sync costs {logic / logic_async:.2f}x "
                                        "async"),
    ]


if __name__ == "__main__":
    raise SystemExit(main(run, description=__doc__.splitlines()[0]))
