"""Create or upgrade the decision log's tables, refusing files hitl_nb did not write.

`ensure` is what ``DecisionLog.setup()`` runs: it checks the file first (read only), then
creates the tables and applies `hitl_nb.store.schema.MIGRATIONS` up to the current version
inside ONE transaction, so a failed upgrade leaves the file as it was.

Example::

    ensure(db, q)          # idempotent; raises IncompatibleLog for a foreign/newer log
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import IncompatibleLog
from . import schema as _schema
from .db import LogUnavailable

__all__ = ["IncompatibleLog", "ensure", "schema_version"]


def _tables(cur: Any, dialect: str) -> set[str]:
    if dialect == "sqlite":
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        cur.execute("SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema()")
    return {r[0] for r in cur.fetchall()}


def _columns(cur: Any, table: str) -> set[str]:
    cur.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    cur.fetchall()
    return {d[0] for d in cur.description}


def _version(cur: Any, q: Callable[[str], str], tables: set[str]) -> int | None:
    """The stored schema version; 1 for an unversioned log; None for an empty database."""
    if "hitl_meta" in tables:
        cur.execute(q("SELECT value FROM hitl_meta WHERE key = ?"), ("schema_version",))
        row = cur.fetchone()
        if row is not None:
            try:
                return int(row[0])
            except ValueError:
                raise IncompatibleLog(f"hitl_meta holds schema_version {row[0]!r}, which is "
                                      "not a number: this is not a hitl_nb log") from None
    return 1 if "hitl_decisions" in tables else None


def _check(cur: Any, dialect: str, q: Callable[[str], str], where: str) -> int | None:
    """Raise `IncompatibleLog` unless the database is empty or a hitl_nb log we can read;
    return its schema version (None when it holds no log yet)."""
    tables = _tables(cur, dialect)
    if "hitl_decisions" in tables:
        missing = _schema.V1_COLUMNS - _columns(cur, "hitl_decisions")
        if missing:
            raise IncompatibleLog(
                f"{where} has a table named hitl_decisions that hitl_nb did not write (it lacks "
                f"{', '.join(sorted(missing))}); nothing was changed. Use another file for the "
                "decision log, e.g. log='hitl.db'")
    version = _version(cur, q, tables)
    if version is not None and version > _schema.VERSION:
        raise IncompatibleLog(
            f"{where} was written by a newer hitl_nb (schema version {version}; this one "
            f"knows up to {_schema.VERSION}); nothing was changed. Upgrade hitl_nb: "
            "pip install -U hitl_nb")
    return version


def _upgrade(cur: Any, dialect: str, version: int) -> None:
    """Add the columns older tables lack, then run the version's extra statements."""
    tables = _tables(cur, dialect)
    added = set()
    for table in ("hitl_decisions", "hitl_requests"):
        if table not in tables:
            continue
        have = _columns(cur, table)
        for name, definition in _schema.declared_columns(table):
            if name not in have:
                cur.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
                added.add((table, name))
    if ("hitl_requests", "state") in added and "hitl_decisions" in tables:
        for stmt in _schema.BACKFILL_REQUEST_STATE:
            cur.execute(stmt)
    for old in range(version, _schema.VERSION):
        for stmt in _schema.MIGRATIONS[old]:
            cur.execute(stmt)


def schema_version(db: Any, q: Callable[[str], str]) -> int | None:
    """The schema version stored in ``db`` (None for a database without a log)."""
    with db.transaction() as cur:
        return _version(cur, q, _tables(cur, db.dialect))


def ensure(db: Any, q: Callable[[str], str], where: str = "the decision log") -> int:
    """Check, create or upgrade the tables in one transaction; return the old version
    (0 for a new log). Raise `IncompatibleLog` for a foreign or newer log."""
    script = _schema.POSTGRES if db.dialect == "postgres" else _schema.SQLITE
    with db.transaction() as cur:
        version = _check(cur, db.dialect, q, where)
    if hasattr(db, "enable_wal"):
        db.enable_wal()  # only now: a refused file is left exactly as it was
    if version == _schema.VERSION:
        return version
    with db.transaction() as cur:
        if db.dialect == "postgres":  # processes starting together queue up here
            from .postgres import _SETUP_LOCK

            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
        version = _check(cur, db.dialect, q, where)  # again: another process may have won
        if version == _schema.VERSION:
            return version
        try:
            if version:
                _upgrade(cur, db.dialect, version)
            for stmt in _schema.statements(script):
                cur.execute(stmt)
            if db.dialect == "sqlite":
                for stmt in _schema.TRIGGERS:
                    cur.execute(stmt)
        except Exception as exc:  # the backend's own error class; rolled back below
            step = f"upgrading it from schema version {version}" if version else "creating it"
            raise LogUnavailable(f"{where}: {step} failed ({exc}); the transaction was rolled "
                                 "back, nothing was changed") from exc
        cur.execute(q("INSERT INTO hitl_meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
                      " DO UPDATE SET value = excluded.value"),
                    ("schema_version", str(_schema.VERSION)))
    return version or 0
