"""Draw the Teams app icons: `python -m infra.icons` (needs Pillow, a dev dependency).

- color.png, 192x192: a white shield with a check mark on Woongroen green, fully opaque.
- outline.png, 32x32: the same shield, white on a transparent background (Teams' rule for the
  outline icon: only white, shaped by transparency).
The PNGs are committed; run this again only to change them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

PACKAGE = Path(__file__).resolve().parent / "appPackage"
GREEN = (46, 125, 79)  # #2E7D4F, the manifest's accentColor
WHITE = (255, 255, 255)
SCALE = 8  # draw large, then shrink: smooth edges without non-white outline pixels


def _shield_mask(size: int, margin: float, stroke: float, filled: bool) -> Image.Image:
    """A shield with a check mark, as an 8-bit mask (255 = shape) of `size` pixels."""
    big = size * SCALE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    m = margin * big
    left, right, top, bottom = m, big - m, m, big - m
    middle = big / 2
    shield = [
        (middle, top),
        (right, top + (bottom - top) * 0.16),
        (right, top + (bottom - top) * 0.5),
        (middle, bottom),
        (left, top + (bottom - top) * 0.5),
        (left, top + (bottom - top) * 0.16),
    ]
    width = max(1, round(stroke * big))
    if filled:
        draw.polygon(shield, fill=255)
    else:
        draw.line([*shield, shield[0], shield[1]], fill=255, width=width, joint="curve")
    check = [
        (left + (right - left) * 0.28, top + (bottom - top) * 0.5),
        (left + (right - left) * 0.45, top + (bottom - top) * 0.66),
        (left + (right - left) * 0.74, top + (bottom - top) * 0.34),
    ]
    draw.line(check, fill=0 if filled else 255, width=width, joint="curve")
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def color_icon() -> Image.Image:
    """192x192, opaque: white shield with a green check mark on green."""
    image = Image.new("RGB", (192, 192), GREEN)
    image.paste(WHITE, (0, 0), _shield_mask(192, margin=0.2, stroke=0.06, filled=True))
    return image


def outline_icon() -> Image.Image:
    """32x32, white on transparent."""
    alpha = _shield_mask(32, margin=0.06, stroke=0.09, filled=False)
    image = Image.new("RGBA", (32, 32), (*WHITE, 0))
    image.putalpha(alpha)
    return image


def main() -> None:
    color_icon().save(PACKAGE / "color.png", optimize=True)
    outline_icon().save(PACKAGE / "outline.png", optimize=True)
    print(f"wrote {PACKAGE / 'color.png'} and {PACKAGE / 'outline.png'}")


if __name__ == "__main__":
    main()
