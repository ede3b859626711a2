"""Nodes that READ a plain ``interrupt()``'s resume value, the way people write them.

Each node or tool is copied as closely as we could from where it was found (cited above
it): LangGraph's docs, langchain-skills, tutorials and code on GitHub. Only the graph
builders (``*_graph``), the small state classes and the lists that record side effects
are ours; a ``print`` that was the side effect became an append to such a list. They live
at module level so that ``inspect.getsource`` sees the code hitl_nb reads.
Used by tests/test_resume_corpus.py.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import InjectedToolCallId, tool
from langgraph.func import entrypoint, task
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.prebuilt.interrupt import HumanResponse
from langgraph.types import Command, interrupt

#: Side effects the tests look at (each builder clears the ones its graph writes).
SENT: list[Any] = []


def _graph(state: type, checkpointer: Any, nodes: dict[str, Any], edges: list[tuple],
           routes: dict[str, Any] | None = None) -> Any:
    """A StateGraph of ``nodes``, plain ``edges`` and conditional ``routes``."""
    SENT.clear()
    builder = StateGraph(state)
    for name, fn in nodes.items():
        builder.add_node(name, fn)
    for a, b in edges:
        builder.add_edge(a, b)
    for name, route in (routes or {}).items():
        builder.add_conditional_edges(name, route)
    return builder.compile(checkpointer=checkpointer)


# == truth tests: the node expects a bool ================================================
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


# == string comparisons: the node expects the words it compares with ====================
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


# == dict reads: the node reads keys of its own =========================================
# https://docs.langchain.com/oss/python/langgraph/interrupts#interrupts-in-tools, with the
# page's "Full example" agent (its print is an append to SENT)
@tool
def send_email(to: str, subject: str, body: str):
    """Send an email to a recipient."""

    # Pause before sending; payload surfaces on stream.interrupts when using event streaming
    response = interrupt({
        "action": "send_email",
        "to": to,
        "subject": subject,
        "body": body,
        "message": "Approve sending this email?",
    })

    if response.get("action") == "approve":
        final_to = response.get("to", to)
        final_subject = response.get("subject", subject)
        final_body = response.get("body", body)

        # Actually send the email (your implementation here)
        SENT.append({"to": final_to, "subject": final_subject, "body": final_body})
        return f"Email sent to {final_to}"

    return "Email cancelled by user"


class AgentState(TypedDict):
    messages: Annotated[list[AnyMessage], operator.add]


tools_by_name = {"send_email": send_email}


def tool_node(state: AgentState):
    """Performs the tool call"""
    result = []
    for tool_call in state["messages"][-1].tool_calls:
        tool = tools_by_name[tool_call["name"]]
        observation = tool.invoke(tool_call["args"])
        result.append(ToolMessage(content=observation, tool_call_id=tool_call["id"]))
    return {"messages": result}


def should_continue(state: AgentState) -> Literal["tool_node", END]:
    """Decide if we should continue the loop or stop based upon whether the LLM made a tool call"""
    messages = state["messages"]
    last_message = messages[-1]

    if last_message.tool_calls:
        return "tool_node"
    return END


def email_tool_graph(checkpointer: Any, model: Any) -> Any:
    def agent_node(state: AgentState):
        # LLM may decide to call the tool; interrupt pauses before sending
        result = model.invoke(state["messages"])
        return {"messages": [result]}

    SENT.clear()
    builder = StateGraph(AgentState)
    builder.add_node("agent", agent_node)
    builder.add_node("tool_node", tool_node)
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", should_continue, ["tool_node", END])
    builder.add_edge("tool_node", "agent")
    return builder.compile(checkpointer=checkpointer)


# https://langchain-ai.github.io/langgraph/how-tos/human_in_the_loop/review-tool-calls/
@tool
def weather_search(city: str):
    """Search for the weather"""
    SENT.append(city)
    return "Sunny!"


def human_review_node(state) -> Command[Literal["call_llm", "run_tool"]]:
    last_message = state["messages"][-1]
    tool_call = last_message.tool_calls[-1]

    # this is the value we'll be providing via Command(resume=<human_review>)
    human_review = interrupt(
        {
            "question": "Is this correct?",
            # Surface tool calls for review
            "tool_call": tool_call,
        }
    )

    review_action = human_review["action"]
    review_data = human_review.get("data")

    # if approved, call the tool
    if review_action == "continue":
        return Command(goto="run_tool")

    # update the AI message AND call tools
    elif review_action == "update":
        updated_message = {
            "role": "ai",
            "content": last_message.content,
            "tool_calls": [
                {
                    "id": tool_call["id"],
                    "name": tool_call["name"],
                    # This the update provided by the human
                    "args": review_data,
                }
            ],
            # This is important - this needs to be the same as the message you replacing!
            # Otherwise, it will show up as a separate message
            "id": last_message.id,
        }
        return Command(goto="run_tool", update={"messages": [updated_message]})

    # provide feedback to LLM
    elif review_action == "feedback":
        # NOTE: we're adding feedback message as a ToolMessage
        # to preserve the correct order in the message history
        # (AI messages with tool calls need to be followed by tool call messages)
        tool_message = {
            "role": "tool",
            # This is our natural language feedback
            "content": review_data,
            "name": tool_call["name"],
            "tool_call_id": tool_call["id"],
        }
        return Command(goto="call_llm", update={"messages": [tool_message]})


def run_tool(state):
    new_messages = []
    tools = {"weather_search": weather_search}
    tool_calls = state["messages"][-1].tool_calls
    for tool_call in tool_calls:
        tool = tools[tool_call["name"]]
        result = tool.invoke(tool_call["args"])
        new_messages.append(
            {
                "role": "tool",
                "name": tool_call["name"],
                "content": result,
                "tool_call_id": tool_call["id"],
            }
        )
    return {"messages": new_messages}


def route_after_llm(state) -> Literal["__end__", "human_review_node"]:
    if len(state["messages"][-1].tool_calls) == 0:
        return END
    else:
        return "human_review_node"


def review_tool_calls_graph(checkpointer: Any, model: Any) -> Any:
    def call_llm(state):
        return {"messages": [model.invoke(state["messages"])]}

    return _graph(MessagesState, checkpointer,
                  {"call_llm": call_llm, "run_tool": run_tool,
                   "human_review_node": human_review_node},
                  [(START, "call_llm"), ("run_tool", "call_llm")],
                  {"call_llm": route_after_llm})


# https://docs.langchain.com/oss/python/langgraph/functional-api-human-in-the-loop
# ("Review tool calls"); call_model is the page's stand-in for a model.
def review_tool_call(tool_call: ToolCall) -> ToolCall | ToolMessage:
    """Review a tool call, returning a validated version."""
    human_review = interrupt(
        {
            "question": "Is this correct?",
            "tool_call": tool_call,
        }
    )
    review_action = human_review["action"]
    review_data = human_review.get("data")
    if review_action == "continue":
        return tool_call
    elif review_action == "update":
        updated_tool_call = {**tool_call, **{"args": review_data}}
        return updated_tool_call
    elif review_action == "feedback":
        return ToolMessage(
            content=review_data, name=tool_call["name"], tool_call_id=tool_call["id"]
        )


MODEL: list[Any] = []   # the model call_model uses (set by functional_agent)


@task
def call_model(messages):
    return MODEL[0].invoke(messages)


@task
def call_tool(tool_call):
    tool = {"weather_search": weather_search}[tool_call["name"]]
    return tool.invoke(tool_call)


def agent(messages, previous):
    if previous is not None:
        messages = add_messages(previous, messages)

    model_response = call_model(messages).result()
    while True:
        if not model_response.tool_calls:
            break

        # Review tool calls
        tool_results = []
        tool_calls = []
        for i, tool_call in enumerate(model_response.tool_calls):
            review = review_tool_call(tool_call)
            if isinstance(review, ToolMessage):
                tool_results.append(review)
            else:  # is a validated tool call
                tool_calls.append(review)
                if review != tool_call:
                    model_response.tool_calls[i] = review  # update message

        # Execute remaining tool calls
        tool_result_futures = [call_tool(tool_call) for tool_call in tool_calls]
        remaining_tool_results = [fut.result() for fut in tool_result_futures]

        # Append to message list
        messages = add_messages(
            messages,
            [model_response, *tool_results, *remaining_tool_results],
        )

        # Call model again
        model_response = call_model(messages).result()

    # Generate final response
    messages = add_messages(messages, model_response)
    return entrypoint.final(value=model_response, save=messages)


def functional_agent(checkpointer: Any, model: Any) -> Any:
    SENT.clear()
    MODEL[:] = [model]
    return entrypoint(checkpointer=checkpointer)(agent)


class StrategyState(TypedDict, total=False):
    content_draft: str
    critique: str
    critique_score: int
    revision_count: int
    human_feedback: str
    final_output: str


# A content-strategy agent on GitHub (find_string 'human_response.get("action") ==
# "approve"'); its prints are left out, and its planner ends here instead of looping.
def approval_gate_strategy(state: StrategyState) -> Command[Literal["publisher_node",
                                                                   "planner_node"]]:
    """
    HUMAN-IN-THE-LOOP node using interrupt()
    Pauses execution to wait for human approval
    """
    # Prepare payload for human review
    review_payload = {
        "message": "🚨 Human approval required!",
        "content_draft": state["content_draft"],
        "critique": state["critique"],
        "score": state["critique_score"],
        "revisions_made": state["revision_count"],
        "question": "Approve this strategy? (yes/no/feedback)"
    }

    # INTERRUPT - Graph execution PAUSES here
    human_response = interrupt(review_payload)

    # Process human decision
    if human_response.get("action") == "approve":
        return Command(
            update={"human_feedback": "Approved by human"},
            goto="publisher_node"
        )
    elif human_response.get("action") == "reject":
        return Command(
            update={
                "human_feedback": human_response.get("feedback", "Rejected - no specific feedback")
            },
            goto="planner_node"  # Send back for another revision
        )
    else:
        # Default to rejection if unclear
        return Command(
            update={"human_feedback": "Unclear response - defaulting to rejection"},
            goto="planner_node"
        )


def publisher_node(state: StrategyState):
    return {"final_output": f"PUBLISHED: {state['content_draft']}"}


def strategy_graph(checkpointer: Any) -> Any:
    return _graph(StrategyState, checkpointer,
                  {"approval_gate": approval_gate_strategy, "publisher_node": publisher_node,
                   "planner_node": lambda s: {"revision_count": s["revision_count"] + 1}},
                  [(START, "approval_gate"), ("publisher_node", END), ("planner_node", END)])


class WorkflowState(TypedDict, total=False):
    task_id: str
    user_input: str
    subtasks: list
    current_stage: str
    final_output: str
    error_count: int


# A multi-agent task runner on GitHub (find_string 'human_response.get("action") ==
# "approve"'); its settings switch and logger are left out. Anything unknown runs.
def node_human_review(state: WorkflowState) -> dict:
    """后端 HITL 节点：暂停图执行，等待人工审批拆解计划（仅 HITL 开启时注册）"""
    subtasks = state.get("subtasks", [])
    if not subtasks:
        return {"current_stage": "execute"}

    plan_summary = []
    for s in subtasks:
        deps = f" ← {s.get('depends_on', [])}" if s.get("depends_on") else ""
        plan_summary.append(f"  [{s['agent_type']}] {s['description'][:80]}{deps}")

    human_response = interrupt({
        "action": "review_plan",
        "task_id": state["task_id"],
        "user_input": state["user_input"],
        "subtask_count": len(subtasks),
        "plan": [{"id": s["id"], "description": s["description"], "agent_type": s["agent_type"],
                  "depends_on": s.get("depends_on", [])} for s in subtasks],
        "summary": "\n".join(plan_summary),
    })

    if human_response.get("action") == "approve":
        return {"current_stage": "execute"}

    if human_response.get("action") == "modify":
        modified = human_response.get("subtasks", [])
        new_subtasks = [dict(  # noqa: C408
            id=s.get("id", f"sub_{i+1}"),
            description=s.get("description", ""),
            agent_type=s.get("agent_type", "coder"),
            depends_on=s.get("depends_on", []),
            status="pending", result=None, retries=0,
        ) for i, s in enumerate(modified)]
        return {"subtasks": new_subtasks, "current_stage": "execute"}

    if human_response.get("action") == "reject":
        return {"current_stage": "done", "final_output": "任务已被人工驳回。",
                "error_count": state.get("error_count", 0) + 1}

    return {"current_stage": "execute"}


def subtasks_graph(checkpointer: Any) -> Any:
    return _graph(WorkflowState, checkpointer, {"human_review": node_human_review},
                  [(START, "human_review"), ("human_review", END)])


class PlanReviewState(TypedDict, total=False):
    plan: dict
    review: dict
    replan: bool


# mirjebreili/Agentic-System-Builder src/asb/agent/hitl.py
def review_plan(state: dict[str, Any]) -> dict[str, Any]:
    # Pause here; UI/API should send back: {"action":"approve","plan":{...}} or
    # {"action":"revise","feedback":"..."}
    payload = {"plan": state.get("plan", {})}
    resume = interrupt(payload)
    if isinstance(resume, str):
        resume = {"action": resume}
    action = (resume or {}).get("action")
    if action == "approve":
        new_plan = (resume or {}).get("plan") or state.get("plan", {})
        state["plan"] = new_plan
        state["review"] = {"action": "approve"}
        state["replan"] = False
    elif action == "revise":
        state["review"] = {
            "action": "revise",
            "feedback": (resume or {}).get("feedback", ""),
        }
        state["replan"] = True
    else:
        raise ValueError(f"Unknown action: {action}")
    return state


def plan_review_graph(checkpointer: Any) -> Any:
    return _graph(PlanReviewState, checkpointer, {"review_plan": review_plan},
                  [(START, "review_plan"), ("review_plan", END)])


class BirthdayState(TypedDict, total=False):
    messages: Annotated[list, add_messages]
    name: str
    birthday: str


# https://langchain-ai.github.io/langgraph/tutorials/get-started/5-customize-state/
# (a ToolNode runs it; copies of it are in many repositories)
@tool
# Note that because we are generating a ToolMessage for a state update, we
# generally require the ID of the corresponding tool call. We can use
# LangChain's InjectedToolCallId to signal that this argument should not
# be revealed to the model in the tool's schema.
def human_assistance(
    name: str, birthday: str, tool_call_id: Annotated[str, InjectedToolCallId]
) -> str:
    """Request assistance from a human."""
    human_response = interrupt(
        {
            "question": "Is this correct?",
            "name": name,
            "birthday": birthday,
        },
    )
    # If the information is correct, update the state as-is.
    if human_response.get("correct", "").lower().startswith("y"):
        verified_name = name
        verified_birthday = birthday
        response = "Correct"
    # Otherwise, receive information from the human reviewer.
    else:
        verified_name = human_response.get("name", name)
        verified_birthday = human_response.get("birthday", birthday)
        response = f"Made a correction: {human_response}"

    # This time we explicitly update the state with a ToolMessage inside
    # the tool.
    state_update = {
        "name": verified_name,
        "birthday": verified_birthday,
        "messages": [ToolMessage(response, tool_call_id=tool_call_id)],
    }
    # We return a Command object in the tool to update our state.
    return Command(update=state_update)


def birthday_graph(checkpointer: Any, model: Any) -> Any:
    llm_with_tools = model.bind_tools([human_assistance])

    def chatbot(state: BirthdayState):
        message = llm_with_tools.invoke(state["messages"])
        # Because we will be interrupting during tool execution,
        # we disable parallel tool calling to avoid repeating any
        # tool invocations when we resume.
        assert len(message.tool_calls) <= 1
        return {"messages": [message]}

    return _graph(BirthdayState, checkpointer,
                  {"chatbot": chatbot, "tools": ToolNode(tools=[human_assistance])},
                  [(START, "chatbot"), ("tools", "chatbot")], {"chatbot": tools_condition})


# https://langchain-ai.github.io/langgraph/tutorials/get-started/4-human-in-the-loop/
# (its tool is named human_assistance too; given here to LangChain's create_agent)
@tool("human_assistance")
def human_assistance_query(query: str) -> str:
    """Request assistance from a human."""
    human_response = interrupt({"query": query})
    return human_response["data"]


# == edited values and answers ============================================================
class TextState(TypedDict, total=False):
    generated_text: str


# https://docs.langchain.com/oss/python/langgraph/interrupts#review-and-edit-state
def review_node(state: TextState):
    # Pause and show the current content for review (payload surfaces on stream.interrupts)
    edited_content = interrupt({
        "instruction": "Review and edit this content",
        "content": state["generated_text"]
    })

    # Update the state with the edited version
    return {"generated_text": edited_content}


def review_text_graph(checkpointer: Any) -> Any:
    return _graph(TextState, checkpointer, {"review": review_node},
                  [(START, "review"), ("review", END)])


class SummaryState(TypedDict, total=False):
    llm_generated_summary: str


# https://langchain-ai.github.io/langgraph/how-tos/human_in_the_loop/add-human-in-the-loop/
# ("Review & edit state"; resumed with Command(resume={"edited_text": ...}))
def human_editing(state: SummaryState):
    ...
    result = interrupt(
        # Interrupt information to surface to the client.
        # Can be any JSON serializable value.
        {
            "task": "Review the output from the LLM and make any necessary edits.",
            "llm_generated_summary": state["llm_generated_summary"]
        }
    )

    # Update the state with the edited text
    return {
        "llm_generated_summary": result["edited_text"]
    }


def summary_graph(checkpointer: Any) -> Any:
    return _graph(SummaryState, checkpointer, {"human_editing": human_editing},
                  [(START, "human_editing"), ("human_editing", END)])


class PersonState(TypedDict, total=False):
    name: str
    age: Any
    city: str


# https://docs.langchain.com/oss/python/langgraph/interrupts#do-not-reorder-interrupt-calls-within-a-node
def node_a(state: PersonState):
    # ✅ Good: interrupt calls happen in the same order every time
    name = interrupt("What's your name?")
    age = interrupt("What's your age?")
    city = interrupt("What's your city?")

    return {
        "name": name,
        "age": age,
        "city": city
    }


# langchain-ai/langchain-skills config/skills/langgraph-human-in-the-loop/SKILL.md
# ("Validation Loop")
def get_age_node(state):
    prompt = "What is your age?"

    while True:
        answer = interrupt(prompt)

        # Validate the input
        if isinstance(answer, int) and answer > 0:
            break
        else:
            # Invalid input — ask again with a more specific prompt
            prompt = f"'{answer}' is not a valid age. Please enter a positive number."

    return {"age": answer}


def person_graph(checkpointer: Any, node: Any = node_a) -> Any:
    return _graph(PersonState, checkpointer, {"ask": node}, [(START, "ask"), ("ask", END)])


# == the documented dict, as the seed article and langchain-skills read it ==============
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
