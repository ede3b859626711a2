"""The layer rules hold: `lint-imports` checks the contracts in pyproject.toml
(``[tool.importlinter]``: imports point down the layers, no cycle inside a folder, private
modules used from their own folder only). docs/architecture.md draws the layers."""

from __future__ import annotations

import os
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
