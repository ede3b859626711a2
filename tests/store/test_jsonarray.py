"""The lazy JSON column behaves like an object column of parsed values in pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from hitl_nb.store.fastjson import UnreadableValue
from hitl_nb.store.frame.jsonarray import JSONArray, JSONDtype

TEXT = ['{"to": "a@b.c", "n": 1}', None, "[1, 2]", '"plain"']
VALUES = [{"to": "a@b.c", "n": 1}, None, [1, 2], "plain"]


@pytest.fixture(params=["numpy", "arrow"])
def df(request):
    """The column as the stdlib loader builds it (numpy text) and as the Arrow one does."""
    if request.param == "numpy":
        column = JSONArray.from_text(TEXT)
    else:
        pa = pytest.importorskip("pyarrow")
        column = JSONArray.from_arrow(pa.chunked_array([TEXT[:1], TEXT[1:]], type=pa.string()))
    return pd.DataFrame({"args": column, "k": ["x", "y", "x", "y"]})


def test_cells_read_as_parsed_values(df):
    assert df["args"].iloc[0] == VALUES[0]
    assert df.iloc[2]["args"] == [1, 2]
    assert df["args"].tolist() == VALUES
    assert list(df["args"].astype(object)) == VALUES


def test_missing_cells_are_na(df):
    assert df["args"].isna().tolist() == [False, True, False, False]


def test_filter_sort_and_concat_keep_values(df):
    assert df[df.k == "x"]["args"].tolist() == [VALUES[0], VALUES[2]]
    assert df.sort_values("k", ascending=False, kind="stable")["args"].tolist() == \
        [VALUES[1], VALUES[3], VALUES[0], VALUES[2]]
    assert pd.concat([df, df])["args"].tolist() == VALUES * 2


def test_groupby_first_and_map(df):
    first = df.groupby("k")["args"].first()
    assert first["x"] == VALUES[0]
    assert df["args"].map(lambda v: type(v).__name__).tolist() == [
        "dict", "NoneType", "list", "str"]


def test_building_from_python_values_serialises_them():
    s = pd.Series(VALUES, dtype="hitl_json")
    assert isinstance(s.dtype, JSONDtype)
    assert s.tolist() == VALUES
    assert s.array.text[0] == '{"to": "a@b.c", "n": 1}'


def test_assignment_stores_json(df):
    df.at[1, "args"] = {"fixed": True}
    assert df["args"].iloc[1] == {"fixed": True}


def test_parquet_receives_json_text(df, tmp_path):
    df.to_parquet(tmp_path / "x.parquet")
    back = pd.read_parquet(tmp_path / "x.parquet")
    assert back["args"].iloc[0] == TEXT[0]
    assert pd.isna(back["args"].iloc[1])


def test_memory_usage_counts_the_text(df):
    assert df.memory_usage(deep=True)["args"] >= sum(len(t) for t in TEXT if t)


def test_positions_slices_and_takes_pick_the_same_cells(df):
    args = df["args"].array
    assert args[-1] == VALUES[-1]
    assert args[1:3].tolist() == VALUES[1:3]
    assert args[::2].tolist() == VALUES[::2]
    assert args[[3, -4]].tolist() == [VALUES[3], VALUES[0]]
    assert args.take([2, -1], allow_fill=True).tolist() == [VALUES[2], None]
    assert args.take([-1]).tolist() == [VALUES[-1]]
    with pytest.raises(IndexError):
        args[4]
    with pytest.raises(IndexError):
        args.take([4])


def test_copy_is_independent_of_the_original(df):
    copy = df.copy()
    copy.at[0, "args"] = {"changed": 1}
    assert df["args"].iloc[0] == VALUES[0]
    assert copy["args"].iloc[0] == {"changed": 1}


def test_unparseable_cell_reads_as_a_marked_stand_in_and_the_others_as_usual():
    pa = pytest.importorskip("pyarrow")
    text = ['{"x": NaN}', "not json {", '{"ok": 1}']
    for column in (JSONArray.from_text(text),
                   JSONArray.from_arrow(pa.array(text, type=pa.string()))):
        with pytest.warns(UnreadableValue):
            values = list(pd.Series(column))
        assert values[0] == {"x": {"$hitl": "float", "value": "nan"}}  # written by old code
        assert values[1] == {"$hitl": "unreadable", "value": "not json {",
                             "error": values[1]["error"]}
        assert values[2] == {"ok": 1}


def test_values_json_cannot_hold_are_stored_as_strict_json_stand_ins():
    column = JSONArray._from_sequence([{"x": float("inf"), "s": {1}}, float("nan")])
    assert column.text.tolist() == [
        '{"x": {"$hitl": "float", "value": "inf"}, "s": {"$hitl": "set", "value": [1]}}', None]
    column[1] = {"when": float("-inf")}
    assert column[1] == {"when": {"$hitl": "float", "value": "-inf"}}
