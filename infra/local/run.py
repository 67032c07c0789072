"""`make run`: Azurite, the bot and three Agents Playgrounds (employee, manager, privacy officer),
until Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from infra.local.services import (
    ROOT,
    azurite,
    azurite_connection_string,
    bot_args,
    identity_args,
    playground,
    spawn,
    stop,
    wait_for_port,
)

AZURITE_PORT = 10002
BOT_PORT = 3978
IDENTITY_PORT = 56160  # the loopback identity provider of the tab's local sign-on
PEOPLE = (
    ("employee", 56150, "Sanne de Vries (medewerker)"),
    ("manager", 56151, "Pieter Bakker (haar leidinggevende)"),
    ("privacy_officer", 56152, "Fatima el Amrani (privacy officer: datalekken)"),
)


def _busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    for port in (AZURITE_PORT, BOT_PORT, IDENTITY_PORT, *(p for _, p, _ in PEOPLE)):
        if _busy(port):
            print(f"Port {port} is already in use; stop what runs there and try again.")
            return 1
    data = ROOT / ".data"
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with ExitStack() as stack:
        print(
            f"Starting Azurite (Table storage) on 127.0.0.1:{AZURITE_PORT}, data in .data/azurite"
        )
        stack.enter_context(azurite(AZURITE_PORT, data / "azurite", in_memory=False))
        directory = ROOT / "infra" / "demo" / "directory.json"
        tab = f"http://127.0.0.1:{BOT_PORT}/tab"
        identity_url = f"http://127.0.0.1:{IDENTITY_PORT}"
        print(f"Starting the tab's local identity provider on {identity_url}")
        identity = spawn(identity_args(IDENTITY_PORT, tab, directory), env=dict(os.environ))
        stack.callback(stop, identity)
        wait_for_port(IDENTITY_PORT, 30, identity)
        env = {
            "AZURE_STORAGE_CONNECTION_STRING": azurite_connection_string(AZURITE_PORT),
            "DIRECTORY_FILE": str(directory),
            # The tab signs on with the loopback identity provider (never with an app id).
            "TAB_LOCAL_SIGN_ON": "1",
            "TAB_SSO_AUTHORITY": identity_url,
            "BOT_PORT": str(BOT_PORT),
            # The Playground always sends en-US; Woongroen works in Dutch.
            "LOCALE_OVERRIDE": os.environ.get("LOCALE_OVERRIDE", "nl-NL"),
        }
        print(f"Starting the bot on http://127.0.0.1:{BOT_PORT}/api/messages")
        bot = spawn(bot_args(), env={**os.environ, **env})
        stack.callback(stop, bot)
        wait_for_port(BOT_PORT, 60, bot)
        endpoint = f"http://127.0.0.1:{BOT_PORT}/api/messages"
        for name, port, _ in PEOPLE:
            config = ROOT / "infra" / "local" / "playground" / f"{name}.json"
            stack.enter_context(playground(port, endpoint, config, data / f"playground-{name}"))
        print("\nReady. Open these pages side by side (each is one person in Teams):")
        for _, port, who in PEOPLE:
            print(f"  http://127.0.0.1:{port}   {who}")
        print("Type 'hallo' in the Personal Chat. Health: http://127.0.0.1:3978/healthz")
        print(f"The tab 'Integriteit' in a browser: {tab} (pick who you are; one person a tab)")
        print("Ctrl-C stops everything.\n")
        try:
            while bot.poll() is None:
                time.sleep(0.5)
            print(f"The bot stopped (exit code {bot.returncode}); stopping the rest.")
            return 1
        except KeyboardInterrupt:
            # A second Ctrl-C must not cut the clean-up short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            print("\nStopping Playgrounds, bot and Azurite...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
