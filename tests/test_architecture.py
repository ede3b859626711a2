"""The layer rules hold: `lint-imports` checks the contracts in pyproject.toml
(``[tool.importlinter]``: imports point down the layers, no cycle inside a folder, private
modules used from their own folder only). docs/architecture.md draws the layers."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_in_pyproject_are_kept() -> None:
    pytest.importorskip("importlinter")
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([*command, "--no-cache"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, f"import contracts broken:\n{run.stdout}\n{run.stderr}"
    assert "0 broken" in run.stdout


def test_every_folder_of_the_package_is_in_a_layer() -> None:
    """A new folder must be placed in the layers contract, or nothing checks its imports."""
    text = (ROOT / "pyproject.toml").read_text()
    folders = {p.name for p in (ROOT / "hitl_nb").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    missing = sorted(f for f in folders if f'hitl_nb.{f}"' not in text
                     and f"hitl_nb.{f} " not in text)
    assert not missing, f"add these folders to [tool.importlinter] layers: {missing}"


# -- SQL and the log's connection live in hitl_nb/store/ ------------------------------------
STORE = ROOT / "hitl_nb" / "store"

#: Attributes that reach into a decision log's connection: its backend (``_db``, the
#: public ``backend``), its placeholder function (``_q``) and its parts (``_parts``, ``_all``).
CONNECTION_ATTRIBUTES = {"_db", "_q", "_parts", "_all", "backend"}

#: A string holding an SQL statement: uppercase keywords, as this package writes SQL.
SQL_STATEMENT = re.compile(
    r"\bSELECT\b[\s\S]*?\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\b(?:CREATE|DROP|ALTER)\s+(?:TABLE|INDEX)\b|\bON\s+CONFLICT\b")


def _outside_store() -> list[Path]:
    return sorted(p for p in (ROOT / "hitl_nb").rglob("*.py") if STORE not in p.parents)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of a module (adjacent literals joined, f-strings with their
    fields as ``{}``), with its line."""
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
             for v in node.values}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in parts:
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            out.append((node.lineno, "".join(
                v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)))
    return sorted(out)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if ROOT in path.parents else path.name


def connection_uses(path: Path) -> list[str]:
    """``file:line .attribute`` for each use of a log's connection in module ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{_name(path)}:{line} .{attr}" for line, attr in sorted(
        (node.lineno, node.attr) for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in CONNECTION_ATTRIBUTES)]


def sql_statements(path: Path) -> list[str]:
    """``file:line 'statement'`` for each string literal of ``path`` holding SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{_name(path)}:{line} {' '.join(text.split())[:70]!r}"
            for line, text in _strings(tree) if SQL_STATEMENT.search(text)]


def test_the_guards_see_what_they_look_for(tmp_path) -> None:
    """The checks below find connection uses and SQL statements (split over literals, in
    an f-string), and leave prose that merely uses the words alone."""
    module = tmp_path / "m.py"
    module.write_text(
        'rows = log._db.query(log._q(\n    "SELECT args FROM t"\n    " WHERE a = ?"))\n'
        'f"UPDATE {table} SET x = 1"\n'
        '"""Select the rows from the log; update the queue, set it, delete from it."""\n'
        'log.backend.transaction()\n', encoding="utf-8")
    assert connection_uses(module) == ["m.py:1 ._db", "m.py:1 ._q", "m.py:6 .backend"]
    assert [s.split(" ", 1)[0] for s in sql_statements(module)] == ["m.py:2", "m.py:4"]


def test_only_the_store_uses_a_logs_connection() -> None:
    """Outside hitl_nb/store/, code asks the log (its methods, ``log.choices``,
    ``log.notes``); it never takes the log's backend or placeholders to run SQL itself."""
    found = [use for path in _outside_store() for use in connection_uses(path)]
    assert not found, "use the log's methods instead (add one to hitl_nb/store/):\n" + \
        "\n".join(found)


def test_every_sql_statement_is_in_the_store() -> None:
    """SQL is written in hitl_nb/store/ only, one part per table (docs/architecture.md)."""
    found = [stmt for path in _outside_store() for stmt in sql_statements(path)]
    assert not found, "move these statements into a part in hitl_nb/store/:\n" + \
        "\n".join(found)
