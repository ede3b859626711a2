"""Running the notebooks under pytest leaves nothing in ``notebooks/``.

Each notebook writes its database and exports next to itself; under pytest its kernel runs
in a temporary folder (``notebooks/conftest.py``), so a test run adds no ``*.db``,
``-wal``/``-shm``, ``*.jsonl`` or YAML file to the work tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"

pytestmark = pytest.mark.slow


def test_running_a_notebook_under_pytest_writes_nothing_next_to_it(tmp_path):
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"),
                          str(NOTEBOOKS / "01_quickstart.ipynb")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "passed" in run.stdout
    after = sorted(p.name for p in NOTEBOOKS.iterdir())
    assert after == before        # no quickstart.db, -wal, -shm next to the notebook
