"""Truth tests: the node expects a bool."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.func import entrypoint, task
from langgraph.graph import END, START
from langgraph.types import Command, interrupt

from ._base import SENT, _graph


class ApprovalState(TypedDict, total=False):
    action_details: str
    status: Literal["pending", "approved", "rejected"] | None


# https://docs.langchain.com/oss/python/langgraph/interrupts#approve-or-reject
# (also sfong8/langgraph_agent interrupt_example.py)
def approval_node(state: ApprovalState) -> Command[Literal["proceed", "cancel"]]:
    # Pause execution; payload shows up under result["__interrupt__"]
    is_approved = interrupt({
        "question": "Do you want to proceed with this action?",
        "details": state["action_details"]
    })

    # Route based on the response
    if is_approved:
        return Command(goto="proceed")  # Runs after the resume payload is provided
    else:
        return Command(goto="cancel")


# the same page, "Full example" (langchain-ai/docs src/oss/langgraph/interrupts.mdx)
def approval_node_full(state: ApprovalState) -> Command[Literal["proceed", "cancel"]]:
    # Expose details so the caller can render them in a UI
    decision = interrupt({
        "question": "Approve this action?",
        "details": state["action_details"],
    })

    # Route to the appropriate node after resume
    return Command(goto="proceed" if decision else "cancel")


def proceed_node(state: ApprovalState):
    return {"status": "approved"}


def cancel_node(state: ApprovalState):
    return {"status": "rejected"}


def approval_graph(checkpointer: Any, node: Any = approval_node) -> Any:
    return _graph(ApprovalState, checkpointer,
                  {"approval": node, "proceed": proceed_node, "cancel": cancel_node},
                  [(START, "approval"), ("proceed", END), ("cancel", END)])


def approval_subgraph_graph(checkpointer: Any) -> Any:
    """The docs' approval graph as a subgraph node of a parent graph."""
    return _graph(ApprovalState, checkpointer, {"review": approval_graph(None)},
                  [(START, "review"), ("review", END)])


class LLMState(TypedDict, total=False):
    llm_output: str
    path: Annotated[list, operator.add]


# https://langchain-ai.github.io/langgraph/how-tos/human_in_the_loop/add-human-in-the-loop/
# ("Approve or reject"; a class-method copy of it is in many repositories)
def human_approval(state: LLMState) -> Command[Literal["some_node", "another_node"]]:
    ...
    is_approved = interrupt(
        {
            "question": "Is this correct?",
            # Surface the output that should be
            # reviewed and approved by the human.
            "llm_output": state["llm_output"]
        }
    )

    if is_approved:
        return Command(goto="some_node")
    else:
        return Command(goto="another_node")


def some_node(state: LLMState):
    return {"path": ["some_node"]}


def another_node(state: LLMState):
    return {"path": ["another_node"]}


def is_correct_graph(checkpointer: Any) -> Any:
    return _graph(LLMState, checkpointer, {"human_approval": human_approval,
                                           "some_node": some_node,
                                           "another_node": another_node},
                  [(START, "human_approval"), ("some_node", END), ("another_node", END)])


class ApprovedState(TypedDict, total=False):
    approved: bool


# https://docs.langchain.com/oss/python/langgraph/interrupts#pause-using-interrupt; also
# langchain-ai/langchain-skills config/skills/langgraph-human-in-the-loop/SKILL.md and
# rangelkoli/Wanderly backend/src/agent/tools/ask_human_questions.py
def approval_node_plain(state: ApprovedState):
    # Pause and ask for approval
    approved = interrupt("Do you approve this action?")

    # When you resume, Command(resume=...) returns that value here
    return {"approved": approved}


def approved_graph(checkpointer: Any) -> Any:
    return _graph(ApprovedState, checkpointer, {"approval": approval_node_plain},
                  [(START, "approval"), ("approval", END)])


class InterviewSchedulingState(TypedDict, total=False):
    name: str
    email: str
    reason: str
    draft_email: str
    auto_approved: bool
    approved: bool


# devrahulbanjara/ConvexHire backend/app/services/agents/interview_scheduling/nodes/approval.py
# (the node stores the answer as is; a router in another function reads it)
def human_approval_gate(state: InterviewSchedulingState) -> dict:
    """
    Human review checkpoint - pauses workflow for approval.

    If auto_approved is True, automatically approves.
    Otherwise, interrupts workflow and waits for human decision.
    """
    if state.get("auto_approved", False):
        return {"approved": True}

    review_payload = {
        "candidate_name": state["name"],
        "candidate_email": state["email"],
        "reason": state["reason"],
        "draft_email": state["draft_email"],
    }

    approval = interrupt(review_payload)

    return {"approved": approval}


def approval_router(
    state: InterviewSchedulingState,
) -> Literal["send_email", "wrap_up"]:
    """Route based on approval status."""
    if state.get("approved", False):
        return "send_email"
    return "wrap_up"


def send_interview_email(state: InterviewSchedulingState) -> dict:
    SENT.append(state["email"])
    return {}


def interview_graph(checkpointer: Any) -> Any:
    return _graph(InterviewSchedulingState, checkpointer,
                  {"human_approval_gate": human_approval_gate,
                   "send_email": send_interview_email, "wrap_up": lambda s: {}},
                  [(START, "human_approval_gate"), ("send_email", END), ("wrap_up", END)],
                  {"human_approval_gate": approval_router})


# A review pipeline with the Functional API (a LangGraph guide on GitHub, found with
# find_string "approved: bool = interrupt("); the tasks stand in for its HTTP fetch.
@task
def fetch_document(doc_id: str) -> dict:
    """Fetch a document from an external API. Checkpointed — not re-fetched on resume."""
    return {"title": f"Report {doc_id}", "body": "Revenue is up 12% on last year."}


@task
def summarise(doc: dict) -> str:
    """Summarise the document. Checkpointed."""
    return f"Summary of {doc['title']}: {doc['body'][:200]}"


def review_pipeline(doc_id: str) -> dict:
    """Fetch, summarise, then pause for human review."""
    doc = fetch_document(doc_id).result()
    summary = summarise(doc).result()

    # Pause — human reviews the summary
    approved: bool = interrupt({
        "summary": summary,
        "action": "Approve for publishing?",
    })

    return {
        "doc_id": doc_id,
        "summary": summary,
        "approved": approved,
        "published": approved,
    }


def review_pipeline_workflow(checkpointer: Any) -> Any:
    return entrypoint(checkpointer=checkpointer)(review_pipeline)


class HandoffState(TypedDict, total=False):
    handoff_result: dict | None
    gateway_approved: bool | None


# An async HITL gate (GitHub user code, found with find_string "approved: bool = interrupt(")
async def gate_node(state: HandoffState, config: RunnableConfig) -> dict:
    """HITL gate: pause until human decision. Returns approved flag, Worker handles the rest."""
    approved: bool = interrupt("Waiting for human approval of handoff")
    if not approved:
        return {"gateway_approved": False, "handoff_result": None}
    return {"gateway_approved": True}


def handoff_graph(checkpointer: Any) -> Any:
    return _graph(HandoffState, checkpointer, {"gate": gate_node},
                  [(START, "gate"), ("gate", END)])
