"""One frozen settings object, read once from the environment (and an optional `.env`).

This is the only module that reads environment variables. Every setting is listed in
`SETTINGS` with its default and its meaning; the README's "Configuration" section and
`.env.example` are checked against this list by the tests.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

AZURITE_CONNECTION_STRING = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
)


MIW_PAGE = (
    "https://www.ilent.nl/onderwerpen/meldingen-vragen-en-klachten-over-woningcorporaties/"
    "meldpunt-integriteit-woningcorporaties"
)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("MicrosoftAppId", "", "Entra app (client) id of the Azure Bot. Empty = local mode."),
    Setting("MicrosoftAppPassword", "", "Client secret of that app registration."),
    Setting("MicrosoftAppType", "SingleTenant", "SingleTenant, MultiTenant or UserAssignedMSI."),
    Setting("MicrosoftAppTenantId", "", "Entra tenant id (required for SingleTenant)."),
    Setting(
        "AZURE_STORAGE_CONNECTION_STRING",
        AZURITE_CONNECTION_STRING,
        "Table storage connection string (default: local Azurite on 127.0.0.1:10002).",
    ),
    Setting("TABLE_PREFIX", "", "Prefix for every table name (letters and digits), e.g. per test."),
    Setting("BOT_HOST", "127.0.0.1", "Interface the bot listens on."),
    Setting("BOT_PORT", "3978", "Port the bot listens on."),
    Setting("LOG_FORMAT", "text", "text (readable) or json (one object per line)."),
    Setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR."),
    Setting("DEFAULT_LOCALE", "nl-NL", "Language when Teams sends no locale."),
    Setting(
        "LOCALE_OVERRIDE",
        "",
        "Language for everyone, whatever Teams sends (`make run` sets nl-NL: the Playground "
        "always claims en-US).",
    ),
    Setting("DIRECTORY_FILE", "", "JSON file with people (manager, roles) loaded into storage."),
    Setting("TENANT_ID", "", "Tenant id used for the directory when no app tenant is set."),
    Setting(
        "MELDREGELING_URL",
        "https://www.woongroen.example/meldregeling",
        "Page with Woongroen's internal reporting procedure (meldregeling), shown on the "
        "concern card.",
    ),
    Setting(
        "JOBS_INTERVAL_SECONDS",
        "300",
        "How often each instance runs the background jobs (reminders, escalation); 0 = never.",
    ),
    Setting(
        "REMINDER_WORKING_DAYS",
        "3",
        "Working days a request may wait before its approver is reminded.",
    ),
    Setting(
        "ESCALATION_WORKING_DAYS",
        "2",
        "Further working days before it goes to the approver's own manager.",
    ),
    Setting(
        "BOT_PUBLIC_URL",
        "",
        "The bot's public base address, for download links (register exports). Empty = "
        "http://BOT_HOST:BOT_PORT.",
    ),
    Setting(
        "MIW_URL",
        MIW_PAGE,
        "Page of the external Meldpunt Integriteit Woningcorporaties (ILT), shown on the "
        "concern card.",
    ),
    Setting(
        "ACK_REMINDER_DAYS",
        "14",
        "Days between reminders to people who have not yet confirmed the yearly code "
        "acknowledgement.",
    ),
    Setting(
        "RETENTION_REQUESTS_DAYS",
        "2555",
        "Days a decided or withdrawn request (gift, invitation, side job ...) and its audit trail "
        "are kept before the daily job removes them (default 7 years).",
    ),
    Setting(
        "RETENTION_BREACHES_DAYS",
        "1825",
        "Days a closed entry of the data-breach register is kept (default 5 years).",
    ),
    Setting(
        "TEAMS_SENDS_PER_SECOND",
        "45",
        "Proactive Teams requests per second (cards, card updates, retries) of each bot "
        "instance. Teams allows 50 per app per tenant: in production keep it below 50 divided "
        "by the number of instances (45 with a burst of 3 keeps one instance at or under 48 a "
        "second). Only local mode may go higher (the benchmarks measure capacity unpaced).",
    ),
    Setting(
        "DEBUG_COUNTERS",
        "",
        "1 = serve `GET /_debug/counters` (storage requests so far) for `make bench`; "
        "local mode only.",
    ),
    # Bot Framework authentication endpoints. All empty = the SDK's public-cloud defaults; setting
    # any of them switches the SDK to its parameterized mode, where we fill the others with the
    # public-cloud values (tests point them at a loopback identity provider).
    Setting(
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
        "",
        "OpenID metadata of the tokens Teams sends the bot (empty = Bot Framework public cloud).",
    ),
    Setting(
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
        "",
        "Issuer those tokens must carry (empty = https://api.botframework.com).",
    ),
    Setting(
        "TO_CHANNEL_FROM_BOT_LOGIN_URL",
        "",
        "Entra authority the bot gets its outgoing token from (https; empty = "
        "https://login.microsoftonline.com/<MicrosoftAppTenantId>).",
    ),
    Setting(
        "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
        "",
        "Audience of the bot's outgoing token (empty = https://api.botframework.com).",
    ),
    Setting(
        "GRAPH_BASE_URL",
        "https://graph.microsoft.com",
        "Microsoft Graph endpoint for the manager lookup.",
    ),
    Setting(
        "GRAPH_LOGIN_URL",
        "https://login.microsoftonline.com",
        "Entra login host for the Graph app token (https; the tenant is appended).",
    ),
    Setting(
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "",
        "Application Insights connection string; set = send traces and logs via OpenTelemetry.",
    ),
)

_LOG_FORMATS = ("text", "json")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one bot process."""

    app_id: str
    app_password: str
    app_type: str
    app_tenant_id: str
    storage_connection_string: str
    table_prefix: str
    host: str
    port: int
    log_format: str
    log_level: str
    default_locale: str
    locale_override: str
    jobs_interval: int
    reminder_days: int
    escalation_days: int
    directory_file: Path | None
    tenant_id: str
    meldregeling_url: str
    miw_url: str
    debug_counters: bool = False
    channel_openid_metadata_url: str = ""
    channel_token_issuer: str = ""
    channel_login_url: str = ""
    channel_oauth_scope: str = ""
    graph_base_url: str = "https://graph.microsoft.com"
    graph_login_url: str = "https://login.microsoftonline.com"
    appinsights_connection_string: str = ""
    public_url: str = ""
    ack_reminder_days: int = 14
    retention_requests_days: int = 2555
    retention_breaches_days: int = 1825
    teams_sends_per_second: float = 45.0

    @property
    def local_mode(self) -> bool:
        """No credentials: requests are not authenticated and only loopback is served."""
        return not self.app_id

    @property
    def directory_tenant(self) -> str:
        """The tenant whose people the directory holds."""
        return self.app_tenant_id or self.tenant_id or "local"


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a simple `.env` file: KEY=VALUE lines, `#` comments, optional quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Read every setting once; raise `SettingsError` naming the first bad variable.

    Environment variables win over the `.env` file.
    """
    source: dict[str, str] = {}
    if dotenv is not None:
        source.update(read_dotenv(dotenv))
    source.update(os.environ if environ is None else environ)

    def get(name: str) -> str:
        default = next(s.default for s in SETTINGS if s.name == name)
        return source.get(name, "").strip() or default

    app_id = get("MicrosoftAppId")
    app_type = get("MicrosoftAppType") or "SingleTenant"
    if app_type not in _APP_TYPES:
        raise SettingsError(f"MicrosoftAppType must be one of {', '.join(_APP_TYPES)}")
    tenant = get("MicrosoftAppTenantId")
    if app_id:
        _require_guid("MicrosoftAppId", app_id)
        if app_type != "UserAssignedMSI" and not get("MicrosoftAppPassword"):
            raise SettingsError("MicrosoftAppPassword is required when MicrosoftAppId is set")
        if app_type == "SingleTenant" and not tenant:
            raise SettingsError("MicrosoftAppTenantId is required for a SingleTenant app")
    if tenant:
        _require_guid("MicrosoftAppTenantId", tenant)

    connection = get("AZURE_STORAGE_CONNECTION_STRING")
    parts = dict(p.split("=", 1) for p in connection.split(";") if "=" in p)
    if not connection or not (
        "AccountName" in parts or "TableEndpoint" in parts or "UseDevelopmentStorage" in parts
    ):
        raise SettingsError("AZURE_STORAGE_CONNECTION_STRING is not a storage connection string")

    prefix = get("TABLE_PREFIX")
    if prefix and not prefix.isalnum():
        raise SettingsError("TABLE_PREFIX may only contain letters and digits")

    port_text = get("BOT_PORT")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError("BOT_PORT must be a port number (1-65535)")

    log_format = get("LOG_FORMAT").lower()
    if log_format not in _LOG_FORMATS:
        raise SettingsError("LOG_FORMAT must be 'text' or 'json'")
    log_level = get("LOG_LEVEL").upper()
    if log_level not in _LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")

    locale = get("DEFAULT_LOCALE")
    if not locale[:2].isalpha():
        raise SettingsError("DEFAULT_LOCALE must look like nl-NL or en-US")
    override = get("LOCALE_OVERRIDE")
    if override and not override[:2].isalpha():
        raise SettingsError("LOCALE_OVERRIDE must look like nl-NL or en-US")

    interval_text = get("JOBS_INTERVAL_SECONDS")
    if not interval_text.isdigit():
        raise SettingsError("JOBS_INTERVAL_SECONDS must be a whole number of seconds (0 = off)")

    directory_text = get("DIRECTORY_FILE")
    directory = Path(directory_text) if directory_text else None
    if directory is not None and not directory.is_file():
        raise SettingsError(f"DIRECTORY_FILE points to a missing file: {directory}")

    urls = {
        name: get(name).rstrip("/")
        for name in (
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
            "TO_CHANNEL_FROM_BOT_LOGIN_URL",
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
            "GRAPH_BASE_URL",
            "GRAPH_LOGIN_URL",
        )
    }
    for name, url in urls.items():
        # MSAL only talks to https authorities; the others may be plain http on loopback.
        https_only = name in ("TO_CHANNEL_FROM_BOT_LOGIN_URL", "GRAPH_LOGIN_URL")
        _check_url(name, url, https_only)
    insights = get("APPLICATIONINSIGHTS_CONNECTION_STRING")
    if insights and "InstrumentationKey=" not in insights:
        raise SettingsError("APPLICATIONINSIGHTS_CONNECTION_STRING lacks an InstrumentationKey")

    host = get("BOT_HOST")
    if not app_id and host not in ("127.0.0.1", "localhost", "::1"):
        raise SettingsError("BOT_HOST must be a loopback address in local mode (no MicrosoftAppId)")

    debug_text = get("DEBUG_COUNTERS").lower()
    if debug_text not in ("", "0", "1", "true", "false"):
        raise SettingsError("DEBUG_COUNTERS must be 1 or 0")
    debug_counters = debug_text in ("1", "true")
    if debug_counters and app_id:
        raise SettingsError("DEBUG_COUNTERS is for local benchmarks only (no MicrosoftAppId)")

    sends_per_second = _sends_per_second(get("TEAMS_SENDS_PER_SECOND"), local=not app_id)

    ack_reminder_days = _days(get, "ACK_REMINDER_DAYS")
    retention_requests_days = _days(get, "RETENTION_REQUESTS_DAYS")
    retention_breaches_days = _days(get, "RETENTION_BREACHES_DAYS")

    return Settings(
        app_id=app_id,
        app_password=get("MicrosoftAppPassword"),
        app_type=app_type,
        app_tenant_id=tenant,
        storage_connection_string=connection,
        table_prefix=prefix,
        host=host,
        port=int(port_text),
        log_format=log_format,
        log_level=log_level,
        default_locale=locale,
        locale_override=override,
        jobs_interval=int(interval_text),
        reminder_days=_working_days("REMINDER_WORKING_DAYS", get("REMINDER_WORKING_DAYS")),
        escalation_days=_working_days("ESCALATION_WORKING_DAYS", get("ESCALATION_WORKING_DAYS")),
        directory_file=directory,
        tenant_id=get("TENANT_ID"),
        meldregeling_url=_require_url("MELDREGELING_URL", get("MELDREGELING_URL")),
        miw_url=_require_url("MIW_URL", get("MIW_URL")),
        debug_counters=debug_counters,
        channel_openid_metadata_url=urls["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"],
        # The issuer is compared verbatim with the token's `iss`: keep it exactly as given.
        channel_token_issuer=get("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"),
        channel_login_url=urls["TO_CHANNEL_FROM_BOT_LOGIN_URL"],
        channel_oauth_scope=urls["TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"],
        graph_base_url=urls["GRAPH_BASE_URL"],
        graph_login_url=urls["GRAPH_LOGIN_URL"],
        appinsights_connection_string=insights,
        public_url=_public_url(get("BOT_PUBLIC_URL"), host, int(port_text)),
        ack_reminder_days=ack_reminder_days,
        retention_requests_days=retention_requests_days,
        retention_breaches_days=retention_breaches_days,
        teams_sends_per_second=sends_per_second,
    )


def _working_days(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 60:
        raise SettingsError(f"{name} must be a number of working days from 1 to 60")
    return int(value)


# Teams' limit for proactive requests: 50 per second per app per tenant (429 beyond).
TEAMS_REQUESTS_PER_SECOND = 50.0


def _sends_per_second(value: str, local: bool) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not math.isfinite(rate) or rate <= 0:
        raise SettingsError(
            "TEAMS_SENDS_PER_SECOND must be a number of requests per second above 0"
        )
    if not local and rate >= TEAMS_REQUESTS_PER_SECOND:
        # Above Teams' limit every proactive message of the app would meet 429s.
        raise SettingsError(
            "TEAMS_SENDS_PER_SECOND must stay below Teams' limit of 50 requests/s per app "
            "(only local benchmarks may go above it)"
        )
    return rate


def _days(get: Callable[[str], str], name: str) -> int:
    value = get(name)
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a whole number of days (at least 1)")
    return int(value)


def _require_guid(name: str, value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise SettingsError(f"{name} must be a GUID, got {value!r}") from None


def _public_url(value: str, host: str, port: int) -> str:
    if not value:
        return f"http://{host}:{port}"
    return _require_url("BOT_PUBLIC_URL", value).rstrip("/")


def _require_url(name: str, value: str) -> str:
    if not value.startswith(("https://", "http://")) or " " in value:
        raise SettingsError(f"{name} must be an http(s) address, got {value!r}")
    return value


def _check_url(name: str, value: str, https_only: bool) -> None:
    if not value:
        return
    parsed = urlsplit(value)
    schemes = ("https",) if https_only else ("https", "http")
    if parsed.scheme not in schemes or not parsed.netloc:
        kind = "an https URL" if https_only else "an http(s) URL"
        raise SettingsError(f"{name} must be {kind}, got {value!r}")
