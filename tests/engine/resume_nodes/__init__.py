"""Nodes that READ a plain ``interrupt()``'s resume value, the way people write them.

Each node or tool is copied as closely as we could from where it was found (cited above
it): LangGraph's docs, langchain-skills, tutorials and code on GitHub. Only the graph
builders (``*_graph``), the small state classes and the lists that record side effects
are ours; a ``print`` that was the side effect became an append to such a list. They live
at module level so that ``inspect.getsource`` sees the code hitl_nb reads.
Used by tests/engine/test_resume_corpus.py; one module per way of reading the answer,
the side-effect list and the graph builder in `_base`.
"""
