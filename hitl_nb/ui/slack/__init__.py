"""Slack approvals (``pip install hitl_nb[slack]``): Block Kit messages, an interactivity
app on the same exactly-once decision path as the notebook card.

- `blocks(request)` -> Block Kit blocks; `preview(blocks)` shows them in a notebook;
- `notify(request, channel=..., client=WebClient(...))` posts them, `update(posted, decision)`;
  `mirror(session, channel, client)` keeps a channel in step with a notebook session;
- `app(log=..., graph=..., signing_secret=..., token=...)` -> a ``slack_bolt.App``;
- `serve(bolt)` runs it over HTTP in a background thread.

Names load lazily: ``import hitl_nb`` never imports slack_sdk, and `blocks` needs neither
slack_sdk nor slack_bolt.

Example::

    from hitl_nb import slack
    slack.blocks(session.pending[0])
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "blocks": "_blocks", "decided_block": "_blocks", "fallback_text": "_blocks",
    "diff_text": "_blocks", "request_key": "_blocks", "parse_key": "_blocks",
    "escape": "_mrkdwn",
    "notify": "_notify", "update": "_notify", "update_message": "_notify", "Posted": "_notify",
    "mirror": "_notify", "Mirror": "_notify",
    "app": "_app", "Reviews": "_app",
    "serve": "_server", "Server": "_server",
    "preview": "_preview", "Preview": "_preview",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'hitl_nb.slack' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_NAMES])
