"""MkDocs hooks of the documentation site (mkdocs.yml: ``hooks:``).

- The tutorial notebooks stay in ``notebooks/`` (where JupyterLab, nbval and Binder find
  them); this adds them to the site as ``notebooks/NN_name.ipynb`` pages, rendered by
  mkdocs-jupyter with their saved outputs.
- The repository's address lives in one place, ``[project.urls]`` of ``pyproject.toml``:
  ``Repository`` becomes the site's ``repo_url``, and the marker ``<!-- binder-badge -->``
  in a page becomes the Binder badge built from it (or, with no address, a note saying
  how the badge's URL is built; never a placeholder link).
- The home page is the README (``<!-- README -->`` in ``docs/index.md``), so the landing
  page and the site's home never disagree.
- The API reference covers every name of ``hitl_nb.__all__``: a name no ``::: hitl_nb.X``
  block documents fails the build, and so does any object a ``:::`` block renders (the
  names of ``__all__``, ``hitl_nb.slack``'s, ``df.hitl``) without a docstring, or a public
  method or property of such a class without one (warnings, which ``--strict`` turns into
  errors). Members a class inherits from hitl_nb's own classes count; those of
  ipywidgets, traitlets, anywidget and ``object`` do not. (ruff's pydocstyle rules, ``D``,
  are not enabled: they want a one-line summary, imperative mood and a blank line before
  the closing quotes, which the house's prose docstrings do not follow, and their
  "undocumented" rules cover internal modules too; this check covers what users read.)
"""

from __future__ import annotations

import ast
import atexit
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
log = logging.getLogger("mkdocs.hooks.hitl_nb")


def project_urls() -> dict[str, str]:
    """``[project.urls]`` of pyproject.toml (empty while the repository has no address)."""
    try:
        import tomllib
    except ModuleNotFoundError:                 # Python 3.10: the table's plain lines
        text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        table = re.search(r"^\[project\.urls\]\n(.*?)(?=^\[)", text, re.M | re.S)
        return dict(re.findall(r'^([\w-]+)\s*=\s*"([^"]*)"', table.group(1), re.M)
                    ) if table else {}
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"].get("urls", {})


def binder_url(repository: str, notebook: str = "notebooks/01_quickstart.ipynb") -> str:
    """mybinder.org's URL opening ``notebook`` in JupyterLab, for a GitHub repository URL."""
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repository)
    if not m:
        raise ValueError(f"not a GitHub repository URL: {repository!r}")
    owner, name = m.groups()
    return (f"https://mybinder.org/v2/gh/{owner}/{name}/HEAD"
            f"?labpath={quote(notebook, safe='')}")


