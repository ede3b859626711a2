"""How long a card takes for a 1 KB, 1 MB and 10 MB payload, how big its HTML is, how many
widget objects one card is and how much widget state a saved notebook keeps for it.

Builds the static card (`render.card_html`) and the live widget (`ReviewCard`, one
anywidget, with the state a front end receives: its body renders when first needed) for
a request whose arguments, before/after and steps carry that much text,
and prints median times, the ratio to the 1 KB baseline, the HTML size, the widget
objects per card (target: at most 2, the card and its ``Layout``), the saved widget state
of the 1 KB card (every synced trait of those objects, what JupyterLab and nbconvert
write into a notebook; target: at most 8 KB) and the machine's core count::

    python benchmarks/bench_card.py            # 7 repeats per size
    python benchmarks/bench_card.py --quick    # 3 repeats, for CI smoke runs
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from ipywidgets.widgets.widget import _instances

from hitl_nb import render
from hitl_nb.model import Decision, ReviewRequest, Risk
from hitl_nb.ui.widgets.card import ReviewCard

SIZES = {"1 KB": 1_000, "1 MB": 1_000_000, "10 MB": 10_000_000}


def payload_request(size: int) -> ReviewRequest:
    """A request carrying about ``size`` characters in each big field."""
    line = "threshold: 10  # the alert fires above this many errors per minute\n"
    text = (line * (size // len(line) + 1))[:size]
    changed = text.replace("threshold: 10", "threshold: 50", 50)
    rows = [{"id": i, "name": f"user {i}"} for i in range(max(1, size // 40))]
    return ReviewRequest(
        action="write_file", args={"path": "config.yaml", "content": text, "rows": rows},
        description="Write a file.", task="Raise the alert threshold", steps=[text[:size // 4]],
        before=text, after=changed, confidence=0.7, uncertainty=["maybe too high"],
        risk=Risk("always", 0.8, ("production config",)), thread_id="bench")


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def widget_cost(request: ReviewRequest) -> tuple[int, int]:
    """(widget objects, bytes of saved widget state) of one shown card for ``request``."""
    before = set(_instances)
    ReviewCard(request, lambda q, d: d)._repr_mimebundle_()   # displayed: its comm opens
    made = [_instances[k] for k in set(_instances) - before]
    state = sum(len(json.dumps(w.get_state(), separators=(",", ":"))) for w in made)
    for w in made:
        w.close()
    return len(made), state


def measure(repeats: int) -> list[tuple[str, float, float, int]]:
    """(payload label, static seconds, widget seconds, HTML bytes) per size, 1 KB first."""
    out = []
    for label, size in SIZES.items():
        request = payload_request(size)
        decision = Decision("edit", args={**request.args, "path": "config.prod.yaml"})
        static = timed(lambda r=request, d=decision: render.card_html(r, d), repeats)
        # built and its state read, as on display (the body renders when first needed)
        widget = timed(lambda r=request: ReviewCard(r, lambda q, d: d).get_state(), repeats)
        html = render.card_html(request, decision).encode()
        out.append((label, static, widget, len(html)))
    return out


def run(quick: bool) -> list[dict]:
    """Rows for ``benchmarks/run_all.py``: each big payload against the 1 KB card."""
    from _common import result

    (_, static0, widget0, html0), *big = measure(3 if quick else 7)
    objects, state = widget_cost(payload_request(SIZES["1 KB"]))
    rows = [result("card widget objects (1 KB payload)", baseline="ipywidgets card "
                   "(before: 55)", baseline_value=55, value=objects, unit="objects",
                   max_value=2, note="the card (one anywidget) and its Layout"),
            result("  saved widget state of that card", baseline="ipywidgets card "
                   "(before: about 45 KB)", baseline_value=45_000, value=state, unit="B",
                   max_value=8_000, note="every synced trait of both objects, as saved "
                                         "in a notebook; the front-end code is not in it")]
    for label, static, widget, html in big:
        rows.append(result(f"card widget, {label} payload", baseline="card widget, 1 KB",
                           baseline_value=widget0, value=widget, max_ratio=10,
                           also=[(f"HTML {html:,} B <= 100 KB", html <= 100_000)]))
        rows.append(result(f"  static card HTML, {label}", baseline="static HTML, 1 KB",
                           baseline_value=static0, value=static,
                           note=f"HTML {html:,} bytes (1 KB payload: {html0:,})"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print(f"cores: {os.cpu_count()}  repeats: {repeats}  (median seconds)")
    print(f"{'payload':>8} {'static':>9} {'ratio':>7} {'widget':>9} {'ratio':>7} "
          f"{'HTML bytes':>11}")
    objects, state = widget_cost(payload_request(SIZES["1 KB"]))
    print(f"one card: {objects} widget objects, {state:,} bytes of saved widget state")
    base: tuple[float, float] | None = None
    for label, static, widget, html in measure(repeats):
        base = base or (static, widget)
        print(f"{label:>8} {static:9.4f} {static / base[0]:7.1f} {widget:9.4f} "
              f"{widget / base[1]:7.1f} {html:11,}")


if __name__ == "__main__":
    main()
