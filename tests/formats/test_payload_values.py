"""Values JSON cannot hold, in real interrupt payloads: shown on the card (escaped),
decided, received by the node, logged as marked stand-ins that read back on every path,
and never able to make the log or the inbox unreadable."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import enum
import json
import math
import re
import sqlite3
import uuid
import warnings
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import numpy as np
import orjson
import pydantic
import pytest

import hitl_nb
from hitl_nb import Decision, DecisionLog, Inbox, UnserializableValue
from hitl_nb.store.fastjson import UnreadableValue
from hitl_nb.store.frame import arrow as _frame_arrow
from hitl_nb.store.jsonsafe import dumps
from tests.graphs import ask_then, single
from tests.markup import assert_safe_html

HOSTILE = "<img src=x onerror=alert(1)>"


class Color(enum.Enum):
    RED = "crimson"


@dataclasses.dataclass
class Point:
    x: int
    y: float


class Item(pydantic.BaseModel):
    name: str
    size: int


class Custom:
    """An object LangGraph's checkpoint serializer cannot save."""

    def __repr__(self) -> str:
        return "Custom()"


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# id, value, tokens the card's text shows, the stand-in the log keeps
CASES: list[tuple[str, Any, tuple[str, ...], Any]] = [
    ("datetime-tz", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
     ("2026-01-02", "03:04:05"), {"$hitl": "datetime", "value": "2026-01-02T03:04:05+02:00"}),
    ("datetime-naive", datetime(2026, 1, 3, 4, 5, 6), ("2026-01-03", "04:05:06"),
     {"$hitl": "datetime", "value": "2026-01-03T04:05:06"}),
    ("date", date(2026, 1, 4), ("2026-01-04",), {"$hitl": "date", "value": "2026-01-04"}),
    ("decimal", Decimal("12.50"), ("12.50",), {"$hitl": "decimal", "value": "12.50"}),
    ("set", {"alpha", "beta"}, ("alpha", "beta"), {"$hitl": "set", "value": ["alpha", "beta"]}),
    ("frozenset", frozenset({"gamma"}), ("gamma",), {"$hitl": "frozenset", "value": ["gamma"]}),
    ("bytes", b"raw<bytes>", ("raw<bytes>",),
     {"$hitl": "bytes", "value": base64.b64encode(b"raw<bytes>").decode()}),
    ("nan", float("nan"), (r"(?i)\bnan\b",), {"$hitl": "float", "value": "nan"}),
    ("inf", float("inf"), (r"(?i)(?<!-)\binf(inity)?\b",), {"$hitl": "float", "value": "inf"}),
    ("-inf", float("-inf"), (r"(?i)-inf(inity)?\b",), {"$hitl": "float", "value": "-inf"}),
    ("numpy-int64", np.int64(7), ("7",), 7),
    ("numpy-float32", np.float32(0.5), ("0.5",), 0.5),
    ("numpy-array", np.array([1.5, 2.5]), ("1.5", "2.5"),
     {"$hitl": "ndarray", "dtype": "float64", "shape": [2], "value": [1.5, 2.5]}),
    ("pydantic", Item(name=HOSTILE, size=3), (HOSTILE, "3"),
     {"$hitl": "model", "type": _name(Item), "value": {"name": HOSTILE, "size": 3}}),
    ("dataclass", Point(7, 8.5), ("8.5",),
     {"$hitl": "dataclass", "type": _name(Point), "value": {"x": 7, "y": 8.5}}),
    ("uuid", uuid.UUID(int=0xABC), (str(uuid.UUID(int=0xABC)),),
     {"$hitl": "uuid", "value": str(uuid.UUID(int=0xABC))}),
    ("enum", Color.RED, ("RED",),
     {"$hitl": "enum", "type": _name(Color), "name": "RED", "value": "crimson"}),
    ("tuple", ("north", 42), ("north", "42"), ["north", 42]),
]
#: LangGraph's default serializer refuses numpy scalars (langgraph-checkpoint 4): these
#: cases run with a serializer that takes them (the fix `UnserializableValue` names).
NEEDS_PICKLE = {"numpy-int64", "numpy-float32"}


