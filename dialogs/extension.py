"""The message extension "Melden bij Integriteit": declare a gift or invitation from the chat
message it came in.

`composeExtension/fetchTask` answers with a task module (dialog) holding the kind's own form,
its text and sender filled in from the message; `composeExtension/submitAction` submits the
form through the same flow as the bot's card (the same validation, rule and approval engine) and
shows the result in the dialog. Nothing is ever posted in the chat the message came from: a
declaration is private.

Task modules take `Action.Submit` (not the `Action.Execute` of Universal Actions), so the
form's buttons are turned into submits carrying their verb; only a request kind's form verb is
accepted back.
"""

from __future__ import annotations

import logging
import uuid
from html.parser import HTMLParser
from typing import Any

from bot.domain.intents import Answer, OpenFlow, understand
from bot.domain.knowledge import knowledge_base
from bot.domain.people import Actor
from bot.services.context import Services
from cards import text
from dialogs.base import Card, CardAction
from dialogs.flow import AMSTERDAM
from dialogs.forms import clean_text
from dialogs.kinds import RequestKind, request_kinds
from dialogs.registry import VerbRegistry

log = logging.getLogger(__name__)

COMMAND = "declareFromMessage"  # the manifest's composeExtensions[0].commands[0].id
FETCH = "composeExtension/fetchTask"
SUBMIT = "composeExtension/submitAction"
INVOKES = frozenset({FETCH, SUBMIT})
DEFAULT_KIND = "gift"
CARD = "application/vnd.microsoft.card.adaptive"

# Which form field takes the message's sender, and which its text, per kind (first present).
_SENDER_FIELDS = ("giverName", "inviter", "supplier", "tenant", "organisation")
_TEXT_FIELDS = ("description", "case", "what")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def message_text(payload: dict[str, Any]) -> str:
    """The plain text of a Teams message payload (its body is usually HTML)."""
    body = payload.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        return ""
    content = str(body["content"])[:20_000]
    if str(body.get("contentType", "html")).lower() == "html":
        parser = _Text()
        parser.feed(content)
        content = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in content.splitlines()]
    return clean_text("\n".join(line for line in lines if line))


def message_sender(payload: dict[str, Any]) -> str:
    sender = payload.get("from")
    user = sender.get("user") if isinstance(sender, dict) else None
    name = user.get("displayName") if isinstance(user, dict) else None
    return clean_text(name)[:160] if isinstance(name, str) else ""


def kind_for(kinds: dict[str, RequestKind[Any]], message: str) -> RequestKind[Any]:
    """The form the message calls for: an invitation for an invitation, else a gift."""
    understanding = understand(message, knowledge_base()) if message else None
    flow = ""
    if isinstance(understanding, OpenFlow):
        flow = understanding.flow
    elif isinstance(understanding, Answer) and understanding.guideline.flow:
        flow = understanding.guideline.flow
    return kinds.get(flow) or kinds[DEFAULT_KIND]


def prefilled(kind: RequestKind[Any], message: str, sender: str) -> dict[str, str]:
    """The form's values taken from the message (each cut to its field's length)."""
    fields = {f.id: f for f in kind.form.fields}
    values: dict[str, str] = {}
    for ids, value in ((_SENDER_FIELDS, sender), (_TEXT_FIELDS, message)):
        for field_id in ids:
            field = fields.get(field_id)
            if field is not None and value:
                shown = value if field.kind == "multiline" else " ".join(value.split())
                values[field_id] = shown[: field.max_length or len(shown)]
                break
    return values


def for_dialog(card: Card, keep: frozenset[str] = frozenset()) -> Card:
    """The card as a task module shows it: the `Action.Execute` of a verb in `keep` becomes
    `Action.Submit` with its verb in the data; every other action is dropped (the dialog's
    own close button cancels), and so is the Universal Actions refresh."""
    keep_actions = bool(keep)

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            converted = [convert(item) for item in node]
            return [item for item in converted if item is not None]
        if not isinstance(node, dict):
            return node
        kind = node.get("type")
        if kind == "Action.Execute":
            if node.get("verb") not in keep:
                return None
            data = dict(node.get("data") or {})
            data["verb"] = node.get("verb", "")
            submit = {k: v for k, v in node.items() if k not in ("verb", "data", "type")}
            return {"type": "Action.Submit", **submit, "data": data}
        if kind in ("ActionSet", "Action.ShowCard", "Action.ToggleVisibility") and not keep_actions:
            return None
        out = {k: convert(v) for k, v in node.items() if k != "refresh"}
        if "actions" in out and not out["actions"]:
            del out["actions"]
        return out

    result: Card = convert(card)
    return result


def _task(title: str, card: Card) -> dict[str, Any]:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": title,
                "height": "large",
                "width": "medium",
                "card": {"contentType": CARD, "content": card},
            },
        }
    }


def _message(note: str) -> dict[str, Any]:
    return {"task": {"type": "message", "value": note}}


async def answer(
    name: str, actor: Actor, value: Any, services: Services, registry: VerbRegistry
) -> dict[str, Any]:
    """The invoke's answer body (always a task module answer, never a message in the chat)."""
    locale = actor.locale
    if not isinstance(value, dict) or value.get("commandId") != COMMAND:
        return _message(text(locale, "extension.unknown_command"))
    if not actor.user_id or not actor.tenant_id:
        return _message(text(locale, "requests.no_identity"))
    kinds = request_kinds(services.kinds)
    title = text(locale, "extension.title")
    if name == FETCH:
        payload = value.get("messagePayload")
        payload = payload if isinstance(payload, dict) else {}
        message = message_text(payload)
        kind = kind_for(kinds, message)
        today = services.clock().astimezone(AMSTERDAM).date()
        values = {**kind.initial(today), **prefilled(kind, message, message_sender(payload))}
        card = kind.form.card(locale, uuid.uuid4().hex, values)
        return _task(title, for_dialog(card, frozenset({kind.form.submit_verb})))
    data = value.get("data")
    if not isinstance(data, dict):
        return _message(text(locale, "extension.nothing_sent"))
    verb = data.get("verb")
    kind_of_verb = {k.form.submit_verb: k for k in kinds.values()}
    submitting = kind_of_verb.get(verb) if isinstance(verb, str) else None
    handler = registry.get(verb) if isinstance(verb, str) else None
    if submitting is None or handler is None or not isinstance(verb, str):
        log.warning("message extension: a submit without a form verb was refused")
        return _message(text(locale, "extension.nothing_sent"))
    inputs = {k: v for k, v in data.items() if k != "verb"}
    card = await handler(CardAction(actor, verb, inputs, None), services)
    if _has_verb(card, verb):
        # The form again: the errors named, what was typed kept.
        return _task(title, for_dialog(card, frozenset({verb})))
    return _task(title, for_dialog(card))


def _has_verb(node: Any, verb: str) -> bool:
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute" and node.get("verb") == verb:
            return True
        return any(_has_verb(v, verb) for v in node.values())
    if isinstance(node, list):
        return any(_has_verb(v, verb) for v in node)
    return False
