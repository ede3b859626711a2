"""Confidence, uncertainty and risk as escaped HTML (a meter, a list, a tier with reasons).

Example::

    confidence_html(0.62)   # a meter at 62 %, amber ("medium")
    confidence_html(None)   # "not given" (a missing confidence is never shown as 0)
"""

from __future__ import annotations

from typing import Any

from ..model import Risk
from .html import BAD, GOOD, MUTED, WARN, clip, escape, fit, short


def confidence_html(confidence: float | None) -> str:
    """A meter with the percentage and a colour band; ``None`` reads "not given"."""
    if confidence is None or not 0 <= confidence <= 1:
        return ("<div class='hitl-confidence'><b>Confidence:</b> "
                f"<span style='{MUTED}'>not given</span></div>")
    pct = round(confidence * 100)
    colour, band = (BAD, "low") if pct < 50 else (WARN, "medium") if pct < 80 else (GOOD, "high")
    bar = (f"<span style='display:inline-block;width:8em;height:0.7em;vertical-align:middle;"
           f"background:var(--jp-layout-color3,#bdbdbd);border-radius:3px;overflow:hidden'>"
           f"<span style='display:block;height:100%;width:{pct}%;background:{colour}'></span>"
           "</span>")
    return (f"<div class='hitl-confidence hitl-confidence-{band}'><b>Confidence:</b> {bar} "
            f"<b style='color:{colour}'>{pct}%</b> <span style='{MUTED}'>({band})</span></div>")


def uncertainty_html(notes: list[str]) -> str:
    """The agent's own doubts, as a list."""
    if not notes:
        return ""
    kept = fit((f"<li>{escape(clip(str(n), 1_000))}</li>" for n in notes[:20]), 8_000)
    items = "".join(kept)
    more = (f"<li style='{MUTED}'>… {len(notes) - len(kept)} more (see "
            "card.request.uncertainty)</li>" if len(notes) > len(kept) else "")
    return (f"<div class='hitl-uncertainty'><b>The agent is unsure about:</b>"
            f"<ul style='margin:2px 0;padding-left:2em'>{items}{more}</ul></div>")


_TIERS = {"always": (BAD, "a human must review"), "uncertain": (WARN, "review when unsure"),
          "never": (GOOD, "no review needed")}


def risk_html(risk: Risk | None) -> str:
    """The policy's tier, score and reasons (nothing when no policy assessed it)."""
    if risk is None:
        return ""
    colour, meaning = _TIERS.get(risk.tier, (WARN, ""))
    reasons = "".join(fit((f"<li>{escape(clip(r, 1_000))}</li>" for r in risk.reasons[:20]),
                          6_000))
    return (f"<div class='hitl-risk'><b>Risk:</b> <b style='color:{colour}'>"
            f"{escape(short(risk.tier, 40))}</b> <span style='{MUTED}'>{escape(meaning)}</span>"
            f" · score <b>{_score(risk.score)}</b>"
            + (f"<ul style='margin:2px 0;padding-left:2em'>{reasons}</ul>" if reasons else "")
            + "</div>")


def _score(score: Any) -> str:
    try:
        return f"{float(score):.2f}"
    except (TypeError, ValueError, OverflowError):
        return escape(short(score, 20))