def _same(received: Any, sent: Any) -> bool:
    if isinstance(sent, float) and math.isnan(sent):
        return isinstance(received, float) and math.isnan(received)
    if isinstance(sent, np.ndarray):
        return np.array_equal(received, sent)
    if isinstance(sent, tuple):
        return list(received) == list(sent)
    return received == sent and type(received) is type(sent)


def _checkpointer(backend: str, pickle: bool = False) -> Any:
    saver = hitl_nb.checkpointer(backend)
    if pickle:
        from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

        saver.serde = JsonPlusSerializer(pickle_fallback=True)
    return saver


def _texts(card: Any) -> tuple[str, str]:
    bundle = card._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    return bundle["text/plain"], bundle["text/html"]


def _shows(text: str, token: str, html: bool) -> bool:
    if token.startswith("(?"):
        return re.search(token, text) is not None
    return (token.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            if html else token) in text


def _review(graph: Any, backend: str, thread: str, value: Any = None) -> Any:
    return hitl_nb.review(graph, {} if value is None else value, thread_id=thread,
                          log=backend, display=False, reviewer="ana")


@pytest.mark.parametrize(("name", "value", "tokens", "logged"), CASES,
                         ids=[c[0] for c in CASES])
def test_odd_value_is_shown_decided_received_and_logged(backend, monkeypatch, name, value,
                                                        tokens, logged):
    saver = _checkpointer(backend, pickle=name in NEEDS_PICKLE)
    plain = single(saver, {"action": "send_email", "args": {"to": "cfo@example.com"}})
    odd = single(saver, {"action": "store", "args": {"value": value, "note": "n"}})
    _review(plain, backend, "other")
    approved = _review(odd, backend, "odd-approve")
    edited = _review(odd, backend, "odd-edit")

    card = approved.cards[0]
    text, html = _texts(card)
    assert_safe_html(html)
    for token in tokens:
        assert _shows(text, token, html=False), (token, text)
        assert _shows(html, token, html=True), (token, html)

    pending = {r.thread_id: r for r in Inbox(backend).pending}
    assert set(pending) == {"other", "odd-approve", "odd-edit"}
    assert pending["odd-approve"].args == {"value": logged, "note": "n"}
    assert pending["other"].args == {"to": "cfo@example.com"}
    assert set(Inbox(backend).to_pandas().thread_id) == {"other", "odd-approve", "odd-edit"}

    card.approve()
    edited.cards[0].edit({"value": value, "note": "changed"})
    assert approved.done and edited.done
    got = approved.result["answers"][0]
    assert got["type"] == "approve" and _same(got["args"]["value"], value)
    got = edited.result["answers"][0]
    assert got["type"] == "edit" and got["args"]["note"] == "changed"
    assert _same(got["args"]["value"], value)

    paths = [True, False] if backend.endswith(".db") else [None]
    for arrow in paths:  # SQLite: the Arrow path and the stdlib path; PostgreSQL: rows
        with monkeypatch.context() as m:
            if arrow is False:
                m.setattr(_frame_arrow, "ENABLED", False)
            df = DecisionLog(backend).to_pandas().set_index("thread_id")
        assert set(df.index) == {"odd-approve", "odd-edit"}
        assert df.loc["odd-approve", "args"] == {"value": logged, "note": "n"}
        assert df.loc["odd-edit", "edited_args"] == {"value": logged, "note": "changed"}
        assert df.loc["odd-approve", "request"]["args"]["value"] == logged
    assert [r.thread_id for r in Inbox(backend).pending] == ["other"]


@pytest.mark.parametrize(("name", "value", "tokens", "logged"), CASES,
                         ids=[c[0] for c in CASES])
def test_stand_in_is_strict_json_that_both_readers_read_alike(name, value, tokens, logged):
    text = dumps({"value": value})
    assert "NaN" not in text and "Infinity" not in text
    assert orjson.loads(text) == json.loads(text) == {"value": logged}


