"""Offline stand-ins for demos and tests: a scripted chat model, no API key needed.

Example::

    from langchain_core.messages import AIMessage
    model = ScriptedChatModel(replies=[
        AIMessage("", tool_calls=[{"name": "send_email", "args": {"to": "a@b.c"}, "id": "1"}]),
        AIMessage("Sent."),
    ])
    agent = create_agent(model, tools=[send_email], middleware=[...], checkpointer=...)

To use a real model instead, pass e.g. ``init_chat_model("openai:gpt-5")`` where the
scripted one goes; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

try:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage, BaseMessage
except ImportError as exc:  # pragma: no cover
    raise ImportError("hitl_nb.testing needs langchain-core: pip install 'hitl_nb[langchain]'"
                      ) from exc


def tool_call(name: str, args: dict[str, Any], id: str | None = None) -> dict[str, Any]:
    """A tool call dict for `ai`."""
    return {"name": name, "args": args, "id": id or f"call_{name}", "type": "tool_call"}


def ai(content: str = "", *calls: dict[str, Any]) -> AIMessage:
    """An AI message with optional tool calls: ``ai("", tool_call("search", {...}))``."""
    return AIMessage(content=content, tool_calls=list(calls))


class ScriptedChatModel(GenericFakeChatModel):
    """A chat model that replies with the given messages in order (cycling when
    ``cycle=True``). ``bind_tools`` returns the model itself, so it works with
    ``create_agent`` and tool-calling loops offline."""

    def __init__(self, replies: Sequence[BaseMessage | str], *, cycle: bool = False,
                 **kwargs: Any) -> None:
        items = [AIMessage(r) if isinstance(r, str) else r for r in replies]
        source: Iterable[BaseMessage] = _cycle(items) if cycle else iter(items)
        super().__init__(messages=source, **kwargs)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        return self


def _cycle(items: list[BaseMessage]) -> Iterable[BaseMessage]:
    while True:
        yield from items
