"""RiskPolicy.assess: the three tiers, precedence, the Wilson rule, unexpected input."""

from __future__ import annotations

import math

import pytest

import hitl_nb
from hitl_nb import RiskPolicy, Rule, SafeHistory, arg, wilson_lower_bound
from hitl_nb.policy.history import History
from tests._policy_log import add


@pytest.fixture
def log(db):
    return hitl_nb.DecisionLog(db)


# -- always -------------------------------------------------------------------------------
def test_irreversible_tool_by_glob_is_always_reviewed():
    risk = RiskPolicy(irreversible=["delete_*"]).assess("delete_records", {"table": "users"})
    assert risk == hitl_nb.Risk("always", 1.0, ("delete_records is irreversible",))
    assert risk.needs_review


def test_argument_predicates_trigger_always_only_when_they_hold():
    policy = RiskPolicy(always=[Rule("pay_invoice", arg("amount") > 1000),
                                Rule("send_email", arg("recipients").len() > 10)])
    assert policy.assess("pay_invoice", {"amount": 5000}).reasons == (
        "pay_invoice: amount 5000 > 1000",)
    assert policy.assess("pay_invoice", {"amount": 999}).tier == "uncertain"  # the default
    many = {"recipients": [f"p{i}@x.org" for i in range(14)]}
    assert policy.assess("send_email", many).reasons == ("send_email: len(recipients) 14 > 10",)
    assert policy.assess("send_email", {"recipients": ["a@x.org"]}).tier == "uncertain"


def test_predicate_on_a_missing_argument_does_not_match():
    policy = RiskPolicy(always=[Rule("pay_*", arg("amount") > 1000)], default="never")
    assert policy.assess("pay_invoice", {"note": "no amount"}).tier == "never"


def test_plain_callable_rule_with_custom_reason():
    external = Rule("send_email", lambda a: any(not t.endswith("@acme.com") for t in a["to"]),
                    reason="{tool} goes outside acme.com")
    policy = RiskPolicy(always=[external])
    assert policy.assess("send_email", {"to": ["x@gmail.com"]}).reasons == (
        "send_email goes outside acme.com",)
    assert policy.assess("send_email", {"to": ["a@acme.com"]}).tier == "uncertain"


def test_conditions_combine_and_explain_what_they_found():
    big_external = (arg("amount") > 1000) & arg("currency").isin(["USD", "GBP"])
    either = (arg("amount") > 1000) | (arg("items").len() >= 50)
    policy = RiskPolicy(always=[Rule("pay", big_external), Rule("order", either)],
                        default="never")
    assert policy.assess("pay", {"amount": 2000, "currency": "USD"}).reasons == (
        "pay: amount 2000 > 1000 and currency is 'USD'",)
    assert policy.assess("pay", {"amount": 2000, "currency": "EUR"}).tier == "never"
    assert policy.assess("order", {"amount": 5, "items": list(range(60))}).reasons == (
        "order: len(items) 60 >= 50",)
    assert repr(big_external) == "(amount > 1000 and currency in ['USD', 'GBP'])"


def test_a_rule_needs_a_callable_condition():
    with pytest.raises(TypeError, match="must be a condition or a callable"):
        Rule("pay", "amount > 1000")


# -- uncertain ----------------------------------------------------------------------------
def test_low_confidence_is_uncertain_with_the_numbers_in_the_reason():
    risk = RiskPolicy(min_confidence=0.7).assess("send_email", {}, confidence=0.42)
    assert risk.tier == "uncertain"
    assert risk.reasons == ("confidence 0.42 below 0.7",)
    assert risk.score == pytest.approx(0.58)


def test_confidence_at_the_threshold_is_not_low():
    policy = RiskPolicy(min_confidence=0.7, default="never")
    assert policy.assess("send_email", {}, confidence=0.7).tier == "never"


