"""Run a callback right after a module is first imported, without importing it ourselves.

``import hitl_nb`` must not pay for pandas (README, Performance), yet ``df.hitl`` should
work on any DataFrame. So the accessor registers as soon as pandas is imported, by
whoever imports it::

    after_import("pandas", register)   # now if pandas is loaded, else right after it is
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Callable


class _Hook(importlib.abc.MetaPathFinder):
    """A one-shot finder: lets the real finders find ``name``, then wraps its loader."""

    def __init__(self, name: str, callback: Callable[[], None]) -> None:
        self.name = name
        self.callback = callback

    def find_spec(self, fullname: str, path: object = None, target: object = None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module, callback = loader.exec_module, self.callback

        def exec_then_call(module: object) -> None:
            exec_module(module)
            callback()

        loader.exec_module = exec_then_call  # this spec's loader instance only
        return spec


def after_import(name: str, callback: Callable[[], None]) -> None:
    """Call ``callback()`` now if ``name`` is imported, else right after its import."""
    if name in sys.modules:
        callback()
    else:
        sys.meta_path.insert(0, _Hook(name, callback))
