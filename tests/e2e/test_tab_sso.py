"""The tab's single sign-on: real RS256 JWTs from the loopback Entra ID, validated by the bot
against that tenant's OpenID configuration and keys (issuer, audience, signature, expiry,
tenant); the person comes from the token's `oid`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.conftest import BotUnderTest
from tests.support.activities import PIETER, SANNE, TENANT
from tests.support.entra import new_key
from tests.support.tab import OTHER_TENANT, TabBot


async def test_a_valid_token_opens_mijn_meldingen_for_the_person_in_it(tab: TabBot) -> None:
    answer = await tab.get("/tab/api/mine", tab.sso(SANNE))
    assert answer.status == 200
    page = await answer.text()
    assert "<h1>Mijn meldingen</h1>" in page
    assert "Je hebt nog niets gemeld." in page
    english = await tab.get("/tab/api/mine?lang=en-us", tab.sso(SANNE))
    assert english.status == 200
    assert "<h1>My requests</h1>" in await english.text()


async def test_the_person_is_the_tokens_oid_not_anything_the_page_says(tab: TabBot) -> None:
    """Sanne declares an invitation; Pieter's token does not show it, whatever the page asks
    (a query string or a header naming Sanne)."""
    from tests.e2e.test_tab_pages import invitation

    rid = await invitation(tab)
    own = await tab.get("/tab/api/mine", tab.sso(SANNE))
    assert own.status == 200
    assert "Diner na oplevering De Linde" in await own.text()  # there is something to leak
    sanne = SANNE.aad_id
    for path in (
        f"/tab/api/mine?user={sanne}",
        f"/tab/api/mine?userId={sanne}&oid={sanne}&requester={sanne}",
    ):
        answer = await tab.get(path, tab.sso(PIETER))
        assert answer.status == 200
        shown = await answer.text()
        assert "Diner na oplevering De Linde" not in shown
        assert "Je hebt nog niets gemeld." in shown
    forged = await tab.session.get(
        tab.url("/tab/api/mine"),
        headers={"Authorization": f"Bearer {tab.sso(PIETER)}", "X-User-Id": sanne},
    )
    assert "Diner na oplevering De Linde" not in await forged.text()
    # Her request's own page is not found under Pieter's name either.
    detail = await tab.get(f"/tab/api/mine/{rid}?user={sanne}&requester={sanne}", tab.sso(PIETER))
    assert detail.status == 404
    assert "Diner na oplevering De Linde" not in await detail.text()


@pytest.mark.parametrize(
    ("name", "make", "status", "says"),
    [
        ("expired", lambda t: t.sso(SANNE, lifetime=-600), 401, "Je aanmelding is verlopen"),
        (
            "wrong audience",
            lambda t: t.sso(SANNE, audience="api://elsewhere/x"),
            401,
            "niet geaccepteerd",
        ),
        (
            "other tenant",
            lambda t: t.sso(SANNE, tenant=OTHER_TENANT),
            403,
            "alleen voor medewerkers",
        ),
        ("other key", lambda t: t.sso(SANNE, key=new_key()), 401, "niet geaccepteerd"),
        (
            "wrong issuer",
            lambda t: t.sso(SANNE, issuer="https://evil.example/v2.0"),
            401,
            "niet geaccepteerd",
        ),
        ("no token", lambda t: None, 401, "Je bent niet aangemeld"),
        ("not a jwt", lambda t: "not-a-token", 401, "niet geaccepteerd"),
    ],
)
async def test_a_token_that_does_not_hold_is_refused_with_a_clear_message(
    tab: TabBot,
    name: str,
    make: Callable[[TabBot], str | None],
    status: int,
    says: str,
) -> None:
    answer = await tab.get("/tab/api/mine", make(tab))
    assert answer.status == status, name
    assert says in await answer.text()


async def test_every_api_route_checks_the_token(tab: TabBot) -> None:
    for path in ("/tab/api/mine", "/tab/api/mine/CAD-1", "/tab/api/pending",
                 f"/tab/api/pending/{SANNE.aad_id}/CAD-1"):  # fmt: skip
        answer = await tab.get(path, tab.sso(SANNE, lifetime=-600))
        assert answer.status == 401, path
    posted = await tab.session.post(
        tab.url(f"/tab/api/pending/{SANNE.aad_id}/CAD-1"), data={"choice": "approve"}
    )
    assert posted.status == 401


async def test_the_page_itself_holds_no_data_and_ships_teamsjs_from_node_modules(
    tab: TabBot,
) -> None:
    shell = await tab.get("/tab?lang=en-us", None)
    assert shell.status == 200
    html = await shell.text()
    assert '<html lang="en">' in html
    assert "frame-ancestors" in shell.headers["Content-Security-Policy"]
    library = await tab.get("/tab/static/teams-js.js", None)
    assert library.status == 200
    assert "getAuthToken" in await library.text()
    assert TENANT not in html


async def test_without_an_app_id_the_tab_has_no_sign_on_and_says_so(bot: BotUnderTest) -> None:
    """Local mode: there is no audience to check a token against, so nothing is served."""
    url = str(bot.server.make_url("/tab/api/mine"))
    answer = await bot.session.get(url, headers={"Authorization": "Bearer x.y.z"})
    assert answer.status == 503
    assert "Aanmelden lukt nu niet" in await answer.text()
