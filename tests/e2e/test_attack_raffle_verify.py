"""Attack: a hostile or damaged raffle record handed to `python -m bot.verify_raffle` crashes it
with a traceback and exit status 1, which the tool documents as "the raffle is NOT correct";
a file that is not a raffle record must give exit status 2 and a clear sentence. Fixed: the
record's shape is checked first (bot.domain.raffle.BadRecord)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain.raffle import ALGORITHM

BROKEN = [
    {"algorithm": ALGORITHM, "seed": "x", "gifts": ["a"]},
    {"algorithm": ALGORITHM, "seed": "x", "gifts": [{"winner": "a"}]},
    {"algorithm": ALGORITHM, "seed": "x", "participants": 5},
]


@pytest.mark.parametrize("record", BROKEN)
def test_a_malformed_record_is_a_bad_file_not_a_crash(tmp_path: Path, record: object) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.verify_raffle", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 2
    assert "does not hold a raffle record" in done.stderr
