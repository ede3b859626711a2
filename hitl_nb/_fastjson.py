"""``loads``: orjson when installed (langgraph-sdk brings it), else the standard library.

Both return the same Python objects for the JSON hitl_nb writes; orjson parses the
inbox's and the log's bulk JSON two to three times faster.
"""

from __future__ import annotations

import json

try:
    from orjson import loads
except ImportError:  # pragma: no cover - orjson is optional
    loads = json.loads

__all__ = ["loads"]
