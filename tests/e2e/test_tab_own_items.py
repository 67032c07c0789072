"""Mijn meldingen on the tab opens a data-leak report and a trailer booking too (HTTP with real
sign-on tokens), each as its card shows it to its owner: the report as its reporter sees it
(status, the privacy officer's questions and the answers, never the office's assessment), the
booking with its day, slot, state and history and "Reservering annuleren" while it holds. Only
the token's person gets either; the actions go through the card's services."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import ClientResponse

from bot.app import SERVICES
from bot.domain.breaches import Breach
from bot.domain.trailer import Booking
from bot.services.trailer import today
from cards.dates import AMSTERDAM, day_text
from tests.e2e.test_tab_breach_actions import act, current, report
from tests.e2e.test_tab_pages import invoke
from tests.support.activities import FATIMA, LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import action
from tests.support.tab import TabBot


async def post(tab: TabBot, user: TeamsUser, path: str, form: dict[str, str]) -> ClientResponse:
    return await tab.session.post(
        tab.url(path), data=form, headers={"Authorization": f"Bearer {tab.sso(user)}"}
    )


async def page(tab: TabBot, user: TeamsUser, path: str) -> tuple[int, str]:
    answer = await tab.get(path, tab.sso(user))
    return answer.status, await answer.text()


async def assessed_report(tab: TabBot) -> Breach:
    """Sanne's report, received by the privacy officer, who records what only the office
    sees (the dossier, the AP decision with its reason) and asks Sanne a question."""
    breach = await report(tab)
    for form in (
        {"do": "acknowledge"},
        {
            "do": "case",
            "awareDate": breach.facts.discovered_at.date().isoformat(),
            "awareTime": "23:59",
            "consequences": "Kans op phishing bij de huurders",
            "measuresTaken": "Mail teruggehaald",
        },
        {"do": "ap_no", "reason": "Versleuteld, geen risico voor de huurders"},
        {"do": "ask", "question": "Naar welk adres ging de mail?"},
    ):
        done = await act(tab, FATIMA, breach.id, form)
        assert done.status == 200, await done.text()
    return await current(tab, breach.id)


async def test_the_reporter_opens_a_data_leak_report_and_sees_only_what_the_card_shows_her(
    tab: TabBot,
) -> None:
    breach = await assessed_report(tab)
    status, mine = await page(tab, SANNE, "/tab/api/mine")
    assert status == 200
    assert f'data-view="/leaks/{breach.id}">Datalek</a>' in mine

    status, shown = await page(tab, SANNE, f"/tab/api/leaks/{breach.id}")
    assert status == 200
    assert "<h1>Datalekmelding</h1>" in shown
    reported = day_text(breach.reported_at.astimezone(AMSTERDAM).date(), "nl-NL")
    assert f"Gemeld {reported} · {breach.id}" in shown
    assert "Status: in behandeling" in shown
    assert "naar de verkeerde aannemer gestuurd" in shown  # what she reported
    assert "Aannemer gebeld en gevraagd de mail te verwijderen" in shown
    assert "Vraag (" in shown and "Naar welk adres ging de mail?" in shown
    assert "Nog niet beantwoord." in shown
    assert f'data-api="/tab/api/leaks/{breach.id}/answer"' in shown
    assert '<label for="answer-1">Je antwoord op vraag 1</label>' in shown
    assert '<label for="addition">Iets toevoegen aan je melding</label>' in shown
    assert "<li><time>" in shown and "Vraag van de privacy officer" in shown  # the history
    # Never the office's assessment, notes or decisions.
    for secret in (
        "Versleuteld, geen risico",
        "Kans op phishing",
        "Mail teruggehaald",
        "Autoriteit Persoonsgegevens: nee",
        "Melden bij de AP",
        FATIMA.name,
    ):
        assert secret not in shown, secret

    # An empty answer is refused, in her language; then she answers and the case card follows.
    empty = await post(tab, SANNE, f"/tab/api/leaks/{breach.id}/answer", {"question": "1"})
    assert empty.status == 409
    assert (await current(tab, breach.id)).questions[0].answer == ""
    tab.connector.sent.clear()
    answered = await post(
        tab,
        SANNE,
        f"/tab/api/leaks/{breach.id}/answer",
        {"question": "1", "answer": "Naar info@aannemer.example"},
    )
    assert answered.status == 200, await answered.text()
    text = await answered.text()
    assert "Je antwoord is verstuurd" in text and "Jouw antwoord (" in text
    assert "Beantwoord door jou" in text
    [question] = (await current(tab, breach.id)).questions
    assert question.answer == "Naar info@aannemer.example"
    officer_cards = [s for s in tab.connector.to(FATIMA.conversation_id) if s.method == "PUT"]
    assert officer_cards and "Naar info@aannemer.example" in str(officer_cards[-1].activity)

    added = await post(
        tab, SANNE, f"/tab/api/leaks/{breach.id}/add", {"addition": "De aannemer belde terug"}
    )
    assert added.status == 200
    assert "Je aanvulling is toegevoegd" in await added.text()
    additions = (await current(tab, breach.id)).additions
    assert [a.text for a in additions] == ["De aannemer belde terug"]

    # In English when the tab is.
    status, english = await page(tab, SANNE, f"/tab/api/leaks/{breach.id}?lang=en-us")
    assert status == 200 and "Status: being assessed" in english


async def test_nobody_else_opens_or_adds_to_a_data_leak_report(tab: TabBot) -> None:
    breach = await assessed_report(tab)
    # Not a colleague, and not the privacy officer either: this is the reporter's own view
    # (the office has the case page, /tab/api/breaches/...).
    for user in (LOTTE, FATIMA):
        status, shown = await page(tab, user, f"/tab/api/leaks/{breach.id}")
        assert status == 404, user.name
        assert "Naar welk adres ging de mail?" not in shown
        refused = await post(tab, user, f"/tab/api/leaks/{breach.id}/add", {"addition": "Ik"})
        assert refused.status == 404
        answer = {"question": "1", "answer": "Van mij"}
        refused = await post(tab, user, f"/tab/api/leaks/{breach.id}/answer", answer)
        assert refused.status == 404
    found = await current(tab, breach.id)
    assert found.additions == () and found.questions[0].answer == ""


async def book(tab: TabBot, user: TeamsUser, day: str, slot: str) -> None:
    form = await invoke(tab, user, "trailer.open", {})
    data = {**(action(form, "trailer.submit").get("data") or {}), "day": day, "slot": slot}
    await invoke(tab, user, "trailer.submit", data)


async def desk(tab: TabBot, day: str, slot: str, tenant: str) -> None:
    form = await invoke(tab, PIETER, "trailer.desk", {})
    data = {**(action(form, "trailer.desk_submit").get("data") or {}), "day": day, "slot": slot}
    await invoke(tab, PIETER, "trailer.desk_submit", {**data, "tenant": tenant})


async def own_bookings(tab: TabBot) -> list[tuple[Booking, bool]]:
    found: list[tuple[Booking, bool]] = await tab.server.app[SERVICES].trailer.of_person(
        TENANT, SANNE.aad_id
    )
    return found


async def test_a_trailer_booking_opens_with_its_state_and_history_and_is_cancelled_there(
    tab: TabBot,
) -> None:
    for user in (SANNE, PIETER):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    now = today(tab.server.app[SERVICES])
    later, lapsing = now + timedelta(days=20), now + timedelta(days=21)
    await book(tab, SANNE, later.isoformat(), "morning")
    await book(tab, SANNE, lapsing.isoformat(), "day")
    await desk(tab, lapsing.isoformat(), "afternoon", "Familie Jansen")  # a tenant goes first
    bookings = {b.day: (b, cancelled) for b, cancelled in await own_bookings(tab)}
    held, _ = bookings[later]
    lapsed, cancelled = bookings[lapsing]
    assert cancelled

    status, mine = await page(tab, SANNE, "/tab/api/mine")
    assert status == 200
    held_path = f"/trailer/{later.isoformat()}/{held.id}"
    lapsed_path = f"/trailer/{lapsing.isoformat()}/{lapsed.id}"
    assert f'data-view="{held_path}">' in mine and f'data-view="{lapsed_path}">' in mine

    status, shown = await page(tab, SANNE, "/tab/api" + held_path)
    assert status == 200
    assert f"De aanhangwagen op {day_text(later, 'nl-NL')}, Ochtend (8.00-12.30 uur)" in shown
    assert "Voorlopig (een huurder gaat voor)" in shown
    firm = day_text(later - timedelta(days=3), "nl-NL")
    assert f"Vanaf {firm} staat je reservering vast." in shown
    assert "Gereserveerd</li>" in shown
    assert f"<time>{firm}</time> Staat vast vanaf deze dag" in shown
    cancel = f'data-api="/tab/api{held_path}/cancel"'
    assert cancel in shown and ">Reservering annuleren</button>" in shown

    status, gone = await page(tab, SANNE, "/tab/api" + lapsed_path)
    assert status == 200
    assert "Vervallen: een huurder ging voor" in gone
    assert "Een huurder heeft de aanhangwagen voor dit dagdeel geboekt." in gone
    assert "Je hebt er bericht over gekregen" in gone
    assert "Reservering annuleren" not in gone  # nothing to cancel, as on the card
    assert "Familie Jansen" not in gone  # the tenant is the desk's business

    status, english = await page(tab, SANNE, f"/tab/api{held_path}?lang=en-us")
    assert status == 200 and ">Cancel booking</button>" in english
    assert "Provisional" in english

    # Someone else neither sees nor cancels it.
    status, _ = await page(tab, LOTTE, "/tab/api" + held_path)
    assert status == 404
    refused = await post(tab, LOTTE, f"/tab/api{held_path}/cancel", {})
    assert refused.status == 403
    assert "Je kunt alleen je eigen reservering annuleren." in await refused.text()
    assert later in {b.day for b, _ in await own_bookings(tab)}

    done = await post(tab, SANNE, f"/tab/api{held_path}/cancel", {})
    assert done.status == 200
    assert "Je reservering is geannuleerd" in await done.text()
    assert later not in {b.day for b, _ in await own_bookings(tab)}
    again = await post(tab, SANNE, f"/tab/api{held_path}/cancel", {})
    assert "Deze reservering bestaat niet (meer)" in await again.text()
    status, _ = await page(tab, SANNE, "/tab/api" + held_path)
    assert status == 404
