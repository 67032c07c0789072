"""Helpers to drive flows over HTTP the way Teams does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.e2e.conftest import BotUnderTest
from tests.support.activities import TeamsUser

# A gift form as Sanne fills it in: a bottle of wine from a contractor, EUR 25.
WINE = {
    "giverName": "Jan de Vos",
    "giverOrganisation": "Bouwbedrijf Vos",
    "relation": "supplier",
    "negotiating": "false",
    "description": "Fles wijn",
    "kind": "goods",
    "everyday": "true",
    "value": "€ 25,-",
    "receivedOn": "2026-11-20",
    "atHome": "false",
    "remarks": "",
}


def objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside a card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from objects(item)


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute on a card, wherever it sits."""
    return [o for o in objects(card) if o.get("type") == "Action.Execute"]


def action(card: dict[str, Any], verb: str) -> dict[str, Any]:
    matches = [a for a in actions(card) if a["verb"] == verb]
    assert matches, f"no {verb} on the card; verbs: {[a['verb'] for a in actions(card)]}"
    return matches[0]


_NOT_DECISIONS = frozenset(
    {"request.refresh", "request.withdraw", "request.returned", "request.advise"}
)


def decision_verbs(card: dict[str, Any]) -> list[str]:
    """The approver's buttons on a request card, in order (the code's own choice first)."""
    return [
        a["verb"]
        for a in actions(card)
        if a["verb"].startswith("request.") and a["verb"] not in _NOT_DECISIONS
    ]


def texts(card: dict[str, Any]) -> str:
    """All text a person would read on the card, as one string."""
    keys = ("text", "title", "value", "label")
    return "\n".join(o[k] for o in objects(card) for k in keys if isinstance(o.get(k), str))


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    """Input id -> value as shown on the card."""
    return {
        o["id"]: o.get("value")
        for o in objects(card)
        if str(o.get("type", "")).startswith("Input.") and "id" in o
    }


async def click(
    bot: BotUnderTest,
    user: TeamsUser,
    card: dict[str, Any],
    verb: str,
    inputs: dict[str, Any] | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    """Press a button on a card, with the inputs typed; return the card Teams shows after."""
    data = {**(action(card, verb).get("data") or {}), **(inputs or {})}
    response = await bot.post(user.invoke(bot.service_url, verb, data, reply_to))
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    card_out: dict[str, Any] = body["value"]
    return card_out


async def open_flow(bot: BotUnderTest, user: TeamsUser, verb: str) -> dict[str, Any]:
    response = await bot.post(user.invoke(bot.service_url, verb))
    assert response.status == 200
    card: dict[str, Any] = (await response.json())["value"]
    return card
