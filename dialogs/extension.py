"""The message extension "Melden bij Integriteit": declare something from the chat message it
came in: a gift, an invitation, a side job, business with a supplier, a tenant one knows, a
relative's home, a press question, a social-media post, or a data leak.

`composeExtension/fetchTask` answers with a task module (dialog) holding the form of the kind
the message seems to be about (the bot's own intent matching), its text and sender filled in
where the form has a matching field (`FROM_MESSAGE`), and above it a choice of every other kind
("Ander formulier openen" answers with that kind's form, prefilled the same way).
`composeExtension/submitAction` submits the form through the same flow as the bot's card (the
same validation, rule and approval engine; the data-leak form through the data-leak service)
and shows the result in the dialog. Nothing is ever posted in the chat the message came from:
a declaration is private.

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
from dialogs.dataleak import FORM as DATALEAK_FORM
from dialogs.dataleak import form_card
from dialogs.flow import AMSTERDAM
from dialogs.forms import Form, clean_text
from dialogs.kinds import RequestKind, request_kinds
from dialogs.personal_view import kind_name
from dialogs.registry import VerbRegistry

log = logging.getLogger(__name__)

COMMAND = "declareFromMessage"  # the manifest's composeExtensions[0].commands[0].id
FETCH = "composeExtension/fetchTask"
SUBMIT = "composeExtension/submitAction"
INVOKES = frozenset({FETCH, SUBMIT})
DEFAULT_KIND = "gift"
CARD = "application/vnd.microsoft.card.adaptive"
CHOOSE = "extension.kind"  # the chooser's submit: open another kind's form
CHOSEN = "extensionKind"  # the chooser's input
DATALEAK = "dataleak"
_CARRIED = 2000  # characters of the message the chooser carries to the next form

# The kinds one declares from a message, in the chooser's order, and which of the kind's form
# fields takes the message's sender and which its text ("" where the form has no such field:
# a side job's form asks for an organisation and a role, which a sender's name is not).
FROM_MESSAGE: dict[str, tuple[str, str]] = {
    "gift": ("giverName", "description"),
    "invitation": ("inviter", "description"),
    "sidejob": ("", ""),
    "supplier": ("supplier", "what"),
    "tenant": ("tenant", "case"),
    "housing": ("person", "remarks"),
    "press": ("journalist", "question"),
    "social": ("", "post"),
    DATALEAK: ("", "description"),
}


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


def offered(kinds: dict[str, RequestKind[Any]]) -> list[str]:
    """The kinds the chooser offers: those of `FROM_MESSAGE` this app has, and the data leak."""
    return [name for name in FROM_MESSAGE if name in kinds or name == DATALEAK]


def kind_for(kinds: dict[str, RequestKind[Any]], message: str) -> str:
    """The form the message calls for (the bot's intent matching), else a gift."""
    understanding = understand(message, knowledge_base()) if message else None
    flow = ""
    if isinstance(understanding, OpenFlow):
        flow = understanding.flow
    elif isinstance(understanding, Answer) and understanding.guideline.flow:
        flow = understanding.guideline.flow
    return flow if flow in offered(kinds) else DEFAULT_KIND


def _form(kinds: dict[str, RequestKind[Any]], name: str) -> Form:
    return DATALEAK_FORM if name == DATALEAK else kinds[name].form


def prefilled(form: Form, name: str, message: str, sender: str) -> dict[str, str]:
    """The form's values taken from the message (each cut to its field's length)."""
    fields = {f.id: f for f in form.fields}
    values: dict[str, str] = {}
    for field_id, value in zip(FROM_MESSAGE.get(name, ("", "")), (sender, message), strict=True):
        field = fields.get(field_id)
        if field is not None and value:
            shown = value if field.kind == "multiline" else " ".join(value.split())
            values[field_id] = shown[: field.max_length or len(shown)]
    return values


def _kind_label(services: Services, name: str, locale: str) -> str:
    if name == DATALEAK:
        return text(locale, "extension.kinds.dataleak")
    return kind_name(services.kinds, name, locale)


def _chooser(
    services: Services, names: list[str], current: str, locale: str, message: str, sender: str
) -> dict[str, Any]:
    """ "Wat wil je melden?" above the form: another kind's form, with the same message."""
    return {
        "type": "Container",
        "style": "emphasis",
        "items": [
            {
                "type": "Input.ChoiceSet",
                "id": CHOSEN,
                "label": text(locale, "extension.choose_label"),
                "style": "compact",
                "value": current,
                "choices": [{"title": _kind_label(services, n, locale), "value": n} for n in names],
            },
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.Submit",
                        "title": text(locale, "extension.choose"),
                        "data": {
                            "verb": CHOOSE,
                            "messageText": message[:_CARRIED],
                            "messageSender": sender,
                        },
                    }
                ],
            },
        ],
    }


def _open(services: Services, locale: str, name: str, message: str, sender: str) -> dict[str, Any]:
    """The dialog with `name`'s form, prefilled from the message, and the chooser above it."""
    kinds = request_kinds(services.kinds)
    now = services.clock()
    if name == DATALEAK:
        card = form_card(locale, now)
        values = {**_inputs(card), **prefilled(DATALEAK_FORM, name, message, sender)}
        card = DATALEAK_FORM.card(locale, uuid.uuid4().hex, values)
    else:
        kind = kinds[name]
        today = now.astimezone(AMSTERDAM).date()
        values = {**kind.initial(today), **prefilled(kind.form, name, message, sender)}
        card = kind.form.card(locale, uuid.uuid4().hex, values)
    shown = for_dialog(card, frozenset({_form(kinds, name).submit_verb}))
    chooser = _chooser(services, offered(kinds), name, locale, message, sender)
    shown["body"] = [chooser, *shown.get("body", [])]
    return _task(text(locale, "extension.title"), shown)


def _inputs(card: Any) -> dict[str, str]:
    """Every input's value on a card (the data-leak form's defaults: now, twice)."""
    found: dict[str, str] = {}
    if isinstance(card, dict):
        if str(card.get("type", "")).startswith("Input.") and isinstance(card.get("value"), str):
            found[str(card["id"])] = card["value"]
        for value in card.values():
            found.update(_inputs(value))
    elif isinstance(card, list):
        for item in card:
            found.update(_inputs(item))
    return found


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
        return _open(services, locale, kind_for(kinds, message), message, message_sender(payload))
    data = value.get("data")
    if not isinstance(data, dict):
        return _message(text(locale, "extension.nothing_sent"))
    verb = data.get("verb")
    if verb == CHOOSE:
        chosen = data.get(CHOSEN)
        if not isinstance(chosen, str) or chosen not in offered(kinds):
            chosen = DEFAULT_KIND
        carried, sender = data.get("messageText"), data.get("messageSender")
        message = clean_text(carried)[:_CARRIED] if isinstance(carried, str) else ""
        who = clean_text(sender)[:160] if isinstance(sender, str) else ""
        return _open(services, locale, chosen, message, who)
    form_verbs = {_form(kinds, n).submit_verb for n in offered(kinds)}
    handler = registry.get(verb) if isinstance(verb, str) else None
    if handler is None or not isinstance(verb, str) or verb not in form_verbs:
        log.warning("message extension: a submit without a form verb was refused")
        return _message(text(locale, "extension.nothing_sent"))
    inputs = {k: v for k, v in data.items() if k not in ("verb", CHOSEN)}
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
