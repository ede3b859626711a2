"""String comparisons: the node expects the words it compares with."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END, START
from langgraph.graph.message import add_messages
from langgraph.prebuilt.interrupt import HumanResponse
from langgraph.types import Command, interrupt

from ._base import SENT, _graph


class DecisionState(TypedDict, total=False):
    llm_output: str
    decision: str


# https://langchain-ai.github.io/langgraph/how-tos/human_in_the_loop/add-human-in-the-loop/
# ("Approve or reject", extended example)
def human_approval_decision(state: DecisionState) -> Command[Literal["approved_path",
                                                                     "rejected_path"]]:
    decision = interrupt({
        "question": "Do you approve the following output?",
        "llm_output": state["llm_output"]
    })

    if decision == "approve":
        return Command(goto="approved_path", update={"decision": "approved"})
    else:
        return Command(goto="rejected_path", update={"decision": "rejected"})


def decision_graph(checkpointer: Any) -> Any:
    return _graph(DecisionState, checkpointer,
                  {"human_approval": human_approval_decision,
                   "approved_path": lambda s: s, "rejected_path": lambda s: s},
                  [(START, "human_approval"), ("approved_path", END),
                   ("rejected_path", END)])


class DraftState(TypedDict, total=False):
    draft: str
    approved: bool


# A HITL tutorial on GitHub ("Human-in-the-Loop (HITL) Workflow", resumed with
# Command(resume="approve")); the comparison's result is routed by a conditional edge.
def human_approval_draft(state: DraftState):
    # ⏸️ PAUSE: execution stops here and waits for a human
    decision = interrupt({
        "question": "Approve this action?",
        "draft": state["draft"],
    })
    # ▶️ RESUME: `decision` is whatever the human sent back
    return {"approved": decision == "approve"}


def execute_action(state: DraftState):
    SENT.append(state["draft"])
    return {}


def draft_graph(checkpointer: Any) -> Any:
    return _graph(DraftState, checkpointer,
                  {"human_approval": human_approval_draft, "execute_action": execute_action,
                   "cancel": lambda s: {}},
                  [(START, "human_approval"), ("execute_action", END), ("cancel", END)],
                  {"human_approval": lambda s: "execute_action" if s["approved"] else "cancel"})


class EmailState(TypedDict, total=False):
    subject: str
    body: str
    approved: bool
    review_notes: str


# A LangGraph course on GitHub (5.2.3 "使用 Command 恢复并传递数据")
def approval_node_email(state: EmailState):
    """动态中断 + Command 恢复"""
    # 暂停请求审批
    decision = interrupt({
        "type": "approval",
        "message": "请审核邮件内容",
        "subject": state["subject"],
        "body_preview": state["body"][:100]
    })

    # decision 的值由 Command(resume=...) 传入
    if decision == "approve":  # noqa: SIM116
        return {"approved": True}
    elif decision == "reject":
        return {"approved": False, "review_notes": "内容需要修改"}
    elif decision == "modify":
        return {"approved": False, "review_notes": "已修改内容"}


def email_review_graph(checkpointer: Any) -> Any:
    return _graph(EmailState, checkpointer, {"approval": approval_node_email},
                  [(START, "approval"), ("approval", END)])


class IngestState(TypedDict, total=False):
    candidate: dict
    approved: bool
    answer: str


# A RAG agent on GitHub asking before it ingests a paper (find_string
# '.lower() in ("yes", "y", "approve")'); its print is left out.
def approval_node_candidate(state: IngestState):
    cand = state["candidate"]
    decision = interrupt({
        "candidate": cand,
        "prompt": f"Add '{cand['title']}' ({cand['arxiv_id']}) to the knowledge base? (yes/no)",
    })
    approved = str(decision).strip().lower() in ("yes", "y", "approve")
    if not approved:
        return {"approved": False, "answer": f"Declined - '{cand['title']}' was not added."}
    return {"approved": True}


def ingest_graph(checkpointer: Any) -> Any:
    return _graph(IngestState, checkpointer, {"approval": approval_node_candidate},
                  [(START, "approval"), ("approval", END)])


class BookingState(TypedDict, total=False):
    therapist: str
    date: str
    time: str
    approval: bool | None
    changes: str | None


# A therapy-booking graph on GitHub (find_string "if isinstance(response, str) and
# response.lower()"): a "yes" ends the run, anything else is the change to make.
def human_approval_booking(state: BookingState):

    response = interrupt(
        {
            "question": "Is this appointment correct? If no, please state the changes.",
            "approval": [state['therapist'], state['date'], state['time']]
        }
    )

    if isinstance(response, str) and response.lower().strip() in ["yes", "y", "correct", "ok"]:
        return Command(goto=END, update={"approval": True, "changes": None})

    return Command(goto="changing", update={"approval": False, "changes": response})


def booking_graph(checkpointer: Any) -> Any:
    return _graph(BookingState, checkpointer,
                  {"human_approval": human_approval_booking, "changing": lambda s: {}},
                  [(START, "human_approval"), ("changing", END)])


# https://langchain-ai.github.io/langgraph/agents/human-in-the-loop/ (the book_hotel tool
# of the prebuilt agent; here given to LangChain's create_agent)
def book_hotel(hotel_name: str):
    """Book a hotel"""
    response = interrupt(
        f"Trying to call `book_hotel` with args {{'hotel_name': {hotel_name}}}. "
        "Please approve or suggest edits."
    )
    if response["type"] == "accept":
        pass
    elif response["type"] == "edit":
        hotel_name = response["args"]["hotel_name"]
    else:
        raise ValueError(f"Unknown response type: {response['type']}")
    return f"Successfully booked a stay at {hotel_name}."


class GateState(TypedDict, total=False):
    messages: Annotated[list, add_messages]
    approved: bool


def agent_asking(state: GateState) -> dict:
    return {
        "messages": [AIMessage(content="I want to call delete_user(user_id=42)")]
    }


# A LangGraph HITL guide on GitHub answering with Agent Inbox's words (find_string
# 'if response["type"] == "accept":'); anything it does not know counts as an edit.
def approval_gate(state: GateState) -> Command:
    last = state["messages"][-1]
    response: HumanResponse = interrupt(
        {
            "question": "Approve this action?",
            "action": last.content,
        }
    )

    if response["type"] == "accept":
        return Command(update={"approved": True}, goto="execute")
    elif response["type"] == "ignore":
        return Command(update={"approved": False}, goto=END)
    elif response["type"] == "response":
        # User gave feedback — add it to messages and loop back to agent
        feedback = response["args"]
        return Command(
            update={
                "messages": [HumanMessage(content=f"Feedback: {feedback}")],
                "approved": False,
            },
            goto="agent",
        )
    else:  # "edit"
        edited = response["args"]  # ActionRequest with updated args  # noqa: F841
        return Command(update={"approved": True}, goto="execute")


def execute(state: GateState) -> dict:
    SENT.append("delete_user(user_id=42)")
    return {"messages": [AIMessage(content="Action executed.")]}


def accept_gate_graph(checkpointer: Any) -> Any:
    return _graph(GateState, checkpointer,
                  {"agent": agent_asking, "approval_gate": approval_gate, "execute": execute},
                  [(START, "agent"), ("agent", "approval_gate"), ("execute", END)])
