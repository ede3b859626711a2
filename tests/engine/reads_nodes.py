"""Node functions written as LangGraph's docs and users write them, for test_reads.py.

They live in a real module so that `inspect.getsource` reads them as it reads user code.
"""
from __future__ import annotations

from langgraph.types import interrupt


def compares_a_string(state):  # docs.langchain.com, "approve or reject"
    decision = interrupt({"question": "Do you approve the following output?",
                          "llm_output": state["llm_output"]})
    if decision == "approve":
        return {"out": "approved"}
    else:
        return {"out": "rejected"}


def tests_truth(state):  # docs: "if is_approved: goto some_node"
    is_approved = interrupt({"question": "Is this correct?", "llm_output": state["llm_output"]})
    if is_approved:
        return {"out": "approved"}
    return {"out": "rejected"}


def goto_if_else(state):  # langchain-skills: Command(goto="proceed" if decision else "cancel")
    decision = interrupt({"question": "Approve this action?", "details": state["llm_output"]})
    return {"out": "approved" if decision else "rejected"}


def lowers_and_checks_in(state):  # GitHub: an E2B code executor tool
    response = interrupt({"agent": "code_executor", "action": "execute_python",
                          "code": state["llm_output"], "message": "Approve?"})
    if isinstance(response, str) and response.lower() in ("yes", "y", "approve"):
        return {"out": "approved"}
    if isinstance(response, dict) and response.get("action") == "approve":
        return {"out": "approved"}
    return {"out": f"User denied execution. User said: {response}"}


def reads_action_key(state):  # docs: interrupts inside tools (send_email)
    to = "cfo@example.com"
    response = interrupt({"action": "send_email", "to": to, "subject": "Q3", "body": "hi",
                          "message": "Approve sending this email?"})
    if response.get("action") == "approve":
        final_to = response.get("to", to)
        return {"out": f"Email sent to {final_to}"}
    return {"out": "Email cancelled by user"}


def reads_feedback(state):  # GitHub: a story approval node
    human_response = interrupt({"story_content": state["llm_output"],
                                "request__type": "story_approval"})
    if human_response.get("action") == "approve":
        return {"out": "approved"}
    elif human_response.get("action") == "reject":
        return {"out": "rejected: " + human_response.get("feedback", "")}
    return {"out": "no clear answer"}


def reads_documented_keys(state):  # hitl_nb's own documented dict
    human = interrupt({"action": "pay", "args": {"amount": 10}})
    if human["approved"]:
        return {"out": f"paid {human['args']['amount']}"}
    return {"out": "rejected: " + (human["comment"] or "")}


def asks_a_name(state):  # docs: "What is your name?"
    name = interrupt("What is your name?")
    return {"out": name}


def validates_a_number(state):  # docs: validating human input
    prompt = "What is your age?"
    while True:
        answer = interrupt(prompt)
        if isinstance(answer, int) and answer > 0:
            break
        prompt = f"'{answer}' is not a valid age. Please enter a positive number."
    return {"out": answer}


def keeps_an_edit(state):  # langchain-skills: review and edit state
    edited = interrupt({"instruction": "Review and edit this content",
                        "content": state["llm_output"]})
    return {"out": edited}


def reads_edited_text(state):  # docs: "llm_generated_summary": result["edited_text"]
    result = interrupt({"task": "Review the output from the LLM and make any necessary edits.",
                        "llm_generated_summary": state["llm_output"]})
    return {"out": result["edited_text"]}


def stores_it(state):  # no signal: the documented dict
    return {"out": interrupt({"action": "pay", "args": {"amount": 10}})}


def approved_annotated(state):
    ok: bool = interrupt("Ship it?")
    return {"out": "approved" if ok is True else "rejected"}


def yes_no_after_strip(state):
    reply = interrupt("Deploy to prod? (yes/no)")
    answer = reply.strip().lower()
    if answer == "yes":
        return {"out": "approved"}
    return {"out": "rejected"}


def unknown_words(state):
    choice = interrupt({"question": "Which one?", "options": ["left", "right"]})
    return {"out": "approved" if choice == "left" else "rejected"}


def _ask_helper(question):
    return interrupt({"helper_question": question})


def calls_a_helper(state):
    answer = _ask_helper("Go?")
    return {"out": "approved" if answer == "yes" else "rejected"}


def keeps_feedback_by_keyword(state):  # the answer named by the keyword it is passed as
    question = "Anything to add?"
    return dict(feedback=interrupt(question))  # noqa: C408 - the keyword is the point


def answers_a_tool_call(state):  # an "answer" to a proposed call is a decision
    answer = interrupt({"type": "tool_call", "name": "delete_user", "args": {"user_id": 7}})
    return {"out": answer}


def replies_with_the_draft(state):  # a "reply" to a draft is the draft, edited
    reply = interrupt({"question": "What should we send?", "draft": state["llm_output"]})
    return {"out": reply}
