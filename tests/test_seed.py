"""The seed pattern (plan -> review -> execute | cancel) driven through real buttons."""

from __future__ import annotations

import hitl_nb


def test_approve_button_resumes_graph_and_logs_row(seed, start, db):
    session = start(seed, {"task": "send the Q3 numbers"})
    assert not session.done
    assert len(session.cards) == 1
    card = session.cards[0]
    assert card.request.action == "Email the CFO the Q3 revenue summary"
    card.buttons["approve"].click()
    assert session.done
    assert session.result["result"].startswith("done:")
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(df.decision) == ["approve"]
    assert df.status.iloc[0] == "applied"
    assert df.reviewer.iloc[0] == "ana"


def test_reject_button_with_comment_cancels(seed, start, db):
    session = start(seed, {"task": "send the Q3 numbers"})
    card = session.cards[0]
    card.comment.value = "wrong recipient"
    card.buttons["reject"].click()
    assert session.done
    assert session.result["result"] == "cancelled by the reviewer"
    assert session.result["comment"] == "wrong recipient"
    row = hitl_nb.DecisionLog(db).to_pandas().iloc[0]
    assert (row.decision, row.comment) == ("reject", "wrong recipient")
    assert row.resume_value == {"approved": False, "type": "reject", "comment": "wrong recipient",
                                "args": {}, "response": None}
