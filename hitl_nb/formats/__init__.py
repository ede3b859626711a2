"""Interrupt payload formats: one module each, found automatically.

A format module defines ``NAME``, ``PRIORITY`` (lower is tried first) and two functions:

- ``parse(value, response_schema) -> list[ReviewRequest] | None``: the requests the
  payload asks for (one per action), or None when the payload is not of this format;
- ``resume_value(requests, decisions) -> Any``: the value this interrupt expects back,
  given one decision per request, in order.

It may define ``validate(request, decision)`` to check a decision beyond the common
checks (allowed types, edit arguments). Adding a format is adding a module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from ..model import Decision, InvalidResponse, NotAllowed, ReviewRequest, quote
from ._common import check_against_schema, is_valid

ResumeMapper = Callable[[ReviewRequest, Decision], Any]


def _load() -> list[ModuleType]:
    mods = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
    return sorted(mods, key=lambda m: m.PRIORITY)


FORMATS: list[ModuleType] = _load()
_BY_NAME = {m.NAME: m for m in FORMATS}


def get(name: str) -> ModuleType:
    """The format module called ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown interrupt format {name!r}; known: {sorted(_BY_NAME)}") from None


def parse(
    value: Any,
    response_schema: dict[str, Any] | None = None,
    **common: Any,
) -> list[ReviewRequest]:
    """Turn one interrupt value into its review requests (never empty, never raises).

    ``common`` fields (thread_id, interrupt_id, node, namespace, requested_at) are set
    on every request; ``index``/``count`` number the actions of a batched payload.
    """
    for fmt in FORMATS:
        try:
            requests = fmt.parse(value, response_schema)
        except Exception:  # a malformed payload of one format may still be another's
            requests = None
        if requests:
            count = len(requests)
            return [
                r.replace(index=i, count=count, raw=value, **common)
                for i, r in enumerate(requests)
            ]
    raise AssertionError("the fallback format accepts every payload")  # pragma: no cover


def validate(request: ReviewRequest, decision: Decision) -> None:
    """Raise `InvalidResponse` (or `NotAllowed`) when ``decision`` does not fit ``request``."""
    if decision.type not in request.allowed:
        raise NotAllowed(
            f"{decision.type!r} is not allowed for {quote(request.action)!r} "
            f"(interrupt {request.interrupt_id}); allowed: {', '.join(request.allowed)}"
        )
    if decision.type == "edit":
        if not isinstance(decision.args, dict):
            raise InvalidResponse(
                f"edit needs the new arguments as a dict, got {type(decision.args).__name__}"
                f" for {quote(request.action)!r}"
            )
        if request.args_schema:
            check_against_schema(decision.args, request.args_schema, f"{request.action} args")
    if decision.type == "respond" and decision.response is None:
        raise InvalidResponse(f"respond needs a value for {quote(request.action)!r}")
    check = getattr(get(request.format), "validate", None)
    if check is not None:
        check(request, decision)


def resume_value(
    requests: Sequence[ReviewRequest],
    decisions: Sequence[Decision],
    mapper: ResumeMapper | None = None,
) -> Any:
    """The value to resume one interrupt with: its requests and their decisions, in order.

    ``mapper`` (``review(..., resume=...)``) replaces the default dict of plain payloads
    (formats with ``MAPPED = True``), once per request.
    """
    if len(requests) != len(decisions) or not requests:
        raise InvalidResponse(
            f"interrupt {requests[0].interrupt_id if requests else '?'} needs "
            f"{len(requests)} decisions, got {len(decisions)}"
        )
    fmt = get(requests[0].format)
    if mapper is not None and getattr(fmt, "MAPPED", False):  # plain dict payloads
        return fmt.resume_value(list(requests), list(decisions), mapper)
    return fmt.resume_value(list(requests), list(decisions))


__all__ = ["FORMATS", "ResumeMapper", "check_against_schema", "get", "is_valid", "parse",
           "resume_value", "validate"]
