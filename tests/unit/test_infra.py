"""The Azure deployment agrees with the code: the App Service sets exactly settings the bot reads
(with values the bot accepts), secrets come from Key Vault, and the parameter and toolkit files
fit the Bicep. (The Bicep itself is not compiled here: no Azure CLI in this environment.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.settings import SETTINGS, load_settings

ROOT = Path(__file__).resolve().parents[2]
BICEP = (ROOT / "infra" / "azure.bicep").read_text(encoding="utf-8")
SECRETS = {"MicrosoftAppPassword", "AZURE_STORAGE_CONNECTION_STRING"}
PLATFORM = {"SCM_DO_BUILD_DURING_DEPLOYMENT"}  # read by App Service, not by the bot


def _settings_block(variable: str) -> dict[str, str]:
    """`name: value` pairs of a `var <variable> = [ {...} ]` list in the Bicep."""
    match = re.search(rf"^var {variable} = \[\n(.*?)^\]", BICEP, re.S | re.M)
    assert match, f"var {variable} not found"
    pairs = re.findall(r"name: '([^']+)'\s*\n\s*value: (.+)", match.group(1))
    return {name: value.strip() for name, value in pairs}


def test_the_app_service_sets_only_settings_the_bot_reads() -> None:
    bot = _settings_block("botSettings")
    known = {s.name for s in SETTINGS}
    assert set(bot) <= known, set(bot) - known
    assert set(_settings_block("platformSettings")) == PLATFORM
    assert "appSettings: concat(botSettings, platformSettings)" in BICEP
    assert {
        "MicrosoftAppId",
        "MicrosoftAppPassword",
        "MicrosoftAppType",
        "MicrosoftAppTenantId",
        "AZURE_STORAGE_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
    } <= set(bot)


def test_secrets_are_key_vault_references() -> None:
    bot = _settings_block("botSettings")
    for name in SECRETS:
        assert bot[name].startswith("'@Microsoft.KeyVault(SecretUri="), name


def test_the_literal_values_are_accepted_by_the_settings_loader() -> None:
    literals = {
        name: value.strip("'")
        for name, value in _settings_block("botSettings").items()
        if re.fullmatch(r"'[^'$]*'", value)
    }
    guid = "2b7c4f0e-9d1a-4c3b-8e5f-6a7b8c9d0e1f"
    settings = load_settings(
        {
            **literals,
            "MicrosoftAppId": guid,
            "MicrosoftAppPassword": "from-key-vault",
            "MicrosoftAppTenantId": guid,
            "AZURE_STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountName=x;",
        },
        dotenv=None,
    )
    assert (settings.host, settings.port, settings.log_format) == ("0.0.0.0", 8000, "json")
    assert not settings.local_mode


def test_the_parameters_file_fits_the_bicep() -> None:
    declared = dict(re.findall(r"^param (\w+) \w+( = .+)?$", BICEP, re.M))
    given = json.loads((ROOT / "infra" / "azure.parameters.json").read_text(encoding="utf-8"))
    names = set(given["parameters"])
    assert names <= set(declared), names - set(declared)
    required = {name for name, default in declared.items() if not default}
    assert required <= names, required - names


def test_the_toolkit_files_point_at_what_exists() -> None:
    project = (ROOT / "m365agents.yml").read_text(encoding="utf-8")
    for path in re.findall(r"(?:path|parameters|manifestPath): \./(\S+)", project):
        assert (ROOT / path).is_file(), path
    environment = (ROOT / "env" / ".env.dev").read_text(encoding="utf-8")
    defined = set(re.findall(r"^(\w+)=", environment, re.M))
    used = set(
        re.findall(
            r"\$\{\{(\w+)\}\}", project + (ROOT / "infra" / "azure.parameters.json").read_text()
        )
    )
    secrets = {name for name in used if name.startswith("SECRET_")}  # kept in .env.dev.user
    assert used - secrets <= defined, (used - secrets) - defined
