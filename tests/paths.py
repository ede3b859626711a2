"""Where things are, for tests in any folder: the repository and the test fixtures."""

from __future__ import annotations

from pathlib import Path

#: The repository's root (``pyproject.toml``, ``hitl_nb/``, ``notebooks/``).
REPO = Path(__file__).resolve().parents[1]
#: Stored logs of older schema versions (``tests/fixtures``).
FIXTURES = REPO / "tests" / "fixtures"
