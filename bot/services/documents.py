"""Printable documents (the breach dossier, the letter to the people affected) as PDF, rendered
with fpdf2 (pure Python, maintained).

The PDF core fonts cover Latin-1 (Dutch and English letters, accents included); characters
outside it are replaced by their nearest plain form, or '?', so a document always renders.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

_PLAIN = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2022": "-",
    "\u2026": "...",
    "\u20ac": "EUR ",
    "\u00a0": " ",
}


def latin1(text: str) -> str:
    """`text` in what the core fonts can show."""
    out = []
    for char in text:
        char = _PLAIN.get(char, char)
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            char = plain or "?"
        out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Section:
    heading: str
    rows: Sequence[tuple[str, str]] = ()  # label, value
    paragraphs: Sequence[str] = ()


def to_pdf(title: str, subtitle: str, sections: Sequence[Section]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, latin1(subtitle), new_x="LMARGIN", new_y="NEXT")
    for section in sections:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, latin1(section.heading), new_x="LMARGIN", new_y="NEXT")
        for label, value in section.rows:
            pdf.set_font("Helvetica", "B", 9)
            pdf.multi_cell(0, 5, latin1(label), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5, latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())
