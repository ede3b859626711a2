"""The Matplotlib axes a plot draws on: the caller's, or a new figure's.

Example::

    ax = axes(None)   # a new 7 x 3.5 in figure's axes (``plot`` extra: matplotlib)
"""

from __future__ import annotations

from typing import Any


def axes(ax: Any) -> Any:
    """``ax`` itself, or the axes of a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the plot extra
        raise ImportError("plots need matplotlib: pip install 'hitl_nb[plot]'") from exc
    _, ax = plt.subplots(figsize=(7, 3.5))
    return ax
