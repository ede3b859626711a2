"""A pandas column of JSON documents, parsed lazily (dtype ``"hitl_json"``).

The decision log keeps arguments and context as JSON text. Parsing a million cells up
front costs more than the whole rest of a load, and most analyses touch few of them, so
the column keeps the text and parses a cell when it is read: ``df.args.iloc[0]`` is a
dict, iterating, ``.tolist()``, ``.map(f)`` and ``.astype(object)`` give parsed values,
and Parquet/Arrow receive the JSON text.

Example::

    arr = JSONArray.from_text(['{"to": "a@b.c"}', None])
    arr[0]["to"]          # 'a@b.c'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype

try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    _loads = json.loads


def _dumps(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return json.dumps(value, default=str, ensure_ascii=False)


def _parse(text: Any) -> Any:
    return _loads(text) if isinstance(text, str) else None


@register_extension_dtype
class JSONDtype(ExtensionDtype):
    """JSON documents; cells read as parsed Python objects (dict, list, str, number)."""

    name = "hitl_json"
    type = object
    kind = "O"
    na_value = None

    @classmethod
    def construct_array_type(cls) -> type[JSONArray]:
        return JSONArray


class JSONArray(ExtensionArray):
    """JSON text per cell (None for missing), parsed on access."""

    _dtype = JSONDtype()

    def __init__(self, text: np.ndarray) -> None:
        self._text = text

    @classmethod
    def from_text(cls, text: Sequence[str | None]) -> JSONArray:
        """Wrap JSON text (no parsing now)."""
        arr = np.empty(len(text), dtype=object)
        arr[:] = text
        return cls(arr)

    # -- construction (pandas protocol) --------------------------------------------------
    @classmethod
    def _from_sequence(cls, scalars: Any, *, dtype: Any = None, copy: bool = False
                       ) -> JSONArray:
        if isinstance(scalars, JSONArray):
            return scalars.copy() if copy else scalars
        return cls.from_text([_dumps(v) for v in scalars])

    @classmethod
    def _from_factorized(cls, values: np.ndarray, original: JSONArray) -> JSONArray:
        return cls(np.asarray(values, dtype=object))

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[JSONArray]) -> JSONArray:
        return cls(np.concatenate([a._text for a in to_concat]) if to_concat
                   else np.empty(0, dtype=object))

    # -- access ------------------------------------------------------------------------
    @property
    def dtype(self) -> JSONDtype:
        return self._dtype

    def __len__(self) -> int:
        return len(self._text)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, np.integer)):
            return _parse(self._text[item])
        item = pd.api.indexers.check_array_indexer(self, item)
        return type(self)(self._text[item])

    def __iter__(self):
        for text in self._text:
            yield _parse(text)

    def __setitem__(self, key: Any, value: Any) -> None:
        if pd.api.types.is_list_like(value) and not isinstance(value, dict):
            value = [_dumps(v) for v in value]
        else:
            value = _dumps(value)
        self._text[key] = value

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        if isinstance(other, JSONArray):
            return np.array([a == b for a, b in zip(self, other, strict=True)], dtype=bool)
        return np.array([a == other for a in self], dtype=bool)

    @property
    def text(self) -> np.ndarray:
        """The raw JSON text of each cell (object array, None for missing)."""
        return self._text

    @property
    def nbytes(self) -> int:
        return int(sum(len(t) for t in self._text if isinstance(t, str))) + self._text.nbytes

    def isna(self) -> np.ndarray:
        return pd.isna(self._text)

    def take(self, indices: Any, allow_fill: bool = False, fill_value: Any = None
             ) -> JSONArray:
        from pandas.api.extensions import take

        fill = _dumps(fill_value) if allow_fill else None
        return type(self)(take(self._text, indices, allow_fill=allow_fill, fill_value=fill))

    def copy(self) -> JSONArray:
        return type(self)(self._text.copy())

    def astype(self, dtype: Any, copy: bool = True) -> Any:
        if isinstance(pd.api.types.pandas_dtype(dtype), JSONDtype):
            return self.copy() if copy else self
        if pd.api.types.pandas_dtype(dtype) == np.dtype(object):
            out = np.empty(len(self), dtype=object)
            out[:] = list(self)
            return out
        return super().astype(dtype, copy=copy)

    def to_numpy(self, dtype: Any = None, copy: bool = False, na_value: Any = None
                 ) -> np.ndarray:
        return self.astype(object)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.astype(object)

    def _values_for_factorize(self) -> tuple[np.ndarray, Any]:
        return self._text, None

    def _formatter(self, boxed: bool = False):
        return repr

    def __arrow_array__(self, type: Any = None) -> Any:
        import pyarrow as pa

        return pa.array(self._text, type=pa.string())
