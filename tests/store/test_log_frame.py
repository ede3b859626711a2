"""DecisionLog.to_pandas: dtypes, filters, flattening, context, outcomes, automatic rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, TypedDict

import pandas as pd
import pytest
from langgraph.graph import END, START, StateGraph

import hitl_nb
from hitl_nb.store.frame import arrow as _frame_arrow
from hitl_nb.store.frame import cache as _frame_cache
from hitl_nb.store.frame import load as _frame
from hitl_nb.store.frame.jsonarray import JSONDtype
from tests import _known_log as K


@pytest.fixture(autouse=True, params=["arrow", "copy", "stdlib"])
def frame_path(request, monkeypatch):
    """Every test here runs on each loader: Arrow (``data`` extra), Arrow from the log's
    columnar copy plus its changes (`hitl_nb.store.frame.cache`), and stdlib sqlite3."""
    if request.param == "stdlib":
        monkeypatch.setattr(_frame_arrow, "ENABLED", False)
        return request.param
    pytest.importorskip("adbc_driver_sqlite")
    if request.param == "copy":
        monkeypatch.setattr(_frame_cache, "MIN_ROWS", 1)
        monkeypatch.setattr(_frame_cache, "BACKGROUND", False)
        monkeypatch.setattr(_frame_cache, "ROWS_PER_SPLICE", 1)  # splice, never take
        real = _frame_cache.load

        def from_copy(db, where, params):
            real(db, "", ())  # writes or refreshes the copy
            file = _frame_arrow.own_file(db)
            if file is None or not _frame_cache.path_for(file).exists():
                return real(db, where, params)  # an empty or in-memory log: no copy
            with monkeypatch.context() as m:
                m.setattr(_frame_arrow, "read", lambda *a: pytest.fail("read in full"))
                return real(db, where, params)

        monkeypatch.setattr(_frame_cache, "load", from_copy)
    return request.param


@pytest.fixture
def known(db):
    return K.build(db)


def test_columns_have_analysis_dtypes(known):
    df = known.to_pandas()
    for col in ("requested_at", "decided_at", "applied_at", "outcome_at"):
        assert isinstance(df[col].dtype, pd.DatetimeTZDtype), col
        assert str(df[col].dt.tz) == "UTC"
    for col in ("decision", "action", "reviewer", "risk_tier", "status"):
        assert isinstance(df[col].dtype, pd.CategoricalDtype), col
    for col in ("latency_s", "confidence", "risk_score"):
        assert df[col].dtype == "float64", col
    assert df["outcome_ok"].dtype == "boolean"
    assert isinstance(df["args"].dtype, JSONDtype)
    assert df["action_index"].dtype == "int64"


def test_values_round_trip_from_the_log(known):
    df = known.to_pandas()
    assert len(df) == len(K.ROWS)
    assert df["args"].tolist() == [r[2] for r in K.ROWS]
    assert df["edited_args"].tolist() == [r[4] for r in K.ROWS]
    assert df["decision"].astype(str).tolist() == [r[3] for r in K.ROWS]
    assert df["latency_s"].tolist() == [r[7] for r in K.ROWS]
    first = df.iloc[0]
    assert first.requested_at == K.T0
    assert first.decided_at == K.T0 + timedelta(seconds=10)
    assert df["args"].iloc[2]["to"] == "all@x.com"


def test_context_keeps_task_and_steps_at_request_time(known):
    ctx = known.to_pandas()["context"].iloc[3]
    assert ctx["task"] == "task of th3"
    assert ctx["steps"] == ["planned delete_rows"]


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"thread_id": "th1"}, [0, 1]),
    ({"action": "delete_rows"}, [3, 4]),
    ({"since": K.T0 + timedelta(days=1)}, [5, 6, 7, 8, 9]),
    ({"since": K.T0 + timedelta(days=1), "action": "search", "thread_id": "th5"}, [5, 6]),
    ({"action": "no_such_tool"}, []),
])
def test_filters_select_matching_rows(known, kwargs, expected):
    df = known.to_pandas(**kwargs)
    assert df["interrupt_id"].tolist() == [f"i{n}" for n in expected]


def test_naive_since_is_refused(known):
    with pytest.raises(hitl_nb.HitlError, match="timezone-aware"):
        known.to_pandas(since=datetime(2026, 1, 1))


def test_flatten_adds_one_column_per_argument_key(known):
    df = known.to_pandas(flatten=True)
    assert df["args.to"].iloc[0] == "all@x.com"
    assert df["edited_args.to"].iloc[2] == "cfo@x.com"
    assert pd.isna(df["edited_args.to"].iloc[0])
    assert df["args.q"].notna().sum() == sum(1 for r in K.ROWS if "q" in r[2])


def test_empty_log_gives_typed_empty_frame(db):
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert df.empty
    assert isinstance(df["decided_at"].dtype, pd.DatetimeTZDtype)
    assert isinstance(df["decision"].dtype, pd.CategoricalDtype)


class _Generic:
    """The log's backend seen as a non-SQLite one: forces the generic row path."""

    dialect = "generic"

    def __init__(self, db: Any) -> None:
        self.columns = db.columns


