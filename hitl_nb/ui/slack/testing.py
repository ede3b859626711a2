"""A local fake of Slack, for tests and notebooks that run with no Slack account.

`FakeSlack` is a real HTTP server on 127.0.0.1 that answers the Web API methods hitl_nb
uses (``auth.test``, ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``,
``views.open``, ``usergroups.users.list``), records every call and keeps the messages.
`SlackUser` plays a person in Slack: it clicks a message's buttons and submits modals
by sending signed interaction payloads (``payload=...``, Slack's v0 signature) to the app.

Example::

    fake = FakeSlack()
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    posted = slack.notify(request, channel="C1", client=client)
    bolt = slack.app(log=log, graph=graph, signing_secret="s3cret", client=client)
    with slack.serve(bolt) as server:
        SlackUser(fake, server.url, "s3cret", "U1", "ana").click(posted.ts, "approve")
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.signature import SignatureVerifier


class FakeSlack:
    """A recording stand-in for ``https://slack.com/api/`` (``api_url`` for WebClient).

    ``groups``: user group id -> member ids, for ``usergroups.users.list`` (an unknown
    group answers ``no_such_subteam``, as Slack does). ``calls``, ``messages`` (by ``ts``)
    and ``views`` record what the app did. Use it with ``with`` (or call `close`).

    Example::

        with FakeSlack(groups={"S1": ["U1"]}) as fake:
            client = WebClient(token="xoxb-test", base_url=fake.api_url)
            slack.notify(request, "C1", client)
            fake.wait_for("chat.postMessage")
    """

    def __init__(self, groups: dict[str, list[str]] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.tokens: list[str] = []    # the Authorization header of each call
        self.messages: dict[str, dict[str, Any]] = {}   # ts -> {channel, text, blocks}
        self.views: list[dict[str, Any]] = []
        self.groups = dict(groups or {})
        self._ts = itertools.count(1)
        self._changed = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size).decode("utf-8")
                kind = self.headers.get("Content-Type", "")
                if "json" in kind:
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[-1] for k, v in urllib.parse.parse_qs(raw).items()}
                query = urllib.parse.urlsplit(self.path).query
                args.update({k: v[-1] for k, v in urllib.parse.parse_qs(query).items()})
                method = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
                fake.tokens.append(self.headers.get("Authorization", ""))
                body = json.dumps(fake._answer(method, args)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.api_url = f"http://127.0.0.1:{self._httpd.server_port}/api/"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    # -- the Web API ----------------------------------------------------------------------
    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        with self._changed:
            self.calls.append((method, args))
            out = self._apply(method, args)
            self._changed.notify_all()
        return out

    def _apply(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake",
                    "user": "hitl_bot", "team_id": "T0FAKE", "user_id": "U0BOT",
                    "bot_id": "B0BOT"}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            self.messages[ts] = {"channel": args.get("channel"), "ts": ts,
                                 "text": args.get("text"), "blocks": args.get("blocks") or []}
            return {"ok": True, "channel": args.get("channel"), "ts": ts,
                    "message": self.messages[ts]}
        if method == "chat.update":
            message = self.messages.get(str(args.get("ts")))
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.update(text=args.get("text"), blocks=args.get("blocks") or [])
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000001.{next(self._ts):06d}"}
        if method == "views.open":
            view = dict(args.get("view") or {}, id=f"V{len(self.views) + 1:04d}")
            self.views.append(view)
            return {"ok": True, "view": view}
        if method == "usergroups.users.list":
            group = args.get("usergroup")
            if group not in self.groups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.groups[group]}
        return {"ok": False, "error": "unknown_method"}

    # -- inspecting -----------------------------------------------------------------------
    def called(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call of ``method``, oldest first."""
        with self._changed:
            return [args for m, args in self.calls if m == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[dict]:
        """Block until ``method`` was called ``count`` times (TimeoutError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([1 for m, _ in self.calls if m == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{method} called {len(self.called(method))} times, "
                                       f"expected {count} within {timeout}s")
                self._changed.wait(left)
            return [args for m, args in self.calls if m == method]

    def close(self) -> None:
        """Stop the fake's server and wait for its thread to end."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sign(body: str, signing_secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with ``body``: ``X-Slack-Request-Timestamp`` and the v0
    ``X-Slack-Signature`` (HMAC-SHA256 of ``v0:{timestamp}:{body}``)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


def post_form(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST a form-encoded ``body``; return (HTTP status, response text)."""
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class SlackUser:
    """A person in Slack: clicks buttons of `FakeSlack`'s messages and submits modals.

    ``fake``: the `FakeSlack` holding the messages. ``url``: the app's request URL
    (``server.url``). ``signing_secret``: the app's, to sign each payload. ``user_id``,
    ``username``, ``team_id``: who clicks. A click on a button the message does not have
    raises `LookupError`; the HTTP status and body of each post are returned.

    Example::

        ana = SlackUser(fake, server.url, "s3cret", "U1", "ana")
        status, _ = ana.click(posted.ts, "approve")
    """

    def __init__(self, fake: FakeSlack, url: str, signing_secret: str, user_id: str,
                 username: str, team_id: str = "T0FAKE") -> None:
        self.fake, self.url, self.secret = fake, url, signing_secret
        self.user = {"id": user_id, "username": username, "name": username,
                     "team_id": team_id}
        self.team = {"id": team_id, "domain": "fake"}
        self._trigger = itertools.count(1)

    def body(self, payload: dict[str, Any]) -> str:
        """The form body Slack posts: ``payload=<url-encoded JSON>``."""
        return urllib.parse.urlencode({"payload": json.dumps(payload)})

    def click_payload(self, ts: str, kind: str) -> dict[str, Any]:
        """The ``block_actions`` payload of clicking ``kind`` on message ``ts`` (as it is now;
        raises LookupError when that button is not on the message)."""
        message = self.fake.messages[ts]
        for block in message["blocks"]:
            for element in block.get("elements", ()) if block.get("type") == "actions" else ():
                if element.get("action_id") == f"hitl_nb:{kind}":
                    action = {"type": "button", "action_id": element["action_id"],
                              "block_id": block.get("block_id"), "value": element["value"],
                              "text": element["text"], "action_ts": f"{time.time():.6f}"}
                    return {
                        "type": "block_actions", "user": self.user, "team": self.team,
                        "api_app_id": "A0FAKE", "token": "legacy-unused",
                        "container": {"type": "message", "message_ts": ts,
                                      "channel_id": message["channel"], "is_ephemeral": False},
                        "trigger_id": f"{next(self._trigger)}.fake.trigger",
                        "channel": {"id": message["channel"], "name": "reviews"},
                        "message": {"type": "message", "ts": ts, "text": message["text"],
                                    "blocks": message["blocks"]},
                        "response_url": self.fake.api_url + "response_url",
                        "actions": [action]}
        raise LookupError(f"message {ts} has no {kind!r} button")

    def click(self, ts: str, kind: str, *, timestamp: int | None = None,
              secret: str | None = None) -> tuple[int, str]:
        """Click ``kind`` on message ``ts``: a correctly signed POST (unless told otherwise)."""
        body = self.body(self.click_payload(ts, kind))
        return post_form(self.url, body, sign(body, secret or self.secret, timestamp))

    def submit_payload(self, view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
        """The ``view_submission`` payload of submitting ``view`` with ``values`` typed into
        its input blocks (block id -> text)."""
        state = {b["block_id"]: {"value": {"type": "plain_text_input",
                                           "value": values.get(b["block_id"],
                                                               b["element"].get("initial_value"))}}
                 for b in view["blocks"] if b.get("type") == "input"}
        return {"type": "view_submission", "user": self.user, "team": self.team,
                "api_app_id": "A0FAKE", "token": "legacy-unused",
                "trigger_id": f"{next(self._trigger)}.fake.trigger",
                "view": {**view, "state": {"values": state}, "team_id": self.team["id"],
                         "app_id": "A0FAKE", "bot_id": "B0BOT", "hash": "fake"}}

    def submit(self, view: dict[str, Any], values: dict[str, str] | None = None
               ) -> tuple[int, str]:
        """Submit a modal the app opened (e.g. ``fake.views[-1]``); signed POST."""
        body = self.body(self.submit_payload(view, values or {}))
        return post_form(self.url, body, sign(body, self.secret))
