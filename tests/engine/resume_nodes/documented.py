"""The documented dict, as the seed article and langchain-skills read it."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from langgraph.graph import END, START
from langgraph.types import Command, interrupt

from ._base import SENT, _graph


class SeedState(TypedDict, total=False):
    planned_action: dict
    approved: bool
    comment: str | None
    result: str


# The seed article's review node (hitl_nb's own docs start from it; hitl_nb/examples.py)
def review(state: SeedState) -> dict[str, Any]:
    human_response = interrupt({"action": state["planned_action"],
                                "message": "Please approve or reject this action"})
    update = {"approved": human_response["approved"],
              "comment": human_response.get("comment")}
    if human_response.get("type") == "edit":  # the reviewer changed the arguments
        update["planned_action"] = {"tool": state["planned_action"]["tool"],
                                    **human_response["args"]}
    return update


def execute_planned(state: SeedState) -> dict[str, Any]:
    SENT.append(state["planned_action"])
    return {"result": "done"}


def seed_graph(checkpointer: Any) -> Any:
    return _graph(SeedState, checkpointer,
                  {"review": review, "execute": execute_planned,
                   "cancel": lambda s: {"result": "cancelled by the reviewer"}},
                  [(START, "review"), ("execute", END), ("cancel", END)],
                  {"review": lambda s: "execute" if s["approved"] else "cancel"})


class EmailAgentState(TypedDict, total=False):
    email_content: str
    draft_response: str
    classification: dict


# langchain-ai/langchain-skills config/skills/langgraph-human-in-the-loop/SKILL.md
# ("Approval Workflow")
def human_review(state: EmailAgentState) -> Command[Literal["send_reply", "__end__"]]:
    """Pause for human review using interrupt and route based on decision."""
    classification = state.get("classification", {})

    # interrupt() must come first — any code before it will re-run on resume
    human_decision = interrupt({
        "email_id": state.get("email_content", ""),
        "draft_response": state.get("draft_response", ""),
        "urgency": classification.get("urgency"),
        "action": "Please review and approve/edit this response"
    })

    # Process the human's decision
    if human_decision.get("approved"):
        return Command(
            update={"draft_response": human_decision.get("edited_response",
                                                         state.get("draft_response", ""))},
            goto="send_reply"
        )
    else:
        # Rejection — human will handle directly
        return Command(update={}, goto=END)


def send_reply(state: EmailAgentState) -> dict:
    SENT.append(state["draft_response"])
    return {}


def email_agent_graph(checkpointer: Any) -> Any:
    return _graph(EmailAgentState, checkpointer,
                  {"human_review": human_review, "send_reply": send_reply},
                  [(START, "human_review"), ("send_reply", END)])
