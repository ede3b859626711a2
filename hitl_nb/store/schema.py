"""The decision log's tables. Times are epoch seconds (UTC) for fast DataFrames.

``hitl_requests`` is the review queue: one row per request ever seen, ``state`` going
``open`` -> ``decided`` (final decision recorded) -> ``applied`` (graph resumed), or
``gone`` when the interrupt disappeared without a decision from hitl_nb. ``hitl_votes``
holds individual votes of requests that need several approvals; the final decision
still lands once in ``hitl_decisions`` under its UNIQUE constraint.

``VERSION`` is stored in ``hitl_meta`` (key ``schema_version``); a log without it but
with a ``hitl_decisions`` table is version 1. `hitl_nb.store.migrate` upgrades older logs in
one transaction: it adds every declared column a table lacks, creates missing tables and
indexes, then runs ``MIGRATIONS[n]`` (extra statements from version n to n + 1).

Version 3 (SQLite only): ``hitl_changes`` and its triggers note which decisions changed,
so a cached frame of the log (`hitl_nb.store.frame.cache`) re-reads only those.

Version 4: ``hitl_effects``, one row per idempotency key of `hitl_nb.once` (``started``
while its effect runs, ``done`` with the effect's result as JSON); ``hitl_opinions``, the
second opinions' shadow votes (`hitl_nb.store.opinions`), one per request and reviewer.
"""

from __future__ import annotations

VERSION = 4

_COLUMNS = """
    thread_id TEXT NOT NULL,
    interrupt_id TEXT NOT NULL,
    action_index INTEGER NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT,
    reviewer TEXT NOT NULL,
    requested_at DOUBLE PRECISION,
    decided_at DOUBLE PRECISION NOT NULL,
    latency_s DOUBLE PRECISION,
    confidence DOUBLE PRECISION,
    risk_score DOUBLE PRECISION,
    risk_tier TEXT,
    args TEXT,
    edited_args TEXT,
    response TEXT,
    request TEXT,
    resume_value TEXT,
    format TEXT,
    status TEXT NOT NULL DEFAULT 'recorded',
    owner TEXT,
    lease_until DOUBLE PRECISION,
    applied_at DOUBLE PRECISION,
    error TEXT,
    context TEXT,
    outcome_ok INTEGER,
    outcome_detail TEXT,
    outcome_at DOUBLE PRECISION,
    UNIQUE (thread_id, interrupt_id, action_index)
"""

_REQUESTS = """
CREATE TABLE IF NOT EXISTS hitl_requests (
    thread_id TEXT NOT NULL,
    interrupt_id TEXT NOT NULL,
    action_index INTEGER NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    requested_at DOUBLE PRECISION NOT NULL,
    request TEXT,
    state TEXT NOT NULL DEFAULT 'open',
    confidence DOUBLE PRECISION,
    risk_tier TEXT,
    expires_at DOUBLE PRECISION,
    approvals INTEGER NOT NULL DEFAULT 1,
    claimed_by TEXT,
    claimed_until DOUBLE PRECISION,
    resolved_at DOUBLE PRECISION,
    PRIMARY KEY (thread_id, interrupt_id, action_index)
);
CREATE INDEX IF NOT EXISTS hitl_requests_state ON hitl_requests (state, requested_at);
CREATE TABLE IF NOT EXISTS hitl_votes (
    thread_id TEXT NOT NULL,
    interrupt_id TEXT NOT NULL,
    action_index INTEGER NOT NULL DEFAULT 0,
    reviewer TEXT NOT NULL,
    vote TEXT NOT NULL,
    comment TEXT,
    voted_at DOUBLE PRECISION NOT NULL,
    UNIQUE (thread_id, interrupt_id, action_index, reviewer)
);
CREATE TABLE IF NOT EXISTS hitl_meta (key TEXT PRIMARY KEY, value TEXT);
"""

_OUTCOMES = """
CREATE TABLE IF NOT EXISTS hitl_outcomes (
    thread_id TEXT NOT NULL,
    interrupt_id TEXT NOT NULL,
    action_index INTEGER NOT NULL DEFAULT 0,
    ok INTEGER,
    detail TEXT,
    recorded_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS hitl_outcomes_key ON hitl_outcomes (thread_id, interrupt_id);
"""

_OPINIONS = """
CREATE TABLE IF NOT EXISTS hitl_opinions (
    thread_id TEXT NOT NULL,
    interrupt_id TEXT NOT NULL,
    action_index INTEGER NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT,
    edited_args TEXT,
    response TEXT,
    decided_at DOUBLE PRECISION NOT NULL,
    UNIQUE (thread_id, interrupt_id, action_index, reviewer)
);
"""

_EFFECTS = """
CREATE TABLE IF NOT EXISTS hitl_effects (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    owner TEXT,
    result TEXT,
    started_at DOUBLE PRECISION NOT NULL,
    done_at DOUBLE PRECISION,
    attempts INTEGER NOT NULL DEFAULT 1
);
"""

