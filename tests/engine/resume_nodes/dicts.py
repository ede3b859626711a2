"""Dict reads: the node reads keys of its own."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage, ToolCall, ToolMessage
from langchain_core.tools import InjectedToolCallId, tool
from langgraph.func import entrypoint, task
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.types import Command, interrupt

from ._base import SENT, _graph


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
