"""Calibration of the agent's confidence against human decisions: the reliability table,
ECE and Brier score on logs whose answers are computed by hand in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hitl_nb
from tests._policy_log import add


def _known(target: str) -> hitl_nb.DecisionLog:
    log = hitl_nb.DecisionLog(target)
    # confidence 0.2: 1 approve, 3 reject  -> bin [0, 0.5): mean 0.2, rate 1/4
    add(log, "send", "approve", confidence=0.2)
    add(log, "send", "reject", confidence=0.2, n=3)
    # confidence 0.8: 3 approve, 1 edit (counts as approved), 2 reject -> bin [0.5, 1):
    # mean 0.8, rate 4/6
    add(log, "send", "approve", confidence=0.8, n=3)
    add(log, "send", "edit", confidence=0.8, edited={"to": "b"})
    add(log, "send", "reject", confidence=0.8, n=2)
    # not counted: a policy's decision, a timeout, and a human decision without confidence
    add(log, "send", "reject", confidence=0.9, reviewer="policy:read_only")
    add(log, "send", "approve", confidence=0.1, reviewer="timeout")
    add(log, "send", "reject")
    return log


def test_calibration_table_ece_and_brier_match_the_hand_computation(backend):
    table = _known(backend).to_pandas().hitl.calibration(bins=2)
    assert list(table["count"]) == [4, 6]
    assert table["confidence"].tolist() == pytest.approx([0.2, 0.8])
    assert table["approval_rate"].tolist() == pytest.approx([0.25, 4 / 6])
    assert [str(b) for b in table["bin"]] == ["[0.0, 0.5)", "[0.5, 1.0)"]
    # Wilson 95% for 1/4: centre 0.25 + 1.96²/8 = 0.7302, margin 1.96·sqrt(0.1875/4 +
    # 1.96²/64) = 0.6408, over 1 + 1.96²/4 = 1.9604 -> (0.0456, 0.6994)
    assert (table["low"].iloc[0], table["high"].iloc[0]) == pytest.approx((0.0456, 0.6994),
                                                                           abs=1e-4)
    # ECE = 4/10·|0.25 - 0.2| + 6/10·|0.6667 - 0.8| = 0.02 + 0.08 = 0.10
    assert table.attrs["ece"] == pytest.approx(0.10)
    # Brier: (0.2-1)² + 3·0.2² + 4·(0.8-1)² + 2·0.8² = 0.64 + 0.12 + 0.16 + 1.28 = 2.2; /10
    assert table.attrs["brier"] == pytest.approx(0.22)
    assert table.attrs["n"] == 10


def test_calibration_by_action_finds_the_over_confident_tool(db):
    log = hitl_nb.DecisionLog(db)
    add(log, "search", "approve", confidence=0.9, n=4)      # rate 1.0 at 0.9: ECE 0.1
    add(log, "delete", "approve", confidence=0.9)           # rate 1/4 at 0.9: ECE 0.65
    add(log, "delete", "reject", confidence=0.9, n=3)
    table = log.to_pandas().hitl.calibration(bins=10, by="action")
    assert table.attrs["ece"].to_dict() == pytest.approx({"delete": 0.65, "search": 0.1})
    # Brier: search 4·0.01 / 4 = 0.01; delete (0.01 + 3·0.81) / 4 = 0.61
    assert table.attrs["brier"].to_dict() == pytest.approx({"delete": 0.61, "search": 0.01})
    assert table.set_index("action")["count"].to_dict() == {"delete": 4, "search": 4}


def test_confidence_of_exactly_one_falls_in_the_last_bin(db):
    log = hitl_nb.DecisionLog(db)
    add(log, "search", "approve", confidence=1.0, n=2)
    table = log.to_pandas().hitl.calibration(bins=4)
    assert str(table["bin"].iloc[0]) == "[0.75, 1.0)" and table.attrs["ece"] == 0


def test_calibration_of_a_log_without_confidences_is_empty_with_nan_scores(db):
    log = hitl_nb.DecisionLog(db)
    add(log, "search", "approve", n=3)
    table = log.to_pandas().hitl.calibration()
    assert table.empty and math.isnan(table.attrs["ece"]) and table.attrs["n"] == 0


def test_plot_calibration_draws_the_diagonal_and_one_series_per_action(db):
    import matplotlib

    matplotlib.use("Agg")
    log = hitl_nb.DecisionLog(db)
    add(log, "search", "approve", confidence=0.9, n=3)
    add(log, "delete", "reject", confidence=0.8, n=3)
    ax = log.to_pandas().hitl.plot_calibration(by="action")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["perfectly calibrated", "delete: ECE 0.80", "search: ECE 0.10"]


def _frame(confidence: list[float], decision: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"action": "tool", "reviewer": "ana", "decision": decision,
                         "confidence": confidence})


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, 10), st.integers(1, 4), min_size=1, max_size=11))
def test_ece_is_zero_for_a_perfectly_calibrated_log(levels):
    # confidence k/10 on 10·m decisions, exactly k·m of them approved: each of the 10 bins
    # holds one confidence whose approval rate equals it
    conf, kinds = [], []
    for k, m in levels.items():
        conf += [k / 10] * (10 * m)
        kinds += ["approve"] * (k * m) + ["reject"] * ((10 - k) * m)
    table = _frame(conf, kinds).hitl.calibration(bins=10)
    assert table.attrs["ece"] == pytest.approx(0, abs=1e-9)
    assert (table["low"] <= table["approval_rate"]).all()
    assert (table["approval_rate"] <= table["high"]).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=40),
       st.integers(1, 20))
def test_ece_and_brier_stay_between_zero_and_one(votes, bins):
    df = _frame([c for c, _ in votes], ["approve" if ok else "reject" for _, ok in votes])
    table = df.hitl.calibration(bins=bins)
    assert 0 <= table.attrs["ece"] <= 1 and 0 <= table.attrs["brier"] <= 1
    assert table["count"].sum() == len(votes)
