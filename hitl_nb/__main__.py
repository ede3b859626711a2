"""``python -m hitl_nb``: the command line lives in `hitl_nb.ui.cli`."""

from __future__ import annotations

import sys

from .ui.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
