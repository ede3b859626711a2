"""A pandas column of JSON documents, parsed lazily (dtype ``"hitl_json"``).

The decision log keeps arguments and context as JSON text. Parsing a million cells up
front costs more than the whole rest of a load, and most analyses touch few of them, so
the column keeps the text and parses a cell when it is read: ``df.args.iloc[0]`` is a
dict, iterating, ``.tolist()``, ``.map(f)`` and ``.astype(object)`` give parsed values,
and Parquet/Arrow receive the JSON text.

The text is held either as a numpy object array of ``str`` or, when the log was read
through Arrow (`hitl_nb.store.frame.arrow`), as an Arrow string array: a million cells then
cost no Python object until they are read. Selecting rows (``take``, masks, slices),
``isna``, ``copy``, concatenation and Parquet stay in Arrow; assigning a cell, or asking
for `JSONArray.text`, turns the column into the numpy form once.

Example::

    arr = JSONArray.from_text(['{"to": "a@b.c"}', None])
    arr[0]["to"]          # 'a@b.c'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype

from ..fastjson import loads as _loads
from ..jsonsafe import dumps as _safe_dumps


def _dumps(value: Any) -> str | None:
    """A cell's JSON text: a missing value (None, NaN) is None, the rest strict JSON with
    odd values as marked stand-ins (`hitl_nb.store.jsonsafe`)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return _safe_dumps(value)


def _parse(text: Any) -> Any:
    """A cell's value; a cell that is not valid JSON reads as a marked ``unreadable``
    stand-in with a warning (`hitl_nb.store.fastjson.loads`), never an exception."""
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
        self._np: np.ndarray | None = text
        self._arrow: Any = None  # a pyarrow ChunkedArray of strings, instead of _np

    @classmethod
    def from_arrow(cls, strings: Any) -> JSONArray:
        """Wrap an Arrow array (or ChunkedArray) of JSON text, without copying it."""
        import pyarrow as pa

        out = cls.__new__(cls)
        out._np = None
        out._arrow = strings if isinstance(strings, pa.ChunkedArray) else \
            pa.chunked_array([strings], type=strings.type)
        return out

    @property
    def _text(self) -> np.ndarray:
        """The numpy form (built from the Arrow text on first use)."""
        if self._np is None:
            self._np = self._arrow.to_numpy(zero_copy_only=False)
            self._arrow = None
        return self._np

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
        if to_concat and all(a._arrow is not None for a in to_concat):
            import pyarrow as pa

            return cls.from_arrow(pa.chunked_array(
                [c for a in to_concat for c in a._arrow.chunks], type=pa.string()))
        return cls(np.concatenate([a._text for a in to_concat]) if to_concat
                   else np.empty(0, dtype=object))

    # -- access ------------------------------------------------------------------------
    @property
    def dtype(self) -> JSONDtype:
        return self._dtype

    def __len__(self) -> int:
        return len(self._arrow) if self._arrow is not None else len(self._np)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, np.integer)):
            if self._arrow is not None:
                n = len(self._arrow)
                if not -n <= item < n:
                    raise IndexError(f"index {item} is out of bounds for size {n}")
                return _parse(self._arrow[int(item) % n].as_py())
            return _parse(self._text[item])
        if self._arrow is not None:
            if isinstance(item, slice) and item.step in (None, 1):
                start, stop, _ = item.indices(len(self))
                return self.from_arrow(self._arrow.slice(start, max(0, stop - start)))
            item = pd.api.indexers.check_array_indexer(self, item)
            if isinstance(item, slice):
                item = np.arange(len(self))[item]
            if item.dtype == bool:
                return self.from_arrow(self._arrow.filter(item))
            return self.from_arrow(self._arrow.take(np.where(item < 0, item + len(self), item)))
        item = pd.api.indexers.check_array_indexer(self, item)
        return type(self)(self._text[item])

    def __iter__(self):
        if self._arrow is not None:
            for chunk in self._arrow.iterchunks():
                for text in chunk.to_pylist():
                    yield _parse(text)
            return
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
        if self._arrow is not None:
            return int(self._arrow.nbytes)
        return int(sum(len(t) for t in self._text if isinstance(t, str))) + self._text.nbytes

    def isna(self) -> np.ndarray:
        if self._arrow is not None:
            return self._arrow.is_null().to_numpy()
        return pd.isna(self._text)

    def take(self, indices: Any, allow_fill: bool = False, fill_value: Any = None
             ) -> JSONArray:
        from pandas.api.extensions import take

        fill = _dumps(fill_value) if allow_fill else None
        if self._arrow is not None and fill is None:
            import pyarrow as pa

            index = np.asarray(indices, dtype=np.int64)
            n = len(self)
            if len(index) and (index.max() >= n or index.min() < (-1 if allow_fill else -n)):
                raise IndexError(f"indices out of bounds for size {n}")
            if allow_fill:  # -1 means missing
                return self.from_arrow(self._arrow.take(pa.array(index, mask=index < 0)))
            return self.from_arrow(self._arrow.take(np.where(index < 0, index + n, index)))
        return type(self)(take(self._text, indices, allow_fill=allow_fill, fill_value=fill))

    def copy(self) -> JSONArray:
        if self._arrow is not None:  # Arrow arrays are immutable: sharing is a copy
            return self.from_arrow(self._arrow)
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

        if self._arrow is not None:
            return self._arrow
        return pa.array(self._text, type=pa.string())
