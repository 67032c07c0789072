"""Print the README's Configuration table and `.env.example` from `bot.settings.SETTINGS`.

`python infra/local/settings_doc.py --write` rewrites both files; the tests check they agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
HEADER = "| variable | default | meaning |\n|---|---|---|\n"


def table() -> str:
    rows = []
    for s in SETTINGS:
        if s.name == "AZURE_STORAGE_CONNECTION_STRING":
            default = "Azurite on 127.0.0.1:10002"
        else:
            default = f"`{s.default}`" if s.default else "(empty)"
        rows.append(f"| `{s.name}` | {default} | {s.help} |")
    return HEADER + "\n".join(rows) + "\n"


def env_example() -> str:
    lines = ["# Copy to .env and adjust. Environment variables win over this file.", ""]
    for s in SETTINGS:
        value = "" if s.name == "AZURE_STORAGE_CONNECTION_STRING" else s.default
        lines += [f"# {s.help}", f"{s.name}={value}", ""]
    return "\n".join(lines)


def readme_with_table(readme: str) -> str:
    start = readme.index(HEADER)
    end = readme.index("\n\n", start)
    return readme[:start] + table().rstrip("\n") + readme[end:]


if __name__ == "__main__":
    if "--write" in sys.argv:
        path = ROOT / "README.md"
        path.write_text(readme_with_table(path.read_text("utf-8")), "utf-8")
        (ROOT / ".env.example").write_text(env_example(), "utf-8")
    else:
        print(table())
