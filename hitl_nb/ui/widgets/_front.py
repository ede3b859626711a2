"""`FrontEnd`: the anywidget base of every hitl_nb view, and how its code reaches the page.

The front end is ``_card.js`` and ``_card.css``, shipped next to this file (no build
step). A widget's ``_esm`` is not that module but a loader of a few hundred bytes: it
shows the widget's static ``html`` at once, asks the kernel for the module by a message
(once per page and version, whatever the number of cards), then hands over to it. Saved
notebooks therefore keep a card's state only (a few KB), not a copy of the code per card;
without a kernel, a saved card shows its static HTML.

Markup travels packed: above `PACK_AT` characters the ``markup`` trait holds
``"z:" + base64(zlib(html))`` (the browser inflates it with ``DecompressionStream``), so a
card's saved state stays a few KB even when its body is 20 KB of styled HTML.

Browser clicks arrive as one message, ``{"click": label, "state": {...}}``: the state
the front end holds (comment, form values) is applied first, then ``click(label)``
runs, the same method tests and users call.

A view's comm opens when it is first shown (`OpensOnDisplay`): displayed, or made the
child of a shown view. Until then nothing is serialised or sent, and a card's body is
rendered only when something reads it (``card.html``, the first state).
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t
from IPython import get_ipython

_HERE = Path(__file__).resolve().parent
CODE = (_HERE / "_card.js").read_text(encoding="utf-8")
CSS = (_HERE / "_card.css").read_text(encoding="utf-8")
VERSION = hashlib.sha256((CODE + CSS).encode()).hexdigest()[:12]
#: Markup longer than this is sent (and saved) compressed.
PACK_AT = 1_500


def pack(html: str) -> str:
    """``html`` as the ``markup`` trait carries it: as is, or ``"z:"`` + base64(zlib)."""
    if len(html) <= PACK_AT:
        return html
    return "z:" + base64.b64encode(zlib.compress(html.encode("utf-8"), 6)).decode("ascii")

LOADER = """const V = "@VERSION@";
async function unpack(text) {
  if (!text || !text.startsWith("z:")) return text || "";
  const bytes = Uint8Array.from(atob(text.slice(2)), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return await new Response(stream).text();
}
function load(model) {
  const g = (globalThis.__hitlNb ??= {});
  if (!g[V]) {
    g[V] = new Promise((resolve, reject) => {
      const on = async (msg) => {
        if (!msg || msg.hitl_code !== V) return;
        model.off("msg:custom", on);
        const url = URL.createObjectURL(new Blob([msg.code], { type: "text/javascript" }));
        try { resolve({ mod: await import(url), css: msg.css, unpack }); } catch (e) { reject(e); }
        finally { URL.revokeObjectURL(url); }
      };
      model.on("msg:custom", on);
      model.send({ want: "code", version: V });
      setTimeout(() => { model.off("msg:custom", on); reject(new Error("no kernel")); }, 15000);
    });
    g[V].catch(() => { delete g[V]; });
  }
  return g[V];
}
export default {
  async render({ model, el }) {
    el.innerHTML = `<div class="hitl-static">${await unpack(model.get("markup"))}</div>`;
    let got;
    try { got = await load(model); } catch (e) {
      el.insertAdjacentHTML("beforeend", "<i>(static view: run the notebook to review)</i>");
      return;
    }
    return got.mod.render({ model, el, css: got.css, version: V, unpack: got.unpack });
  },
};
""".replace("@VERSION@", VERSION)


class OpensOnDisplay:
    """Mixin for an ipywidgets widget: its comm (and its state, its `Layout`) opens when
    the widget is first displayed or referenced by a shown one (``model_id``), not when
    it is built. A view that is never shown (``review(..., display=False)``, a script)
    sends nothing; one that is shown sends its whole state in the opening message.
    Put it before the widget class: ``class View(OpensOnDisplay, ipywidgets.VBox)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)   # Widget.__init__ calls open(): not yet
        self._may_open = True

    def open(self) -> None:
        """Open the comm (after the constructor; never again once closed)."""
        if self.__dict__.get("_may_open") and self.comm is None:
            super().open()  # type: ignore[misc]

    @property
    def model_id(self) -> str:
        """The comm's id; asking for it (a shown parent does) opens the comm."""
        self.open()
        return self.comm.comm_id

    def close(self) -> None:
        """Close the comm (the front end's views go); the widget does not open again."""
        self._may_open = False
        if self.comm is None:   # never shown: no view either, as ipywidgets does on close
            self._repr_mimebundle_ = None
        super().close()  # type: ignore[misc]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        self.open()
        return super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]