def test_generic_row_path_gives_the_same_frame(known):
    fast = known.to_pandas()
    generic = _frame.load(_Generic(known.backend), lambda sql: sql)
    pd.testing.assert_frame_equal(fast, generic)


def test_malformed_json_cell_does_not_hide_the_other_rows(known):
    known.backend.conn.execute(
        "UPDATE hitl_decisions SET args = 'not json' WHERE interrupt_id = 'i1'")
    df = known.to_pandas()
    assert len(df) == len(K.ROWS)
    assert df["args"].iloc[0] == K.ROWS[0][2]
    assert df["args"].array.text[1] == "not json"


def test_automatic_decisions_are_logged_as_applied_with_their_rule(db):
    log = hitl_nb.DecisionLog(db)
    log.record_auto("read_file", {"path": "a"}, reviewer="policy:read_only", thread_id="t")
    log.record_auto("rm", {"path": "/"}, decision="reject", reviewer="policy:never_rm",
                    thread_id="t", comment="blocked by rule")
    df = log.to_pandas()
    assert df["reviewer"].astype(str).tolist() == ["policy:read_only", "policy:never_rm"]
    assert df["status"].astype(str).tolist() == ["applied", "applied"]
    assert df["latency_s"].tolist() == [0.0, 0.0]
    assert df["interrupt_id"].nunique() == 2
    assert df.hitl.automatic.all()


def test_outcome_goes_to_the_named_decision_and_history_keeps_all(known):
    assert known.record_outcome("i3", ok=True, detail={"deleted": 0}) == 1
    known.record_outcome("i3", ok=False, detail="a later human fix")
    row = known.to_pandas().set_index("interrupt_id").loc["i3"]
    assert (row.outcome_ok, row.outcome_detail) == (False, "a later human fix")
    history = known.outcomes()
    mine = history[history.interrupt_id == "i3"]
    assert mine["ok"].tolist() == [True, False]
    assert mine["detail"].tolist() == ['{"deleted": 0}', "a later human fix"]


def test_outcome_without_interrupt_goes_to_the_threads_latest_decision(known):
    known.record_outcome(thread_id="th1", ok=False, detail="bounced")
    df = known.to_pandas(thread_id="th1")
    assert df["outcome_detail"].fillna("-").tolist() == ["-", "bounced"]
    assert df["outcome_ok"].tolist() == [pd.NA, False]


def test_outcome_for_unknown_interrupt_is_a_clear_error(known):
    with pytest.raises(hitl_nb.HitlError, match="no decision is recorded"):
        known.record_outcome("nope", ok=True)


class _S(TypedDict, total=False):
    to: str
    result: str


def test_graph_node_records_outcome_of_its_thread(db, start):
    def act(state: _S) -> dict:
        decision = hitl_nb.request_review("send_email", {"to": state["to"]})
        return {"to": (decision.args or {}).get("to", state["to"]) if decision.approved else ""}

    def execute(state: _S) -> dict:
        ok = state["to"].endswith("@example.com")
        hitl_nb.record_outcome(ok=ok, detail=f"sent to {state['to']}", log=db)
        return {"result": "sent" if ok else "bounced"}

    builder = StateGraph(_S)
    builder.add_node("act", act)
    builder.add_node("execute", execute)
    builder.add_edge(START, "act")
    builder.add_edge("act", "execute")
    builder.add_edge("execute", END)
    graph = builder.compile(checkpointer=hitl_nb.checkpointer(db))
    start(graph, {"to": "cfo@example.com"}, thread_id="a").cards[0].approve()
    start(graph, {"to": "typo@exmaple.com"}, thread_id="b").cards[0].approve()
    df = hitl_nb.DecisionLog(db).to_pandas().set_index("thread_id")
    assert df.loc["a", "outcome_ok"] == True  # noqa: E712
    assert df.loc["b", "outcome_ok"] == False  # noqa: E712
    assert df.loc["b", "outcome_detail"] == "sent to typo@exmaple.com"


def test_record_outcome_outside_a_node_needs_a_thread(db):
    with pytest.raises(hitl_nb.HitlError, match="thread_id"):
        hitl_nb.record_outcome(ok=True, log=db)


def test_times_are_utc_even_for_other_zones(db):
    log = hitl_nb.DecisionLog(db)
    zone = timezone(timedelta(hours=5))
    at = datetime(2026, 5, 1, 12, 0, tzinfo=zone)
    log.record_auto("x", {}, reviewer="policy:r", when=at)
    assert log.to_pandas()["decided_at"].iloc[0] == at.astimezone(timezone.utc)
