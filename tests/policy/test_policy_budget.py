"""A review budget: the riskiest requests first, the overflow waiting, rejected or approved,
and the back-test's reviews-against-misses curve per budget (counted by hand)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import hitl_nb
from hitl_nb import ReviewRequest, Risk, RiskPolicy, Rule, arg
from tests._policy_log import add


def _policy(**kwargs) -> RiskPolicy:
    # pay > 1000: always (score 1.0); anything else: the default tier, uncertain (0.5)
    return RiskPolicy(always=[Rule("pay", arg("amount") > 1000)], min_confidence=None,
                      unexpected_input=None, **kwargs)


def _known(target: str) -> hitl_nb.DecisionLog:
    log = hitl_nb.DecisionLog(target)
    # one a minute, all in the 9:00 hour: pay (1.0) A, note1 A, pay R, note2 A, pay A,
    # note3 R, note4 A
    for action, kind in [("pay", "approve"), ("note", "approve"), ("pay", "reject"),
                         ("note", "approve"), ("pay", "approve"), ("note", "reject"),
                         ("note", "approve")]:
        add(log, action, kind, {"amount": 5000} if action == "pay" else {"text": "x"})
    return log


def test_budget_curve_counts_reviews_and_misses_per_budget(backend):
    log = _known(backend)
    # budget 4: the three pays and note1 (the oldest of the tied notes) are reviewed;
    # notes 2-4 overflow. Approved alone, note3 (rejected by a human) is a miss.
    curve = _policy().backtest(log, budgets=[4, 10], overflow="approve")
    t = curve.table
    assert t.loc[4, ["reviews", "overflow", "auto_approved", "misses"]].tolist() == [4, 3, 3, 1]
    assert t.loc[10, ["reviews", "overflow", "misses"]].tolist() == [7, 0, 0]
    # rejected alone instead: note2 and note4 (approved by a human) are wrongly rejected
    rejected = _policy().backtest(log, budgets=[4], overflow="reject").table.loc[4]
    assert rejected[["auto_rejected", "wrongly_rejected", "misses"]].tolist() == [3, 2, 0]


def test_waiting_overflow_is_reviewed_in_the_next_hour(db):
    curve = _policy(budget=4).backtest(_known(db), budgets=[4])   # overflow: wait (default)
    row = curve.table.loc[4]
    # hour 9: 4 reviewed, 3 wait; hour 10: the 3 are reviewed after 1 hour each
    assert row[["reviews", "overflow", "waited", "misses"]].tolist() == [7, 3, 3, 0]
    assert row["mean_wait_h"] == pytest.approx(3 / 7) and row["max_wait_h"] == 1.0
    assert curve.overflow == "wait" and curve.measure == "mean_wait_h"


def test_budget_curve_plots_one_curve_on_one_axes(db):
    import matplotlib

    matplotlib.use("Agg")
    curve = _policy().backtest(_known(db), budgets=[1, 4, 10], overflow="approve")
    ax = curve.plot()
    assert len(ax.lines) == 1
    assert list(ax.lines[0].get_xdata()) == [1, 4, 7]
    assert list(ax.lines[0].get_ydata()) == [2, 1, 0]   # budget 1: note3 and a pay missed
    assert ax.get_ylabel() == "human rejections/edits let through"


def _request(n: int, score: float) -> ReviewRequest:
    return ReviewRequest(action="note", args={}, thread_id=f"t{n}", interrupt_id=f"i{n}",
                         risk=Risk("uncertain", score))


def test_triage_sends_the_riskiest_to_review_and_names_the_overflow_decision():
    requests = [_request(0, 0.2), _request(1, 0.9), _request(2, 0.5),
                ReviewRequest(action="x", risk=Risk("never", 0.0))]
    triage = _policy(budget=3, overflow="reject").triage(requests, reviewed_last_hour=1)
    assert [r.thread_id for r in triage.review] == ["t1", "t2"]
    assert [r.thread_id for r in triage.overflow] == ["t0"] and triage.decision == "reject"
    waiting = _policy(budget=3).triage(requests, reviewed_last_hour=3)
    assert waiting.review == [] and len(waiting.overflow) == 3 and waiting.decision is None
    assert len(_policy().triage(requests).review) == 3          # no budget: all reviewed


def test_triage_counts_the_hour_s_human_reviews_from_the_log(db):
    log = hitl_nb.DecisionLog(db)
    now = datetime.now(timezone.utc)
    for n, (who, ago) in enumerate([("ana", 10), ("bo", 50), ("ana", 70),
                                    ("policy:x", 5), ("timeout", 5)]):
        at = now - timedelta(minutes=ago)
        log.record(ReviewRequest(action="note", thread_id=f"h{n}", interrupt_id="i",
                                 requested_at=at), hitl_nb.Decision("approve", reviewer=who,
                                                                     decided_at=at))
    triage = _policy(budget=3, log=log).triage([_request(0, 0.2), _request(1, 0.9)], now=now)
    assert [r.thread_id for r in triage.review] == ["t1"]     # 2 human reviews this hour


def test_budget_and_overflow_are_checked():
    with pytest.raises(ValueError, match="at least 1"):
        RiskPolicy(budget=0)
    with pytest.raises(ValueError, match="overflow must be one of wait, reject, approve"):
        RiskPolicy(budget=5, overflow="drop")
    assert "budget: 20 reviews/hour, overflow: approve" in repr(
        RiskPolicy(budget=20, overflow="approve"))