def test_agent_uncertainty_notes_make_it_uncertain():
    policy = RiskPolicy(default="never")
    risk = policy.assess("send_email", {}, context={"uncertainty": ["two people named Ana"]})
    assert risk.tier == "uncertain"
    assert risk.reasons == ("the agent is unsure: two people named Ana",)


def test_confidence_out_of_range_is_a_clear_error():
    with pytest.raises(ValueError, match="between 0 and 1"):
        RiskPolicy().assess("x", {}, confidence=1.5)


def test_schema_violation_is_unexpected_input():
    schema = {"type": "object", "properties": {"amount": {"type": "number", "maximum": 500}},
              "required": ["amount"]}
    policy = RiskPolicy(schemas={"refund": schema}, default="never")
    risk = policy.assess("refund", {"amount": 900})
    assert risk.tier == "uncertain"
    assert "900 is greater than the maximum of 500" in risk.reasons[0]
    assert policy.assess("refund", {"amount": 100}).tier == "never"


def test_new_key_and_out_of_range_number_are_unexpected(log):
    add(log, "refund", "approve", {"order": "A1", "amount": 20})
    add(log, "refund", "approve", {"order": "A2", "amount": 80})
    add(log, "refund", "edit", {"order": "A3", "amount": 999}, edited={"order": "A3",
                                                                        "amount": 50})
    add(log, "refund", "reject", {"order": "A4", "amount": 5000, "note": "x"})
    policy = RiskPolicy(unexpected_input=3, default="never", log=log)
    assert policy.assess("refund", {"order": "A9", "amount": 50}).tier == "never"
    risk = policy.assess("refund", {"order": "A9", "amount": 120, "note": "hi"})
    assert risk.tier == "uncertain"
    # rejected and pre-edit arguments never widen what counts as "seen approved"
    assert set(risk.reasons) == {
        "amount 120 is outside the approved range 20–80",
        "argument 'note' was never seen in 3 approved refund calls"}


def test_unexpected_input_needs_enough_approved_examples(log):
    add(log, "refund", "approve", {"amount": 20}, n=2)
    policy = RiskPolicy(unexpected_input=3, default="never", log=log)
    assert policy.assess("refund", {"amount": 9999, "new": 1}).tier == "never"


# -- never --------------------------------------------------------------------------------
def test_read_only_and_reversible_tools_need_no_review():
    policy = RiskPolicy(read_only=["search_*"], reversible=["draft_email"])
    assert policy.assess("search_web", {"q": "x"}).reasons == ("search_web is read-only",)
    risk = policy.assess("draft_email", {})
    assert (risk.tier, risk.reasons, risk.needs_review) == (
        "never", ("draft_email is reversible",), False)


def test_history_safe_tool_needs_no_review_and_says_why(log):
    add(log, "post_update", "approve", n=48)
    add(log, "post_update", "reject", n=2)
    policy = RiskPolicy(history=SafeHistory(min_decisions=20, above=0.8), log=log)
    risk = policy.assess("post_update", {})
    assert risk.tier == "never"
    assert risk.reasons == ("approved 48/50 times (lower bound 0.87)",)


def test_history_ignores_automatic_decisions(log):
    add(log, "post_update", "approve", reviewer="policy:history", n=30)
    policy = RiskPolicy(history=SafeHistory(min_decisions=20, above=0.8), log=log)
    assert policy.assess("post_update", {}).tier == "uncertain"


# -- the Wilson rule at its edges ----------------------------------------------------------
def test_wilson_lower_bound_matches_the_formula_by_hand():
    z, n, p = 1.96, 50, 48 / 50
    by_hand = (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) \
        / (1 + z * z / n)
    assert wilson_lower_bound(48, 50) == pytest.approx(by_hand)
    assert round(by_hand, 2) == 0.87
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(10, 10) == pytest.approx(10 / (10 + z * z))


def _safe(history: History, rule: SafeHistory) -> str:
    return RiskPolicy(history=rule).verdict("tool", {}, history=history).risk.tier


