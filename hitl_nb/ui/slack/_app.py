"""The interactivity app: Slack buttons and modals -> the same decision path as the card.

A click loads the thread's pending requests with `Session.start(None)` (it never re-runs
the thread), checks the Slack user may decide, then ``session.decide(...)``: validated,
recorded in the log first, resumed exactly once. Bolt's request verification refuses a
bad signature or a timestamp older than five minutes before any listener runs; a replayed
or double click meets the log's unique constraint and gets the first decision back.

Example::

    bolt = hitl_nb.slack.app(log="hitl.db", graph=graph,
                             signing_secret=os.environ["SLACK_SIGNING_SECRET"],
                             token=os.environ["SLACK_BOT_TOKEN"],
                             reviewers={"U024BE7LH": "ana"})
    bolt.start(port=3000)     # or any slack_bolt adapter (Flask, FastAPI, WSGI...)
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any

from ... import formats
from ...analysis.log import DecisionLog
from ...engine.session import Session
from ...errors import ResumeFailed
from ...model import (
    AlreadyDecided,
    Decision,
    HitlError,
    InvalidResponse,
    ReviewRequest,
)
from . import _modals
from ._access import Access, Allowed, Reviewers
from ._blocks import ACTION_PREFIX, parse_key
from ._mrkdwn import escape
from ._notify import update_message
from ._payload import Key, error_block, message_of, stored_request

logger = logging.getLogger("hitl_nb.slack")

_MODALS = {"reject": _modals.reject_view, "edit": _modals.edit_view,
           "respond": _modals.respond_view}


def app(*, log: DecisionLog | str | os.PathLike[str], graph: Any, signing_secret: str,
        token: str | None = None, client: Any = None,
        reviewers: Reviewers = None, allowed: Allowed = None, process_before_response: bool = False,
        **bolt_options: Any) -> Any:
    """A ``slack_bolt.App`` whose buttons and modals decide review requests of ``graph``.

    ``reviewers`` maps Slack user ids to the names written in the log (or is a function of
    the payload's ``user``); unmapped users are logged by their Slack user name.
    ``allowed`` restricts who may decide: Slack user ids (``U...``) and user group ids
    (``S...``, needs ``usergroups:read``), or a function ``request -> ids | None``
    (None: anyone). Others get an ephemeral "not allowed" and nothing is recorded.

    ``log``: the `DecisionLog` (or its path/URL) the graph's sessions share. ``graph``: the
    compiled graph whose threads the buttons decide and resume. ``signing_secret``: the
    app's secret, to verify each request comes from Slack. ``token`` or ``client``: how
    it talks back (``chat.update``, modals). ``process_before_response`` and
    ``bolt_options`` go to ``slack_bolt.App`` (set the former on FaaS).

    Raises `ImportError` without the ``slack`` extra and `ValueError` without a
    ``signing_secret``; `LogUnavailable` when the log cannot be opened. A click that
    cannot be decided (already decided, not allowed, invalid input) never raises: the
    user is told in Slack, and nothing is recorded.

    Example::

        bolt = slack.app(log="hitl.db", graph=graph,
                         signing_secret=os.environ["SLACK_SIGNING_SECRET"],
                         token=os.environ["SLACK_BOT_TOKEN"], reviewers={"U123": "ana"})
        server = slack.serve(bolt, port=3000)
    """
    try:
        from slack_bolt import App
        from slack_sdk import WebClient
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise ImportError("hitl_nb.slack.app needs the slack extra: "
                          'pip install "hitl_nb[slack]"') from exc

    if not signing_secret:
        raise ValueError("app() needs the Slack app's signing_secret (Basic Information > "
                         "App Credentials) to verify requests")
    client = client if client is not None else WebClient(token=token)
    bolt = App(signing_secret=signing_secret, client=client,
               process_before_response=process_before_response, **bolt_options)
    reviews = Reviews(graph=graph, log=log, reviewers=reviewers, allowed=allowed)
    bolt.action(re.compile("^" + re.escape(ACTION_PREFIX)))(reviews.on_action)
    bolt.view(re.compile("^" + re.escape(ACTION_PREFIX)))(reviews.on_view)
    bolt.hitl_reviews = reviews  # type: ignore[attr-defined]
    return bolt


class Reviews:
    """The listeners behind `app` (plain methods; Bolt passes ack, body, client...).

    ``graph``, ``log``, ``reviewers`` and ``allowed`` are `app`'s. Its listeners report
    every refusal to the user in Slack instead of raising. `app` builds one and keeps it
    as ``bolt.hitl_reviews``.

    Example::

        reviews = slack.app(log="hitl.db", graph=graph, signing_secret="s").hitl_reviews
        reviews.reviewer_name({"id": "U123", "username": "ana"})    # "ana"
    """

    def __init__(self, *, graph: Any, log: DecisionLog | str | os.PathLike[str],
                 reviewers: Reviewers = None, allowed: Allowed = None) -> None:
        self.graph = graph
        self.log = log if isinstance(log, DecisionLog) else DecisionLog(log)
        self.log.setup()
        self.access = Access(reviewers, allowed)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # -- listeners ------------------------------------------------------------------------
    def on_action(self, ack: Callable[..., Any], body: dict[str, Any], client: Any) -> None:
        """A button: Approve decides at once; Reject, Edit and Respond open their modal."""
        ack()   # within Slack's three seconds; the work below runs in Bolt's worker thread
        try:
            self._action(body, client)
        except Exception as exc:  # tell the clicker; Slack only sees the ack
            logger.exception("hitl_nb.slack: a click failed")
            self._tell(client, message_of(body), body.get("user") or {},
                       f"Something went wrong, nothing more was changed: {exc!r}")

    def _action(self, body: dict[str, Any], client: Any) -> None:
        action = body["actions"][0]
        kind = action["action_id"][len(ACTION_PREFIX):]
        key = parse_key(action["value"])
        user = body.get("user") or {}
        where = message_of(body)
        if kind == "retry":
            self._retry(key, user, client, where)
            return
        with self._lock(key[0]):
            session, request = self._load(key, user, client, where)
            if request is None or not self._may_decide(request, user, client, where):
                return
            if kind == "approve":
                self._decide(session, request, Decision("approve"), user, client, where)
                return
            meta = {"t": key[0], "i": key[1], "n": key[2], "c": where[0], "ts": where[1]}
            try:
                view = _MODALS[kind](request, meta)
            except (KeyError, InvalidResponse) as exc:
                self._tell(client, where, user, f"Cannot {kind} here: {exc}")
                return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def on_view(self, ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any],
                client: Any) -> None:
        """A submitted modal: check its input (errors go back into the modal), then decide."""
        kind = view["callback_id"][len(ACTION_PREFIX):]
        meta = json.loads(view.get("private_metadata") or "{}")
        key: Key = (str(meta["t"]), str(meta["i"]), int(meta["n"]))
        where = (meta.get("c"), meta.get("ts"))
        user = body.get("user") or {}
        with self._lock(key[0]):
            session, request = self._load(key, user, client, where, ack)
            if request is None:
                return
            if not self._may_decide(request, user, client, where):
                ack()
                return
            try:
                decision = _modals.read(kind, request, view)
                formats.validate(request, decision)
            except _modals.ModalErrors as exc:
                ack(response_action="errors", errors=exc.errors)
                return
            except InvalidResponse as exc:
                block = error_block(view, request, str(exc))
                if block is None:
                    ack()
                    self._tell(client, where, user, str(exc))
                else:
                    ack(response_action="errors", errors={block: str(exc)[:2000]})
                return
            ack()
            self._decide(session, request, decision, user, client, where)

    # -- the decision path (the card's: session.decide) ----------------------------------------
    def _decide(self, session: Session, request: ReviewRequest, decision: Decision,
                user: dict[str, Any], client: Any, where: tuple[Any, Any]) -> None:
        decision.reviewer = self.reviewer_name(user)
        try:
            session.decide(request, decision)
        except AlreadyDecided as exc:
            self._show_first(request, exc.decision, user, client, where)
            return
        except ResumeFailed as exc:
            self._update(client, where, request, decision, retry=True,
                         note=f"recorded, but resuming the graph failed: {exc.__cause__!r}; "
                              "Retry (or session.retry()) applies it once")
            self._tell(client, where, user, f"Recorded, but the graph failed: {exc}")
            return
        except InvalidResponse as exc:
            self._tell(client, where, user, str(exc))
            return
        self._update(client, where, request, decision)

    def _retry(self, key: Key, user: dict[str, Any], client: Any,
               where: tuple[Any, Any]) -> None:
        """Apply, once, a recorded decision whose resume failed (`Session.start(None)`)."""
        with self._lock(key[0]):
            request = stored_request(self.log, key)
            if request is not None and not self._may_decide(request, user, client, where):
                return
            try:
                Session(self.graph, thread_id=key[0], log=self.log,
                        reviewer=self.reviewer_name(user)).start(None)
            except HitlError as exc:
                self._tell(client, where, user, f"Still failing: {exc}")
                return
            first = self.log.get(*key)
            if first is not None and request is not None:
                self._update(client, where, request, first)
                self._tell(client, where, user, f"Resumed: {first.summary()}.")

    def _load(self, key: Key, user: dict[str, Any], client: Any, where: tuple[Any, Any],
              ack: Callable[..., Any] | None = None) -> tuple[Any, ReviewRequest | None]:
        """The thread's session and the pending request with ``key`` (None when it is not
        pending; the user has been told who decided it, and a modal acknowledged)."""
        try:
            session = Session(self.graph, thread_id=key[0], log=self.log,
                              reviewer=self.reviewer_name(user)).start(None)
        except HitlError as exc:  # being resumed elsewhere, or a recovered resume failed
            if ack:
                ack()
            self._tell(client, where, user, f"Not now: {exc}")
            return None, None
        request = next((r for r in session.pending if r.key == key), None)
        if request is None:
            if ack:
                ack()
            self._show_first(None, self.log.get(*key), user, client, where, key)
        return session, request

    def _show_first(self, request: ReviewRequest | None, first: Decision | None,
                    user: dict[str, Any], client: Any, where: tuple[Any, Any],
                    key: Key | None = None) -> None:
        if first is None and request is not None:
            first = self.log.get(*request.key)
        if first is None:
            self._tell(client, where, user, "This review is no longer pending (the thread "
                       "moved on); nothing was recorded.")
            return
        if request is None:
            request = stored_request(self.log, key)
        if request is not None:
            self._update(client, where, request, first)
        self._tell(client, where, user, f"Already decided: {first.summary()}. "
                   "Nothing was changed.")

    def reviewer_name(self, user: dict[str, Any]) -> str:
        """The name logged for a Slack ``user`` (the payload's ``user``): ``reviewers``'
        mapping, else the Slack user name."""
        return self.access.name(user)

    def _may_decide(self, request: ReviewRequest, user: dict[str, Any], client: Any,
                    where: tuple[Any, Any]) -> bool:
        if self.access.may_decide(request, user, client):
            return True
        self._tell(client, where, user, f"You are not allowed to decide "
                   f"{request.action!r}; nothing was recorded.")
        return False

    # -- talking back --------------------------------------------------------------------------
    def _update(self, client: Any, where: tuple[Any, Any], request: ReviewRequest,
                decision: Decision, note: str | None = None, retry: bool = False) -> None:
        if where[0] and where[1]:
            update_message(client, where[0], where[1], request, decision, note=note,
                           retry=retry)

    def _tell(self, client: Any, where: tuple[Any, Any], user: dict[str, Any],
              text: str) -> None:
        if where[0] and user.get("id"):
            client.chat_postEphemeral(channel=where[0], user=user["id"], text=escape(text))

    def _lock(self, thread_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(thread_id, threading.Lock())
