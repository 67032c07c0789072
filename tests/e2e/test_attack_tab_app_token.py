"""Attack: the tab accepts any token for its resource, also one that is not a user's delegated
sign-on token (found from outside; fixed: bot/sso.py requires the delegated scope
`access_as_user` and refuses `idtyp` "app"). An app-only (client credentials) token carries
`tid`, `oid` (the calling
application's service principal), `aud` and no `scp`; bot/sso.py checks neither the scope
`access_as_user` that `getAuthToken()` tokens carry nor `idtyp`, so another application in the
tenant can call the tab API as an identity of its own. Minted by the loopback identity provider
with the same key and claims as an Entra app-only token."""

from __future__ import annotations

import time

import jwt

from tests.support.activities import TENANT
from tests.support.tab import RESOURCE, TabBot

SERVICE_PRINCIPAL = "5e5e5e5e-0000-4000-8000-00000000abcd"


def app_only_token(tab: TabBot) -> str:
    entra = tab.entra
    now = int(time.time())
    claims = {
        "iss": f"{entra.base_url}/{TENANT}/v2.0",
        "aud": RESOURCE,
        "tid": TENANT,
        "oid": SERVICE_PRINCIPAL,
        "sub": SERVICE_PRINCIPAL,
        "azp": "77777777-0000-4000-8000-000000000777",
        "idtyp": "app",
        "roles": [],
        "ver": "2.0",
        "nbf": now - 60,
        "iat": now - 60,
        "exp": now + 3600,
    }
    return jwt.encode(claims, entra.key, algorithm="RS256", headers={"kid": entra.kid})


async def test_an_app_only_token_is_not_a_sign_on(tab: TabBot) -> None:
    answer = await tab.get("/tab/api/mine", app_only_token(tab))
    assert answer.status == 401


async def test_a_users_token_without_the_tabs_scope_is_not_a_sign_on(tab: TabBot) -> None:
    entra = tab.entra
    now = int(time.time())
    claims = {
        "iss": f"{entra.base_url}/{TENANT}/v2.0",
        "aud": RESOURCE,
        "tid": TENANT,
        "oid": SERVICE_PRINCIPAL,
        "scp": "User.Read",
        "ver": "2.0",
        "iat": now - 60,
        "exp": now + 3600,
    }
    token = jwt.encode(claims, entra.key, algorithm="RS256", headers={"kid": entra.kid})
    assert (await tab.get("/tab/api/mine", token)).status == 401


async def test_the_users_own_token_still_signs_on(tab: TabBot) -> None:
    from tests.support.activities import SANNE

    assert (await tab.get("/tab/api/mine", tab.sso(SANNE))).status == 200
