"""df.hitl: every method on the known log, answers computed here from K.ROWS."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import matplotlib
import pandas as pd
import pytest

from tests import _known_log as K

matplotlib.use("Agg")


@pytest.fixture
def df(db):
    return K.build(db).to_pandas()


def _by_action(pred):
    groups = defaultdict(list)
    for row in K.ROWS:
        groups[row[1]].append(pred(row))
    return {a: sum(v) / len(v) for a, v in groups.items()}


def test_approval_rate_by_action(df):
    expected = _by_action(lambda r: r[3] in ("approve", "edit"))
    assert df.hitl.approval_rate(by="action").to_dict() == pytest.approx(expected)


def test_approval_rate_overall_and_by_two_columns(df):
    approved = [r[3] in ("approve", "edit") for r in K.ROWS]
    assert df.hitl.approval_rate(by=None) == pytest.approx(sum(approved) / len(approved))
    two = df.hitl.approval_rate(by=["action", "reviewer"])
    assert two[("send_email", "ana")] == pytest.approx(0.5)
    assert two[("send_email", "bo")] == pytest.approx(1.0)


def test_edit_and_rejection_rates(df):
    n = len(K.ROWS)
    assert df.hitl.edit_rate() == pytest.approx(sum(r[3] == "edit" for r in K.ROWS) / n)
    assert df.hitl.rejection_rate() == pytest.approx(sum(r[3] == "reject" for r in K.ROWS) / n)
    assert df.hitl.edit_rate(by="action").to_dict() == pytest.approx(
        _by_action(lambda r: r[3] == "edit"))


def test_automatic_marks_policies_and_timeouts(df):
    assert df.hitl.automatic.tolist() == [K.is_auto(r[6]) for r in K.ROWS]
    assert len(df.hitl.humans()) == sum(not K.is_auto(r[6]) for r in K.ROWS)


def test_latency_summary_of_human_decisions(df):
    human = [r[7] for r in K.ROWS if not K.is_auto(r[6])]
    row = df.hitl.latency_summary().iloc[0]
    assert row["count"] == len(human)
    assert row["mean"] == pytest.approx(statistics.mean(human))
    assert row["median"] == pytest.approx(statistics.median(human))
    assert row["max"] == max(human)
    ordered = sorted(human)
    pos = 0.9 * (len(ordered) - 1)  # linear interpolation, as numpy's default
    lo = int(pos)
    p90 = ordered[lo] + (ordered[min(lo + 1, len(ordered) - 1)] - ordered[lo]) * (pos - lo)
    assert row["p90"] == pytest.approx(p90)


def test_latency_summary_by_action_can_include_automatic(df):
    table = df.hitl.latency_summary(by="action", humans_only=False)
    search = [r[7] for r in K.ROWS if r[1] == "search"]
    assert table.loc["search", "count"] == len(search)
    assert table.loc["search", "max"] == max(search)


def test_top_rejection_reasons_fold_case_and_space(df):
    reasons = Counter(r[5].strip().lower() for r in K.ROWS if r[3] == "reject" and r[5])
    top = df.hitl.top_rejection_reasons()
    assert top.to_dict() == dict(reasons)
    assert top.index[0] == reasons.most_common(1)[0][0]


def test_top_rejection_reasons_by_action(df):
    top = df.hitl.top_rejection_reasons(by="action")
    assert top[("delete_rows", "too broad")] == 2
    assert top[("send_email", "wrong recipient")] == 1


def test_override_rate_counts_bad_outcomes_and_later_human_decisions(df):
    # Automatic rows: 5 (policy, th5: a human decided search later -> overridden),
    # 7 (timeout, outcome not ok -> overridden), 8 (policy, untouched).
    auto = [n for n, r in enumerate(K.ROWS) if K.is_auto(r[6])]
    bad_outcome = {n for n, ok, _ in K.OUTCOMES if ok is False}
    later_human = {n for n in auto for m, r in enumerate(K.ROWS)
                   if m > n and r[0] == K.ROWS[n][0] and r[1] == K.ROWS[n][1]
                   and not K.is_auto(r[6])}
    overridden = bad_outcome | later_human
    assert df.hitl.overridden().tolist() == [n in overridden and n in auto
                                             for n in range(len(K.ROWS))]
    assert df.hitl.override_rate() == pytest.approx(len(overridden & set(auto)) / len(auto))


def test_override_rate_is_nan_without_automatic_decisions(df):
    human = df[~df.hitl.automatic]
    assert pd.isna(human.hitl.override_rate())


def test_accessor_refuses_frames_that_are_not_decision_logs():
    with pytest.raises(AttributeError, match="decision-log frame"):
        pd.DataFrame({"x": [1]}).hitl.approval_rate()


def test_plot_approval_over_time_draws_one_point_per_day(df):
    ax = df.hitl.plot_approval_over_time(freq="D")
    assert ax.get_title() == "Approval rate over time"
    assert ax.get_ylabel() == "approval rate"
    assert "decided at" in ax.get_xlabel()
    days = defaultdict(list)
    for r in K.ROWS:
        days[r[9]].append(r[3] in ("approve", "edit"))
    ys = list(ax.lines[0].get_ydata())
    assert ys == pytest.approx([sum(v) / len(v) for _, v in sorted(days.items())])


def test_plot_latency_is_a_histogram_of_human_latencies(df):
    ax = df.hitl.plot_latency(bins=5)
    assert ax.get_title() == "Review latency"
    assert ax.get_xlabel().startswith("latency")
    assert ax.get_ylabel() == "decisions"
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == sum(not K.is_auto(r[6]) for r in K.ROWS)


def test_plot_decisions_by_action_and_tier(df):
    ax = df.hitl.plot_decisions()
    assert ax.get_title() == "Decisions by action and risk tier"
    assert ax.get_xlabel() == "action (risk tier)"
    assert ax.get_ylabel() == "decisions"
    labels = {t.get_text() for t in ax.get_xticklabels()}
    assert labels == {f"{r[1]} ({r[8]})" for r in K.ROWS}
    assert sum(p.get_height() for p in ax.patches) == len(K.ROWS)
