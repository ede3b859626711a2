"""Storage: the decision log (`log.DecisionLog`) and its tables (the review `queue`,
`opinions`, `outcomes`, `effects`), the schema and its migrations, the SQLite (`db`) and
PostgreSQL (`postgres`) backends behind one connection registry (`shared`), JSON in and
out (`jsonsafe`, `fastjson`), and loading the log as a DataFrame (`frame`).
"""
