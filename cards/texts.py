"""User-facing texts per language: Dutch by default, English for an English Teams locale."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any

LANGUAGES = ("nl", "en")


@lru_cache(maxsize=256)
def language_of(locale: str | None) -> str:
    """`en` for an English locale (en, en-US, en-GB ...), otherwise `nl`."""
    return "en" if (locale or "").lower().startswith("en") else "nl"


@cache
def _load(language: str) -> dict[str, Any]:
    """Every `cards/locales/<language>/<topic>.json`, each under its topic's name."""
    folder = resources.files("cards").joinpath("locales", language)
    texts: dict[str, Any] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            texts[entry.name.removesuffix(".json")] = json.loads(entry.read_text("utf-8"))
    return texts


def texts_for(locale: str | None) -> dict[str, Any]:
    """All texts of the locale's language, as a nested mapping."""
    return _load(language_of(locale))


def text(locale: str | None, key: str, **values: object) -> str:
    """One text by dotted key, with `{name}` placeholders filled (for plain messages)."""
    node = _text(language_of(locale), key)
    return node.format(**values) if values else node


def _text(language: str, key: str) -> str:
    found = _found(language, key)
    if found is None:
        raise KeyError(key)
    return found


def text_if_any(locale: str | None, key: str) -> str | None:
    """The text by dotted key as written (placeholders unfilled), or None when there is none
    (or a group of texts is there instead): for trying a kind's own text before a shared one."""
    return _found(language_of(locale), key)


@lru_cache(maxsize=8192)
def _found(language: str, key: str) -> str | None:
    node: Any = _load(language)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None
