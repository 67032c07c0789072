"""Adaptive Card templates (JSON, Designer-compatible), the texts per language, one renderer."""

from cards.render import TemplateError, escape_markdown, render, template_names
from cards.texts import language_of, text, texts_for

__all__ = [
    "TemplateError",
    "escape_markdown",
    "language_of",
    "render",
    "template_names",
    "text",
    "texts_for",
]
