"""Structured logs during real turns: every record of a request carries its id, and nothing a
person is called, mailed at or typed ends up in the log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import SANNE

PERSONAL = [
    "Sanne",
    "de Vries",
    "sanne.devries@example.nl",
    "fles wijn",
    "Bouwbedrijf Jansen",
]


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The production log set-up (JSON, DEBUG) for one test, writing to a buffer instead of
    stderr; the previous set-up is restored after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", "json")
    buffer = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


async def test_records_carry_the_request_id_and_no_personal_data(
    bot: BotUnderTest, json_logs: io.StringIO
) -> None:
    message = SANNE.message(
        bot.service_url,
        "Mijn e-mail is sanne.devries@example.nl, ik kreeg een fles wijn van Bouwbedrijf Jansen",
    )
    await bot.post(message)
    await bot.post({**SANNE.invoke(bot.service_url, "gift.explode"), "id": "act-unknown-verb"})
    bot.connector.fail_next(500, times=2)  # the reply fails: the error path logs too
    failing = SANNE.message(bot.service_url, "fles wijn van Bouwbedrijf Jansen")
    await bot.post(failing)

    lines = [line for line in json_logs.getvalue().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert records
    for line in lines:
        for secret in PERSONAL:
            assert secret not in line, f"{secret!r} leaked into the log: {line}"
    ids = {record["request_id"] for record in records}
    assert message["id"] in ids
    assert failing["id"] in ids
    assert {"time", "level", "logger", "message", "request_id"} <= set(records[0])


def test_outside_a_request_there_is_no_request_id(
    json_logs: io.StringIO,
) -> None:
    logging.getLogger("bot.test").warning("background work")
    [record] = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    assert record["request_id"] is None
    assert record["message"] == "background work"
