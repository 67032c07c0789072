"""What App Service installs holds what the bot reads at run time.

App Service runs `pip install -r requirements.txt`, which installs this project as a wheel (not
the checkout): card templates, texts and the knowledge base must be package data. The wheel is
built from a copy of the sources, every file of `bot/`, `dialogs/` and `cards/` must be in it,
and the installed wheel (outside the checkout) loads every template, text and the knowledge
base."""

from __future__ import annotations

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
