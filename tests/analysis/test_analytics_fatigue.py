"""Rubber-stamping and fatigue: fast approvals, approval streaks, review sessions, and the
failure report's section, on a log whose answers are counted by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hitl_nb
from hitl_nb import Decision, ReviewRequest

T0 = datetime(2026, 4, 6, 9, 0, tzinfo=timezone.utc)
ARGS = {"x": 1}  # '{"x":1}' is 7 characters: reading threshold 1 s + 7/25 s = 1.28 s

A, R = "approve", "reject"
# zed, 25 decisions: 12 approvals, a rejection, 10 approvals, a rejection, an approval.
ZED = [A] * 12 + [R] + [A] * 10 + [R] + [A]
ZED_SLOW = {0, 1, 13}  # these approvals took 30 s; every other decision 0.5 s
# ana, 10 decisions, 40 s each: longest run of approvals 3
ANA = [A, A, R, A, A, A, R, A, A, R]


def _record(log, who, n, at, latency, kind, args=ARGS):
    request = ReviewRequest(action="pay", args=args, thread_id=f"{who}{n}",
                            interrupt_id=f"i{n}", requested_at=at - timedelta(seconds=latency))
    log.record(request, Decision(kind, reviewer=who, decided_at=at))


def _known(target: str) -> hitl_nb.DecisionLog:
    log = hitl_nb.DecisionLog(target)
    for n, kind in enumerate(ZED):
        # one a minute; a two-hour pause after the 15th decision starts a second session
        at = T0 + timedelta(minutes=n) + (timedelta(hours=2) if n >= 15 else timedelta())
        _record(log, "zed", n, at, 30.0 if n in ZED_SLOW else 0.5, kind)
    for n, kind in enumerate(ANA):
        _record(log, "ana", n, T0 + timedelta(minutes=n), 40.0, kind)
    _record(log, "policy:auto", 0, T0, 0.0, A)           # automatic: not counted
    return log


def test_fatigue_finds_the_rubber_stamp_with_its_counts(backend):
    f = _known(backend).to_pandas().hitl.fatigue()
    zed, ana = f.summary.loc["zed"], f.summary.loc["ana"]
    assert list(f.summary.index) == ["ana", "zed"]
    # zed: 23 approvals of 25 (92%); 20 of them took 0.5 s < 1.28 s
    assert (zed.decisions, zed.approvals, zed.fast_approvals) == (25, 23, 20)
    assert zed.approval_rate == pytest.approx(0.92) and zed.fast_share == pytest.approx(20 / 23)
    assert (zed.longest_streak, zed.sessions) == (12, 2)
    # positions 1-10 of each session: decisions 1-10 (10 A) and 16-25 (9 A): 19/20;
    # positions 11-15: A A R A A: 4/5
    assert zed.approval_early == pytest.approx(0.95) and zed.approval_late == pytest.approx(0.8)
    assert bool(zed.rubber_stamp) and f.rubber_stamps == ["zed"]
    assert (ana.decisions, ana.approvals, ana.fast_approvals, ana.longest_streak) == \
        (10, 7, 0, 3)
    assert not ana.rubber_stamp                    # 10 decisions < 20, and reads 40 s
    positions = f.decisions[f.decisions.reviewer == "zed"]["position"].tolist()
    assert positions == list(range(1, 16)) + list(range(1, 11))
    assert f.decisions["min_read_s"].iloc[0] == pytest.approx(1.28)


def test_the_failure_report_names_the_rubber_stamp_only(backend):
    report = _known(backend).failure_report()
    section = report.split("## Reviewers who may be rubber-stamping", 1)[1]
    assert "`zed` approved 23 of 25 (92%); 20 approvals (87%) came faster" in section
    assert "longest run of approvals: 12" in section and "`ana`" not in section


def test_a_log_without_rubber_stamps_has_no_such_section(db):
    log = hitl_nb.DecisionLog(db)
    for n, kind in enumerate(ANA):
        _record(log, "ana", n, T0 + timedelta(minutes=n), 40.0, kind)
    assert "rubber-stamping" not in log.failure_report()


def test_time_waiting_in_the_queue_is_not_reading_time(db):
    log = hitl_nb.DecisionLog(db)
    _record(log, "ana", 0, T0, 600.0, A)
    # waited 10 minutes in the queue, but ana decided it 1 s after her previous decision
    _record(log, "ana", 1, T0 + timedelta(seconds=1), 600.0, A)
    rows = log.to_pandas().hitl.fatigue().decisions
    assert rows["read_s"].tolist() == [600.0, 1.0]
    assert rows["fast"].tolist() == [False, True]


def test_the_reading_threshold_grows_with_arguments_and_diff(db):
    log = hitl_nb.DecisionLog(db)
    long_args = {"text": "y" * 100}               # '{"text":"yyy…"}' = 111 characters
    _record(log, "ana", 0, T0, 3.0, A, args=long_args)
    request = ReviewRequest(action="edit_file", args={}, thread_id="d", interrupt_id="d",
                            before="a" * 50, after="b" * 50, requested_at=T0)
    log.record(request, Decision(A, reviewer="bo", decided_at=T0 + timedelta(seconds=3)))
    rows = log.to_pandas().hitl.fatigue(base_s=1.0, chars_per_s=25).decisions
    # 1 + 111/25 = 5.44 s and 1 + (2 + 50 + 50)/25 = 5.08 s: both 3 s approvals are fast
    assert rows.set_index("reviewer")["min_read_s"].to_dict() == pytest.approx(
        {"ana": 5.44, "bo": 5.08})
    assert rows["fast"].all()


def test_plot_fatigue_returns_one_line_per_reviewer(db):
    import matplotlib

    matplotlib.use("Agg")
    ax = _known(db).to_pandas().hitl.plot_fatigue()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ana", "zed"]


@pytest.fixture(scope="module")
def known_frame(tmp_path_factory):
    return _known(str(tmp_path_factory.mktemp("fatigue") / "log.db")).to_pandas()


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(list(range(36))))
def test_fatigue_does_not_depend_on_row_order(known_frame, order):
    a = known_frame.hitl.fatigue().summary
    b = known_frame.iloc[list(order)].hitl.fatigue().summary
    assert a.equals(b)