def test_wilson_rule_needs_min_decisions():
    history = History()
    for _ in range(19):
        history.add("tool", {}, "approve", "ana")
    rule = SafeHistory(min_decisions=20, above=0.5)
    assert _safe(history, rule) == "uncertain"
    verdict = RiskPolicy(history=rule).verdict("tool", {}, history=history)
    assert "approved 19/19 times (lower bound 0.83); not yet safe: needs 20 decisions" \
        in verdict.risk.reasons
    history.add("tool", {}, "approve", "ana")
    assert _safe(history, rule) == "never"


def test_wilson_rule_at_exactly_the_threshold_is_not_safe():
    history = History()
    for decision in ["approve"] * 19 + ["reject"]:
        history.add("tool", {}, decision, "ana")
    bound = wilson_lower_bound(19, 20)
    assert _safe(history, SafeHistory(min_decisions=20, above=bound)) == "uncertain"
    assert _safe(history, SafeHistory(min_decisions=20, above=bound - 1e-9)) == "never"


def test_edits_count_as_not_approved():
    history = History()
    for decision in ["approve"] * 10 + ["edit"] * 10:
        history.add("tool", {}, decision, "ana")
    assert history.counts("tool") == (10, 20)


def test_history_per_argument_class():
    by_domain = SafeHistory(min_decisions=5, above=0.5, by=lambda a: a["to"].split("@")[1])
    history = History(by_domain.by)
    for _ in range(10):
        history.add("send_email", {"to": "x@acme.com"}, "approve", "ana")
        history.add("send_email", {"to": "x@gmail.com"}, "reject", "ana")
    policy = RiskPolicy(history=by_domain)
    assert policy.verdict("send_email", {"to": "b@acme.com"}, history=history).risk.tier \
        == "never"
    assert policy.verdict("send_email", {"to": "b@gmail.com"}, history=history).risk.tier \
        == "uncertain"


# -- precedence and default ---------------------------------------------------------------
def test_always_beats_never_and_says_what_it_overruled(log):
    add(log, "delete_records", "approve", n=50)
    policy = RiskPolicy(irreversible=["delete_*"], read_only=["delete_*"],
                        history=SafeHistory(min_decisions=20, above=0.8), log=log)
    risk = policy.assess("delete_records", {})
    assert risk.tier == "always"
    assert risk.reasons == ("delete_records is irreversible",
                            "overruled: delete_records is read-only",
                            "overruled: approved 50/50 times (lower bound 0.93)")


def test_uncertain_beats_never_by_default_and_precedence_can_change_it():
    kwargs = {"read_only": ["search_*"], "min_confidence": 0.7}
    assert RiskPolicy(**kwargs).assess("search_web", {}, confidence=0.3).tier == "uncertain"
    flipped = RiskPolicy(precedence=("always", "never", "uncertain"), **kwargs)
    assert flipped.assess("search_web", {}, confidence=0.3).tier == "never"


def test_default_tier_applies_when_no_rule_matches():
    assert RiskPolicy().assess("mystery", {}).reasons == (
        "no rule covers mystery (default tier: uncertain)",)
    assert RiskPolicy(default="always").assess("mystery", {}).tier == "always"
    with pytest.raises(ValueError, match="default must be one of"):
        RiskPolicy(default="sometimes")
    with pytest.raises(ValueError, match="precedence"):
        RiskPolicy(precedence=("always", "never"))


def test_repr_reads_as_the_rules():
    policy = RiskPolicy(irreversible=["delete_*"], read_only=["search_*"],
                        always=[Rule("pay_invoice", arg("amount") > 1000)],
                        history=SafeHistory(min_decisions=20, above=0.8), name="ops")
    text = repr(policy)
    assert "always:    delete_* (irreversible), pay_invoice if amount > 1000" in text
    assert "never:     search_* (read-only), history: >= 20 human decisions" in text
    assert "precedence: always > uncertain > never" in text
