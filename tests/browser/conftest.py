"""Fixtures of the real-browser tests (JupyterLab, Notebook 7, Voila and marimo in Debian's
Chromium). One server per front end (JupyterLab: per run; the others: per module).

Without Chromium or Playwright these tests skip with the reason; with ``CI=true`` they
fail instead, so CI cannot pass without having run them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _lab import CHROMIUM, LAUNCH_ARGS, Lab, missing


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, once Playwright and the browser are both there."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("Playwright is not installed (pip install 'hitl_nb[test]')")
    if not CHROMIUM.exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium libatomic1)")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def browser(chromium) -> Iterator[object]:
    """Headless Chromium under Playwright, per module: Playwright's sync API keeps an
    event loop running in this thread, which would break later ``asyncio.run`` tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def lab(chromium, tmp_path_factory) -> Iterator[Lab]:
    """One JupyterLab server for the browser tests of this run."""
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Dialogs (alert/confirm/prompt) seen by pages of the test; each one is a failure."""
    return []


@pytest.fixture
def open_page(lab, browser, page_errors):
    """``open_page(path)``: a ready page; dialogs are recorded, kernels stopped after."""
    pages = []

    def _open(path: Path):
        page = lab.open(browser, path)
        page.on("dialog", lambda d: (page_errors.append(f"{d.type}: {d.message}"),
                                     d.dismiss()))
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.close()
    lab.shutdown_kernels()


@pytest.fixture(scope="module")
def notebook7(chromium, tmp_path_factory) -> Iterator[Lab]:
    """One Jupyter Notebook 7 server for a module."""
    server = Lab(tmp_path_factory.mktemp("nb7"), app="notebook")
    yield server
    server.close()
