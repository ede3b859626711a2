"""Small graphs the tests review (each a few lines, each showing one shape of interrupt)."""

from __future__ import annotations

import json
import operator
import os
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class State(TypedDict, total=False):
    answers: Annotated[list, operator.add]
    log: Annotated[list, operator.add]


class Pay(TypedDict, total=False):
    amount: float
    decision: dict
    paid: str
    args: Any


def single(checkpointer: Any, value: Any, *, asynchronous: bool = False,
           **interrupt_kwargs: Any) -> Any:
    """One node that interrupts with ``value`` and stores the answer in ``answers``. With
    ``asynchronous`` the node is a coroutine (for `hitl_nb.areview`)."""

    def ask(state: State) -> dict:
        return {"answers": [interrupt(value, **interrupt_kwargs)]}

    async def aask(state: State) -> dict:
        return ask(state)

    b = StateGraph(State)
    b.add_node("ask", aask if asynchronous else ask)
    b.add_edge(START, "ask")
    b.add_edge("ask", END)
    return b.compile(checkpointer=checkpointer)


def asking(checkpointer: Any, action: str, args: Any = None, **review: Any) -> Any:
    """One node that asks with `hitl_nb.request_review(action, args, **review)` (approvals,
    a deadline, ...) and stores the decision's type in ``answers``."""
    import hitl_nb

    def ask(state: State) -> dict:
        return {"answers": [hitl_nb.request_review(action, args or {}, **review).type]}

    b = StateGraph(State)
    b.add_node("ask", ask)
    b.add_edge(START, "ask")
    b.add_edge("ask", END)
    return b.compile(checkpointer=checkpointer)


def parallel(checkpointer: Any) -> Any:
    """Two branches interrupting at once, one of them inside a nested subgraph."""

    def left(state: State) -> dict:
        return {"answers": [("left", interrupt({"action": "delete_rows", "args": {"n": 5}}))]}

    def inner(state: State) -> dict:
        return {"answers": [("inner", interrupt({"tool": "send_email",
                                                 "to": "a@example.com"}))]}

    inner_b = StateGraph(State)
    inner_b.add_node("inner", inner)
    inner_b.add_edge(START, "inner")
    middle_b = StateGraph(State)
    middle_b.add_node("nested", inner_b.compile())
    middle_b.add_edge(START, "nested")
    b = StateGraph(State)
    b.add_node("left", left)
    b.add_node("right", middle_b.compile())
    b.add_edge(START, "left")
    b.add_edge(START, "right")
    return b.compile(checkpointer=checkpointer)


def twice(checkpointer: Any) -> Any:
    """One node asking two questions in a row (the stale-resume trap)."""

    def ask(state: State) -> dict:
        first = interrupt({"action": "first"})
        second = interrupt({"action": "second"})
        return {"answers": [first["type"], second["type"]]}

    b = StateGraph(State)
    b.add_node("ask", ask)
    b.add_edge(START, "ask")
    return b.compile(checkpointer=checkpointer)


def failing(checkpointer: Any, fail: dict) -> Any:
    """Interrupts, then raises while resuming as long as ``fail["on"]`` is true, or the
    thread's id is in ``fail["threads"]``."""

    def ask(state: State, config: RunnableConfig) -> dict:
        answer = interrupt({"action": "deploy", "args": {"env": "prod"}})
        if fail["on"] or config["configurable"]["thread_id"] in fail.get("threads", ()):
            raise RuntimeError("deploy target unreachable")
        return {"answers": [answer["type"]], "log": ["deployed"]}

    b = StateGraph(State)
    b.add_node("ask", ask)
    b.add_edge(START, "ask")
    return b.compile(checkpointer=checkpointer)


def side_effect(checkpointer: Any, path: str, delay: float = 0.0) -> Any:
    """review -> act: ``act`` appends one line to ``path`` per approved run (to count),
    after ``delay`` seconds (a slow tool)."""

    def review(state: State) -> dict:
        answer = interrupt({"action": "append_line", "args": {"path": path}})
        return {"answers": [answer["type"]]}

    def act(state: State) -> dict:
        time.sleep(delay)
        if state["answers"][-1] == "approve":
            with open(path, "a") as f:
                f.write("acted\n")
        return {"log": ["acted"]}

    b = StateGraph(State)
    b.add_node("review", review)
    b.add_node("act", act)
    b.add_edge(START, "review")
    b.add_edge("review", "act")
    b.add_edge("act", END)
    return b.compile(checkpointer=checkpointer)