@pytest.mark.parametrize("value", [
    {"$hitl": "float", "value": "nan"},           # a user dict that looks like a stand-in
    {1: "a", (2, 3): "b"},                          # keys JSON cannot hold
    2 ** 70,                                        # an int orjson reads as a float
    "lone \ud800 surrogate",                        # text no database column takes
    [float("nan"), {"deep": [float("-inf")]}],
])
def test_awkward_plain_values_stay_unambiguous_and_readable(value):
    text = dumps(value)
    text.encode("utf-8")
    assert orjson.loads(text) == json.loads(text)
    assert "NaN" not in text and "Infinity" not in text


def test_user_dict_shaped_like_a_stand_in_is_kept_apart():
    assert json.loads(dumps({"$hitl": "float", "value": "nan"})) == {
        "$hitl": "dict", "value": [["$hitl", "float"], ["value", "nan"]]}


def test_numpy_scalar_refused_by_the_default_checkpointer_names_type_and_fix(db):
    graph = single(hitl_nb.checkpointer(db), {"action": "store", "args": {"n": np.int64(7)}})
    with pytest.raises(UnserializableValue) as caught:
        _review(graph, db, "np")
    assert caught.value.type_name == "numpy.int64"
    assert "pickle_fallback=True" in str(caught.value)


def test_custom_object_in_payload_names_its_type_and_reopening_says_why(backend):
    graph = single(hitl_nb.checkpointer(backend),
                   {"action": "store", "args": {"thing": Custom()}})
    with pytest.raises(UnserializableValue) as caught:
        _review(graph, backend, "stuck")
    err = caught.value
    assert err.type_name == _name(Custom)
    assert err.where == "the interrupt payload at ['args']['thing']"
    for fix in ("JSON-able", "pydantic model", "dataclass", "serializer"):
        assert fix in str(err)

    view = hitl_nb.review(graph, None, thread_id="stuck", log=backend, display=False)
    assert not view.done and view.pending == []
    assert isinstance(view.error, UnserializableValue)
    assert "stuck before ask" in str(view.error) and _name(Custom) in str(view.error)
    _, html = _texts(view)
    assert "UnserializableValue" in html and "stuck before ask" in html
    assert "session.retry()" not in html  # nothing was decided: retrying applies nothing


def test_custom_object_in_a_node_update_names_the_state_key(db):
    graph = ask_then(hitl_nb.checkpointer(db), before={"log": [Custom()]})
    with pytest.raises(UnserializableValue) as caught:
        _review(graph, db, "t")
    assert caught.value.type_name == _name(Custom)
    assert caught.value.where == "the state key 'log' at [0]"
    view = hitl_nb.review(graph, None, thread_id="t", log=db, display=False)
    assert "stuck before first" in str(view.error)


def test_custom_object_after_the_resume_fails_the_resume_with_the_named_value(db):
    graph = ask_then(hitl_nb.checkpointer(db), after={"log": [Custom()]})
    session = _review(graph, db, "t")
    with pytest.raises(hitl_nb.ResumeFailed) as caught:
        session.cards[0].approve()
    cause = caught.value.__cause__
    assert isinstance(cause, UnserializableValue) and cause.type_name == _name(Custom)
    assert _name(Custom) in str(caught.value)
    assert DecisionLog(db).to_pandas().decision.tolist() == ["approve"]


def test_async_session_names_the_refused_value_too(db):
    async def main() -> None:
        graph = single(await hitl_nb.acheckpointer(db),
                       {"action": "store", "args": {"thing": Custom()}})
        await hitl_nb.areview(graph, {}, thread_id="a", log=db, display=False)

    with pytest.raises(UnserializableValue) as caught:
        asyncio.run(main())
    assert caught.value.type_name == _name(Custom)


def test_node_raising_its_own_type_error_is_not_taken_for_a_refused_value(db):
    def boom(state: dict) -> dict:
        raise TypeError("Object of type Custom is not JSON serializable")

    from langgraph.graph import START, StateGraph

    b = StateGraph(dict)
    b.add_node("boom", boom)
    b.add_edge(START, "boom")
    graph = b.compile(checkpointer=hitl_nb.checkpointer(db))
    with pytest.raises(TypeError) as caught:
        _review(graph, db, "t")
    assert not isinstance(caught.value, UnserializableValue)


