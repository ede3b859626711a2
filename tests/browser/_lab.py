"""Helpers for the browser tests: a JupyterLab server in a temp root, notebooks, waits.

The recipe is /work/shared/TESTING.md's: Debian's Chromium (never ``playwright install``),
a server on a free port with a token, isolated Jupyter dirs, pop-ups switched off in the
settings, a COPY of each notebook in a temporary root, one workspace per test, and a wait
for the kernel to be really idle before running cells.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

CHROMIUM = Path(os.environ.get("HITL_NB_CHROMIUM", "/usr/lib/chromium/chromium"))
REPO = Path(__file__).resolve().parents[2]
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"autoStartDefaultKernel": True, "windowingMode": "none"},
}
THEME_SETTINGS = "@jupyterlab/apputils-extension/themes.jupyterlab-settings"



def missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run in CI; "
                    "see .ci/system.sh)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Poll ``url`` until the server answers (any HTTP status) or its process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"no answer from {url} within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def jupyter_env(base: Path) -> dict[str, str]:
    """Environment for a server with every Jupyter dir in ``base`` (nothing shared)."""
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        path = base / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


class Lab:
    """A JupyterLab (or, with ``app="notebook"``, a Jupyter Notebook 7) server in a
    temporary root; ``open(nb)`` gives a ready page."""

    def __init__(self, base: Path, app: str = "jupyterlab") -> None:
        self.app = app
        self.base = base
        self.root = base / "root"
        self.root.mkdir()
        self.env = jupyter_env(base / "jupyter")
        self.settings = Path(self.env["JUPYTERLAB_SETTINGS_DIR"])
        for name, value in SETTINGS.items():
            self.write_setting(name, value)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", app, "--no-browser", f"--port={self.port}",
                "--ip=127.0.0.1", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                "--expose-app-in-browser"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.append("--allow-root")
        self.log = open(base / f"{app}.log", "w")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(argv, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.root)
        wait_http(f"{self.url}/api/status?token={self.token}", self.proc)

    def write_setting(self, name: str, value: dict) -> None:
        path = self.settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))

    def remove_setting(self, name: str) -> None:
        (self.settings / name).unlink(missing_ok=True)

    def copy(self, notebook: nbformat.NotebookNode, folder: str,
             name: str = "notebook.ipynb") -> Path:
        """Write ``notebook`` to ``root/folder/name`` (its own folder: its own databases)."""
        target = self.root / folder / name
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
        return target

    def open(self, browser: object, path: Path, timeout_ms: int = 90_000):
        """A new page on ``path`` in its own workspace, kernel idle; returns the page."""
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        rel = path.relative_to(self.root).as_posix()
        if self.app == "notebook":
            page.goto(f"{self.url}/notebooks/{rel}?token={self.token}")
        else:
            page.goto(f"{self.url}/lab/workspaces/{uuid.uuid4().hex}/tree/{rel}"
                      f"?token={self.token}")
            page.locator("#jp-main-statusbar span[title^='Change kernel']").filter(
                has_text="Idle").wait_for(timeout=timeout_ms)
        # A sync predicate (an async one's promise would count as true at once), then the
        # session's readiness and the kernel's info, awaited.
        page.wait_for_function(
            """() => {
                const app = window.jupyterapp;
                const nb = app?.shell?.currentWidget;
                return !!(app?.commands?.hasCommand('notebook:run-all-cells')
                          && nb?.sessionContext?.session?.kernel);
            }""", timeout=timeout_ms)
        page.evaluate("""async () => {
            const nb = window.jupyterapp.shell.currentWidget;
            await nb.sessionContext.ready;
            await nb.sessionContext.session.kernel.info;
        }""")
        return page

    @staticmethod
    def run_all(page) -> None:
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def shutdown_kernels(self) -> None:
        for kind in ("sessions",):
            req = urllib.request.Request(f"{self.url}/api/{kind}?token={self.token}")
            with urllib.request.urlopen(req, timeout=10) as resp:
                sessions = json.load(resp)
            for s in sessions:
                urllib.request.urlopen(urllib.request.Request(
                    f"{self.url}/api/sessions/{s['id']}?token={self.token}", method="DELETE"),
                    timeout=10).close()

    def close(self) -> None:
        stop(self.proc)
        self.log.close()


def notebook_until_reviewer(path: Path) -> nbformat.NotebookNode:
    """``path`` cut before its first cell tagged ``reviewer``: a human clicks instead."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if "reviewer" in cell.get("metadata", {}).get("tags", []):
            break
        cells.append(cell)
    nb.cells = cells
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    return nb


def code_notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)",
                                 "language": "python", "name": "python3"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb



# -- driving a card the way a reviewer does ------------------------------------------------
def reject_with_comment(card, text: str) -> None:
    """Click Reject (it opens the comment box), type ``text``, click "Send rejection"."""
    card.get_by_role("button", name="Reject", exact=True).click()
    comment = card.get_by_role("textbox", name="Comment")
    comment.wait_for(state="visible")
    comment.fill(text)
    card.get_by_role("button", name="Send rejection").click()


def open_json_editor(card):
    """Click Edit, switch the box to its JSON view, and return the editor once it holds
    the proposed arguments."""
    from playwright.sync_api import expect

    card.get_by_role("button", name="Edit", exact=True).click()
    card.get_by_role("button", name="Submit edit").wait_for(state="visible")
    card.locator("button[data-value='JSON']").click()
    editor = card.locator("textarea.hitl-json-editor")
    editor.wait_for()
    expect(editor).to_have_value(re.compile(r"^\s*\{"), timeout=10_000)
    return editor


def expect(*args, **kwargs):
    """Playwright's ``expect`` (imported late: without Playwright the tests skip)."""
    from playwright.sync_api import expect as _expect

    return _expect(*args, **kwargs)


#: The live diff of an edit.
LIVE_DIFF = ".hitl-live-diff"
#: A card once its front end runs (before that the loader shows the static HTML).
LIVE_CARD = ".hitl-card.hitl-live"


def decision_rows(db: Path, columns: str = "thread_id, decision, comment, status") -> list:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT {columns} FROM hitl_decisions ORDER BY id").fetchall()


def wait_rows(db: Path, n: int, timeout: float = 30.0) -> list:
    """The log's rows once it has ``n`` and none is still ``applying`` (polled with a
    deadline: a click is async, and the card shows the decision before the resume ends)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            rows = decision_rows(db)
        except Exception:   # the table is created with the first session
            rows = []
        settled = not any(row[-1] == "applying" for row in rows)
        if (len(rows) >= n and settled) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)