#: SQLite only (version 3): the id of every decision updated or deleted, with a ``rev``
#: higher than any before (`TRIGGERS` keep it). Inserts need no note: AUTOINCREMENT ids
#: only grow and SQLite has one writer at a time, so rows inserted after a snapshot are
#: those above its last id. One row per id (a later change replaces it).
_CHANGES = """
CREATE TABLE IF NOT EXISTS hitl_changes (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS hitl_changes_rev ON hitl_changes (rev);
"""
_NOTE = ("INSERT OR REPLACE INTO hitl_changes (id, rev) VALUES ({}.id,"
         " (SELECT ifnull(max(rev), 0) + 1 FROM hitl_changes));")
#: Name -> what it runs on (``hitl_decisions``) and its body.
_TRIGGERS = {
    "hitl_decisions_updated": f"AFTER UPDATE ON hitl_decisions BEGIN {_NOTE.format('NEW')}",
    "hitl_decisions_renumbered": "AFTER UPDATE OF id ON hitl_decisions WHEN OLD.id <> NEW.id"
                                 f" BEGIN {_NOTE.format('OLD')}",
    "hitl_decisions_deleted": f"AFTER DELETE ON hitl_decisions BEGIN {_NOTE.format('OLD')}",
}
#: The trigger names (`hitl_nb.store.frame.cache` checks they are all in place).
TRIGGER_NAMES = tuple(_TRIGGERS)
#: Run one by one (a trigger's body holds ``;``, which `statements` would split).
TRIGGERS = tuple(f"CREATE TRIGGER IF NOT EXISTS {name} {body} END"
                 for name, body in _TRIGGERS.items())

SQLITE = f"""
CREATE TABLE IF NOT EXISTS hitl_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,{_COLUMNS});
CREATE INDEX IF NOT EXISTS hitl_decisions_status ON hitl_decisions (status);
{_REQUESTS}{_OUTCOMES}{_CHANGES}{_EFFECTS}{_OPINIONS}"""

POSTGRES = f"""
CREATE TABLE IF NOT EXISTS hitl_decisions (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,{_COLUMNS});
CREATE INDEX IF NOT EXISTS hitl_decisions_status ON hitl_decisions (status);
{_REQUESTS}{_OUTCOMES}{_EFFECTS}{_OPINIONS}"""

#: The columns of hitl_decisions in order (without id).
DECISION_COLUMNS = tuple(
    line.split()[0] for line in _COLUMNS.strip().splitlines()
    if line.strip() and not line.strip().startswith("UNIQUE")
)

#: Columns every hitl_nb log has had since version 1: a ``hitl_decisions`` table without
#: them was written by something else.
V1_COLUMNS = frozenset(DECISION_COLUMNS[:DECISION_COLUMNS.index("error") + 1])


def declared_columns(table: str) -> list[tuple[str, str]]:
    """(name, SQL definition) of each column ``table`` declares in this schema."""
    body = _COLUMNS if table == "hitl_decisions" else \
        _REQUESTS.split(f"CREATE TABLE IF NOT EXISTS {table} (", 1)[1].split(");", 1)[0]
    out = []
    for line in body.strip().splitlines():
        line = line.strip().rstrip(",")
        if line and not line.startswith(("UNIQUE", "PRIMARY KEY")):
            name, definition = line.split(None, 1)
            out.append((name, definition))
    return out


#: version -> extra statements upgrading it to version + 1, run after the missing columns
#: were added (same transaction). 1 -> 2: requests already decided or applied before the
#: queue states existed must not look open (only run when ``state`` was just added).
#: 2 -> 3: ``hitl_changes`` and `TRIGGERS` (SQLite), created with the tables.
#: 3 -> 4: ``hitl_effects`` and ``hitl_opinions``, created with the tables.
MIGRATIONS: dict[int, tuple[str, ...]] = {1: (), 2: (), 3: ()}
BACKFILL_REQUEST_STATE = (
    "UPDATE hitl_requests SET state = 'applied' WHERE EXISTS (SELECT 1 FROM hitl_decisions d"
    " WHERE d.thread_id = hitl_requests.thread_id AND d.interrupt_id = hitl_requests.interrupt_id"
    " AND d.action_index = hitl_requests.action_index AND d.status = 'applied')",
    "UPDATE hitl_requests SET state = 'decided' WHERE state = 'open' AND EXISTS (SELECT 1"
    " FROM hitl_decisions d WHERE d.thread_id = hitl_requests.thread_id AND d.interrupt_id ="
    " hitl_requests.interrupt_id AND d.action_index = hitl_requests.action_index)",
)


def statements(script: str) -> list[str]:
    """The statements of a script (none of ours has a ``;`` inside a literal)."""
    return [stmt.strip() for stmt in script.split(";") if stmt.strip()]


#: Tables of the risk policy (``hitl_nb.policy``), created on its first use; additive,
#: plain SQL for SQLite and PostgreSQL. ``hitl_policy_choices``: remembered "always
#: allow/reject this tool"; ``hitl_policy_verdicts``: the first verdict per call, so a
#: node or middleware predicate that runs again on resume gets the same answer.
POLICY = """
CREATE TABLE IF NOT EXISTS hitl_policy_choices (
    policy TEXT NOT NULL,
    tool TEXT NOT NULL,
    choice TEXT NOT NULL,
    reviewer TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (policy, tool)
);
CREATE TABLE IF NOT EXISTS hitl_policy_verdicts (
    policy TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    call_key TEXT NOT NULL,
    verdict TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (policy, thread_id, call_key)
);
"""
