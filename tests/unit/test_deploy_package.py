"""What App Service installs holds what the bot reads at run time.

App Service runs `pip install -r requirements.txt`, which installs this project as a wheel (not
the checkout): card templates, texts and the knowledge base must be package data. The wheel is
built from a copy of the sources, every file of `bot/`, `dialogs/` and `cards/` must be in it,
and the installed wheel (outside the checkout) loads every template, text and the knowledge
base."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "dialogs", "cards")


def _sources() -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_wheel_holds_every_file_and_the_installed_bot_reads_its_data(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    [wheel] = wheels.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    expected = _sources()
    assert {"bot/domain/knowledge.json", "cards/locales/nl/common.json"} <= expected
    assert any(name.startswith("cards/templates/") for name in expected)
    missing = expected - shipped
    assert not missing, f"not in the wheel: {sorted(missing)}"

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    probe = (
        "import cards, bot.domain.knowledge as k\n"
        f"assert cards.__file__.startswith({str(site)!r}), cards.__file__\n"
        "from cards import template_names, texts_for\n"
        "names = template_names()\n"
        "assert len(names) > 10, names\n"
        "for language in ('nl', 'en'):\n"
        "    assert texts_for(language)['download']['button']\n"
        "assert k.knowledge_base()\n"
        "print(len(names))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


# What infra/README.md (section 5) zips for App Service, from a clean checkout.
DEPLOYED = ("bot", "dialogs", "cards", "pyproject.toml", "requirements.txt", "constraints.txt")
TEAMS_JS = "bot/tab/static/vendor/MicrosoftTeams.min.js"


def _deployment_zip() -> list[str]:
    """The files `zip -r app.zip <DEPLOYED>` takes from a clean checkout: the tracked ones."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", *DEPLOYED],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [name for name in listed.split("\0") if name]


def test_the_deployed_bot_serves_teams_js_without_node_modules(tmp_path: Path) -> None:
    """The tab signs in with TeamsJS: the deployment zip of a clean checkout, installed as App
    Service installs it (a wheel; no node_modules, no `make install`), answers its route with
    the script, so the page does not stay on "Laden…"."""
    files = _deployment_zip()
    assert TEAMS_JS in files, "TeamsJS is not in a clean checkout's deployment zip"
    source = tmp_path / "src"
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    [wheel] = wheels.glob("*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    expected = (ROOT / TEAMS_JS).read_bytes()
    probe = (
        "import asyncio, hashlib\n"
        "from aiohttp import web\n"
        "from aiohttp.test_utils import TestClient, TestServer\n"
        "import bot.tab.http as tab\n"
        f"assert tab.__file__.startswith({str(site)!r}), tab.__file__\n"
        "tab.check_teams_js()\n"
        "async def main():\n"
        "    app = web.Application()\n"
        "    tab.Tab(None, None).routes(app)\n"  # the static routes use neither
        "    async with TestClient(TestServer(app)) as client:\n"
        "        answer = await client.get('/tab/static/teams-js.js')\n"
        "        body = await answer.read()\n"
        "        print(answer.status, answer.content_type, hashlib.sha256(body).hexdigest())\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256(expected).hexdigest()
    assert result.stdout.split() == ["200", "text/javascript", digest]
