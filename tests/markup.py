"""Markup safety checks shared by the render, card, form and property tests."""

from __future__ import annotations

from html.parser import HTMLParser

_OWN_TAGS = frozenset({"div", "span", "b", "i", "code", "pre", "table", "tr", "th", "td",
                       "details", "summary", "ul", "ol", "li", "br"})
_OWN_ATTRS = frozenset({"class", "style", "start"})
_BAD_IN_ATTRS = ("javascript", "expression(", "url(", "<", ">", "alert", "onerror", "@import")


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.comments.append(decl)

    def unknown_decl(self, data):
        self.comments.append(data)


def assert_safe_html(markup: str) -> None:
    """Only hitl_nb's own tags and attributes; no agent text inside any attribute."""
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    assert not parser.comments, f"markup comment or declaration leaked: {parser.comments[:3]}"
    for tag, attrs in parser.tags:
        assert tag in _OWN_TAGS, f"unexpected tag <{tag}> in {markup[:300]}"
        for name, value in attrs:
            assert name in _OWN_ATTRS, f"unexpected attribute {name}= on <{tag}>"
            lowered = (value or "").lower()
            for bad in _BAD_IN_ATTRS:
                assert bad not in lowered, f"{bad!r} inside {name}= on <{tag}>"
    lowered = markup.lower()
    for raw in ("<script", "<svg", "<img", "<iframe", "<style", "<a ", "<object", "<math",
                "<input", "<body", "<!--", "<details open"):
        assert raw not in lowered, f"{raw!r} survived as markup"


def unpack(markup: str) -> str:
    """The HTML an anywidget's ``markup`` trait carries, inflated as its loader does."""
    import base64
    import zlib

    if markup.startswith("z:"):
        return zlib.decompress(base64.b64decode(markup[2:])).decode("utf-8")
    return markup


def widget_html(widget) -> list[str]:
    """Every HTML string a widget tree shows (ipywidgets HTML values and descriptions)."""
    import ipywidgets as w

    found, stack = [], [widget]
    while stack:
        item = stack.pop()
        if isinstance(item, (w.HTML, w.HTMLMath)):
            found.append(item.value)
        for name in ("html", "status", "decided", "diff", "note"):   # hitl_nb's anywidgets
            if isinstance(getattr(item, name, None), str):
                found.append(getattr(item, name))
        if isinstance(item, w.Box):
            stack.extend(item.children)
    return found
