"""Remembered choices: "always allow / always reject this tool", for the session or
persisted in the log database; listed, revoked, offered on the card."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hitl_nb
from hitl_nb import RiskPolicy
from tests._policies import StackDepths
from tests.graphs import agent_graph, loop, mails


def run_python(code: str) -> dict:
    """Run ``code`` in a NEW Python process (this hitl_nb first) and parse its JSON line."""
    here = str(Path(hitl_nb.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": here + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, env=env, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_session_choice_lives_only_in_this_policy_object(db):
    policy = RiskPolicy(log=db)
    item = policy.remember("search_web", "allow")
    assert (item.scope, str(item)) == ("session", "always allow search_web (session)")
    assert policy.assess("search_web", {}).reasons == (
        "always allowed: always allow search_web (session)",)
    assert RiskPolicy(log=db).remembered() == []


@pytest.mark.slow
def test_persisted_choice_survives_a_new_process_and_can_be_revoked(db):
    code = f"""
        import json, hitl_nb
        p = hitl_nb.RiskPolicy(log={db!r}, name="ops")
        p.remember("archive_ticket", "allow", persist=True, reviewer="ana")
        p.remember("wire_money", "reject", persist=True)
        print(json.dumps({{"n": len(p.remembered())}}))
    """
    assert run_python(code) == {"n": 2}
    here = RiskPolicy(log=db, name="ops")
    assert [str(r) for r in here.remembered()] == [
        "always allow archive_ticket (persisted by ana)", "always reject wire_money (persisted)"]
    assert here.verdict("archive_ticket", {}).decision == "approve"
    assert here.verdict("wire_money", {}).decision == "reject"
    assert RiskPolicy(log=db, name="other").remembered() == []      # per policy name
    assert here.forget("wire_money") == 1
    check = f"""
        import json, hitl_nb
        p = hitl_nb.RiskPolicy(log={db!r}, name="ops")
        print(json.dumps({{"tools": [r.tool for r in p.remembered()],
                          "tier": p.assess("wire_money", {{}}).tier}}))
    """
    assert run_python(check) == {"tools": ["archive_ticket"], "tier": "uncertain"}
    assert here.forget() == 1
    assert run_python(check) == {"tools": [], "tier": "uncertain"}


def test_a_policy_over_a_read_only_log_applies_its_choices_and_stores_none(backend):
    writer = hitl_nb.DecisionLog(backend)
    writer.setup()
    policy = RiskPolicy(log=hitl_nb.DecisionLog(backend, read_only=True))
    assert policy.remembered() == []                       # no choice was ever stored
    assert policy.assess("search_web", {}).tier == "uncertain"

    RiskPolicy(log=writer).remember("search_web", "allow", persist=True, reviewer="ana")
    assert [str(r) for r in policy.remembered()] == ["always allow search_web (persisted by ana)"]
    assert policy.assess("search_web", {}).tier == "never"
    with pytest.raises(hitl_nb.LogReadOnly):
        policy.remember("delete_all", "reject", persist=True)
    with pytest.raises(hitl_nb.LogReadOnly):
        policy.forget("search_web")
    assert [r.tool for r in RiskPolicy(log=writer).remembered()] == ["search_web"]


def test_remembered_allow_does_not_override_an_always_rule():
    policy = RiskPolicy(irreversible=["delete_*"])
    policy.remember("delete_records", "allow")
    risk = policy.assess("delete_records", {})
    assert risk.tier == "always"
    assert risk.reasons[-1].startswith("the remembered choice (always allow delete_records")


def test_persist_without_a_log_is_a_clear_error():
    with pytest.raises(ValueError, match="needs a decision log"):
        RiskPolicy().remember("x", "allow", persist=True)
    with pytest.raises(ValueError, match="'allow' or 'reject'"):
        RiskPolicy().remember("x", "maybe")


def test_card_offers_the_choices_and_always_allow_approves_later_calls(db, start):
    policy = RiskPolicy(log=db)
    graph = agent_graph(db, policy)
    session = start(graph, {"calls": [{"tool": "send_email"}]}, policy=policy)
    card = session.cards[0]
    assert {"Always allow send_email", "Always reject send_email"} <= set(card.buttons)
    card.persist = True                               # "remember across sessions"
    card.click("Always allow send_email")
    assert session.done                               # this request: approved by the human
    assert session.result["outcomes"] == ["send_email:approve:ana"]
    assert card.busy                                  # the buttons are off
    assert [str(r) for r in RiskPolicy(log=db).remembered()] == [
        "always allow send_email (persisted)"]
    later = start(graph, {"calls": [{"tool": "send_email"}]}, thread_id="t2")
    assert later.result["outcomes"] == ["send_email:approve:policy:remembered-allow"]
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(df.reviewer) == ["ana", "policy:remembered-allow"]


def test_card_hides_always_allow_for_an_always_tier_request(db, start):
    policy = RiskPolicy(irreversible=["delete_*"], log=db)
    session = start(agent_graph(db, policy), {"calls": [{"tool": "delete_all"}]},
                    policy=policy)
    buttons = session.cards[0].buttons
    assert "Always reject delete_all" in buttons and "Always allow delete_all" not in buttons
    session.cards[0].click("Always reject delete_all")
    assert session.result["outcomes"] == ["delete_all:reject:ana"]
    assert policy.remembered()[0].choice == "reject"


def test_card_without_a_policy_has_no_remember_buttons(seed, start):
    assert not any(b.startswith("Always") for b in start(seed, {"task": "x"}).cards[0].buttons)


def test_session_with_policy_decides_remembered_tools_of_any_format(seed, start, db):
    policy = RiskPolicy(log=db)
    policy.remember("send_email", "reject")
    session = start(seed, {"task": "send the Q3 numbers"}, policy=policy)
    assert session.done
    assert session.result["result"] == "cancelled by the reviewer"
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert (row.decision, row.reviewer, row.status) == (
        "reject", "policy:remembered-reject", "applied")


def test_session_with_policy_puts_risk_on_cards_of_other_formats(seed, start, db):
    policy = RiskPolicy(irreversible=["send_*"], log=db)
    session = start(seed, {"task": "send the Q3 numbers"}, policy=policy)
    assert session.pending[0].risk.reasons == ("send_email is irreversible",)


def test_session_picking_up_a_thread_applies_a_persisted_choice(db, start):
    graph = mails(hitl_nb.checkpointer(db))
    assert [r.action for r in start(graph, {}, thread_id="m1").pending] == ["send_email"]
    RiskPolicy(log=db).remember("send_email", "allow", persist=True)
    later = start(graph, None, thread_id="m1", policy=RiskPolicy(log=db))   # a new session
    assert [(r.action, r.args) for r in later.pending] == [("post_tweet", {"text": "Q3 is out"})]
    state = graph.get_state({"configurable": {"thread_id": "m1"}}).values
    assert state["answers"] == ["send_email:approve", "send_email:approve"]
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(zip(df.reviewer, df.status, strict=True)) == [
        ("policy:remembered-allow", "applied")] * 2


def test_a_chain_of_remembered_decisions_loops_instead_of_recursing(db, start):
    policy = StackDepths(log=db)
    policy.remember("send_email", "allow")
    session = start(loop(hitl_nb.checkpointer(db), 12), {}, policy=policy)
    assert session.done and session.result["answers"] == ["approve"] * 12
    assert len(policy.depths) == 12 and len(set(policy.depths)) == 1, policy.depths
