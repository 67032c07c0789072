"""The Teams app package: manifest and localisation files against Microsoft's official schemas
(tests/schemas), the icons Teams requires, and the zip `make package` builds."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from PIL import Image

from infra.package import PLACEHOLDER, SOURCE, build_package, manifest_for

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "schemas"
APP_ID = "8f1e2d3c-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
HOST = "integriteitsbot.azurewebsites.net"
FLOW_COMMANDS = [
    "cadeau",
    "uitnodiging",
    "nevenfunctie",
    "leverancier",
    "huurder",
    "datalek",
    "aanhangwagen",
    "journalist",
    "vertrouwenspersoon",
    "vraag",
]


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _errors(schema_file: str, document: Any) -> list[str]:
    validator = Draft4Validator(_json(SCHEMAS / schema_file))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_manifest_is_valid_against_the_official_1_24_schema() -> None:
    manifest = manifest_for(APP_ID, HOST)
    assert _errors("teams-manifest-1.24.schema.json", manifest) == []
    assert manifest["manifestVersion"] == "1.24"
    assert manifest["id"] == APP_ID


def test_without_the_app_id_filled_in_the_manifest_is_not_valid() -> None:
    # Guards the test above: the schema does check the id.
    raw = _json(SOURCE / "manifest.json")
    assert raw["id"] == PLACEHOLDER
    assert _errors("teams-manifest-1.24.schema.json", raw) != []


def test_the_bot_lives_in_personal_scope_only_with_a_command_per_flow() -> None:
    [bot] = manifest_for(APP_ID, HOST)["bots"]  # type: ignore[misc]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal"]
    [commands] = bot["commandLists"]
    assert commands["scopes"] == ["personal"]
    assert [c["title"] for c in commands["commands"]] == FLOW_COMMANDS


@pytest.mark.parametrize("language", ["nl.json", "en.json"])
def test_localisation_files_are_valid_against_the_official_schema(language: str) -> None:
    assert _errors("teams-manifest-1.24.localization.schema.json", _json(SOURCE / language)) == []


def test_dutch_is_the_default_and_english_is_offered() -> None:
    info = manifest_for(APP_ID, HOST)["localizationInfo"]
    assert info == {
        "defaultLanguageTag": "nl-nl",
        "defaultLanguageFile": "nl.json",
        "additionalLanguages": [{"languageTag": "en-us", "file": "en.json"}],
    }


def test_nl_and_en_translate_the_same_strings_and_nl_matches_the_manifest() -> None:
    nl, en = _json(SOURCE / "nl.json"), _json(SOURCE / "en.json")
    assert nl.keys() == en.keys()
    manifest = manifest_for(APP_ID, HOST)
    for key, value in nl.items():
        if key == "$schema":
            continue
        node: Any = manifest
        for part in key.replace("]", "").replace("[", ".").split("."):
            node = node[int(part)] if part.isdigit() else node[part]
        assert node == value, key
        assert en[key] and en[key] != value, f"{key} is not translated"


def test_the_colour_icon_is_192_square_and_opaque() -> None:
    icon = Image.open(SOURCE / "color.png")
    assert icon.size == (192, 192)
    rgba = icon.convert("RGBA")
    alpha_min, _ = rgba.getchannel("A").getextrema()
    assert alpha_min == 255
    assert len(rgba.getcolors(maxcolors=192 * 192) or []) > 2  # a picture, not a flat square


def test_the_outline_icon_is_32_square_white_on_transparent() -> None:
    icon = Image.open(SOURCE / "outline.png")
    assert icon.size == (32, 32)
    assert icon.mode == "RGBA"
    pixels = [icon.getpixel((x, y)) for x in range(32) for y in range(32)]
    visible = [p for p in pixels if p[3] > 0]  # type: ignore[index]
    assert visible, "the outline icon is empty"
    assert any(p[3] == 0 for p in pixels), "the outline icon has no transparency"  # type: ignore[index]
    assert {p[:3] for p in visible} == {(255, 255, 255)}  # type: ignore[index]


def test_the_package_zip_has_the_app_id_and_every_file(tmp_path: Path) -> None:
    target = build_package(APP_ID, tmp_path / "build" / "appPackage.zip", HOST)
    with zipfile.ZipFile(target) as package:
        assert sorted(package.namelist()) == sorted(
            ["manifest.json", "nl.json", "en.json", "color.png", "outline.png"]
        )
        manifest_text = package.read("manifest.json").decode("utf-8")
        assert PLACEHOLDER not in manifest_text
        manifest = json.loads(manifest_text)
        assert _errors("teams-manifest-1.24.schema.json", manifest) == []
        for name in ("color.png", "outline.png"):
            assert package.read(name) == (SOURCE / name).read_bytes()


def test_the_package_refuses_an_app_id_that_is_not_a_guid(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MicrosoftAppId"):
        build_package("my-bot", tmp_path / "appPackage.zip", HOST)


def test_the_tab_the_message_extension_and_sign_on_are_declared() -> None:
    manifest: Any = manifest_for(APP_ID, HOST)
    [tab] = manifest["staticTabs"]
    assert tab["scopes"] == ["personal"]
    assert tab["contentUrl"] == f"https://{HOST}/tab?lang={{locale}}"
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == APP_ID
    [command] = extension["commands"]
    assert command["id"] == "declareFromMessage"  # dialogs/extension.py COMMAND
    assert command["type"] == "action" and command["context"] == ["message"]
    assert command["fetchTask"] is True
    assert command["title"] == "Melden bij Integriteit"
    # The tab's token audience (bot/settings.py sso_audiences) is this resource.
    assert manifest["webApplicationInfo"] == {
        "id": APP_ID,
        "resource": f"api://{HOST}/{APP_ID}",
    }
    assert manifest["validDomains"] == [HOST]


def test_the_package_needs_an_https_public_address() -> None:
    from infra.package import host_of

    assert host_of(f"https://{HOST}") == HOST
    for wrong in ("http://localhost:3978", f"https://{HOST}/bot", "integriteitsbot"):
        with pytest.raises(ValueError, match="BOT_PUBLIC_URL"):
            host_of(wrong)


def test_every_command_in_the_menu_opens_its_flow_in_both_languages() -> None:
    """Choosing a command sends its title: each one opens the flow it names (before, "huurder"
    and "vraag" were not understood at all)."""
    from bot.domain.intents import OpenFlow, understand
    from bot.domain.knowledge import knowledge_base

    nl = [
        c["title"]
        for c in _json(SOURCE / "manifest.json")["bots"][0]["commandLists"][0]["commands"]
    ]
    en_file = _json(SOURCE / "en.json")
    en = [en_file[f"bots[0].commandLists[0].commands[{i}].title"] for i in range(len(nl))]
    flows = ["gift", "invitation", "sidejob", "supplier", "tenant", "dataleak", "trailer", "press"]
    flows += ["concern", "question"]
    for titles in (nl, en):
        seen = [understand(t, knowledge_base()) for t in titles]
        assert seen == [OpenFlow(f, confidential=f == "concern") for f in flows], titles
        assert [understand(t.upper(), knowledge_base()) for t in titles] == seen
