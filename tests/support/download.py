"""Fetch an export link the way a person does: open the page (GET), press its button (POST)."""

from __future__ import annotations

from html.parser import HTMLParser

from aiohttp import ClientResponse, ClientSession
from yarl import URL


class _Form(HTMLParser):
    """The page's forms: (method, action) and whether each has a submit button."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str]] = []
        self.buttons = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append(((values.get("method") or "get").lower(), values.get("action") or ""))
        if tag == "button" and (values.get("type") or "submit") == "submit":
            self.buttons += 1


async def open_page(session: ClientSession, url: str, language: str = "nl") -> ClientResponse:
    return await session.get(url, headers={"Accept-Language": language})


async def download(session: ClientSession, url: str, language: str = "nl") -> ClientResponse:
    """The page must offer one download button posting to the link; the POST's answer."""
    page = await open_page(session, url, language)
    assert page.status == 200, (page.status, await page.text())
    assert page.headers["Cache-Control"] == "no-store"
    form = _Form()
    form.feed(await page.text())
    assert form.buttons == 1 and len(form.forms) == 1, form.forms
    method, action = form.forms[0]
    assert method == "post"
    target = str(URL(url).join(URL(action))) if action else url
    return await session.post(target, headers={"Accept-Language": language})
