"""The Azure deployment agrees with the code. Every Bicep file is parsed (pycep-parser; the Bicep
CLI is not available here), the web app's settings are evaluated from the template, and the bot's
own settings loader must accept them as a production configuration; every setting a production
deployment needs (derived from bot/settings.py, not listed here) must be among them. Secrets come
from Key Vault, Table storage is reached with the managed identity (no account key anywhere), and
the parameter and toolkit files fit the Bicep."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

from bot.settings import SETTINGS, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = INFRA / "azure.bicep"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))
PLATFORM = {"SCM_DO_BUILD_DURING_DEPLOYMENT"}  # read by App Service, not by the bot
STORAGE_TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"


def _guid() -> str:
    return str(uuid.uuid4())


# What Azure fills in at deployment, for the expressions the settings use. A new expression in a
# setting needs a sample here (the test says which); it is not a list of required settings.
RUNTIME_SAMPLES: dict[str, str] = {
    "botPasswordSecret.properties.secretUri": (
        "https://wgintegr-kv-abc.vault.azure.net/secrets/MicrosoftAppPassword/0123456789abcdef"
    ),
    "webApp.properties.defaultHostName": "wgintegr-abc.azurewebsites.net",
    "storage.properties.primaryEndpoints.table": "https://wgintegrabc.table.core.windows.net/",
    "insights.properties.ConnectionString": (
        f"InstrumentationKey={_guid()};IngestionEndpoint=https://westeurope-5.in.applicationinsights"
        ".azure.com/"
    ),
}


def _group_settings() -> dict[str, str]:
    """Every Entra group-id setting of the bot (named *GROUP*), with an object id, as an
    administrator passes them in the `directoryGroups` parameter object."""
    return {s.name: _guid() for s in SETTINGS if "GROUP" in s.name.upper()}


# What the administrator passes for parameters without a default (infra/README.md, step 4).
PARAMETER_SAMPLES: dict[str, Any] = {
    "resourceBaseName": "wgintegr",
    "botAppId": _guid(),
    "botAppPassword": "client-secret-from-entra",
    "tenantId": _guid(),
    "meldregelingUrl": "https://intranet.woongroen.nl/meldregeling",
    "codeUrl": "https://intranet.woongroen.nl/gedragscode-integriteit",
    "directoryGroups": _group_settings(),
    "extraSettings": {},
}


@cache
def _parse(path: Path) -> dict[str, Any]:
    parsed: dict[str, Any] = BicepParser().parse(file_path=path)
    return parsed


def _template() -> dict[str, Any]:
    return _parse(MAIN)


def _dotted(node: Any) -> str:
    """`a.b.c` for pycep's nested property accessors."""
    if isinstance(node, str):
        return node
    operator = node["operator"]
    assert operator["type"] == "property_accessor", node
    operands = operator["operands"]
    return f"{_dotted(operands['operand_1'])}.{_dotted(operands['operand_2'])}"


