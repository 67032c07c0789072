"""Every card the bot can send validates against the official Adaptive Cards 1.5 schema, and every
`Action.Execute` verb on it has a handler."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cards import template_names
from dialogs import build_registry
from tests.support.card_samples import SAMPLES
from tests.support.flows import objects
from tests.support.kinds import KINDS

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "schemas" / "adaptive-card-1.5.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft6Validator(SCHEMA)
LOCALES = ("nl-NL", "en-US")


def verbs(node: Any) -> Iterator[str]:
    return (o["verb"] for o in objects(node) if o.get("type") == "Action.Execute")


def _cases() -> list[tuple[str, str, Callable[[str], dict[str, Any]]]]:
    return [(name, locale, build) for name, build in SAMPLES for locale in LOCALES]


@pytest.mark.parametrize(("name", "locale", "build"), _cases(), ids=lambda v: str(v)[:40])
def test_card_validates_against_adaptive_cards_1_5(
    name: str, locale: str, build: Callable[[str], dict[str, Any]]
) -> None:
    card = build(locale)
    errors = sorted(VALIDATOR.iter_errors(card), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert card["version"] == "1.5"
    assert "${" not in json.dumps(card), "unfilled template expression"


@pytest.mark.parametrize(("name", "locale", "build"), _cases(), ids=lambda v: str(v)[:40])
def test_every_button_has_a_handler(
    name: str, locale: str, build: Callable[[str], dict[str, Any]]
) -> None:
    registry = build_registry(KINDS)
    missing = [verb for verb in verbs(build(locale)) if verb not in registry]
    assert not missing


def test_every_template_has_a_sample() -> None:
    sampled = {name.split(":")[0] for name, _ in SAMPLES}
    assert set(template_names()) <= sampled
