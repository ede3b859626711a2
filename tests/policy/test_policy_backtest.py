"""Back-test and compare on a small log whose answer is worked out by hand below."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

import hitl_nb
from hitl_nb import RiskPolicy, SafeHistory
from tests._policy_log import add


@pytest.fixture
def log(db):
    """Seven human decisions in this order (latency in seconds), then one automatic one.

    1 search_docs    approve 10      5 send_email     approve 50
    2 search_docs    reject  20      6 send_email     reject  60
    3 send_email     approve 30      7 delete_records approve 70
    4 send_email     approve 40      8 search_docs    approve (policy:read-only; skipped)
    """
    log = hitl_nb.DecisionLog(db)
    add(log, "search_docs", "approve", {"q": "a"}, latency_s=10)
    add(log, "search_docs", "reject", {"q": "b"}, latency_s=20, comment="wrong index")
    for latency in (30, 40, 50):
        add(log, "send_email", "approve", {"to": "x"}, latency_s=latency)
    add(log, "send_email", "reject", {"to": "y"}, latency_s=60)
    add(log, "delete_records", "approve", {"table": "t"}, latency_s=70)
    add(log, "search_docs", "approve", reviewer="policy:read-only", latency_s=0)
    return log


STRICT = {"irreversible": ["delete_*"], "read_only": ["search_*"], "min_confidence": None,
          "unexpected_input": None, "name": "strict"}
LENIENT = {"read_only": ["search_*"], "history": SafeHistory(min_decisions=3, above=0.3),
           "min_confidence": None, "unexpected_input": None, "name": "lenient"}


def test_strict_policy_numbers(log):
    # searches (1, 2) go through alone; send_email (3-6, no rule: default uncertain) and
    # delete_records (7, irreversible) are asked. Miss: 2. Saved: 10 + 20 s.
    report = RiskPolicy(**STRICT).backtest(log)
    assert (report.requests, report.reviews, report.automatic, report.misses) == (7, 5, 2, 1)
    assert report.time_saved_s == 30
    assert report.skipped == 1
    assert list(report.missed.action) == ["search_docs"]
    assert report.missed.comment.iloc[0] == "wrong index"


def test_lenient_policy_learns_only_from_earlier_decisions(log):
    # send_email before row 6 has 0/0, 1/1, 2/2 approvals (fewer than 3: asked); at row 6
    # it has 3/3, lower bound 3 / (3 + 1.96²) = 0.4385 > 0.3: approved alone, but the
    # human rejected it. Misses: rows 2 and 6; saved 10 + 20 + 60 s; asked 3, 4, 5, 7.
    assert 3 / (3 + 1.96 ** 2) > 0.3
    report = RiskPolicy(**LENIENT).backtest(log)
    assert (report.requests, report.reviews, report.automatic, report.misses) == (7, 4, 3, 2)
    assert report.time_saved_s == 90
    assert list(zip(report.missed.action, report.missed.decision, strict=True)) == [
        ("search_docs", "reject"), ("send_email", "reject")]
    assert report.missed.rule.tolist() == ["read-only", "history"]
    assert list(report.rows.would_review) == [False, False, True, True, True, False, True]


def test_backtest_accepts_a_dataframe_or_a_path(log, db):
    policy = RiskPolicy(**LENIENT)
    from_df = policy.backtest(log.to_pandas()).summary()
    assert from_df == policy.backtest(db).summary()
    assert from_df["review_rate"] == round(4 / 7, 4)
    with pytest.raises(TypeError, match="needs a DecisionLog"):
        policy.backtest(42)


def test_remembered_choices_do_not_leak_into_the_backtest(log):
    policy = RiskPolicy(**STRICT)
    policy.remember("send_email", "allow")
    assert policy.backtest(log).reviews == 5


def test_compare_returns_a_table_and_a_plot(log):
    table, ax = hitl_nb.compare(RiskPolicy(**STRICT), RiskPolicy(**LENIENT), log)
    assert list(table.index) == ["strict", "lenient"]
    assert table.loc["strict", ["reviews", "misses"]].tolist() == [5, 1]
    assert table.loc["lenient", ["reviews", "misses"]].tolist() == [4, 2]
    assert table.time_saved_min.tolist() == [0.5, 1.5]
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.collections[0].get_offsets().tolist() == [[5, 1], [4, 2]]
    assert [t.get_text().splitlines()[0] for t in ax.texts] == ["strict", "lenient"]


def test_compare_names_duplicates_apart(log):
    table, _ = hitl_nb.compare(RiskPolicy(), RiskPolicy(default="never"), log=log)
    assert list(table.index) == ["default #1", "default #2"]
    assert table.misses.tolist() == [0, 2]
