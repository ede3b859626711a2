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


class FrontEnd(anywidget.AnyWidget):
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

    def __init__(self, setup: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        """``setup()``, when given, sets the first state before the comm opens, so the
        front end gets it in the opening message instead of a second one."""
        self._html = ""
        self._hold_open = setup is not None
        super().__init__(**kwargs)
        self.on_msg(self._on_front_end)
        if setup is not None:
            try:
                setup()
            finally:
                self._hold_open = False
            self.open()

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

    def open(self) -> None:
        """Open the comm (not while ``setup`` of the constructor runs)."""
        if not self.__dict__.get("_hold_open"):
            super().open()

    def add_traits(self, **traits: Any) -> None:
        """Add only traits the class lacks (anywidget passes ``_anywidget_id`` always)."""
        new = {name: trait for name, trait in traits.items() if not self.has_trait(name)}
        if new:
            super().add_traits(**new)

    @property
    def html(self) -> str:
        """The static HTML shown (a card's body), escaped in Python by `hitl_nb.render`."""
        return self._html

    @html.setter
    def html(self, value: str) -> None:
        if value == self._html and self.markup:
            return  # unchanged: nothing to pack or send
        self._html = value
        self.markup = pack(value)

    def _on_front_end(self, _widget: Any, content: Any, _buffers: Any) -> None:
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
