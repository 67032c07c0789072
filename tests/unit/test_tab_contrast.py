"""The tab's colours, read from its stylesheet, meet WCAG 2.1 contrast: 4.5:1 for text, 3:1 for
the boundaries of controls and the focus ring (success criteria 1.4.3 and 1.4.11)."""

from __future__ import annotations

import re
from pathlib import Path

CSS = (Path(__file__).parents[2] / "bot" / "tab" / "static" / "tab.css").read_text("utf-8")


def _variables() -> dict[str, str]:
    return dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _backgrounds() -> set[str]:
    """Every background the stylesheet paints (the page's own and each panel's)."""
    found = set(re.findall(r"background:\s*(#[0-9a-fA-F]{6})", CSS))
    return found | {_variables()["bg"]}


def test_every_text_colour_is_readable_on_every_light_background() -> None:
    colours = _variables()
    for name in ("ink", "muted", "accent", "good", "attention", "pending"):
        for background in _backgrounds():
            ratio = contrast(colours[name], background)
            assert ratio >= 4.5, (name, colours[name], background, round(ratio, 2))


def test_white_text_on_the_accent_and_the_control_boundaries() -> None:
    colours = _variables()
    assert re.search(r"background:\s*var\(--accent\);\s*color:\s*#fff", CSS)
    assert contrast("#ffffff", colours["accent"]) >= 4.5
    # the fields' own borders (the decorative lines between items are not controls)
    field_borders = re.findall(r"border:\s*1px solid (#[0-9a-fA-F]{6})", CSS)
    assert field_borders
    for border in field_borders:
        assert contrast(border, "#ffffff") >= 3.0, border
    [focus] = re.findall(r"outline:\s*3px solid (#[0-9a-fA-F]{6})", CSS)
    assert contrast(focus, "#ffffff") >= 3.0


def test_the_check_itself_tells_poor_contrast() -> None:
    assert contrast("#767676", "#ffffff") > 4.5 > contrast("#8a8a8a", "#ffffff")
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
