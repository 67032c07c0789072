"""The loopback identity provider `make run` starts for the tab (TAB_LOCAL_SIGN_ON=1): the
tests' fake Entra ID (infra/local/entra.py: the tenant's OpenID configuration and signing keys,
which the bot's `bot.sso` validates against exactly as it does Entra's) plus a sign-in page
where one picks a person of the demo directory.

Outside Teams there is no TeamsJS to hand the page a token. With TAB_LOCAL_SIGN_ON the tab's
script sends a browser that is not inside Teams here (`/local/signin?redirect=<tab>`); picking a
person mints a real RS256 token for the local audience and sends the browser back to the tab
with it in the fragment (`#token=...`), which the script keeps for that browser tab. Only the
tab's own address is accepted as a redirect. Never for production: the bot refuses
TAB_LOCAL_SIGN_ON together with MicrosoftAppId (bot/settings.py).

    python -m infra.local.identity --port 56160 --tab http://127.0.0.1:3978/tab \\
        --directory infra/demo/directory.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.settings import LOCAL_SIGN_ON_AUDIENCE
from infra.local.entra import FakeEntra

LIFETIME = 8 * 3600  # a demo day; the script signs in again when the bot says it expired


@dataclass(frozen=True)
class DemoPerson:
    id: str
    name: str
    roles: tuple[str, ...]


def demo_people(directory: Path) -> tuple[str, list[DemoPerson]]:
    """The tenant and the people of a directory file (infra/demo/directory.json)."""
    data = json.loads(directory.read_text(encoding="utf-8"))
    people = [
        DemoPerson(str(p["id"]), str(p.get("name", "")), tuple(p.get("roles", ())))
        for p in data.get("people", [])
        if p.get("active", True)
    ]
    return str(data["tenantId"]), people


def _page(title: str, body: str) -> web.Response:
    html = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;max-width:36rem;margin:0 auto;"
        "padding:1rem}a{display:flex;align-items:center;min-height:44px;color:#1e6b41;"
        "font-weight:600}a:focus-visible{outline:3px solid #005a9e;outline-offset:2px}"
        "li{border-top:1px solid #c8c8c8;padding:.25rem 0}ul{list-style:none;padding:0}"
        ".roles{color:#4a4a4a;margin:0 0 .5rem}</style></head><body>"
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def identity_app(
    fake: FakeEntra, tenant: str, people: list[DemoPerson], tab: str
) -> web.Application:
    """The fake Entra ID's routes plus the sign-in page for the tab at `tab`."""
    app = fake.app()
    allowed = urlsplit(tab)
    known = {p.id: p for p in people}

    def redirect_of(request: web.Request) -> str:
        target = request.query.get("redirect", tab)
        parts = urlsplit(target)
        if (parts.scheme, parts.netloc, parts.path) != (
            allowed.scheme,
            allowed.netloc,
            allowed.path,
        ):
            raise web.HTTPBadRequest(text="Only the tab's own address can be signed in to.")
        return target.split("#", 1)[0]

    async def signin(request: web.Request) -> web.Response:
        back = redirect_of(request)
        items = "".join(
            f'<li><a href="/local/signin/{escape(p.id)}?redirect={quote(back, safe="")}">'
            f"{escape(p.name)}</a>"
            f'<p class="roles">{escape(", ".join(p.roles) or "medewerker")}</p></li>'
            for p in people
        )
        intro = (
            "<p>Lokale aanmelding voor de demo (<code>make run</code>): kies wie je bent. "
            "In Teams meldt Teams je aan; dit scherm bestaat alleen lokaal.</p>"
        )
        return _page("Aanmelden als …", intro + f"<ul>{items}</ul>")

    async def signed_in(request: web.Request) -> web.Response:
        back = redirect_of(request)
        person = known.get(request.match_info["oid"])
        if person is None:
            raise web.HTTPNotFound(text="No such person in the demo directory.")
        token = fake.sso_token(
            tenant, person.id, LOCAL_SIGN_ON_AUDIENCE, name=person.name, lifetime=LIFETIME
        )
        raise web.HTTPFound(f"{back}#token={token}")

    app.router.add_get("/local/signin", signin)
    app.router.add_get("/local/signin/{oid}", signed_in)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--tab", required=True, help="the tab's address, e.g. http://127.0.0.1:3978/tab"
    )
    parser.add_argument("--directory", type=Path, required=True)
    args = parser.parse_args()
    tenant, people = demo_people(args.directory)
    fake = FakeEntra(base_url=f"http://127.0.0.1:{args.port}")
    app = identity_app(fake, tenant, people, args.tab)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
