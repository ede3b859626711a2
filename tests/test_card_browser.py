"""The rich card in a real JupyterLab in headless Chromium: Enter in the comment box
rejects, the live diff follows typing, the card collapses, agent text stays text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
CELL = '''
from hitl_nb.model import ReviewRequest
from hitl_nb.widgets import ReviewCard
before = "alerts:\\n  threshold: 10\\nretention_days: 30\\n"
decisions = []
card = ReviewCard(ReviewRequest(
    "write_file", {"path": "config.yaml", "content": before.replace("10", "50")},
    task="<img src=x onerror=alert(1)> make the alert quieter", before=before,
    after=before.replace("10", "50"), confidence=0.7), lambda r, d: decisions.append(d) or d)
card
'''


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}")
    import nbformat

    base = tmp_path_factory.mktemp("lab")
    root, cfg = base / "root", base / "cfg"
    settings = cfg / "settings" / "@jupyterlab"
    for sub, text in (("apputils-extension/notification.jupyterlab-settings",
                       '{"fetchNews": "false", "checkForUpdates": false}'),
                      ("notebook-extension/tracker.jupyterlab-settings",
                       '{"autoStartDefaultKernel": true, "windowingMode": "none"}')):
        (settings / sub).parent.mkdir(parents=True, exist_ok=True)
        (settings / sub).write_text(text)
    root.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)],
                                            metadata={"kernelspec": {
                                                "name": "python3", "language": "python",
                                                "display_name": "Python 3"}}),
                   str(root / "card.ipynb"))
    token, port = uuid.uuid4().hex, 20000 + os.getpid() % 20000
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1]),
           "JUPYTERLAB_SETTINGS_DIR": str(cfg / "settings")}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        env[name] = str(cfg / name.lower())
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--allow-root", "--expose-app-in-browser"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser, f"http://127.0.0.1:{port}", token
            browser.close()
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(base, ignore_errors=True)


def open_card(lab):
    browser, url, token = lab
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    page.goto(f"{url}/lab/workspaces/{uuid.uuid4().hex}/tree/card.ipynb?token={token}")
    status = page.locator("#jp-main-statusbar span[title^='Change kernel']")
    status.wait_for(timeout=60_000)
    for _ in range(240):
        if "Idle" in status.inner_text():
            break
        time.sleep(0.25)
    for _ in range(3):   # a run sent while the kernel is still starting is dropped
        page.evaluate(RUN_ALL)
        try:
            page.wait_for_selector(".hitl-card .hitl-sentence", timeout=20_000)
            return page
        except sync_api.TimeoutError:
            continue
    raise AssertionError("the card cell never ran")


RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.sessionContext.ready;
  await panel.sessionContext.session.kernel.info;
  await app.commands.execute('notebook:run-all-cells');
}"""


def test_enter_in_the_comment_box_rejects_and_the_card_collapses(lab):
    page = open_card(lab)
    assert page.locator(".hitl-card img").count() == 0          # agent text stays text
    assert "<img src=x" in page.locator(".hitl-task").inner_text()
    page.get_by_role("button", name="Reject").click()
    box = page.locator(".hitl-comment input")
    box.fill("too high")
    box.press("Enter")
    page.wait_for_selector(".hitl-decision", timeout=20_000)
    assert 'rejected: "too high"' in page.locator(".hitl-decision").first.inner_text()
    page.locator(".hitl-body").wait_for(state="hidden", timeout=10_000)
    page.get_by_role("button", name="details").click()
    page.locator(".hitl-body").wait_for(state="visible", timeout=10_000)
    page.close()


def test_live_diff_follows_typing_in_the_edit_form(lab):
    page = open_card(lab)
    page.get_by_role("button", name="Edit").click()
    area = page.locator(".hitl-field-textarea textarea").first
    area.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("owner: ana", delay=10)
    page.wait_for_function(
        "document.querySelector('.hitl-live-diff').innerText.includes('owner: ana')",
        timeout=10_000)
    page.get_by_role("button", name="Submit edit").click()
    page.wait_for_selector(".hitl-decision", timeout=20_000)
    assert "edited" in page.locator(".hitl-decision").first.inner_text()
    page.close()
