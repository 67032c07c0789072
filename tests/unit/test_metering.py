"""How the transport meter reads a Table service URL (the counting itself is proven on Azurite
in tests/integration/test_metering.py)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.storage.metering import Tally, _target


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:10002/devstoreaccount1/requests()?$filter=x", ("requests", False)),
        ("https://acct.table.core.windows.net/requests()", ("requests", False)),
        ("https://acct.table.core.windows.net/requests", ("requests", False)),
        (
            "https://acct.table.core.windows.net/inbox(PartitionKey='t%7Cp',RowKey='a%2Fb')",
            ("inbox", True),
        ),
        (
            "http://127.0.0.1:10002/devstoreaccount1/inbox(PartitionKey='t|p',RowKey='~index')",
            ("inbox", True),
        ),
        ("http://127.0.0.1:10002/devstoreaccount1/Tables", ("Tables", False)),
        ("http://127.0.0.1:10002/devstoreaccount1/$batch", ("$batch", False)),
    ],
)
def test_a_url_names_its_table_and_whether_it_is_one_entity(
    url: str, expected: tuple[str, bool]
) -> None:
    assert _target(url) == expected


def test_adding_tallies_adds_every_count() -> None:
    one = Tally(**{f.name: n + 1 for n, f in enumerate(fields(Tally))})
    total = Tally()
    total.add(one)
    total.add(one)
    assert all(getattr(total, f.name) == 2 * getattr(one, f.name) for f in fields(Tally))
