"""Binder's recipe works: a fresh venv from binder/requirements.txt runs notebook 01; and
every Binder or GitHub link a user can click is built from ``[project.urls]``.

repo2docker installs only what ``binder/`` lists (the root pyproject is not installed on
its own), so this builds the same thing from scratch: a new venv, ``pip install -r
binder/requirements.txt`` from the repository root, then the quickstart executed by that
venv's own Jupyter, with nothing from the developer's environment on the path.
Creating a venv and installing takes a minute or two, so it runs in CI (``CI=true``) or
when ``HITL_NB_BINDER_CHECK=1``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
BINDER = REPO / "binder"


def _repository() -> str | None:
    tomllib = pytest.importorskip("tomllib")       # Python 3.11+
    with open(REPO / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"].get("urls", {}).get("Repository")


def _binder_url(repository: str, notebook: str) -> str:
    owner, name = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?",
                               repository).groups()
    return f"https://mybinder.org/v2/gh/{owner}/{name}/HEAD?labpath={quote(notebook, safe='')}"


def _clickable_links() -> list[tuple[str, str]]:
    """(where, url) of every link target in the README, the docs and the notebooks'
    markdown cells: Markdown ``[text](url)``, ``<url>`` and HTML ``href``/``src``."""
    texts = [(p.relative_to(REPO).as_posix(), p.read_text(encoding="utf-8"))
             for p in [REPO / "README.md", REPO / "mkdocs.yml",
                       *sorted((REPO / "docs").rglob("*.md"))]]
    for nb_path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        texts += [(f"notebooks/{nb_path.name}", c.source) for c in nb.cells
                  if c.cell_type == "markdown"]
    pattern = re.compile(r"\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>"
                         r"|(?:href|src)=[\"'](https?://[^\"']+)")
    return [(where, next(g for g in m.groups() if g))
            for where, text in texts for m in pattern.finditer(text)]


def test_no_clickable_link_holds_a_placeholder_or_another_repository():
    repository = _repository()
    for where, url in _clickable_links():
        assert "OWNER" not in url and "<owner>" not in url.lower(), (where, url)
        if url.startswith(("https://mybinder.org/v2/", "https://github.com/")):
            assert repository, (
                f"{where} links to {url}, but pyproject.toml has no Repository under "
                "[project.urls]: set it there and build the link from it")
            if url.startswith("https://github.com/"):
                assert url.startswith(repository.rstrip("/")), (where, url, repository)
            else:
                notebook = re.search(r"labpath=([^&]+)", url)
                assert notebook, (where, url)
                assert url == _binder_url(repository, notebook.group(1).replace("%2F", "/")), (
                    where, url)


def test_readme_carries_the_binder_badge_once_the_repository_is_known():
    repository = _repository()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    if repository is None:
        assert "mybinder.org/v2" not in readme
    else:
        badge = _binder_url(repository, "notebooks/01_quickstart.ipynb")
        assert f"(https://mybinder.org/badge_logo.svg)]({badge})" in readme, (
            f"add the badge: [![Binder](https://mybinder.org/badge_logo.svg)]({badge})")


@pytest.mark.slow
def test_binder_pins_a_python_and_installs_the_package():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.(1[0-9])", runtime), runtime
    lines = [ln.strip() for ln in (BINDER / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert any(re.fullmatch(r"(-e )?\.(\[[a-z,]+\])?", ln) for ln in lines), (
        "binder/requirements.txt must install the repository itself ('-e .[lab]')")
    extras = set(re.search(r"\[([a-z,]+)\]", " ".join(lines)).group(1).split(","))
    assert "lab" in extras


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("CI", "").lower() != "true"
                    and os.environ.get("HITL_NB_BINDER_CHECK") != "1",
                    reason="builds a fresh venv (1-2 min): runs in CI or with "
                           "HITL_NB_BINDER_CHECK=1")
def test_fresh_venv_from_binder_requirements_runs_the_quickstart(tmp_path):
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "PIP_REQUIRE"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "-r",
                    str(BINDER / "requirements.txt")], check=True, cwd=REPO, env=env,
                   timeout=1200)
    work = tmp_path / "run"
    work.mkdir()
    shutil.copy(REPO / "notebooks" / "01_quickstart.ipynb", work)
    subprocess.run([str(py), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--inplace", "--ExecutePreprocessor.timeout=300",
                    "01_quickstart.ipynb"], check=True, cwd=work, env=env, timeout=600)
    nb = nbformat.read(work / "01_quickstart.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert (work / "quickstart.db").exists()
    located = subprocess.run([str(py), "-c", "import hitl_nb; print(hitl_nb.__file__)"],
                             check=True, cwd=tmp_path, env=env, capture_output=True,
                             text=True).stdout
    assert Path(located.strip()).is_relative_to(REPO)   # the editable install of this repo
