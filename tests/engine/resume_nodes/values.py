"""Edited values and answers: the node keeps what comes back."""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import END, START
from langgraph.types import interrupt

from ._base import _graph


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


# https://langchain-ai.github.io/langgraph/how-tos/human_in_the_loop/wait-user-input/
# (graph API): the answer is kept under a name that says "text" only by its meaning
class FeedbackState(TypedDict, total=False):
    input: str
    user_feedback: str


def step_1(state):
    print("---Step 1---")


def human_feedback(state):
    print("---human_feedback---")
    feedback = interrupt("Please provide feedback:")
    return {"user_feedback": feedback}


def step_3(state):
    print("---Step 3---")


def feedback_graph(checkpointer: Any) -> Any:
    return _graph(FeedbackState, checkpointer,
                  {"step_1": step_1, "human_feedback": human_feedback, "step_3": step_3},
                  [(START, "step_1"), ("step_1", "human_feedback"),
                   ("human_feedback", "step_3"), ("step_3", END)])


# https://docs.langchain.com/oss/python/langgraph/functional-api#human-in-the-loop
# (functional API): the answer goes into an f-string
def functional_feedback_graph(checkpointer: Any) -> Any:
    from langgraph.func import entrypoint, task

    @task
    def step_1(input_query):
        """Append bar."""
        return f"{input_query} bar"

    @task
    def human_feedback(input_query):
        """Append user input."""
        feedback = interrupt(f"Please provide feedback: {input_query}")
        return f"{input_query} {feedback}"

    @task
    def step_3(input_query):
        """Append qux."""
        return f"{input_query} qux"

    @entrypoint(checkpointer=checkpointer)
    def graph(input_query):
        result_1 = step_1(input_query).result()
        result_2 = human_feedback(result_1).result()
        result_3 = step_3(result_2).result()
        return result_3

    return graph


# https://langchain-ai.github.io/langgraph/how-tos/human_in_the_loop/add-human-in-the-loop/
# ("Resume multiple interrupts with one invocation"; resumed there with the texts
# "human input for prompt 1" / "... 2"): two parallel nodes, each answer kept under a
# variable that says nothing and stored under a state key that says "text"
class TwoTexts(TypedDict):
    text_1: str
    text_2: str


def human_node_1(state: TwoTexts):
    value = interrupt({"text_to_revise": state["text_1"]})
    return {"text_1": value}


def human_node_2(state: TwoTexts):
    value = interrupt({"text_to_revise": state["text_2"]})
    return {"text_2": value}


def two_texts_graph(checkpointer: Any) -> Any:
    return _graph(TwoTexts, checkpointer, {"human_node_1": human_node_1,
                                           "human_node_2": human_node_2},
                  [(START, "human_node_1"), (START, "human_node_2")])


# A question answered inline, with no variable and a key that says nothing (the shape
# of users' parallel-question graphs: {"a": interrupt("Name for a?")})
class Letters(TypedDict, total=False):
    a: Any
    b: Any


def ask_a(state: Letters):
    return {"a": interrupt("Name for a?")}


def ask_b(state: Letters):
    return {"b": interrupt("Is b ready? (yes/no)")}


def letters_graph(checkpointer: Any) -> Any:
    return _graph(Letters, checkpointer, {"ask_a": ask_a, "ask_b": ask_b},
                  [(START, "ask_a"), (START, "ask_b"), ("ask_a", END), ("ask_b", END)])
