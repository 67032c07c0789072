"""Start and stop the local stand-ins (Azurite, the Agents Playground, the bot) as processes.

Used by `make run` (infra/local/run.py) and by the test suite, so both run the same things.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "node_modules" / ".bin"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def azurite_connection_string(port: int) -> str:
    return (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_KEY};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )


def wait_for_port(
    port: int, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process exited with {process.returncode} before port {port} opened"
            )
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {timeout:.0f}s")


def spawn(
    args: list[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a process in its own process group, output to `log` (or inherited)."""
    out = open(log, "ab") if log is not None else None
    try:
        return subprocess.Popen(
            args,
            env={**os.environ, **(env or {})},
            cwd=cwd or ROOT,
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            start_new_session=True,
        )
    finally:
        if out is not None:
            out.close()


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop a process and everything it started."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)
    except ProcessLookupError:
        pass


def azurite_args(port: int, location: Path, in_memory: bool) -> list[str]:
    location.mkdir(parents=True, exist_ok=True)
    args = [
        str(NODE_BIN / "azurite-table"),
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        str(port),
        "--skipApiVersionCheck",
        "--disableTelemetry",
        "--silent",
    ]
    # Azurite refuses --location together with --inMemoryPersistence.
    return [*args, "--inMemoryPersistence"] if in_memory else [*args, "--location", str(location)]


@contextmanager
def azurite(port: int, location: Path, in_memory: bool = True) -> Iterator[subprocess.Popen[bytes]]:
    process = spawn(azurite_args(port, location, in_memory), log=location / "azurite.log")
    try:
        wait_for_port(port, 60, process)
        yield process
    finally:
        stop(process)


def playground_args(port: int, bot_endpoint: str) -> list[str]:
    return [
        str(NODE_BIN / "agentsplayground"),
        "--port",
        str(port),
        "--app-endpoint",
        bot_endpoint,
        "--channel-id",
        "msteams",
        "--disable-telemetry",
    ]


def playground_env(config: Path, locale: str = "nl_NL.UTF-8") -> dict[str, str]:
    """The Playground takes the Teams locale it sends from Node's default locale (LANG)."""
    return {
        "TEAMSAPPTESTER_BROWSER": "none",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
        "LANG": locale,
        "LC_ALL": locale,
    }


@contextmanager
def playground(
    port: int, bot_endpoint: str, config: Path, workdir: Path
) -> Iterator[subprocess.Popen[bytes]]:
    workdir.mkdir(parents=True, exist_ok=True)
    process = spawn(
        playground_args(port, bot_endpoint),
        env=playground_env(config),
        cwd=workdir,
        log=workdir / "playground.log",
    )
    try:
        wait_for_port(port, 90, process)
        yield process
    finally:
        stop(process)


def bot_args() -> list[str]:
    return [sys.executable, "-m", "bot"]


def identity_args(port: int, tab: str, directory: Path) -> list[str]:
    """The loopback identity provider for the tab's local sign-on (infra/local/identity.py)."""
    return [
        sys.executable,
        "-m",
        "infra.local.identity",
        "--port",
        str(port),
        "--tab",
        tab,
        "--directory",
        str(directory),
    ]