def mails(checkpointer: Any, *, asynchronous: bool = False) -> Any:
    """Two ``send_email`` interrupts in a row, then a ``post_tweet`` one; each answer lands
    in ``answers`` as "tool:type". With ``asynchronous`` the nodes are coroutines."""

    def asker(tool: str, args: dict) -> Any:
        def ask(state: State) -> dict:
            return {"answers": [f"{tool}:{interrupt({'action': tool, 'args': args})['type']}"]}

        async def aask(state: State) -> dict:
            return ask(state)

        return aask if asynchronous else ask

    b = StateGraph(State)
    b.add_node("mail_cfo", asker("send_email", {"to": "cfo@example.com"}))
    b.add_node("mail_ceo", asker("send_email", {"to": "ceo@example.com"}))
    b.add_node("tweet", asker("post_tweet", {"text": "Q3 is out"}))
    b.add_edge(START, "mail_cfo")
    b.add_edge("mail_cfo", "mail_ceo")
    b.add_edge("mail_ceo", "tweet")
    b.add_edge("tweet", END)
    return b.compile(checkpointer=checkpointer)


def loop(checkpointer: Any, times: int, *, asynchronous: bool = False) -> Any:
    """One node asking ``send_email`` ``times`` times, a new interrupt per run of it."""

    def ask(state: State) -> dict:
        n = len(state.get("answers", []))
        return {"answers": [interrupt({"action": "send_email", "args": {"n": n}})["type"]]}

    async def aask(state: State) -> dict:
        return ask(state)

    b = StateGraph(State)
    b.add_node("ask", aask if asynchronous else ask)
    b.add_edge(START, "ask")
    b.add_conditional_edges("ask", lambda s: END if len(s["answers"]) >= times else "ask")
    return b.compile(checkpointer=checkpointer)


def _append(path: str, record: dict) -> None:
    """Append one JSON line to ``path`` and make it durable (an outside system's record)."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()
        os.fsync(f.fileno())


def charge(folder: str, key: str, thread: str) -> dict:
    """A payment service that honours an idempotency key, as payment APIs do: every call
    is a line in ``calls.jsonl``; the charge itself lands in ``charges.jsonl`` once per key."""
    _append(os.path.join(folder, "calls.jsonl"), {"thread": thread, "key": key,
                                                   "pid": os.getpid(), "at": time.time()})
    charges = Path(folder) / "charges.jsonl"
    if not charges.exists() or f'"{key}"' not in charges.read_text():
        _append(str(charges), {"thread": thread, "key": key})
    return {"receipt": f"r-{thread}"}


def paying(checkpointer: Any, folder: str, broken: str | None = None,
           propose: Any = None, on_change: str = "ask", policy: Any = None) -> Any:
    """review -> pay. ``review`` asks with `hitl_nb.request_review` (args from
    ``propose()`` if given, a model call re-run on resume) and keeps the decision;
    ``pay`` runs its side effect per approved run. Threads named ``k...`` pay through
    `hitl_nb.once` and the `charge` service by the decision's idempotency key; the
    others append a plain line to ``folder/calls.jsonl`` (no key). While the file
    ``broken`` exists, ``pay`` raises before any effect. With ``policy`` the review is
    `hitl_nb.gate`'s."""
    import hitl_nb

    def review(state: Pay) -> dict:
        args = propose() if propose is not None else {"amount": state.get("amount", 10.0)}
        decision = hitl_nb.request_review("pay", args, on_change=on_change, policy=policy)
        return {"decision": {**decision.to_dict(), "args": decision.args or args}}

    def pay(state: Pay, config: RunnableConfig) -> dict:
        if broken and os.path.exists(broken):
            raise RuntimeError("bank unreachable")
        thread = config["configurable"]["thread_id"]
        key = state["decision"]["idempotency_key"]
        if thread.startswith("k"):
            receipt = hitl_nb.once(key, charge, folder, key, thread)["receipt"]
        else:
            _append(os.path.join(folder, "calls.jsonl"), {"thread": thread, "key": key,
                                                           "pid": os.getpid(),
                                                           "at": time.time()})
            receipt = f"r-{thread}"
        return {"paid": receipt, "args": state["decision"]["args"]}

    b = StateGraph(Pay)
    b.add_node("review", review)
    b.add_node("pay", pay)
    b.add_edge(START, "review")
    b.add_conditional_edges("review", lambda s: "pay" if s["decision"]["approved"] else END,
                            ["pay", END])
    b.add_edge("pay", END)
    return b.compile(checkpointer=checkpointer)


