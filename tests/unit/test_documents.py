"""The printable documents keep every name as written: the embedded font covers Latin with its
extensions, Greek and Cyrillic; what it cannot show becomes its plain form or '?'."""

from __future__ import annotations

import io

from pypdf import PdfReader

from bot.services.documents import Section, printable, to_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_names_outside_latin_1_print_as_written() -> None:
    names = "Łukasz Wiśniewski, Şükrü Öztürk, Dvořák, Nguyễn, Ελένη, Ольга"
    pdf = to_pdf(
        "Dossier datalek DL-2026-0001",
        "Opgemaakt op 2 december 2026",
        [Section("Betrokkenen", rows=[("Namen", names), ("Schade", "€ 1.250")])],
    )
    text = _text(pdf)
    for name in ("Łukasz", "Wiśniewski", "Şükrü", "Dvořák", "Nguyễn", "Ελένη", "Ольга", "€"):
        assert name in text, name


def test_what_the_font_cannot_show_becomes_its_plain_form_or_a_question_mark() -> None:
    assert printable("ℌ②") == "H2"  # letters the font lacks decompose to their plain form (NFKD)
    assert printable("王 🙂") == "? ?"
    assert printable("Anne\u00a0Jansen\n") == "Anne Jansen\n"
