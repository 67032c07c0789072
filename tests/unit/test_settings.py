from pathlib import Path

import pytest

from bot.domain.people import Role
from bot.settings import AZURITE_CONNECTION_STRING, SETTINGS, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
GUID = "2b7c4f0e-9d1a-4c3b-8e5f-6a7b8c9d0e1f"
# What a deployment with an app id needs at least (issue #17, point 2).
PRODUCTION = {
    "MicrosoftAppId": GUID,
    "MicrosoftAppPassword": "x",
    "MicrosoftAppTenantId": GUID,
    "BOT_PUBLIC_URL": "https://bot.woongroen.example",
    "MELDREGELING_URL": "https://intranet.woongroen.example/meldregeling",
    "GROUP_PRIVACY_OFFICER_ID": "9a000000-0000-4000-8000-000000000003",
    "GROUP_HR_ID": "9a000000-0000-4000-8000-000000000005",
    "GROUP_INTEGRITY_OFFICER_ID": "9a000000-0000-4000-8000-000000000006",
}


def test_without_credentials_runs_in_local_mode_on_azurite() -> None:
    settings = load_settings({}, dotenv=None)
    assert settings.local_mode
    assert settings.storage_connection_string == AZURITE_CONNECTION_STRING
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)


def test_credentials_turn_local_mode_off() -> None:
    settings = load_settings(PRODUCTION, dotenv=None)
    assert not settings.local_mode
    assert settings.app_type == "SingleTenant"
    assert settings.directory_source == "graph"
    assert settings.groups[Role.HR] == PRODUCTION["GROUP_HR_ID"]


@pytest.mark.parametrize(
    ("change", "named", "says"),
    [
        ({"BOT_PUBLIC_URL": ""}, "BOT_PUBLIC_URL", "is required"),
        ({"BOT_PUBLIC_URL": "http://bot.woongroen.example"}, "BOT_PUBLIC_URL", "https"),
        ({"MELDREGELING_URL": ""}, "MELDREGELING_URL", "placeholder"),
        (
            {"MELDREGELING_URL": "https://www.woongroen.example/meldregeling"},
            "MELDREGELING_URL",
            "placeholder",
        ),
        ({"GROUP_PRIVACY_OFFICER_ID": ""}, "GROUP_PRIVACY_OFFICER_ID", "privacy office"),
        ({"GROUP_HR_ID": ""}, "GROUP_HR_ID", "HR advisors"),
        ({"GROUP_INTEGRITY_OFFICER_ID": ""}, "GROUP_INTEGRITY_OFFICER_ID", "integrity officer"),
        ({"GROUP_HR_ID": "HR-groep"}, "GROUP_HR_ID", "GUID"),
        ({"GROUP_SECRETARIAT_ID": "not-a-guid"}, "GROUP_SECRETARIAT_ID", "GUID"),
        ({"MicrosoftAppType": "UserAssignedMSI"}, "MicrosoftAppPassword", "Graph"),
        (
            {
                "MicrosoftAppType": "MultiTenant",
                "MicrosoftAppTenantId": "",
                "ALLOWED_TENANT_IDS": GUID,
            },
            "MicrosoftAppTenantId",
            "Graph",
        ),
    ],
)
def test_with_an_app_id_what_cannot_work_is_refused_naming_the_setting(
    change: dict[str, str], named: str, says: str
) -> None:
    environ = {k: v for k, v in {**PRODUCTION, **change}.items() if v}
    with pytest.raises(SettingsError, match=f"^{named} .*{says}"):
        load_settings(environ, dotenv=None)


def test_without_an_app_id_the_placeholders_and_missing_groups_are_fine() -> None:
    settings = load_settings({}, dotenv=None)
    assert settings.directory_source == "none" and settings.groups == {}
    assert settings.public_url == "http://127.0.0.1:3978"


def test_with_a_directory_file_no_groups_are_needed() -> None:
    demo = ROOT / "infra" / "demo" / "directory.json"
    environ = {k: v for k, v in PRODUCTION.items() if not k.startswith("GROUP_")}
    settings = load_settings({**environ, "DIRECTORY_FILE": str(demo)}, dotenv=None)
    assert settings.directory_source == "file"


