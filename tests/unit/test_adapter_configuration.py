"""Our settings in botbuilder's configuration vocabulary."""

from bot.settings import load_settings
from bot.teams.adapter import adapter_configuration

GUID = "2b7c4f0e-9d1a-4c3b-8e5f-6a7b8c9d0e1f"
CREDENTIALS = {
    "MicrosoftAppId": GUID,
    "MicrosoftAppPassword": "x",
    "MicrosoftAppTenantId": GUID,
    "BOT_PUBLIC_URL": "https://bot.woongroen.example",
    "MELDREGELING_URL": "https://intranet.woongroen.example/meldregeling",
    "GROUP_PRIVACY_OFFICER_ID": GUID,
    "GROUP_HR_ID": GUID,
    "GROUP_INTEGRITY_OFFICER_ID": GUID,
}


def test_no_endpoints_leaves_the_sdk_on_its_public_cloud_defaults() -> None:
    configuration = adapter_configuration(load_settings(CREDENTIALS, dotenv=None))
    assert configuration.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL is None
    assert configuration.TO_CHANNEL_FROM_BOT_LOGIN_URL is None
    assert (configuration.APP_ID, configuration.APP_TYPE) == (GUID, "SingleTenant")


def test_one_endpoint_set_fills_the_others_with_public_cloud_values() -> None:
    settings = load_settings(
        {**CREDENTIALS, "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": "https://idp.example/meta"},
        dotenv=None,
    )
    configuration = adapter_configuration(settings)
    assert configuration.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL == "https://idp.example/meta"
    assert configuration.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://api.botframework.com"
    assert (
        configuration.TO_CHANNEL_FROM_BOT_LOGIN_URL == f"https://login.microsoftonline.com/{GUID}"
    )
    assert configuration.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE == "https://api.botframework.com"


def test_local_mode_is_multitenant_without_an_app_id_so_the_sdk_disables_auth() -> None:
    configuration = adapter_configuration(load_settings({}, dotenv=None))
    assert (configuration.APP_ID, configuration.APP_TYPE) == ("", "MultiTenant")
