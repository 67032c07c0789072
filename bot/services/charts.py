"""A small grouped bar chart as a PNG (Pillow), for the yearly overview card and workbook.

Kept small on purpose (a few colours, palette PNG) so it fits in an Adaptive Card as a data URI.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 640, 300
_COLOURS = ("#2E7D32", "#1565C0", "#F9A825", "#6A1B9A", "#C62828", "#00838F")
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 170, 36, 40


def bar_chart(
    title: str,
    groups: Sequence[str],
    series: Mapping[str, Sequence[int]],
) -> bytes:
    """Bars per group (e.g. quarters), one colour per series (e.g. request kinds), a legend on
    the right and the count above every non-zero bar."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12)
    heading = ImageFont.load_default(size=15)
    draw.text((_LEFT, 8), title, fill="black", font=heading)
    top = max((max(values, default=0) for values in series.values()), default=0) or 1
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    base_y = _TOP + plot_h
    draw.line((_LEFT, base_y, _LEFT + plot_w, base_y), fill="#555555")
    group_w = plot_w / max(len(groups), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    for g, group in enumerate(groups):
        x0 = _LEFT + g * group_w + group_w * 0.1
        for s, values in enumerate(series.values()):
            value = values[g] if g < len(values) else 0
            if not value:
                continue
            height = plot_h * value / top
            left = x0 + s * bar_w
            colour = _COLOURS[s % len(_COLOURS)]
            draw.rectangle((left, base_y - height, left + bar_w - 2, base_y), fill=colour)
            draw.text((left + 1, base_y - height - 14), str(value), fill="black", font=font)
        label_x = _LEFT + g * group_w + group_w / 2
        draw.text((label_x, base_y + 8), group, fill="black", font=font, anchor="mt")
    for s, name in enumerate(series):
        y = _TOP + s * 20
        x = WIDTH - _RIGHT + 16
        draw.rectangle((x, y, x + 12, y + 12), fill=_COLOURS[s % len(_COLOURS)])
        draw.text((x + 18, y), name, fill="black", font=font)
    buffer = io.BytesIO()
    image.quantize(colors=32).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """The PNG inline, for an Adaptive Card Image (no extra request, no link that expires)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
