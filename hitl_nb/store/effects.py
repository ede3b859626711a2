"""Side effects after a review, at most once per decision: idempotency keys and `once`.

LangGraph re-runs a node from its start when a thread resumes, and a process killed
after a node's side effect but before that step's checkpoint runs the node again on
recovery. Two tools close that window, as payment APIs do:

- `idempotency_key()`: inside a resumed node, a stable key of the decision that resumed
  it (also ``Decision.idempotency_key`` on what `hitl_nb.request_review` returns). The
  same decision always gives the same key, on every re-run, in every process; hand it
  to a service that deduplicates by key (``Idempotency-Key`` header, a unique column).
- `once(key, fn, *args)`: runs ``fn`` at most once per key and stores its result (as
  JSON) in the decision log's ``hitl_effects`` table; a re-run returns the stored result
  without calling ``fn``. Inside a graph resumed by hitl_nb the log is the session's
  (put into the run's config under `LOG_KEY`); elsewhere pass ``log=``.

Example::

    def execute(state):
        key = state["decision"]["idempotency_key"]
        receipt = hitl_nb.once(key, bank.pay, state["to"], state["amount"])
        return {"receipt": receipt}

What stays at least once: a process killed after ``fn``'s effect and before its result is
committed (one local commit) runs ``fn`` again on recovery; pass the key on to the
service (``bank.pay(..., idempotency_key=key)``) and that window closes too.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._faults import fault, owner_alive, owner_id
from ..errors import EffectInProgress
from ..model import Decision, HitlError, ReviewRequest
from .sql import Placeholders

if TYPE_CHECKING:
    from .log import DecisionLog

__all__ = ["LOG_KEY", "EffectInProgress", "Effects", "bind", "decision_key", "idempotency_key",
           "once"]

#: Where a session puts its `DecisionLog` in the run's ``configurable`` (a ``__`` key:
#: LangGraph copies no such key into checkpoint metadata).
LOG_KEY = "__hitl_nb_log"

#: How long a started effect of another host counts as running (a host's own dead
#: processes are told apart by pid at once).
IN_DOUBT_AFTER_S = 300.0


# -- keys ------------------------------------------------------------------------------
def decision_key(thread_id: str, interrupt_id: str, index: int = 0) -> str:
    """The idempotency key of the decision on (thread, interrupt, action index)."""
    text = f"{thread_id}\x1f{interrupt_id}\x1f{index}"
    return "hitl-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def bind(request: ReviewRequest, decision: Decision) -> Decision:
    """A copy of ``decision`` carrying its idempotency key and the digest of the arguments
    the reviewer saw (from a `request_review` payload), for the resume value."""
    raw = request.raw if isinstance(request.raw, dict) else {}
    digest = raw.get("args_digest") if isinstance(raw.get("args_digest"), str) else None
    return Decision(decision.type, args=decision.args, comment=decision.comment,
                    response=decision.response, reviewer=decision.reviewer,
                    decided_at=decision.decided_at, idempotency_key=decision_key(*request.key),
                    args_digest=digest)


def _interrupt_id(namespace: str, answered: int) -> str:
    """LangGraph's id of a task's interrupt that ``answered`` earlier ones precede."""
    try:
        from langgraph.types import _interrupt_id as langgraph_id

        return langgraph_id(namespace, answered)
    except ImportError:  # pragma: no cover - the same rule, langgraph 1.2
        from xxhash import xxh3_128_hexdigest

        return xxh3_128_hexdigest(
            (f"{namespace}|{answered}" if answered else namespace).encode())


def _calls_so_far(counter: Any) -> int | None:
    """How many times a LangGraph ``LazyAtomicCounter`` was called (None if unknown)."""
    inner = getattr(counter, "_counter", 0)
    if inner is None:
        return 0
    text = repr(getattr(inner, "__self__", ""))  # itertools.count(n): n calls so far
    if text.startswith("count(") and text[6:-1].isdigit():
        return int(text[6:-1])
    return None


def idempotency_key(index: int = 0, *, answer: int | None = None) -> str:
    """Inside a node: the key of the decision its latest answered ``interrupt()`` got.

    The same on every re-run of the node for the same decision, and equal to the
    ``Decision.idempotency_key`` a session puts into `request_review`'s resume value.
    ``index`` picks the action of a batched request (LangChain's HITL middleware);
    ``answer`` picks an earlier interrupt of a node that asks several times (0 = first).
    Raises `HitlError` outside a graph node (use ``Decision.idempotency_key`` there).

    Example::

        answer = interrupt({"action": "refund", "args": args})
        if answer["approved"]:
            payments.refund(**args, idempotency_key=hitl_nb.idempotency_key())
    """
    try:
        from langgraph.config import get_config

        conf = get_config()["configurable"]
    except (RuntimeError, KeyError):
        raise HitlError("idempotency_key() works inside a graph node; elsewhere use "
                        "Decision.idempotency_key") from None
    namespace = str(conf.get("checkpoint_ns") or "")
    if answer is None:
        pad = conf.get("__pregel_scratchpad")
        calls = _calls_so_far(getattr(pad, "interrupt_counter", None))
        if calls is None:
            calls = len(getattr(pad, "resume", None) or ())
        if calls < 1:
            raise HitlError("idempotency_key() names the decision of an interrupt() this node "
                            "already received: call it after interrupt() returns")
        answer = calls - 1
    return decision_key(str(conf.get("thread_id") or ""), _interrupt_id(namespace, answer),
                        index)


# -- once ------------------------------------------------------------------------------
def current_log() -> DecisionLog | None:
    """The decision log of the hitl_nb session running this graph node, if any."""
    try:
        from langgraph.config import get_config

        return get_config().get("configurable", {}).get(LOG_KEY)
    except RuntimeError:
        return None


def _resolve(log: DecisionLog | str | os.PathLike[str] | None) -> DecisionLog:
    from .log import DecisionLog

    if isinstance(log, DecisionLog):
        return log
    if log is not None:
        return DecisionLog(log)
    found = current_log()
    if found is None:
        raise HitlError("once() needs the decision log: inside a graph resumed by hitl_nb it "
                        "uses the session's; elsewhere pass log='hitl.db' (or the DecisionLog)")
    return found


def once(key: str, fn: Callable[..., Any], *args: Any,
         log: DecisionLog | str | os.PathLike[str] | None = None, **kwargs: Any) -> Any:
    """Run ``fn(*args, **kwargs)`` at most once per ``key``; return its result.

    The result is stored as JSON with the key (``hitl_effects``) and returned as read
    back, so the first run and every re-run get the same value (dicts, lists, strings,
    numbers; anything else as its ``str``). If ``fn`` raises, nothing is kept and a
    later call runs it again. A call that finds the key started by a process that died
    runs ``fn`` again (its effect may or may not have happened: the window between the
    effect and this commit); one started by a live process raises `EffectInProgress`.

    ``log``: where the keys are kept, a `DecisionLog` or its path/URL; inside a graph
    resumed by hitl_nb it defaults to the session's log. Raises `HitlError` for an empty
    key or when no log is given or found, and what ``fn`` raises (nothing is kept then).

    Example::

        receipt = hitl_nb.once(decision.idempotency_key, bank.pay, "ACME", 1200)
    """
    if not isinstance(key, str) or not key:
        raise HitlError(f"once() needs a non-empty string key, got {key!r}")
    target = _resolve(log)
    target.setup()
    effects = Effects(target._db, target._q)
    owner = owner_id(key[-8:])
    done, result = effects.start(key, owner)
    if done:
        return result
    try:
        value = fn(*args, **kwargs)
    except BaseException:
        effects.forget(key, owner)
        raise
    text = json.dumps(value, default=str, ensure_ascii=False)
    fault("after_effect")  # the effect happened; its record is not committed yet
    effects.finish(key, owner, text)
    return json.loads(text)


class Effects:
    """The ``hitl_effects`` rows of one backend ``db`` (placeholders ``q``): which keyed
    effects started, finished, or were forgotten after a failure."""

    def __init__(self, db: Any, q: Placeholders) -> None:
        self.db = db
        self.q = q

    def start(self, key: str, owner: str) -> tuple[bool, Any]:
        """(True, stored result) when the effect ran already; else take the key for
        ``owner``: (False, None). Raises `EffectInProgress` when a live process holds it."""
        now = time.time()
        lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
        with self.db.transaction() as cur:
            cur.execute(self.q("INSERT INTO hitl_effects (key, state, owner, started_at)"
                               " VALUES (?, 'started', ?, ?) ON CONFLICT (key) DO NOTHING"),
                        (key, owner, now))
            if cur.rowcount == 1:
                return False, None
            cur.execute(self.q(f"SELECT state, owner, result, started_at FROM hitl_effects"
                               f" WHERE key = ?{lock}"), (key,))
            state, holder, result, started = cur.fetchone()
            if state == "done":
                return True, json.loads(result)
            if owner_alive(holder) and now - started < IN_DOUBT_AFTER_S:
                raise EffectInProgress(
                    f"the effect with key {key} is running in process {holder} (started "
                    f"{now - started:.0f} s ago); it was not run a second time. Try again "
                    "once that process finished or died")
            cur.execute(self.q("UPDATE hitl_effects SET owner = ?, started_at = ?,"
                               " attempts = attempts + 1 WHERE key = ?"), (owner, now, key))
        return False, None

    def finish(self, key: str, owner: str, text: str) -> None:
        """Store the result (JSON ``text``) of ``owner``'s effect: it never runs again."""
        with self.db.transaction() as cur:
            cur.execute(self.q("UPDATE hitl_effects SET state = 'done', result = ?,"
                               " done_at = ? WHERE key = ? AND owner = ?"),
                        (text, time.time(), key, owner))

    def forget(self, key: str, owner: str) -> None:
        """Drop ``owner``'s started effect after ``fn`` raised: a later call runs it."""
        with self.db.transaction() as cur:
            cur.execute(self.q("DELETE FROM hitl_effects WHERE key = ? AND owner = ?"
                               " AND state = 'started'"), (key, owner))
