"""Post a review request to Slack, and update the message once it is decided.

Example::

    from slack_sdk import WebClient
    from hitl_nb import slack
    posted = slack.notify(session.pending[0], channel="#reviews",
                          client=WebClient(token=os.environ["SLACK_BOT_TOKEN"]))
    ...
    slack.update(posted, decision)      # buttons removed, who/what/when shown
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...model import Decision, ReviewRequest
from ._blocks import blocks, fallback_text


@dataclass(frozen=True)
class Posted:
    """Where a request's message lives: enough to update it later (`notify` returns one).

    - ``channel``: the channel id Slack answered with.
    - ``ts``: the message's timestamp (its id in the channel).
    - ``request``: the `ReviewRequest` it shows.
    - ``client``: the ``WebClient`` that posted it, used by `update`.

    Plain data (frozen): it never raises.

    Example::

        posted = slack.notify(request, "#reviews", client)
        slack.update(posted, decision)
    """

    channel: str
    ts: str
    request: ReviewRequest
    client: Any = None


def notify(request: ReviewRequest, channel: str, client: Any = None, *,
           token: str | None = None, link: str | None = None) -> Posted:
    """Post ``request`` with its buttons to ``channel`` (``chat.postMessage``).

    ``channel``: a channel id or ``#name`` the app's bot is in. ``client`` is a
    ``slack_sdk.WebClient`` (tests pass one with ``base_url=`` pointing at a local
    server); without it one is built from ``token`` (``xoxb-...``). ``link``: a trusted
    URL (the notebook or reviewer app) named when the message had to cut something.

    Raises `ValueError` with neither ``client`` nor ``token``, or when the request's ids
    are too long for a button's value; slack_sdk's ``SlackApiError`` when Slack refuses
    the post (e.g. ``channel_not_found``, ``not_in_channel``).

    Example::

        client = WebClient(token=os.environ["SLACK_BOT_TOKEN"])
        posted = slack.notify(session.pending[0], "#reviews", client, link=notebook_url)
    """
    client = client if client is not None else _client(token)
    response = client.chat_postMessage(channel=channel, text=fallback_text(request),
                                       blocks=blocks(request, link=link), unfurl_links=False,
                                       unfurl_media=False)
    return Posted(channel=str(response["channel"]), ts=str(response["ts"]), request=request,
                  client=client)


def update(posted: Posted, decision: Decision, *, note: str | None = None,
           client: Any = None) -> Any:
    """Show ``decision`` (who, what, when) in place of the buttons (``chat.update``).

    ``posted``: what `notify` returned. ``note``: an extra line under the decision.
    ``client``: another ``WebClient`` than the one that posted. Returns Slack's response;
    raises slack_sdk's ``SlackApiError`` when Slack refuses the update.

    Example::

        slack.update(posted, session.decided[posted.request.key])
    """
    return update_message(client or posted.client, posted.channel, posted.ts, posted.request,
                          decision, note=note)


def update_message(client: Any, channel: str, ts: str, request: ReviewRequest,
                   decision: Decision, *, note: str | None = None, retry: bool = False) -> Any:
    """`update` for a message known by channel and ``ts`` (what the interactivity app uses).

    ``client``: a ``WebClient``; ``request``: the request the message shows; ``decision``:
    what replaces its buttons; ``note``: an extra line under it; ``retry``: add a "Retry
    resume" button (a recorded decision whose resume failed). Raises slack_sdk's
    ``SlackApiError`` when Slack refuses the update.

    Example::

        slack.update_message(client, "C123", "1716900000.000100", request, decision)
    """
    return client.chat_update(channel=channel, ts=ts, text=fallback_text(request, decision),
                              blocks=blocks(request, decision, note=note, retry=retry))


def _client(token: str | None) -> Any:
    from slack_sdk import WebClient

    if not token:
        raise ValueError("notify() needs client=WebClient(...) or token='xoxb-...'")
    return WebClient(token=token)


class Mirror:
    """Keeps a channel in step with a notebook session: every pending request is posted,
    and a decision made in the notebook (a card's button) updates its message at once.

    ``session``: the `Session` to follow (``view.session``); ``channel`` and ``client``:
    where and with which ``WebClient`` to post; ``link``: a trusted URL named when a
    message had to cut something. ``posted`` maps each request's key to its `Posted`.

    Slack errors never reach the session (they would interrupt a decision between
    recording and resuming); they are kept in ``errors``, so it never raises for them.

    Example::

        m = slack.mirror(view.session, "#reviews", client)
        m.errors        # [] while Slack accepts every post
    """

    def __init__(self, session: Any, channel: str, client: Any, *,
                 link: str | None = None) -> None:
        self.session, self.channel, self.client, self.link = session, channel, client, link
        self.posted: dict[tuple[str, str, int], Posted] = {}
        self.errors: list[BaseException] = []
        self._done: set[tuple[str, str, int]] = set()
        session.listen(self._on_event)
        self.sync()

    def sync(self) -> None:
        """Post requests not posted yet; update messages of requests decided since."""
        for request in self.session.pending:
            if request.key not in self.posted:
                self._try(lambda r=request: self.posted.__setitem__(
                    r.key, notify(r, self.channel, self.client, link=self.link)))
        for key, decision in list(self.session.decided.items()):
            if key in self.posted and key not in self._done:
                self._done.add(key)
                self._try(lambda k=key, d=decision: update(self.posted[k], d))

    def _on_event(self, event: str, payload: Any) -> None:
        if event == "changed":
            self.sync()

    def _try(self, call: Any) -> None:
        try:
            call()
        except Exception as exc:  # Slack down or refusing: the session must go on
            self.errors.append(exc)


def mirror(session: Any, channel: str, client: Any, *, link: str | None = None) -> Mirror:
    """Post ``session``'s pending requests to ``channel`` and keep the messages current
    as the notebook decides (new requests after a resume are posted too).

    ``session``: the `Session` (``view.session`` of `hitl_nb.review`'s result).
    ``channel``: where to post; ``client``: a ``slack_sdk.WebClient``; ``link``: a trusted
    URL named when a message had to cut something. Slack errors are kept in the returned
    `Mirror`'s ``errors``, never raised.

    Example::

        view = hitl_nb.review(graph, {"task": "..."}, thread_id="t1")
        slack.mirror(view.session, "#reviews", client)
    """
    return Mirror(session, channel, client, link=link)
