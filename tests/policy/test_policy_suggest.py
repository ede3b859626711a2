"""`log.suggest_policy()`: rules from the history with their evidence, and the suggested
policy's back-test beside the current one's, on a log whose answers are computed by hand."""

from __future__ import annotations

import pytest

import hitl_nb
from hitl_nb import RiskPolicy, Rule
from tests._policy_log import add


def _known(target: str) -> hitl_nb.DecisionLog:
    log = hitl_nb.DecisionLog(target)
    add(log, "search", "approve", {"q": "x"}, n=30)     # Wilson low 30/30: 30/33.84 = 0.887
    add(log, "delete", "reject", {"t": "u"}, n=6)       # changed 6/6: low 6/9.84 = 0.610
    add(log, "send", "approve", {"to": "a"}, n=5)       # changed 5/10: low 0.237
    add(log, "send", "reject", {"to": "a"}, n=5)
    add(log, "fetch", "approve", {"u": "x"}, n=8)       # 9 decisions < 20; changed 1/9:
    add(log, "fetch", "edit", {"u": "x"}, edited={"u": "y"})  # low 0.020 < 0.2: keep
    add(log, "search", "reject", {"q": "x"}, reviewer="policy:read_only")  # not counted
    return log


def test_suggest_policy_proposes_rules_with_their_evidence(backend):
    s = _known(backend).suggest_policy()
    rules = s.rules
    assert rules["rule"].to_dict() == {"delete": "always", "fetch": "keep", "search": "never",
                                       "send": "always"}
    assert rules.loc["search", ["decisions", "approved"]].tolist() == [30, 30]
    assert rules.loc["search", "approval_low"] == pytest.approx(30 / (30 + 1.96 ** 2))
    assert rules.loc["delete", "change_low"] == pytest.approx(6 / (6 + 1.96 ** 2))
    assert rules.loc["send", "change_low"] == pytest.approx(0.2366, abs=1e-4)
    assert "approved 30/30 times" in rules.loc["search", "evidence"]
    assert "rejected 5 and edited 0 of 10 times" in rules.loc["send", "evidence"]
    assert "needs 20 decisions" in rules.loc["fetch", "evidence"]


def test_the_suggested_policy_asks_always_where_reviewers_object(db):
    s = _known(db).suggest_policy()
    assert s.policy.assess("delete", {"t": "u"}).tier == "always"
    assert s.policy.assess("send", {"to": "a"}).tier == "always"
    assert s.policy.history == hitl_nb.SafeHistory(20, 0.8)
    assert s.current.assess("delete", {"t": "u"}).tier == "uncertain"


def test_the_suggested_backtest_is_printed_beside_the_current_one(db):
    s = _known(db).suggest_policy()
    t = s.backtests
    assert list(t.index) == ["current", "suggested"]
    # current (default tier uncertain) asks all 55 human-decided requests. Suggested: the
    # k-th search has k approvals before it, safe once k >= 20 and k/(k + 3.84) > 0.8:
    # searches 21..30 pass alone (10, each a 30 s review saved), none of them a miss
    assert t.loc["current", ["requests", "reviews", "automatic", "misses"]].tolist() == \
        [55, 55, 0, 0]
    assert t.loc["suggested", ["requests", "reviews", "automatic", "misses"]].tolist() == \
        [55, 45, 10, 0]
    assert t.loc["suggested", "time_saved_min"] == 5.0
    text = repr(s)
    assert "never  search: approved 30/30" in text and "current" in text \
        and "suggested" in text


def test_suggestions_build_on_the_current_policy(db):
    current = RiskPolicy(irreversible=["delete"], read_only=["fetch"],
                         always=[Rule("pay", reason="money")], name="prod")
    s = _known(db).suggest_policy(current)
    assert s.policy.irreversible == ("delete",) and s.policy.read_only == ("fetch",)
    tools = [r.tools for r in s.policy.always]
    assert tools == [("pay",), ("send",)]     # delete is already irreversible: not repeated
    assert s.policy.name == "suggested from prod"


def test_thresholds_are_arguments(db):
    s = _known(db).suggest_policy(min_decisions=40, always_above=0.5)
    assert s.rules["rule"].to_dict() == {"delete": "always", "fetch": "keep", "search": "keep",
                                         "send": "keep"}
