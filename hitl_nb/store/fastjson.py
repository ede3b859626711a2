"""Reading the log's JSON: fast, and never stopped by one bad cell.

``loads_strict`` is orjson when installed (langgraph-sdk brings it), else the standard
library; both return the same Python objects for the JSON hitl_nb writes
(`hitl_nb.store.jsonsafe.dumps`), and orjson parses the inbox's and the log's bulk JSON two
to three times faster. ``loads`` reads one stored cell whatever it holds:

- strict JSON: parsed as is (marked stand-ins stay ``{"$hitl": ...}`` dicts);
- the ``NaN`` / ``Infinity`` tokens older versions wrote, or a number too large for a
  float: read with those values as the stand-ins `hitl_nb.store.jsonsafe` writes now
  (``{"$hitl": "float", "value": "nan"}``), so old and new rows read alike;
- anything else (a cell edited by hand, cut short): ``{"$hitl": "unreadable", "value":
  "<the text>", "error": "<why>"}`` and an `UnreadableValue` warning, instead of an
  exception that would hide every other row.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

from ..errors import UnreadableValue
from .jsonsafe import marked

try:
    from orjson import loads as loads_strict
except ImportError:  # pragma: no cover - orjson is optional
    loads_strict = json.loads

__all__ = ["UnreadableValue", "loads", "loads_strict", "unreadable"]


def loads(text: str | bytes) -> Any:
    """One stored JSON document (see the module docstring); never raises for bad text."""
    try:
        return loads_strict(text)
    except ValueError:  # orjson.JSONDecodeError and json.JSONDecodeError are ValueErrors
        return _lenient(text)


def _constant(token: str) -> dict[str, Any]:
    return marked("float", {"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[token])


def _float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else marked("float", "inf" if value > 0 else "-inf")


def _lenient(text: str | bytes) -> Any:
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float)
    except (ValueError, RecursionError) as exc:
        return unreadable(text, exc)


def unreadable(text: Any, error: BaseException | str) -> dict[str, Any]:
    """The stand-in of a stored value that cannot be parsed, with a warning."""
    shown = text if isinstance(text, str) else repr(text)
    if len(shown) > 2000:
        shown = shown[:2000] + "..."
    why = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    warnings.warn(f"hitl_nb: a value stored in the decision log is not valid JSON ({why}); "
                  f"it is shown as {{'$hitl': 'unreadable', ...}}: {shown[:80]!r}",
                  UnreadableValue, stacklevel=3)
    return marked("unreadable", shown, error=why)
