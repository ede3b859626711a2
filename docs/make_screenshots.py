"""Render a sample live card in JupyterLab's light and dark themes and screenshot it.

Needs Playwright and Debian's Chromium (never ``playwright install``)::

    python docs/make_screenshots.py      # writes docs/card-light.png and docs/card-dark.png

The page runs the card's own front end (``hitl_nb/widgets/_card.js`` and ``_card.css``)
on the state of a real `ReviewCard`, with the Edit box open and a change typed (the live
diff shows it), through a stand-in for the widget model; it inlines JupyterLab's theme
CSS (its ``--jp-*`` variables) from the installed ``jupyterlab`` package. Nothing is
fetched from the network. The pictures of a card inside JupyterLab itself
(``docs/lab-card-*.png``) come from ``tests/browser`` with
``HITL_NB_UPDATE_SCREENSHOTS=1``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from playwright.sync_api import sync_playwright

from hitl_nb.model import ReviewRequest, Risk
from hitl_nb.ui.widgets import ReviewCard, _front

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
HERE = Path(__file__).parent


def sample() -> ReviewRequest:
    before = ("alerts:\n  threshold: 10\n  window: 5m\n  notify: ops@example.com\n"
              "retention_days: 30\n")
    return ReviewRequest(
        action="write_file",
        args={"path": "config.yaml", "content": before.replace("10", "50"),
              "options": {"backup": True, "mode": "0644"}},
        description="Write a file on disk.",
        task="The CPU alert fires every few minutes; make it less noisy and tell the team.",
        steps=[{"role": "human", "content": "make the CPU alert less noisy"},
               {"role": "ai", "tool_calls": [{"name": "read_file",
                                              "args": {"path": "config.yaml"}}]},
               {"role": "tool", "name": "read_file", "content": before}],
        before=before, after=before.replace("10", "50"), confidence=0.72,
        uncertainty=["50 may hide real incidents"],
        risk=Risk("always", 0.8, ("changes a production config file",)),
        thread_id="rich-1", node="review_config",
        requested_at=datetime(2026, 11, 25, 15, 43, tzinfo=timezone.utc))


def theme_css(name: str) -> str:
    import jupyterlab

    root = Path(jupyterlab.__file__).parents[4] / "share/jupyter/lab/themes/@jupyterlab"
    return (root / f"theme-{name}-extension/index.css").read_text()


def card_state() -> dict:
    """The synced state of a card for `sample`, Edit open with one change typed."""
    card = ReviewCard(sample(), lambda request, decision: decision)
    card.click("Edit")
    content = next(f for f in card.form["fields"] if f["name"] == "content")
    card.fill({"content": content["raw"].replace("notify: ops@", "notify: oncall@")})
    card.comment = "keep the team posted"
    return card.get_state()


#: Runs the front end on a stand-in model holding STATE (what a kernel would sync).
BOOT = """
const state = STATE;
const model = {
  get: (k) => state[k], set: (k, v) => { state[k] = v; }, on() {}, off() {},
  send() {}, save_changes() {},
};
async function inflate(text) {
  if (!text || !text.startsWith("z:")) return text || "";
  const bytes = Uint8Array.from(atob(text.slice(2)), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return await new Response(stream).text();
}
render({ model, el: document.getElementById("card"), css: CSS, version: "shot",
         unpack: inflate });
"""


def page(name: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{theme_css(name)}\n"
            "body{background:var(--jp-layout-color0);color:var(--jp-content-font-color1);"
            "margin:0;padding:16px;"
            "font-family:var(--jp-ui-font-family);font-size:var(--jp-ui-font-size1)}"
            "</style></head><body><div id='card' style='max-width:820px'></div></body></html>")


def main(folder: Path = HERE) -> list[Path]:
    """Write ``card-light.png`` and ``card-dark.png`` into ``folder``; their paths."""
    module = _front.CODE + BOOT.replace("STATE", json.dumps(card_state())).replace(
        "CSS", json.dumps(_front.CSS))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name in ("light", "dark"):
            tab = browser.new_page(viewport={"width": 900, "height": 400},
                                   device_scale_factor=1)
            tab.set_content(page(name))
            tab.add_script_tag(content=module, type="module")
            tab.locator(".hitl-card .hitl-live-diff .hitl-diff").wait_for()
            tab.locator("details.hitl-steps > summary").click()   # show the steps too
            tab.locator(".hitl-card").screenshot(path=str(folder / f"card-{name}.png"))
            tab.close()
        browser.close()
    shots = [folder / f"card-{n}.png" for n in ("light", "dark")]
    print("wrote", *map(str, shots), file=sys.stderr)
    return shots


if __name__ == "__main__":
    main()
