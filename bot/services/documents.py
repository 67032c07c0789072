"""Printable documents (the breach dossier, the letter to the people affected) as PDF, rendered
with fpdf2 (pure Python, maintained).

The text is set in Source Sans Pro (SIL Open Font License, shipped in the `font-source-sans-pro`
package), embedded in the PDF: it covers Latin with its extensions (Polish, Turkish, Czech,
Vietnamese names), Greek and Cyrillic. A character the font has no glyph for is replaced by its
nearest plain form, or '?', so a document always renders and a name is never silently dropped.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import font_source_sans_pro
from fontTools.ttLib import TTFont
from fpdf import FPDF

_FONT = "SourceSansPro"
_FILES = {
    "": os.path.join(font_source_sans_pro.font_directory, "SourceSansPro-Regular.ttf"),
    "B": os.path.join(font_source_sans_pro.font_directory, "SourceSansPro-Bold.ttf"),
}
_PLAIN = {
    "\u2022": "-",
    "\u00a0": " ",
}


@cache
def _glyphs() -> frozenset[int]:
    """The code points both faces can show."""
    faces = []
    for path in _FILES.values():
        with TTFont(path, lazy=True) as font:
            faces.append(set(font.getBestCmap()))
    return frozenset(set.intersection(*faces))


def printable(text: str) -> str:
    """`text` in what the embedded font can show."""
    glyphs = _glyphs()
    out = []
    for char in text:
        char = _PLAIN.get(char, char)
        if char in "\n\t" or ord(char) in glyphs:
            out.append(char)
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", char) if ord(c) in glyphs and c.isprintable()
        )
        out.append(plain or "?")
    return "".join(out)


@dataclass(frozen=True)
class Section:
    heading: str
    rows: Sequence[tuple[str, str]] = ()  # label, value
    paragraphs: Sequence[str] = ()


def to_pdf(title: str, subtitle: str, sections: Sequence[Section]) -> bytes:
    pdf = FPDF(format="A4")
    for style, path in _FILES.items():
        pdf.add_font(_FONT, style, path)
    pdf.set_title(printable(title))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.multi_cell(0, 8, printable(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 9)
    pdf.multi_cell(0, 5, printable(subtitle), new_x="LMARGIN", new_y="NEXT")
    for section in sections:
        pdf.ln(3)
        pdf.set_font(_FONT, "B", 12)
        pdf.multi_cell(0, 7, printable(section.heading), new_x="LMARGIN", new_y="NEXT")
        for label, value in section.rows:
            pdf.set_font(_FONT, "B", 9)
            pdf.multi_cell(0, 5, printable(label), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(_FONT, "", 10)
            pdf.multi_cell(0, 5, printable(value or "-"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, "", 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5, printable(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())