def public_names() -> list[str]:
    """``hitl_nb.__all__``, read from the source (no import needed)."""
    tree = ast.parse((ROOT / "hitl_nb" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise PluginError("hitl_nb/__init__.py has no literal __all__")


def on_config(config, **_):
    repository = project_urls().get("Repository")
    if repository and not config.get("repo_url"):
        config["repo_url"] = repository
    return config


def static_copy(path: Path, folder: Path) -> Path:
    """A copy of the notebook without widget state, so each card renders as the static
    ``text/html`` it was saved with (no widget manager fetched from a CDN in the reader's
    browser, and a page a fifth of the size)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
    target = folder / "notebooks" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return target


@event_priority(100)          # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files, config, **_):
    folder = Path(tempfile.mkdtemp(prefix="hitl-nb-docs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        static_copy(path, folder)
        files.append(File(f"notebooks/{path.name}", src_dir=str(folder),
                          dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files


def _real_path(identifier: str) -> str | None:
    """Where a name defined at run time lives, for mkdocstrings' static analysis.

    ``hitl_nb.slack`` loads its names lazily (a module ``__getattr__``) and ``df.hitl`` is
    registered on pandas: the pages name them as users do, and this finds their module
    when the site is built, so the pages never spell a private module path.
    """
    if identifier == "pandas.DataFrame.hitl":
        import pandas

        import hitl_nb  # noqa: F401  (registers the accessor)
        cls = pandas.DataFrame.hitl
        return f"{cls.__module__}.{cls.__qualname__}"
    m = re.fullmatch(r"hitl_nb\.slack\.(\w+)", identifier)
    if m:
        from hitl_nb.ui import slack
        obj = getattr(slack, m.group(1))
        return f"{obj.__module__}.{obj.__qualname__}"
    return None


def _rewrite_identifiers(markdown: str) -> str:
    def sub(m: re.Match) -> str:
        shown = m.group(1)
        real = _real_path(shown)
        if real is None or real == shown:
            return m.group(0)
        heading = "df.hitl" if shown == "pandas.DataFrame.hitl" else shown
        return (f"::: {real}\n    options:\n      heading: \"{heading}\"\n"
                f"      toc_label: \"{heading}\"")
    return re.sub(r"^::: (\S+)[ \t]*$", sub, markdown, flags=re.M)


def readme_for_site() -> str:
    """The README with its links made relative to ``docs/`` (the site's home page)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.replace("](docs/", "](")


def on_page_markdown(markdown, page, **_):
    markdown = _rewrite_identifiers(markdown)
    if "<!-- README -->" in markdown:
        markdown = markdown.replace("<!-- README -->", readme_for_site())
    if "<!-- binder-badge -->" not in markdown:
        return markdown
    repository = project_urls().get("Repository")
    if repository:
        badge = (f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(repository)})"
                 " opens the quickstart in JupyterLab on mybinder.org.")
    else:
        badge = ('!!! note "No Binder badge yet"\n'
                 "    The repository has no public address yet (`Repository` in\n"
                 "    `[project.urls]` of `pyproject.toml`), so there is no badge to click.\n"
                 "    Once it is set, this page shows the badge, built as\n"
                 "    `https://mybinder.org/v2/gh/<owner>/<name>/HEAD?labpath=notebooks%2F01_quickstart.ipynb`.")
    return markdown.replace("<!-- binder-badge -->", badge)


#: Members whose docstring lives in a module another change is rewriting (hitl_nb/store/):
#: listed in the build's output, not failing it, until they have one; then the build fails
#: until they leave this list.
PENDING_DOCSTRINGS: set[str] = set()


def on_post_build(config, **_):
    pages = [md.read_text() for md in (Path(config["docs_dir"]) / "api").glob("*.md")]
    documented = {n for text in pages
                  for n in re.findall(r"^::: hitl_nb\.(\w+)\s*$", text, re.M)}
    missing = [n for n in public_names() if n not in documented and n != "__version__"]
    if missing:
        raise PluginError("the API reference (docs/api/*.md) lacks a '::: hitl_nb.NAME' "
                          f"block for {', '.join(missing)}")
    rendered = {f"hitl_nb.{n}" for n in public_names() if n != "__version__"}
    rendered |= {i for text in pages for i in re.findall(r"^::: (\S+)[ \t]*$", text, re.M)}
    for identifier in sorted(rendered):
        obj = _resolve(identifier)
        if not (obj.__doc__ or "").strip():
            log.warning("%s has no docstring (the API reference shows its signature only)",
                        identifier)
        for member, value in _public_members(obj):
            name = f"{identifier}.{member}"
            bare = not (getattr(value, "__doc__", None) or "").strip()
            if bare and name in PENDING_DOCSTRINGS:
                log.info("API reference: %s has no docstring yet (PENDING_DOCSTRINGS)", name)
            elif bare:
                log.warning("%s has no docstring: say in one line what it is or does", name)
            elif name in PENDING_DOCSTRINGS:
                log.warning("%s has a docstring now: remove it from PENDING_DOCSTRINGS in "
                            "docs/hooks.py", name)


def _resolve(identifier: str) -> object:
    """The object a ``::: identifier`` block renders (a module, class or function)."""
    import importlib

    parts = identifier.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise PluginError(f"the API reference renders {identifier}, which cannot be imported")


def _public_members(obj) -> list[tuple[str, object]]:
    """The public methods and properties of a class, its own and those it inherits from
    hitl_nb's classes (not ipywidgets', traitlets', anywidget's or ``object``'s)."""
    if not isinstance(obj, type) or issubclass(obj, BaseException):
        return []
    members: dict[str, object] = {}
    for cls in obj.__mro__:
        if not cls.__module__.startswith("hitl_nb"):
            continue
        for name, value in vars(cls).items():
            if name.startswith("_") or name in members:
                continue
            if isinstance(value, property):
                members[name] = value.fget
            elif isinstance(value, (staticmethod, classmethod)):
                members[name] = value.__func__
            elif callable(value):
                members[name] = value
    return list(members.items())
