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

from ..model import Decision, ReviewRequest
from ._blocks import blocks, fallback_text


@dataclass(frozen=True)
class Posted:
    """Where a request's message lives: enough to update it later."""

    channel: str
    ts: str
    request: ReviewRequest
    client: Any = None


def notify(request: ReviewRequest, channel: str, client: Any = None, *,
           token: str | None = None, link: str | None = None) -> Posted:
    """Post ``request`` with its buttons to ``channel`` (``chat.postMessage``).

    ``client`` is a ``slack_sdk.WebClient`` (tests pass one with ``base_url=`` pointing at
    a local server); without it one is built from ``token``.
    """
    client = client if client is not None else _client(token)
    response = client.chat_postMessage(channel=channel, text=fallback_text(request),
                                       blocks=blocks(request, link=link), unfurl_links=False,
                                       unfurl_media=False)
    return Posted(channel=str(response["channel"]), ts=str(response["ts"]), request=request,
                  client=client)


def update(posted: Posted, decision: Decision, *, note: str | None = None,
           client: Any = None) -> Any:
    """Show ``decision`` (who, what, when) in place of the buttons (``chat.update``)."""
    return update_message(client or posted.client, posted.channel, posted.ts, posted.request,
                          decision, note=note)


def update_message(client: Any, channel: str, ts: str, request: ReviewRequest,
                   decision: Decision, *, note: str | None = None) -> Any:
    """`update` for a message known by channel and ``ts`` (what the interactivity app uses)."""
    return client.chat_update(channel=channel, ts=ts, text=fallback_text(request, decision),
                              blocks=blocks(request, decision, note=note))


def _client(token: str | None) -> Any:
    from slack_sdk import WebClient

    if not token:
        raise ValueError("notify() needs client=WebClient(...) or token='xoxb-...'")
    return WebClient(token=token)