# -- rows written by older versions, or edited by hand --------------------------------------
def _execute(backend: str, sql: str, params: tuple = ()) -> None:
    if backend.endswith(".db"):
        with sqlite3.connect(backend) as conn:
            conn.execute(sql, params)
        return
    import psycopg

    with psycopg.connect(backend, autocommit=True) as conn:
        conn.execute(sql.replace("?", "%s"), params)


OLD_NAN = json.dumps({"args": {"x": float("nan")}, "allowed": ["approve", "reject"]})
BROKEN = '{"args": {"x": 1'


def test_rows_written_the_old_way_never_hide_the_others(backend, monkeypatch):
    graph = single(hitl_nb.checkpointer(backend),
                   {"action": "send_email", "args": {"to": "cfo@example.com"}})
    for thread in ("old-nan", "broken", "fine", "done-nan", "done-broken"):
        _review(graph, backend, thread)
    for thread in ("done-nan", "done-broken"):
        hitl_nb.review(graph, None, thread_id=thread, log=backend,
                       display=False).cards[0].approve()
    assert "NaN" in OLD_NAN  # what json.dumps wrote before: orjson refuses it
    _execute(backend, "UPDATE hitl_requests SET request = ? WHERE thread_id = ?",
             (OLD_NAN, "old-nan"))
    _execute(backend, "UPDATE hitl_requests SET request = ? WHERE thread_id = ?",
             (BROKEN, "broken"))
    _execute(backend, "UPDATE hitl_decisions SET args = ?, resume_value = ? WHERE thread_id = ?",
             ('{"x": NaN, "y": -Infinity}', "[Infinity]", "done-nan"))
    _execute(backend, "UPDATE hitl_decisions SET args = ? WHERE thread_id = ?",
             ("not json {", "done-broken"))

    with pytest.warns(UnreadableValue):
        pending = {r.thread_id: r for r in Inbox(backend).pending}
    assert set(pending) == {"old-nan", "broken", "fine"}
    assert pending["old-nan"].args == {"x": {"$hitl": "float", "value": "nan"}}
    assert pending["fine"].args == {"to": "cfo@example.com"}
    assert pending["broken"].args["$hitl"] == "unreadable"
    assert pending["broken"].args["value"] == BROKEN
    assert set(Inbox(backend).to_pandas().thread_id) == {"old-nan", "broken", "fine"}

    paths = [True, False] if backend.endswith(".db") else [None]
    for arrow in paths:
        with monkeypatch.context() as m:
            if arrow is False:
                m.setattr(_frame_arrow, "ENABLED", False)
            df = DecisionLog(backend).to_pandas().set_index("thread_id")
        assert set(df.index) == {"done-nan", "done-broken"}
        assert df.loc["done-nan", "args"] == {"x": {"$hitl": "float", "value": "nan"},
                                              "y": {"$hitl": "float", "value": "-inf"}}
        assert df.loc["done-nan", "resume_value"] == [{"$hitl": "float", "value": "inf"}]
        with pytest.warns(UnreadableValue):
            broken = df.loc["done-broken", "args"]
        assert broken["$hitl"] == "unreadable" and broken["value"] == "not json {"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnreadableValue)
            assert len(DecisionLog(backend).to_pandas(flatten=True)) == 2


def test_stored_decision_with_old_nan_reads_back_through_the_log(db):
    graph = single(hitl_nb.checkpointer(db), {"action": "edit_me", "args": {"x": 1}})
    session = _review(graph, db, "t")
    session.cards[0].edit({"x": 2})
    _execute(db, "UPDATE hitl_decisions SET edited_args = ? WHERE thread_id = ?",
             ('{"x": NaN}', "t"))
    iid = DecisionLog(db).to_pandas().interrupt_id.iloc[0]
    decision = DecisionLog(db).get("t", iid)
    assert isinstance(decision, Decision)
    assert decision.args == {"x": {"$hitl": "float", "value": "nan"}}
