"""The notebooks run under pytest (``--nbval-lax``) in a temporary folder each.

A notebook writes its database, exports and files next to itself (``quickstart.db``,
``decision_log_sft.jsonl``, ``rich_cards_config.yaml``...), which is what a reader running
it in JupyterLab wants. Under pytest nbval would start each kernel in ``notebooks/``, so a
test run left those files (and the ``-wal``/``-shm`` files of connections still open when
nbval stopped the kernel) in the work tree. Here each notebook's kernel starts in its own
temporary folder instead, removed at the end of the session; the notebooks read nothing
from their folder, so they run unchanged.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

_FOLDERS: list[str] = []


def _kernel_in_a_temporary_folder(running_kernel):
    def start(kernel_name, cwd=None, startup_timeout=60):
        folder = tempfile.mkdtemp(prefix=f"hitl-nb-{Path(cwd or '.').name}-")
        _FOLDERS.append(folder)
        return running_kernel(kernel_name, cwd=folder, startup_timeout=startup_timeout)
    return start


def pytest_configure(config):
    try:
        from nbval import plugin
    except ImportError:             # nbval missing: pytest runs no notebook anyway
        return
    if not getattr(plugin.RunningKernel, "_hitl_nb_tmp", False):
        start = _kernel_in_a_temporary_folder(plugin.RunningKernel)
        start._hitl_nb_tmp = True
        plugin.RunningKernel = start


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
