"""Real Bot Framework activities as Teams sends them, for posting to /api/messages."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

_ids = itertools.count(1)
TENANT = "6d1f3a52-8c4e-4b7a-9e21-5f0c3d8b7a10"
BOT_ID = "28:integriteitsbot"


@dataclass(frozen=True)
class TeamsUser:
    aad_id: str
    name: str
    locale: str = "nl-NL"

    @property
    def conversation_id(self) -> str:
        return f"a:personal-{self.aad_id}"

    def base(self, service_url: str, kind: str) -> dict[str, Any]:
        return {
            "type": kind,
            "id": f"act-{next(_ids)}",
            "timestamp": "2026-11-29T10:00:00.000Z",
            "serviceUrl": service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{self.aad_id}", "name": self.name, "aadObjectId": self.aad_id},
            "recipient": {"id": BOT_ID, "name": "Integriteitsbot"},
            "conversation": {
                "id": self.conversation_id,
                "conversationType": "personal",
                "tenantId": TENANT,
            },
            "channelData": {"tenant": {"id": TENANT}},
            "locale": self.locale,
        }

    def message(self, service_url: str, text: str) -> dict[str, Any]:
        return {**self.base(service_url, "message"), "text": text}

    def install(self, service_url: str) -> dict[str, Any]:
        return {**self.base(service_url, "installationUpdate"), "action": "add"}

    def invoke(
        self,
        service_url: str,
        verb: str,
        data: dict[str, Any] | None = None,
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        activity = {
            **self.base(service_url, "invoke"),
            "name": "adaptiveCard/action",
            "value": {
                "action": {"type": "Action.Execute", "verb": verb, "data": data or {}},
                "trigger": "manual",
            },
        }
        if reply_to:
            activity["replyToId"] = reply_to
        return activity


SANNE = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000001", "Sanne de Vries")
PIETER = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000002", "Pieter Bakker")
LOTTE = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000006", "Lotte Smit")
FATIMA = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000004", "Fatima el Amrani")
EMMA_EN = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000001", "Sanne de Vries", locale="en-US")
JOOST = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000005", "Joost Visser")
MARIEKE = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000003", "Marieke Jansen")
