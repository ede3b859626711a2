"""`docs/make_screenshots.py`, the script behind the README's card pictures, still runs:
it renders the card's own front end in both JupyterLab themes into a folder of ours."""

from __future__ import annotations

import importlib.util

from _lab import REPO


def test_the_card_pictures_script_writes_both_themes(chromium, tmp_path):
    spec = importlib.util.spec_from_file_location("make_screenshots",
                                                  REPO / "docs" / "make_screenshots.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    shots = script.main(tmp_path)
    assert [s.name for s in shots] == ["card-light.png", "card-dark.png"]
    light, dark = (s.read_bytes() for s in shots)
    assert light.startswith(b"\x89PNG") and len(light) > 20_000
    assert dark.startswith(b"\x89PNG") and len(dark) > 20_000
    assert light != dark