def keyed(checkpointer: Any, seen: list, fail: dict) -> Any:
    """One node asking twice: a plain ``interrupt()``, then `hitl_nb.request_review`. Each
    run that got both answers appends (key of the first answer, the decision's key,
    ``idempotency_key()``) to ``seen``, then raises while ``fail["on"]``."""
    import hitl_nb

    def ask(state: State) -> dict:
        interrupt({"action": "check", "args": {}})
        decision = hitl_nb.request_review("refund", {"order": 7})
        seen.append((hitl_nb.idempotency_key(answer=0), decision.idempotency_key,
                     hitl_nb.idempotency_key()))
        if fail["on"]:
            raise RuntimeError("refund service down")
        return {"answers": [decision.type]}

    b = StateGraph(State)
    b.add_node("ask", ask)
    b.add_edge(START, "ask")
    return b.compile(checkpointer=checkpointer)


def ask_then(checkpointer: Any, before: dict | None = None, after: dict | None = None) -> Any:
    """``first`` returns the update ``before``, ``ask`` interrupts, ``act`` returns
    ``after``: a value in either update that the checkpointer refuses stops the run there."""

    def first(state: State) -> dict:
        return before or {}

    def ask(state: State) -> dict:
        return {"answers": [interrupt({"action": "deploy", "args": {"env": "prod"}})["type"]]}

    def act(state: State) -> dict:
        return after or {}

    b = StateGraph(State)
    b.add_node("first", first)
    b.add_node("ask", ask)
    b.add_node("act", act)
    b.add_edge(START, "first")
    b.add_edge("first", "ask")
    b.add_edge("ask", "act")
    b.add_edge("act", END)
    return b.compile(checkpointer=checkpointer)


#: What the LangChain agent's ``send_email`` tool sent (cleared by `email_agent`).
SENT: list[dict] = []


def _tools() -> tuple[Any, Any]:
    from langchain_core.tools import tool

    @tool
    def send_email(to: str, subject: str) -> str:
        """Send an email to one recipient."""
        SENT.append({"to": to, "subject": subject})
        return f"sent to {to}"

    @tool
    def read_inbox(folder: str) -> str:
        """Read an inbox folder (read-only)."""
        return f"3 messages in {folder}"

    return send_email, read_inbox


send_email, read_inbox = _tools()


def email_agent(checkpointer: Any, mode: str, allowed: list[str] | None = None) -> Any:
    """LangChain ``create_agent`` with ``HumanInTheLoopMiddleware`` on ``send_email``
    (``interrupt_mode`` ``mode``): a scripted model sends two emails and reads the inbox."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware

    from hitl_nb.testing import ScriptedChatModel, ai, tool_call

    SENT.clear()
    model = ScriptedChatModel([
        ai("", tool_call("send_email", {"to": "cfo@example.com", "subject": "Q3"}, "c1"),
           tool_call("send_email", {"to": "all@example.com", "subject": "Q3"}, "c2"),
           tool_call("read_inbox", {"folder": "finance"}, "c3")),
        ai("All done."),
    ])
    config = {"allowed_decisions": allowed} if allowed else True
    return create_agent(model, tools=[send_email, read_inbox],
                        middleware=[HumanInTheLoopMiddleware(
                            interrupt_on={"send_email": config}, interrupt_mode=mode)],
                        checkpointer=checkpointer)


class Calls(TypedDict, total=False):
    calls: list[dict[str, Any]]
    outcomes: list[str]


def agent_graph(db: str, policy: Any) -> Any:
    """One node that gates each planned call in turn with ``policy`` (`hitl_nb.gate`) and
    records what it was told."""
    import hitl_nb

    def act(state: Calls) -> dict[str, Any]:
        outcomes = []
        for call in state["calls"]:
            d = hitl_nb.gate(policy, call["tool"], call.get("args", {}),
                             confidence=call.get("confidence"), task="tidy the CRM")
            outcomes.append(f"{call['tool']}:{d.type}:{d.reviewer}")
        return {"outcomes": outcomes}

    builder = StateGraph(Calls)
    builder.add_node("act", act)
    builder.add_edge(START, "act")
    builder.add_edge("act", END)
    return builder.compile(checkpointer=hitl_nb.checkpointer(db))
