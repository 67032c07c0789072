"""Build the Teams app package: `python -m infra.package` (or `make package`).

Zips `infra/appPackage/` (manifest, localisation files, icons) into `build/appPackage.zip`, with
`${MicrosoftAppId}` in the manifest replaced by the bot's app id and `${BotHost}` by the host of
BOT_PUBLIC_URL (the tab's address and its single sign-on resource), from the environment or
`.env`.
Upload the zip in the Teams admin center (see infra/README.md).
"""

from __future__ import annotations

import json
import os
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from bot.settings import read_dotenv

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "infra" / "appPackage"
FILES = ("manifest.json", "nl.json", "en.json", "color.png", "outline.png")
PLACEHOLDER = "${MicrosoftAppId}"
HOST_PLACEHOLDER = "${BotHost}"


def host_of(public_url: str) -> str:
    """The host of an https BOT_PUBLIC_URL (what Teams loads the tab from)."""
    parts = urlsplit(public_url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"BOT_PUBLIC_URL must be https://<host>, got {public_url!r}")
    return parts.netloc


def manifest_for(app_id: str, host: str, source: Path = SOURCE) -> dict[str, object]:
    """The manifest with the app id and the bot's host filled in."""
    raw = (source / "manifest.json").read_text(encoding="utf-8")
    text = raw.replace(PLACEHOLDER, app_id).replace(HOST_PLACEHOLDER, host)
    manifest: dict[str, object] = json.loads(text)
    return manifest


def build_package(app_id: str, target: Path, host: str, source: Path = SOURCE) -> Path:
    """Write the zip to `target`; the app id must be a GUID."""
    try:
        uuid.UUID(app_id)
    except ValueError:
        raise ValueError(f"MicrosoftAppId must be a GUID, got {app_id!r}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name in FILES:
            if name == "manifest.json":
                manifest = manifest_for(app_id, host, source)
                package.writestr(name, json.dumps(manifest, ensure_ascii=False, indent=2))
            else:
                package.write(source / name, name)
    return target


def main() -> int:
    dotenv = read_dotenv(ROOT / ".env")
    app_id = os.environ.get("MicrosoftAppId") or dotenv.get("MicrosoftAppId")
    if not app_id:
        print("Set MicrosoftAppId (environment or .env) to the bot's app id.", file=sys.stderr)
        return 2
    public_url = os.environ.get("BOT_PUBLIC_URL") or dotenv.get("BOT_PUBLIC_URL")
    if not public_url:
        print(
            "Set BOT_PUBLIC_URL (environment or .env) to the bot's https address: the tab is "
            "served there and its sign-on resource is api://<host>/<app id>.",
            file=sys.stderr,
        )
        return 2
    try:
        path = build_package(app_id.strip(), ROOT / "build" / "appPackage.zip", host_of(public_url))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Teams app package: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
