"""A corpus of the interrupt payloads people write, each reviewed end to end.

Every shape comes from a library's docs or from code users post, not from hitl_nb's
parser: the seed article's dict action, LangGraph's human-in-the-loop docs (approve,
review-and-edit, tool-call review, interrupts inside tools, validation loops), LangChain's
``ToolCall`` and ``AIMessage.tool_calls`` (often wrapped as ``{"tool_calls": ...}``),
OpenAI's chat-completions and Responses function calls, Anthropic's ``tool_use`` block,
Agent Inbox's ``HumanInterrupt``, ``HumanInTheLoopMiddleware`` in batched and per-call mode,
and plain strings, pydantic models, dataclasses, lists and nested values.

Each case runs a real graph whose node calls ``interrupt(value)`` (tests/graphs.py
``single``) through ``hitl_nb.review`` and checks, one test each: the card's text/plain
and text/html show the action's name and every argument value; Edit is offered when there
are arguments; ``Inbox.pending`` reads the request back; the decision is logged with the
action; the node receives the value it expects.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

import hitl_nb
from tests.graphs import single


class EmailDraft(BaseModel):
    to: str
    subject: str
    body: str


class ToolRequest(BaseModel):
    tool: str
    args: dict[str, Any]
    reason: str


@dataclass
class DeployPlan:
    env: str
    version: str
    replicas: int


def plain(type_: str = "approve", args: Any = None, comment: str | None = None,
          response: Any = None) -> dict[str, Any]:
    """The documented resume value of a plain payload."""
    return {"approved": type_ in ("approve", "edit"), "type": type_, "comment": comment,
            "args": {} if args is None else args, "response": response}


@dataclass
class Case:
    id: str
    value: Any                       # what the node passes to interrupt()
    actions: list[str]               # one per card, as shown and logged
    shown: list[str]                 # every argument value, as text
    decide: Callable[[list[Any]], Any]
    decisions: list[str]             # logged decision types, one per card
    received: Any                    # what interrupt() returns in the node
    editable: bool = True            # Edit offered on every card
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.id


ARTICLE = {"action": {"tool": "send_email", "to": "cfo@example.com",
                      "body": "Q3 revenue is up 12% on last year"},
           "message": "Please approve or reject this action"}
ARTICLE_ARGS = {"to": "cfo@example.com", "body": "Q3 revenue is up 12% on last year"}

LC_CALLS = [
    {"name": "send_email", "args": {"to": "cfo@example.com", "subject": "Q3 numbers"},
     "id": "call_1", "type": "tool_call"},
    {"name": "archive_thread", "args": {"thread": "q3-draft"}, "id": "call_2",
     "type": "tool_call"},
]

OPENAI_CALL = {"id": "call_abc123", "type": "function",
               "function": {"name": "get_weather",
                            "arguments": "{\"city\": \"Paris\", \"unit\": \"celsius\"}"}}

PER_CALL_SCHEMA = {  # what HumanInTheLoopMiddleware(interrupt_mode="per_call") attaches
    "$defs": {
        "ApproveDecision": {"properties": {"type": {"const": "approve", "type": "string"}},
                            "required": ["type"], "type": "object"},
        "EditDecision": {"properties": {"type": {"const": "edit", "type": "string"},
                                        "edited_action": {"$ref": "#/$defs/EditedAction"}},
                         "required": ["type", "edited_action"], "type": "object"},
        "EditedAction": {"properties": {"name": {"const": "transfer_funds", "type": "string"},
                                        "args": {"$ref": "#/$defs/transfer_funds"}},
                         "required": ["name", "args"], "type": "object"},
        "RejectDecision": {"properties": {"type": {"const": "reject", "type": "string"},
                                          "message": {"type": "string"}},
                           "required": ["type"], "type": "object"},
        "transfer_funds": {"properties": {"to_account": {"type": "string"},
                                          "amount": {"type": "number"}},
                           "required": ["to_account", "amount"], "type": "object"},
    },
    "discriminator": {"propertyName": "type", "mapping": {
        "approve": "#/$defs/ApproveDecision", "edit": "#/$defs/EditDecision",
        "reject": "#/$defs/RejectDecision"}},
    "oneOf": [{"$ref": "#/$defs/ApproveDecision"}, {"$ref": "#/$defs/EditDecision"},
              {"$ref": "#/$defs/RejectDecision"}],
}

CORPUS = [
    # -- the seed article and LangGraph's docs -------------------------------------------
    Case("article-dict-action-approve", ARTICLE, ["send_email"],
         ["cfo@example.com", "Q3 revenue is up 12% on last year",
          "Please approve or reject this action"],
         lambda c: c[0].approve(), ["approve"], plain("approve", ARTICLE_ARGS)),
    Case("article-dict-action-edit-maps-back-to-its-keys", ARTICLE, ["send_email"],
         ["cfo@example.com", "Q3 revenue is up 12% on last year"],
         lambda c: c[0].edit({**ARTICLE_ARGS, "to": "ceo@example.com"}), ["edit"],
         plain("edit", {**ARTICLE_ARGS, "to": "ceo@example.com"})),
    Case("langgraph-interrupt-inside-a-tool",
         {"action": "send_email", "to": "team@example.com", "subject": "Offsite",
          "body": "See you Friday", "message": "Approve sending this email?"},
         ["send_email"], ["team@example.com", "Offsite", "See you Friday"],
         lambda c: c[0].reject("wrong list"), ["reject"],
         plain("reject", {"to": "team@example.com", "subject": "Offsite",
                          "body": "See you Friday"}, comment="wrong list")),
    Case("langgraph-approve-with-details",
         {"question": "Do you want to proceed with this action?",
          "details": {"operation": "transfer", "amount": 500, "currency": "EUR"}},
         ["ask"], ["Do you want to proceed with this action?", "transfer", "500", "EUR"],
         lambda c: c[0].approve(), ["approve"],
         plain("approve", {"details": {"operation": "transfer", "amount": 500,
                                       "currency": "EUR"}})),
    Case("langgraph-review-and-edit-content",
         {"instruction": "Review and edit this content",
          "content": "Q3 summary: revenue up, churn flat"},
         ["ask"], ["Review and edit this content", "Q3 summary: revenue up, churn flat"],
         lambda c: c[0].edit({"content": "Q3 summary: revenue up 12%, churn flat"}), ["edit"],
         plain("edit", {"content": "Q3 summary: revenue up 12%, churn flat"})),
    Case("langgraph-tool-call-review",
         {"question": "Is this correct?",
          "tool_call": {"name": "search_flights", "args": {"origin": "SFO", "dest": "JFK"},
                        "id": "call_9", "type": "tool_call"}},
         ["search_flights"], ["Is this correct?", "SFO", "JFK"],
         lambda c: c[0].edit({"origin": "SFO", "dest": "EWR"}), ["edit"],
         plain("edit", {"origin": "SFO", "dest": "EWR"})),
    Case("langgraph-string-question", "Deploy version 2.4.1 to production?", ["ask"],
         ["Deploy version 2.4.1 to production?"], lambda c: c[0].approve(), ["approve"],
         plain("approve"), editable=False),
    Case("langgraph-validation-loop-question", "What is your age?", ["ask"],
         ["What is your age?"], lambda c: c[0].respond("42"), ["respond"],
         plain("respond", response="42"), editable=False),
    # -- tool calls ------------------------------------------------------------------------
    Case("langchain-toolcall-alone",
         {"name": "delete_records", "args": {"table": "users", "where": "inactive = true"},
          "id": "call_2", "type": "tool_call"},
         ["delete_records"], ["users", "inactive = true"],
         lambda c: c[0].reject("needs a ticket"), ["reject"],
         plain("reject", {"table": "users", "where": "inactive = true"},
               comment="needs a ticket")),
    Case("langchain-toolcall-list", LC_CALLS, ["send_email", "archive_thread"],
         ["cfo@example.com", "Q3 numbers", "q3-draft"],
         lambda c: (c[0].approve(), c[1].edit({"thread": "q3-final"})), ["approve", "edit"],
         [plain("approve", LC_CALLS[0]["args"]), plain("edit", {"thread": "q3-final"})]),
    Case("user-code-tool-calls-under-a-key",
         {"tool_calls": LC_CALLS, "message": "Approve these tool calls?"},
         ["send_email", "archive_thread"], ["cfo@example.com", "Q3 numbers", "q3-draft"],
         lambda c: (c[0].approve(), c[1].reject("keep it")), ["approve", "reject"],
         {"approved": False, "type": "reject", "comment": "keep it",
          "args": [LC_CALLS[0]["args"], LC_CALLS[1]["args"]], "response": None,
          "decisions": [plain("approve", LC_CALLS[0]["args"]),
                        plain("reject", LC_CALLS[1]["args"], comment="keep it")]}),
    Case("user-code-name-and-args-without-id",
         {"tool_calls": [{"name": "remember", "args": {"content": "prefers email"}}]},
         ["remember"], ["prefers email"], lambda c: c[0].approve(), ["approve"],
         {"approved": True, "type": "approve", "comment": None,
          "args": [{"content": "prefers email"}], "response": None,
          "decisions": [plain("approve", {"content": "prefers email"})]}),
    Case("openai-function-call-approve-keeps-json-text", OPENAI_CALL, ["get_weather"],
         ["Paris", "celsius"], lambda c: c[0].approve(), ["approve"],
         plain("approve", OPENAI_CALL["function"]["arguments"])),
    Case("openai-function-call-edit-gives-json-text", OPENAI_CALL, ["get_weather"],
         ["Paris", "celsius"], lambda c: c[0].edit({"city": "Lyon", "unit": "celsius"}),
         ["edit"], plain("edit", json.dumps({"city": "Lyon", "unit": "celsius"}))),
    Case("openai-tool-calls-list",
         [OPENAI_CALL, {"id": "call_def", "type": "function",
                        "function": {"name": "book_table",
                                     "arguments": "{\"restaurant\": \"Chez Nous\", "
                                                  "\"people\": 4}"}}],
         ["get_weather", "book_table"], ["Paris", "celsius", "Chez Nous", "4"],
         lambda c: (c[0].approve(), c[1].reject()), ["approve", "reject"],
         [plain("approve", OPENAI_CALL["function"]["arguments"]),
          plain("reject", "{\"restaurant\": \"Chez Nous\", \"people\": 4}")]),
    Case("openai-responses-function-call",
         {"type": "function_call", "call_id": "call_7", "name": "refund_order",
          "arguments": "{\"order_id\": \"A-17\", \"amount\": 20}"},
         ["refund_order"], ["A-17", "20"], lambda c: c[0].approve(), ["approve"],
         plain("approve", "{\"order_id\": \"A-17\", \"amount\": 20}")),
    Case("anthropic-tool-use-block",
         {"type": "tool_use", "id": "toolu_01", "name": "get_stock_price",
          "input": {"ticker": "ACME"}},
         ["get_stock_price"], ["ACME"], lambda c: c[0].edit({"ticker": "ACMX"}), ["edit"],
         plain("edit", {"ticker": "ACMX"})),
    # -- names and arguments under other keys ---------------------------------------------
    Case("action-and-params", {"action": "deploy",
                               "params": {"env": "prod", "version": "2.4.1"}},
         ["deploy"], ["prod", "2.4.1"], lambda c: c[0].edit({"env": "staging",
                                                             "version": "2.4.1"}),
         ["edit"], plain("edit", {"env": "staging", "version": "2.4.1"})),
    Case("action-params-and-a-reason-beside-them",
         {"action": "delete_file", "params": {"path": "/var/log/old.log"},
          "reason": "disk 95% full"},
         ["delete_file"], ["/var/log/old.log", "disk 95% full"], lambda c: c[0].approve(),
         ["approve"], plain("approve", {"path": "/var/log/old.log"})),
    Case("dict-action-with-a-reason-beside-it",
         {"action": {"tool": "refund", "order": "A-17", "amount": 30},
          "reason": "item arrived damaged", "message": "Approve the refund?"},
         ["refund"], ["A-17", "30", "item arrived damaged", "Approve the refund?"],
         lambda c: c[0].edit({"order": "A-17", "amount": 25}), ["edit"],
         plain("edit", {"order": "A-17", "amount": 25})),
    Case("tool-and-input", {"tool": "run_sql",
                            "input": {"query": "DELETE FROM users WHERE inactive"}},
         ["run_sql"], ["DELETE FROM users WHERE inactive"], lambda c: c[0].reject(),
         ["reject"], plain("reject", {"query": "DELETE FROM users WHERE inactive"})),
    Case("dict-action-with-name-and-arguments",
         {"action": {"name": "create_ticket",
                     "arguments": {"title": "Disk full on db-2", "priority": "high"}}},
         ["create_ticket"], ["Disk full on db-2", "high"], lambda c: c[0].approve(),
         ["approve"], plain("approve", {"title": "Disk full on db-2", "priority": "high"})),
    Case("dict-action-with-parameters",
         {"action": {"tool": "transfer_funds",
                     "parameters": {"to_account": "ACME-001", "amount": 1200}},
          "description": "Monthly rent"},
         ["transfer_funds"], ["ACME-001", "1200", "Monthly rent"],
         lambda c: c[0].edit({"to_account": "ACME-001", "amount": 1100}), ["edit"],
         plain("edit", {"to_account": "ACME-001", "amount": 1100})),
    Case("agent-action-tool-input-text", {"tool": "search", "tool_input": "Q3 revenue ACME"},
         ["search"], ["Q3 revenue ACME"], lambda c: c[0].approve(), ["approve"],
         plain("approve", {"tool_input": "Q3 revenue ACME"})),
    Case("tool-with-flat-arguments",
         {"tool": "rm", "path": "/tmp/build", "recursive": True, "message": "Clean up?"},
         ["rm"], ["/tmp/build", "true", "Clean up?"], lambda c: c[0].approve(), ["approve"],
         plain("approve", {"path": "/tmp/build", "recursive": True})),
    # -- models, dataclasses, lists, anything else ----------------------------------------
    Case("pydantic-model-approve",
         EmailDraft(to="cfo@example.com", subject="Q3", body="Numbers attached"),
         ["EmailDraft"], ["cfo@example.com", "Q3", "Numbers attached"],
         lambda c: c[0].approve(), ["approve"],
         plain("approve", EmailDraft(to="cfo@example.com", subject="Q3",
                                     body="Numbers attached"))),
    Case("pydantic-model-edit-gives-the-model",
         EmailDraft(to="cfo@example.com", subject="Q3", body="Numbers attached"),
         ["EmailDraft"], ["cfo@example.com"],
         lambda c: c[0].edit({"to": "ceo@example.com", "subject": "Q3",
                              "body": "Numbers attached"}), ["edit"],
         plain("edit", EmailDraft(to="ceo@example.com", subject="Q3",
                                  body="Numbers attached"))),
    Case("pydantic-model-naming-a-tool",
         ToolRequest(tool="close_account", args={"account_id": "AC-99"},
                     reason="customer asked"),
         ["close_account"], ["AC-99"], lambda c: c[0].approve(), ["approve"],
         plain("approve", {"account_id": "AC-99"})),
    Case("dataclass-edit-gives-the-dataclass", DeployPlan("prod", "2.4.1", 3),
         ["DeployPlan"], ["prod", "2.4.1", "3"],
         lambda c: c[0].edit({"env": "prod", "version": "2.4.1", "replicas": 5}), ["edit"],
         plain("edit", DeployPlan("prod", "2.4.1", 5))),
    Case("list-of-commands", ["rm -rf build/", "git clean -fdx"], ["ask"],
         ["rm -rf build/", "git clean -fdx"], lambda c: c[0].approve(), ["approve"],
         plain("approve", ["rm -rf build/", "git clean -fdx"]), editable=False),
    Case("nested-report-as-a-tree",
         {"report": {"failed": [{"job": "nightly-etl", "status": "timeout"}], "total": 1}},
         ["ask"], ["nightly-etl", "timeout"], lambda c: c[0].reject(), ["reject"],
         plain("reject", {"report": {"failed": [{"job": "nightly-etl", "status": "timeout"}],
                                     "total": 1}})),
    Case("a-bare-number", 42, ["ask"], ["42"], lambda c: c[0].approve(), ["approve"],
         plain("approve", 42), editable=False),
    # -- the formats with their own resume value ------------------------------------------
    Case("agent-inbox-human-interrupt",
         [{"action_request": {"action": "write_file",
                              "args": {"path": "report.md", "content": "# Q3"}},
           "config": {"allow_accept": True, "allow_edit": True, "allow_respond": True,
                      "allow_ignore": True},
           "description": "Write the Q3 report"}],
         ["write_file"], ["report.md", "# Q3", "Write the Q3 report"],
         lambda c: c[0].approve(), ["approve"], [{"type": "accept", "args": None}]),
    Case("langchain-batched-hitl-request",
         {"action_requests": [{"name": "execute_sql",
                               "args": {"query": "DELETE FROM records WHERE age > 30"},
                               "description": "Tool execution pending approval"}],
          "review_configs": [{"action_name": "execute_sql",
                              "allowed_decisions": ["approve", "reject"]}]},
         ["execute_sql"], ["DELETE FROM records WHERE age > 30"],
         lambda c: c[0].reject("too broad"), ["reject"],
         {"decisions": [{"type": "reject", "message": "too broad"}]}, editable=False),
    Case("langchain-per-call-tool-approval",
         {"type": "tool_approval", "tool_call_id": "c1", "name": "transfer_funds",
          "args": {"to_account": "ACME-001", "amount": 1200},
          "description": "Tool execution requires approval"},
         ["transfer_funds"], ["ACME-001", "1200"],
         lambda c: c[0].edit({"to_account": "ACME-001", "amount": 1000}), ["edit"],
         {"type": "edit", "edited_action": {"name": "transfer_funds",
                                            "args": {"to_account": "ACME-001",
                                                     "amount": 1000}}},
         kwargs={"response_schema": PER_CALL_SCHEMA}),
]


@pytest.fixture(params=CORPUS, ids=str)
def case(request) -> Case:
    return request.param


@pytest.fixture
def paused(case, db, start):
    """The case's graph, paused at its interrupt under review."""
    graph = single(hitl_nb.checkpointer(db), case.value, **case.kwargs)
    return start(graph, {})