class FrontEnd(OpensOnDisplay, anywidget.AnyWidget):
    """One anywidget drawn by ``_card.js``; ``kind`` says what it draws."""

    # Declared as traits of the class: anywidget would otherwise add them to each instance
    # (``add_traits`` makes a new class per widget, the costliest part of building one).
    _esm = t.Unicode(LOADER).tag(sync=True)
    _anywidget_id = t.Unicode("hitl_nb.widgets").tag(sync=True)
    kind = t.Unicode("card").tag(sync=True)
    #: The static HTML as sent (`pack`): what the loader shows before the code arrives
    #: (and without a kernel), the body of a card.
    markup = t.Unicode("").tag(sync=True)
    #: The last error a click raised (ipywidgets swallows them in handlers), or None.
    error: BaseException | None = None

    def __init__(self, **kwargs: Any) -> None:
        self._html = ""
        self._html_later: Callable[[], str] | None = None  # `show_later`, not yet rendered
        self._markup_stale = False   # ``markup`` lags ``html`` (no comm yet to send it)
        self._packed_from = ""       # the ``html`` that ``markup`` holds
        super().__init__(**kwargs)

    @t.default("keys")
    def _default_keys(self) -> list[str]:
        """The synced traits, listed once per class (ipywidgets scans every trait of
        every new widget for them)."""
        cls = type(self)
        keys = cls.__dict__.get("_hitl_sync_keys")
        if keys is None:
            keys = list(self.traits(sync=True))
            cls._hitl_sync_keys = keys
        return list(keys)

    def add_traits(self, **traits: Any) -> None:
        """Add only traits the class lacks (anywidget passes ``_anywidget_id`` always)."""
        new = {name: trait for name, trait in traits.items() if not self.has_trait(name)}
        if new:
            super().add_traits(**new)

    @property
    def html(self) -> str:
        """The static HTML shown (a card's body), escaped in Python by `hitl_nb.render`."""
        if self._html_later is not None:
            self._html, self._html_later = self._html_later(), None
        return self._html

    @html.setter
    def html(self, value: str) -> None:
        self._html, self._html_later = value, None
        self._mark_markup()

    def show_later(self, render: Callable[[], str]) -> None:
        """Show ``render()`` as ``html``, rendered when first needed: at once when the
        view is already shown, else when ``html`` or the state is first read."""
        self._html_later = render
        self._mark_markup()

    def _mark_markup(self) -> None:
        if self.comm is None:   # nobody to send it to yet: `get_state` brings it up to date
            self._markup_stale = True
        else:
            self._update_markup()

    def _update_markup(self) -> None:
        self._markup_stale = False
        html = self.html
        if html != self._packed_from or not self.markup:  # unchanged: nothing to send
            self._packed_from = html
            self.markup = pack(html)

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        """The synced state (``markup`` rendered and packed first if it lags and is asked
        for; ``hold_sync`` asks for the keys it held, often none)."""
        if self._markup_stale and (key is None or "markup" in ((key,) if isinstance(key, str)
                                                               else key)):
            self._update_markup()
        return super().get_state(key, drop_defaults)

    def _handle_custom_msg(self, content: Any, buffers: Any) -> None:
        """A message from the front end: ours, then any ``on_msg`` callbacks (handled
        here, not as one: that spares every widget a registry it rarely needs). An error
        is shown as ipywidgets shows a callback's (a click's is on the card already)."""
        try:
            self._on_front_end(content)
        except Exception as exc:
            shell = get_ipython()
            if shell is None:
                self.log.warning("Exception in front-end message %r: %s", content, exc,
                                 exc_info=True)
            else:
                shell.showtraceback()
        super()._handle_custom_msg(content, buffers)

    def _on_front_end(self, content: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("want") == "code":
            self.send({"hitl_code": VERSION, "code": CODE, "css": CSS})
        elif "click" in content:
            self.set_state(_known(self, content.get("state")))
            self.click(str(content["click"]))

    def _bundle(self, html: str, text: str, **kwargs: Any) -> Any:
        """The widget view plus static ``text/html`` and ``text/plain`` (a saved notebook
        shows them without a kernel): a dict, or ``(data, metadata)`` where anywidget
        needs metadata (Colab)."""
        data, metadata = super()._repr_mimebundle_(**kwargs) or ({}, {})
        data.update({"text/html": html, "text/plain": text})
        return (data, metadata) if metadata else data

    def click(self, label: str) -> Any:  # pragma: no cover - every view defines its own
        raise NotImplementedError


def _known(widget: FrontEnd, state: Any) -> dict[str, Any]:
    """The front end's state, limited to traits it may set."""
    if not isinstance(state, dict):
        return {}
    return {k: v for k, v in state.items() if k in widget.front_end_writes}
