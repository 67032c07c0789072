"""TeamsJS for the tab is committed (bot/tab/static/vendor/, docs/tab.md): it must be the very
file of the version package.json pins, and the bot must not start without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.tab.http import TEAMS_JS, TeamsJsMissing, check_teams_js

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "node_modules" / "@microsoft" / "teams-js"


def test_the_committed_teams_js_is_the_pinned_release() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["@microsoft/teams-js"]
    installed = json.loads((PACKAGE / "package.json").read_text())["version"]
    assert installed == pinned, "node_modules is not the pinned TeamsJS: run `make install`"
    built = PACKAGE / "dist" / "umd" / "MicrosoftTeams.min.js"
    assert TEAMS_JS.read_bytes() == built.read_bytes(), (
        "bot/tab/static/vendor/ differs from the pinned TeamsJS: run `make install` and commit it"
    )
    assert pinned.encode() in TEAMS_JS.read_bytes()
    assert (TEAMS_JS.parent / "LICENSE-teams-js.txt").read_bytes() == (
        PACKAGE / "LICENSE"
    ).read_bytes()


def test_start_is_refused_without_teams_js(tmp_path: Path) -> None:
    check_teams_js()  # the committed copy
    with pytest.raises(TeamsJsMissing, match="TeamsJS is missing"):
        check_teams_js(tmp_path / "MicrosoftTeams.min.js")
    empty = tmp_path / "empty.js"
    empty.write_bytes(b"")
    with pytest.raises(TeamsJsMissing):
        check_teams_js(empty)
