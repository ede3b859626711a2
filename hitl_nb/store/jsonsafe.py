"""One JSON encoder for everything the decision log and the queue store.

LangGraph checkpoints values that JSON cannot hold (``datetime``, ``Decimal``, ``set``,
``bytes``, ``NaN``, numpy arrays, pydantic models...). The log stores each as strict
JSON (never a ``NaN`` or ``Infinity`` token, which orjson and other strict readers
refuse) with such values replaced by a marked, readable stand-in::

    {"$hitl": "<kind>", "value": <readable JSON>}   # plus "type" for objects

=============================  ==========================================================
Python value                   logged as
=============================  ==========================================================
str, int, float, bool, None,   themselves (tuples as lists; numpy scalars as the
list, tuple, dict (str keys)   number or bool they hold)
``nan``, ``inf``, ``-inf``     ``{"$hitl": "float", "value": "nan" | "inf" | "-inf"}``
int beyond 64 bits             ``{"$hitl": "int", "value": "<digits>"}``
str with lone surrogates       ``{"$hitl": "str", "value": "<text, them as \\udXXX>"}``
datetime, date, time           ``{"$hitl": "datetime" | "date" | "time", "value": ISO 8601}``
                               (an aware datetime keeps its offset, a naive one has none)
timedelta                      ``{"$hitl": "timedelta", "value": <seconds>}``
Decimal                        ``{"$hitl": "decimal", "value": "1.10"}`` (exact text)
set, frozenset                 ``{"$hitl": "set" | "frozenset", "value": [items]}``
bytes, bytearray               ``{"$hitl": "bytes", "value": "<base64>"}``
UUID                           ``{"$hitl": "uuid", "value": "<canonical text>"}``
Enum member                    ``{"$hitl": "enum", "type": "mod.Cls", "name": "RED",
                               "value": <its value>}``
numpy array                    ``{"$hitl": "ndarray", "dtype": "float64", "shape": [2],
                               "value": [nested lists]}``
pydantic model, dataclass      ``{"$hitl": "model" | "dataclass", "type": "mod.Cls",
                               "value": {field: value}}``
dict with a non-str key or a   ``{"$hitl": "dict", "value": [[key, value], ...]}``
``"$hitl"`` key
anything else                  ``{"$hitl": "object", "type": "mod.Cls", "value": repr}``
=============================  ==========================================================

Values inside a stand-in are encoded the same way. A stored cell that cannot be parsed
at all (written by an older hitl_nb with a bare ``NaN``, or edited by hand) reads back as
``{"$hitl": "unreadable", "value": "<the text>", "error": "..."}`` with a warning (see
`hitl_nb.store.fastjson.loads`), so one bad row never hides the others.

Example::

    dumps({"when": datetime(2026, 1, 2, tzinfo=timezone.utc), "x": float("nan")})
    # '{"when": {"$hitl": "datetime", "value": "2026-01-02T00:00:00+00:00"},
    #   "x": {"$hitl": "float", "value": "nan"}}'
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import decimal
import enum
import json
import math
import re
import sys
import uuid
from typing import Any

__all__ = ["MARK", "dumps", "encode", "marked"]

MARK = "$hitl"
_MAX_DEPTH = 200
_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 64 - 1  # what orjson reads back as an int


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def dumps(value: Any) -> str | None:
    """``value`` as strict JSON text (None stays None), odd values as marked stand-ins."""
    if value is None:
        return None
    try:  # fast path: plain JSON data (the usual case) goes through the C encoder as is
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=_refuse)
        if f'"{MARK}"' not in text and _storable(text) and not _has_big_int(text):
            return text
    except (TypeError, ValueError, RecursionError):
        pass
    return json.dumps(encode(value), ensure_ascii=False, allow_nan=False)


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")  # a lone surrogate cannot go into a database text column
    except UnicodeEncodeError:
        return False
    return True


_LONG_DIGITS = re.compile(r"\d{19}")


def _has_big_int(text: str) -> bool:
    """Whether the text may hold an integer orjson cannot read back exactly (a cheap
    test: 19 digits in a row, maybe inside a string; `encode` then decides exactly)."""
    return _LONG_DIGITS.search(text) is not None


def marked(kind: str, value: Any, **extra: Any) -> dict[str, Any]:
    """A stand-in ``{"$hitl": kind, **extra, "value": value}``."""
    return {MARK: kind, **extra, "value": value}


def _type_name(value: Any) -> str:
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


def encode(value: Any, _depth: int = 0, _seen: frozenset[int] = frozenset()) -> Any:
    """``value`` as plain JSON data (dict, list, str, finite float, int, bool, None)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value if _storable(value) else marked(
            "str", value.encode("utf-8", "backslashreplace").decode("utf-8"))
    if isinstance(value, int) and not isinstance(value, enum.Enum):
        value = int(value)
        return value if _INT_MIN <= value <= _INT_MAX else marked("int", str(value))
    if isinstance(value, float) and not isinstance(value, enum.Enum):
        if math.isfinite(value):
            return float(value)
        return marked("float", "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    if _depth > _MAX_DEPTH or id(value) in _seen:
        return marked("object", "(nested too deep, or contains itself)", type=_type_name(value))
    depth, seen = _depth + 1, _seen | {id(value)}

    def sub(v: Any) -> Any:
        return encode(v, depth, seen)

    if isinstance(value, dict):
        keys = list(value)
        if all(isinstance(k, str) and _storable(k) for k in keys) and MARK not in value:
            return {k: sub(v) for k, v in value.items()}
        return marked("dict", [[sub(k), sub(v)] for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return [sub(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [sub(v) for v in value]
        items.sort(key=lambda v: json.dumps(v, sort_keys=True))  # a stable order
        return marked("frozenset" if isinstance(value, frozenset) else "set", items)
    if isinstance(value, enum.Enum):
        return marked("enum", sub(value.value), type=_type_name(value), name=value.name)
    if isinstance(value, _dt.datetime):
        return marked("datetime", value.isoformat())
    if isinstance(value, _dt.date):
        return marked("date", value.isoformat())
    if isinstance(value, _dt.time):
        return marked("time", value.isoformat())
    if isinstance(value, _dt.timedelta):
        return marked("timedelta", value.total_seconds())
    if isinstance(value, decimal.Decimal):
        return marked("decimal", str(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return marked("bytes", base64.b64encode(bytes(value)).decode("ascii"))
    if isinstance(value, uuid.UUID):
        return marked("uuid", str(value))
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return marked("ndarray", sub(value.tolist()), dtype=str(value.dtype),
                          shape=list(value.shape))
        if isinstance(value, numpy.generic):
            return sub(value.item())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: sub(getattr(value, f.name, None)) for f in dataclasses.fields(value)}
        return marked("dataclass", fields, type=_type_name(value))
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):  # a pydantic (v2) model
        try:
            return marked("model", sub(dump()), type=_type_name(value))
        except Exception:  # a broken model is still logged, as its repr
            pass
    return marked("object", _repr(value), type=_type_name(value))


def _repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not stop the log
        text = f"<{type(value).__name__} whose repr failed: {type(exc).__name__}>"
    return text if len(text) <= 2000 else text[:2000] + "..."
