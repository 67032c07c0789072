"""A request kind is one module: a small kind defined only here (borrowing something of
Woongroen's, "bruikleen") is given to the app factory, and over HTTP it is in the menu, goes
through the approval engine (submit, decide), shows in "mijn meldingen", has its own register
and its own line in the yearly overview. Its texts stand in for its locale files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiohttp import ClientSession

import cards.texts
from bot.domain.kinds import Outcome
from bot.domain.records import cents, day, string
from bot.domain.requests import Status
from bot.settings import Settings
from cards import text
from dialogs import product_kinds
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_overview import facts
from tests.e2e.test_registers import decide, download, show
from tests.support.activities import LOTTE, MARIEKE, PIETER, SANNE, TENANT
from tests.support.connector import MockConnector
from tests.support.flows import action, actions, click, open_flow, texts
from tests.support.leaks import Clock, services_of, start_bot

# --- The kind: what would be dialogs/loan.py (and its domain part) -------------------------


@dataclass(frozen=True)
class Loan:
    """Something of Woongroen's borrowed for private use, until a day, and what it is worth."""

    item: str
    until: date | None
    value_cents: int | None

    @property
    def summary(self) -> str:
        return self.item

    def to_record(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "item": self.item,
            "until": self.until.isoformat() if self.until else "",
            "valueCents": self.value_cents,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Loan:
        return cls(string(record, "item"), day(record, "until"), cents(record, "valueCents"))


ITEM = Field("item", "text", "loan.item", max_length=120, required=True)
UNTIL = Field("until", "date", "loan.until", required=True)
VALUE = Field("value", "text", "loan.value", max_length=30)


def read(form: Reader, today: date) -> Loan | None:
    item = form.text(ITEM)
    until = form.day(UNTIL, today, allow_future=True)
    value = form.euros(VALUE)
    if form.errors or until is None:
        return None
    return Loan(item, until, value)


def ask_first(loan: Loan) -> Outcome:
    return Outcome("manager_decides", ("private_use",))


LOAN = RequestKind(
    name="loan",
    prefix="LEN",
    facts_type=Loan,
    from_record=Loan.from_record,
    rule=ask_first,
    filed_on=lambda loan: loan.until,
    value_cents=lambda loan: loan.value_cents,
    valued=True,
    register_amount=lambda loan: loan.value_cents,
    form=Form("loan.title", "loan.intro", (ITEM, UNTIL, VALUE), "loan.submit", "loan.submit"),
    read=read,
    card_rows=fact_rows(
        Loan,
        (
            ("loan.item", lambda loan: loan.item, "text"),
            ("loan.until", lambda loan: loan.until, "text"),
            ("loan.value", lambda loan: loan.value_cents, "euros"),
        ),
    ),
    columns=(
        RegisterColumn("item", lambda loan: loan.item, header="loan.names.item"),
        RegisterColumn("value", lambda loan: loan.value_cents, "euros"),
    ),
    verdicts="loan.verdicts",
    reasons="loan.reasons",
    section="§3 Bedrijfsmiddelen",
)

# What cards/locales/{nl,en}/loan.json would hold (the kind's texts are all in its own file).
TEXTS: dict[str, Any] = {
    "loan": {
        "title": "Bruikleen",
        "intro": "Leen je iets van Woongroen voor privégebruik? Vraag het eerst.",
        "item": "Wat leen je?",
        "until": "Tot wanneer?",
        "value": "Wat is het waard?",
        "submit": "Voorleggen",
        "verdicts": {"manager_decides": "Je leidinggevende beslist"},
        "reasons": {"private_use": "Bedrijfsmiddelen zijn voor het werk."},
        "names": {
            "menu": "Iets lenen van Woongroen",
            "register": "Bruikleen",
            "register_intro": "Wat medewerkers van Woongroen lenen.",
            "register_file": "register-bruikleen",
            "register_date": "Geleend tot",
            "overview": "Bruikleen",
            "item": "Voorwerp",
        },
    }
}


@pytest.fixture
def loan_texts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The kind's locale files, as if they were in cards/locales/{nl,en}/."""
    load: Callable[[str], dict[str, Any]] = cards.texts._load
    with_loan = {language: {**load(language), **TEXTS} for language in ("nl", "en")}
    monkeypatch.setattr(cards.texts, "_load", lambda language: with_loan[language])
    cards.texts._found.cache_clear()  # texts looked up before are remembered per key
    yield
    cards.texts._found.cache_clear()


@pytest.fixture
async def loan_bot(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    loan_texts: None,
) -> BotUnderTest:
    bot = await start_bot(
        settings, connector, aiohttp_server, session, clock, kinds=(*product_kinds(), LOAN)
    )
    for user in (SANNE, PIETER, MARIEKE, LOTTE):
        await bot.post(user.install(bot.service_url))
    return bot


async def test_a_kind_defined_only_here_goes_through_every_screen(
    loan_bot: BotUnderTest, clock: Clock
) -> None:
    bot = loan_bot
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "Iets lenen van Woongroen" in texts(menu)
    assert action(menu, "loan.open")["title"] == "Iets lenen van Woongroen"

    # The engine: the form, the rule's verdict, the manager's card and decision.
    form = await click(bot, SANNE, menu, "loan.open")
    assert "Wat leen je?" in texts(form)
    refused = await click(bot, SANNE, form, "loan.submit", {"item": "", "until": "2026-12-05"})
    assert text("nl", "requests.form_has_errors") in texts(refused)  # nothing recorded yet
    assert "LEN-" not in texts(refused)
    receipt = await click(
        bot,
        SANNE,
        form,
        "loan.submit",
        {"item": "Aanhanger", "until": "2026-12-05", "value": "150"},
    )
    shown = texts(receipt)
    assert "Bruikleen" in shown and "Je leidinggevende beslist" in shown
    assert "Bedrijfsmiddelen zijn voor het werk." in shown and "€\u00a0150,00" in shown
    [reference] = [w for w in shown.split() if w.startswith("LEN-")]
    approval = [s.card for s in bot.connector.to(PIETER.conversation_id) if s.card][-1]
    assert "Aanhanger" in texts(approval) and "Bruikleen van Sanne" in texts(approval)
    waiting = await open_flow(bot, PIETER, "pending.open")  # "openstaand"
    assert "Aanhanger" in texts(waiting) and "Bruikleen" in texts(waiting)
    await decide(bot, PIETER)
    notice = [s.card for s in bot.connector.to(SANNE.conversation_id) if s.card][-1]
    assert "Aanhanger" in texts(notice) and "Akkoord" in texts(notice)
    [stored] = await services_of(bot).requests.for_requester(TENANT, SANNE.aad_id)
    assert stored.id == reference and stored.kind == "loan"
    assert stored.status is Status.APPROVED
    assert stored.facts == Loan("Aanhanger", date(2026, 12, 5), 150_00)

    # "Mijn meldingen": the request with its kind's name.
    mine = await open_flow(bot, SANNE, "mine.open")
    assert "Aanhanger" in texts(mine) and "Bruikleen" in texts(mine)

    # Its register: chosen among the others, its date and amount, its own columns on export.
    chooser = await click(bot, LOTTE, await open_flow(bot, LOTTE, "menu.open"), "register.open")
    assert "Bruikleen" in texts(chooser)
    register = await show(bot, LOTTE, "loan")
    line = f"{reference} · Sanne de Vries (Wonen) · 5 december 2026 · €\u00a0150,00 · Akkoord"
    assert line in texts(register)
    response = await download(bot, LOTTE, register, "csv")
    assert "register-bruikleen-2026.csv" in response.headers["Content-Disposition"]
    body = (await response.read()).decode("utf-8")
    assert "Geleend tot;Voorwerp;Waarde (€)" in body and "Aanhanger;150,00" in body

    # The yearly overview: its own line, counted in the total.
    clock.now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    overview = await click(
        bot, MARIEKE, await open_flow(bot, MARIEKE, "menu.open"), "overview.open"
    )
    lines = facts(overview)
    assert lines["Bruikleen"] == "1 · waarde €\u00a0150,00"
    assert lines["Totaal"] == "1 · waarde €\u00a0150,00"


async def test_the_kinds_belong_to_one_app_not_to_the_process(
    loan_bot: BotUnderTest,
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
) -> None:
    """A second app in the same process, with the product's kinds only, knows no loans."""
    product = await start_bot(settings, connector, aiohttp_server, session, clock)
    await product.post(SANNE.install(product.service_url))
    menu = await open_flow(product, SANNE, "menu.open")
    assert "loan.open" not in [a["verb"] for a in actions(menu)]
    unknown = await open_flow(product, SANNE, "loan.open")
    assert "Deze knop ken ik niet (meer)" in texts(unknown)
    assert "loan.open" in [
        a["verb"] for a in actions(await open_flow(loan_bot, SANNE, "menu.open"))
    ]
