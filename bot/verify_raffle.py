"""Check a published raffle record: `python -m bot.verify_raffle <file.json>`.

The record is what the bot shows under "Verlotingen" -> "Verslag (JSON)": the algorithm, the
commitment published before the draw, the seed revealed after it, the participants and the gifts
with their winners. The check recomputes SHA-256 of the seed against the commitment and re-runs
the draw (`bot.domain.raffle`, documented in docs/raffle.md); it needs no storage and no
network. Exit status 0 when everything holds, 1 when something does not, 2 for a bad file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.domain.raffle import BadRecord, verify


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.verify_raffle <record.json>", file=sys.stderr)
        return 2
    try:
        record = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"cannot read {argv[0]}: {error}", file=sys.stderr)
        return 2
    if not isinstance(record, dict):
        print(f"{argv[0]} does not hold a raffle record (a JSON object)", file=sys.stderr)
        return 2
    try:
        problems = verify(record)
    except BadRecord as error:
        print(f"{argv[0]} does not hold a raffle record: {error}", file=sys.stderr)
        return 2
    if problems:
        print(f"raffle {record.get('id', '?')}: NOT correct")
        for problem in problems:
            print(f"- {problem}")
        return 1
    gifts = record.get("gifts", [])
    print(
        f"raffle {record.get('id', '?')}: correct - the seed matches the commitment and the draw "
        f"gives the same {len(gifts)} winner(s) among {len(record.get('participants', []))} "
        "participants"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