def test_every_role_has_its_group_setting_so_a_new_role_gets_one() -> None:
    names = {s.name for s in SETTINGS}
    assert {f"GROUP_{role.value.upper()}_ID" for role in Role} <= names
    settings = load_settings({"GROUP_SECRETARIAT_ID": GUID}, dotenv=None)
    assert settings.groups == {Role.SECRETARIAT: GUID}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MicrosoftAppId": "not-a-guid", "MicrosoftAppPassword": "x"}, "MicrosoftAppId"),
        ({"MicrosoftAppId": GUID, "MicrosoftAppTenantId": GUID}, "MicrosoftAppPassword"),
        ({"MicrosoftAppId": GUID, "MicrosoftAppPassword": "x"}, "MicrosoftAppTenantId"),
        ({"MicrosoftAppType": "Sometimes"}, "MicrosoftAppType"),
        ({"BOT_PORT": "eighty"}, "BOT_PORT"),
        ({"BOT_PORT": "70000"}, "BOT_PORT"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"AZURE_STORAGE_CONNECTION_STRING": "hello"}, "AZURE_STORAGE_CONNECTION_STRING"),
        ({"TABLE_PREFIX": "with-dash"}, "TABLE_PREFIX"),
        ({"DIRECTORY_FILE": "/nonexistent/directory.json"}, "DIRECTORY_FILE"),
        ({"BOT_HOST": "0.0.0.0"}, "BOT_HOST"),
        ({"MELDREGELING_URL": "intranet/meldregeling"}, "MELDREGELING_URL"),
        ({"MIW_URL": "javascript:alert(1)"}, "MIW_URL"),
        ({"DEBUG_COUNTERS": "maybe"}, "DEBUG_COUNTERS"),
        (
            {
                "MicrosoftAppId": GUID,
                "MicrosoftAppPassword": "x",
                "MicrosoftAppTenantId": GUID,
                "DEBUG_COUNTERS": "1",
            },
            "DEBUG_COUNTERS",
        ),
        ({"TO_CHANNEL_FROM_BOT_LOGIN_URL": "http://login.example/t"}, "TO_CHANNEL_FROM_BOT_LOGIN"),
        ({"TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": "metadata"}, "OPENID_METADATA_URL"),
        ({"GRAPH_BASE_URL": "ftp://graph.example"}, "GRAPH_BASE_URL"),
        ({"GRAPH_LOGIN_URL": "http://login.example"}, "GRAPH_LOGIN_URL"),
        ({"APPLICATIONINSIGHTS_CONNECTION_STRING": "x=y"}, "APPLICATIONINSIGHTS"),
        ({"TEAMS_SENDS_PER_SECOND": "fast"}, "TEAMS_SENDS_PER_SECOND"),
        ({"TEAMS_SENDS_PER_SECOND": "0"}, "TEAMS_SENDS_PER_SECOND"),
        ({"TEAMS_SENDS_PER_SECOND": "-3"}, "TEAMS_SENDS_PER_SECOND"),
        ({"TEAMS_SENDS_PER_SECOND": "nan"}, "TEAMS_SENDS_PER_SECOND"),
        ({"TEAMS_SENDS_PER_SECOND": "inf"}, "TEAMS_SENDS_PER_SECOND"),
        (
            {
                "MicrosoftAppId": GUID,
                "MicrosoftAppPassword": "x",
                "MicrosoftAppTenantId": GUID,
                "TEAMS_SENDS_PER_SECOND": "50",
            },
            "TEAMS_SENDS_PER_SECOND",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ, dotenv=None)


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# local\nBOT_PORT=4000\nLOG_LEVEL='DEBUG'\n", encoding="utf-8")
    settings = load_settings({"BOT_PORT": "5000"}, dotenv=dotenv)
    assert settings.port == 5000
    assert settings.log_level == "DEBUG"


def test_malformed_dotenv_line_is_named(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("BOT_PORT 4000\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\.env:1"):
        load_settings({}, dotenv=dotenv)


def test_every_setting_is_documented_in_readme_and_env_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name
        assert f"{setting.name}=" in example, setting.name


def test_the_miw_link_defaults_to_the_ilt_page_and_both_links_can_be_set() -> None:
    default = load_settings({}, dotenv=None)
    assert default.miw_url.startswith("https://www.ilent.nl/")
    assert default.miw_url.endswith("/meldpunt-integriteit-woningcorporaties")
    custom = load_settings(
        {"MELDREGELING_URL": "https://intranet.example/meldregeling"}, dotenv=None
    )
    assert custom.meldregeling_url == "https://intranet.example/meldregeling"


def test_readme_table_and_env_example_are_generated_from_the_settings() -> None:
    from infra.local.settings_doc import env_example, readme_with_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "run: python infra/local/settings_doc.py --write"
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == env_example()


def test_the_proactive_pace_is_a_setting_below_teams_limit_in_production() -> None:
    assert load_settings({}, dotenv=None).teams_sends_per_second == 45.0
    production = PRODUCTION
    assert (
        load_settings(
            {**production, "TEAMS_SENDS_PER_SECOND": "12.5"}, dotenv=None
        ).teams_sends_per_second
        == 12.5
    )
    # Local mode only (the benchmarks): far above what Teams allows, to measure capacity.
    unpaced = load_settings({"TEAMS_SENDS_PER_SECOND": "1000000"}, dotenv=None)
    assert unpaced.teams_sends_per_second == 1_000_000.0


def test_each_setting_is_written_once_as_a_field_and_documented_from_it() -> None:
    import dataclasses

    from bot.settings import Settings

    fields = {f.name for f in dataclasses.fields(Settings)}
    documented = {s.name for s in SETTINGS}
    assert len(documented) == len(SETTINGS)
    # every documented variable is one field; only derived values are not documented
    # + proxy_configured and role_groups (whose variables, one per role, are documented)
    assert len(fields) == len(SETTINGS) - len(Role) + 2
    # the documented default is what the environment would say, and it passes its own check
    assert load_settings({s.name: s.default for s in SETTINGS}, dotenv=None) == load_settings(
        {}, dotenv=None
    )


def test_a_proxy_variable_is_read_by_settings_not_by_storage() -> None:
    assert not load_settings({}, dotenv=None).proxy_configured
    assert load_settings({"HTTPS_PROXY": "http://proxy.example:3128"}, dotenv=None).proxy_configured


def test_a_changed_copy_is_checked_again() -> None:
    import dataclasses

    production = load_settings(PRODUCTION, dotenv=None)
    assert dataclasses.replace(production, jobs_interval=0).jobs_interval == 0
    with pytest.raises(ValueError, match="TEAMS_SENDS_PER_SECOND"):
        dataclasses.replace(production, teams_sends_per_second=60.0)


def test_the_public_address_is_checked_and_else_derived() -> None:
    assert load_settings({"BOT_PORT": "4000"}, dotenv=None).public_url == "http://127.0.0.1:4000"
    given = load_settings({"BOT_PUBLIC_URL": "https://bot.example/"}, dotenv=None)
    assert given.public_url == "https://bot.example"
    with pytest.raises(SettingsError, match="BOT_PUBLIC_URL"):
        load_settings({"BOT_PUBLIC_URL": "https://bot example"}, dotenv=None)
