"""Every card the bot can send, rendered by Microsoft's Adaptive Cards renderer (npm
`adaptivecards`) in headless Chromium at phone width (360 px) and at desktop width: nothing may
overflow sideways, nothing may be cut off, and no amount may wrap (#19, point 5).

Screenshots are kept under tests/artifacts/cards/<width>/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.support.card_samples import SAMPLES

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
RENDERER = ROOT / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts" / "cards"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WIDTHS = {"phone": 360, "desktop": 1024}
LOCALES = ("nl-NL", "en-US")

# Close to Teams' own host config: its font, its spacing, buttons in a row that wraps.
HOST_CONFIG = {
    "fontFamily": "'Segoe UI', 'Helvetica Neue', Arial, sans-serif",
    "supportsInteractivity": True,
    "actions": {
        "maxActions": 6,
        "actionsOrientation": "vertical",
        "actionAlignment": "stretch",
        "buttonSpacing": 8,
        "showCard": {"actionMode": "inline"},
    },
}

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;background:#f5f5f5} #card{background:#fff;padding:0;overflow:visible}
.ac-pushButton{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}</style>
</head><body><div id="card"></div></body></html>"""

# Runs in the page: render the card, then report what is wrong with it.
CHECK = """([card, hostConfig]) => {
  const target = document.getElementById('card');
  target.innerHTML = '';
  const adaptive = new AdaptiveCards.AdaptiveCard();
  adaptive.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
  const errors = [];
  adaptive.parse(card, new AdaptiveCards.SerializationContext());
  const element = adaptive.render();
  if (!element) return {problems: ['the renderer rendered nothing']};
  target.appendChild(element);
  const problems = [];
  const limit = target.getBoundingClientRect().right + 0.5;
  const label = (el) => (el.innerText || el.value || el.getAttribute('aria-label') || el.tagName)
    .trim().slice(0, 60);
  for (const el of element.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > limit) problems.push(`overflows by ${Math.round(box.right - limit)} px: ` +
      `${el.tagName.toLowerCase()}.${el.className} "${label(el)}"`);
    const style = getComputedStyle(el);
    const clips = style.overflowX === 'hidden' || style.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth + 1 && el.children.length === 0) {
      problems.push(`cut off: ${el.tagName.toLowerCase()}.${el.className} "${label(el)}"`);
    }
  }
  // A drop-down shows its choice in one line: a longer one is cut off on a phone.
  const measure = document.createElement('canvas').getContext('2d');
  for (const select of element.querySelectorAll('select')) {
    measure.font = getComputedStyle(select).font;
    const room = select.clientWidth - 28;  // the arrow and the padding
    for (const option of select.options) {
      if (measure.measureText(option.text).width > room) {
        problems.push(`choice cut off: "${option.text}"`);
      }
    }
  }
  // An amount ("€ 1.250,00") must stay on one line.
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const amount = /(€|EUR)\\u00a0?[0-9][0-9.,]*/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(amount)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) problems.push(`amount wraps: "${match[0]}"`);
    }
  }
  return {problems};
}"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not RENDERER.exists():
        pytest.fail("npm package adaptivecards is missing: run `make install`")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def _page(browser: Browser, width: int) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": 800})
    await page.set_content(PAGE)
    await page.add_script_tag(path=str(RENDERER))
    return page


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_every_card_fits_and_keeps_amounts_on_one_line(browser: Browser, width: str) -> None:
    page = await _page(browser, WIDTHS[width])
    folder = ARTIFACTS / width
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    try:
        for locale in LOCALES:
            for name, build in SAMPLES:
                card: dict[str, Any] = json.loads(json.dumps(build(locale)))
                result = await page.evaluate(CHECK, [card, HOST_CONFIG])
                shot = folder / f"{name.replace(':', '--')}.{locale}.png"
                await page.locator("#card").screenshot(path=str(shot))
                if result["problems"]:
                    found[f"{name} ({locale})"] = sorted(set(result["problems"]))
    finally:
        await page.close()
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


BAD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "Een heel lange regel die niet mag afbreken " * 3},
        {
            "type": "Input.ChoiceSet",
            "id": "kind",
            "choices": [
                {
                    "title": "Een keuze met een titel die veel te lang is voor een telefoon",
                    "value": "x",
                }
            ],
        },
        {
            "type": "FactSet",
            "facts": [{"title": "E-mail", "value": "vertrouwenspersoon@woongroen.example.nl"}],
        },
        {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        {
                            "type": "TextBlock",
                            "text": "Geschatte waarde van het cadeau",
                            "wrap": True,
                        }
                    ],
                },
                {
                    "type": "Column",
                    "width": "40px",
                    "items": [{"type": "TextBlock", "text": "€\u00a01.250,00", "wrap": True}],
                },
            ],
        },
    ],
}


async def test_the_check_sees_what_it_must_fail_on(browser: Browser) -> None:
    """The check itself: a line that does not wrap, an address in a FactSet and an amount in a
    narrow column are all reported at phone width (else the test above proves nothing)."""
    page = await _page(browser, WIDTHS["phone"])
    try:
        result = await page.evaluate(CHECK, [BAD, HOST_CONFIG])
    finally:
        await page.close()
    shown = "\n".join(result["problems"])
    assert "Een heel lange regel" in shown
    assert "amount wraps" in shown
    assert "choice cut off" in shown