def _evaluate(node: Any, template: Mapping[str, Any]) -> Any:
    """The value a settings expression has at deployment (parameters from PARAMETER_SAMPLES or
    their defaults, Azure's values from RUNTIME_SAMPLES)."""
    parameters, variables = template["parameters"], template["variables"]
    if isinstance(node, bool | int):
        return str(node).lower() if isinstance(node, bool) else str(node)
    if isinstance(node, str):
        # pycep gives a reference to a parameter or variable and a plain string alike.
        if node in parameters:
            if node in PARAMETER_SAMPLES:
                return PARAMETER_SAMPLES[node]
            default = parameters[node]["default"]
            assert isinstance(default, str | dict), f"parameter {node} needs a sample value"
            return _evaluate(default, template)
        if node in variables:
            return _evaluate(variables[node]["value"], template)

        def runtime(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression in parameters or expression in variables:
                return str(_evaluate(expression, template))
            assert expression in RUNTIME_SAMPLES, f"no sample for ${{{expression}}}"
            return RUNTIME_SAMPLES[expression]

        return re.sub(r"\$\{([^}]+)\}", runtime, node)
    if isinstance(node, dict) and "operator" in node:
        expression = _dotted(node)
        assert expression in RUNTIME_SAMPLES, f"no sample for {expression}"
        return RUNTIME_SAMPLES[expression]
    if isinstance(node, dict) and "function" in node:
        function = node["function"]
        assert function["type"] == "union", f"cannot evaluate {function['type']}() in settings"
        merged: dict[str, Any] = {}
        for argument in function["parameters"].values():
            merged.update(_evaluate(argument, template))
        return merged
    if isinstance(node, dict):
        return {key: _evaluate(value, template) for key, value in node.items()}
    raise AssertionError(f"cannot evaluate {node!r}")


def _resources(kind: str) -> list[dict[str, Any]]:
    return [r["config"] for r in _template()["resources"].values() if r["type"] == kind]


def app_settings() -> dict[str, str]:
    """Every app setting the template gives the web app, as evaluated at deployment."""
    [config] = [c for c in _resources("Microsoft.Web/sites/config") if c["name"] == "appsettings"]
    settings = _evaluate(config["properties"], _template())
    assert isinstance(settings, dict)
    for [site] in [_resources("Microsoft.Web/sites")]:
        assert "appSettings" not in site["properties"]["siteConfig"], "set in one place only"
    return {str(k): str(v) for k, v in settings.items()}


def _production(environ: Mapping[str, str]) -> Settings:
    return load_settings({k: v for k, v in environ.items() if k not in PLATFORM}, dotenv=None)


def required_in_production(environ: Mapping[str, str]) -> set[str]:
    """The settings a production deployment must set, derived from bot/settings.py: those
    marked `production` there, and every setting whose absence the loader refuses (its rules
    between settings, e.g. the client secret once MicrosoftAppId is set)."""
    required = {s.name for s in SETTINGS if s.production}
    for name in environ:
        try:
            _production({k: v for k, v in environ.items() if k != name})
        except SettingsError as error:
            if str(error).startswith(name):
                required.add(name)
    return required


def test_every_bicep_file_parses() -> None:
    assert MAIN in BICEP_FILES
    for path in BICEP_FILES:
        parsed = _parse(path)
        assert parsed["resources"] or parsed.get("modules"), path


def test_the_web_app_sets_only_settings_the_bot_reads() -> None:
    known = {s.name for s in SETTINGS} | PLATFORM
    assert set(app_settings()) <= known, set(app_settings()) - known
    assert PLATFORM <= set(app_settings())


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """What is wrong with `environ` as a production configuration (empty: nothing)."""
    try:
        _production(environ)
    except SettingsError as error:
        return [f"refused by the settings loader: {error}"]
    defaults = {s.name: s.default for s in SETTINGS}
    return [
        f"{name} is not set" if name not in environ else f"{name} is left at its default"
        for name in sorted(required_in_production(environ))
        if environ.get(name, defaults[name]) == defaults[name]
    ]


def test_every_setting_production_needs_is_set_and_accepted() -> None:
    environ = app_settings()
    assert production_problems(environ) == []
    # Derived from bot/settings.py (marked there, or refused when absent):
    required = required_in_production(environ)
    assert {"MicrosoftAppId", "MicrosoftAppPassword", "BOT_PUBLIC_URL"} <= required
    # The values the bot needs on Azure.
    settings = _production(environ)
    assert not settings.local_mode
    assert settings.public_url == "https://wgintegr-abc.azurewebsites.net"
    assert settings.storage_table_endpoint == "https://wgintegrabc.table.core.windows.net"
    assert settings.meldregeling_url == PARAMETER_SAMPLES["meldregelingUrl"]
    assert (settings.host, settings.port, settings.log_format) == ("0.0.0.0", 8000, "json")


@pytest.mark.parametrize(
    "name",
    ["BOT_PUBLIC_URL", "MELDREGELING_URL", "AZURE_STORAGE_TABLE_ENDPOINT", "MicrosoftAppPassword"],
)
def test_a_template_that_forgets_a_needed_setting_is_caught(name: str) -> None:
    environ = {k: v for k, v in app_settings().items() if k != name}
    assert any(name in problem for problem in production_problems(environ)), name


def test_group_ids_come_in_through_one_parameter_object() -> None:
    """Any Entra group-id setting (the directory from Graph) reaches the web app from the
    `directoryGroups` object, whatever its name; the template lists none of them itself."""
    template = _template()
    assert template["parameters"]["directoryGroups"]["type"] == "object"
    [config] = [c for c in _resources("Microsoft.Web/sites/config") if c["name"] == "appsettings"]
    assert "directoryGroups" in config["properties"]["function"]["parameters"].values()
    given = {"SOME_ROLE_GROUP_ID": _guid()}
    PARAMETER_SAMPLES["directoryGroups"] = {**_group_settings(), **given}
    try:
        assert given.items() <= app_settings().items()
    finally:
        PARAMETER_SAMPLES["directoryGroups"] = _group_settings()


def test_no_account_key_the_secret_from_key_vault_tables_with_the_identity() -> None:
    text = MAIN.read_text(encoding="utf-8")
    assert "listKeys" not in text and "AccountKey" not in text
    environ = app_settings()
    assert "AZURE_STORAGE_CONNECTION_STRING" not in environ
    assert environ["MicrosoftAppPassword"].startswith("@Microsoft.KeyVault(SecretUri=https://")
    [storage] = _resources("Microsoft.Storage/storageAccounts")
    assert storage["properties"]["allowSharedKeyAccess"] is False
    [site] = _resources("Microsoft.Web/sites")
    assert site["identity"]["type"] == "SystemAssigned"
    variables = _template()["variables"]
    roles = {
        variables[_role_name(r)]["value"]: (r["scope"], _dotted(r["properties"]["principalId"]))
        for r in _resources("Microsoft.Authorization/roleAssignments")
    }
    assert roles[STORAGE_TABLE_DATA_CONTRIBUTOR] == ("storage", "webApp.identity.principalId")
    assert roles[KEY_VAULT_SECRETS_USER] == ("vault", "webApp.identity.principalId")


def _role_name(assignment: Mapping[str, Any]) -> str:
    parameters = assignment["properties"]["roleDefinitionId"]["function"]["parameters"]
    return str(parameters["resource_name_1"])


def test_the_parameters_file_fits_the_bicep() -> None:
    declared = _template()["parameters"]
    given = json.loads((INFRA / "azure.parameters.json").read_text(encoding="utf-8"))
    names = set(given["parameters"])
    assert names <= set(declared), names - set(declared)
    required = {name for name, p in declared.items() if p["default"] is None}
    assert required <= names, required - names
    assert required <= set(PARAMETER_SAMPLES), required - set(PARAMETER_SAMPLES)


def test_the_toolkit_files_point_at_what_exists() -> None:
    project = (ROOT / "m365agents.yml").read_text(encoding="utf-8")
    for path in re.findall(r"(?:path|parameters|manifestPath): \./(\S+)", project):
        assert (ROOT / path).is_file(), path
    environment = (ROOT / "env" / ".env.dev").read_text(encoding="utf-8")
    defined = set(re.findall(r"^(\w+)=", environment, re.M))
    used = set(
        re.findall(r"\$\{\{(\w+)\}\}", project + (INFRA / "azure.parameters.json").read_text())
    )
    secrets = {name for name in used if name.startswith("SECRET_")}  # kept in .env.dev.user
    assert used - secrets <= defined, (used - secrets) - defined
