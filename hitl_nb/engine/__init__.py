"""The engine: pausing, deciding and resuming a graph, exactly once.

`session` (`Session`, sync) and `aio` (`AsyncSession`) drive the graph; `queue` holds the
rules of the review queue, `autopass` the automatic decisions, `lease` the claim's
renewal, `inbox` the team's queue, `request` the calls a node makes (`request_review`,
`gate`), `tools` the tools' schemas, `unsaved` the values a checkpointer refuses.
"""