def test_corpus_is_large_enough():
    assert len({c.id for c in CORPUS}) == len(CORPUS) >= 25


def test_card_text_plain_shows_action_and_every_argument(case, paused):
    assert [c.request.action for c in paused.cards] == case.actions
    text = "\n".join(c._repr_mimebundle_()["text/plain"] for c in paused.cards)
    missing = [s for s in [*case.actions, *case.shown] if s not in text]
    assert not missing, text


def test_card_text_html_shows_action_and_every_argument(case, paused):
    markup = "\n".join(c._repr_mimebundle_()["text/html"] for c in paused.cards)
    missing = [s for s in [*case.actions, *case.shown] if html.escape(s) not in markup]
    assert not missing


def test_edit_is_offered_when_there_are_arguments(case, paused):
    assert all(("Edit" in c.buttons) == case.editable for c in paused.cards)


def test_inbox_reads_the_pending_request_back(case, paused, db):
    assert [r.action for r in hitl_nb.Inbox(db).pending] == case.actions


def test_inbox_keeps_what_the_card_shows_beside_the_arguments(db, start):
    value = {"action": "delete_file", "params": {"path": "/tmp/x"}, "reason": "disk full"}
    start(single(hitl_nb.checkpointer(db), value), {})
    (request,) = hitl_nb.Inbox(db).pending
    assert request.details == {"reason": "disk full"}
    assert request.args == {"path": "/tmp/x"}


def test_decision_is_logged_with_the_action(case, paused, db):
    case.decide(paused.cards)
    df = hitl_nb.DecisionLog(db).to_pandas()
    assert list(zip(df.action, df.decision, strict=True)) == list(
        zip(case.actions, case.decisions, strict=True))


def test_node_receives_the_value_it_expects(case, paused):
    case.decide(paused.cards)
    assert paused.done
    assert paused.result["answers"] == [case.received]
