"""The lazy JSON column behaves like an object column of parsed values in pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from hitl_nb._jsonarray import JSONArray, JSONDtype

TEXT = ['{"to": "a@b.c", "n": 1}', None, "[1, 2]", '"plain"']
VALUES = [{"to": "a@b.c", "n": 1}, None, [1, 2], "plain"]


@pytest.fixture
def df():
    return pd.DataFrame({"args": JSONArray.from_text(TEXT), "k": ["x", "y", "x", "y"]})


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
