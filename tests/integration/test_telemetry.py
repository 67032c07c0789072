"""OpenTelemetry export to Application Insights, against a loopback ingestion endpoint that
answers like the real `/v2.1/track`. Each case runs in a fresh interpreter: the OpenTelemetry
providers are process-global and must not leak into the other tests."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.support.threaded import ThreadedServer

ROOT = Path(__file__).resolve().parents[2]
IKEY = "00000000-0000-4000-8000-000000000000"


class Ingestion:
    """Collects the telemetry envelopes posted to it."""

    def __init__(self) -> None:
        self.envelopes: list[dict[str, Any]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v2.1/track", self._track)
        return app

    async def _track(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        items = json.loads(body)
        self.envelopes.extend(items)
        return web.json_response(
            {"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []}
        )


@pytest.fixture
def ingestion() -> Iterator[tuple[Ingestion, str]]:
    fake = Ingestion()
    with ThreadedServer(fake.app()) as server:
        yield fake, server.url


def run_bot_code(code: str, **environment: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        # No calls home to Microsoft's own statsbeat endpoint from a test.
        "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
        # Production samples (rate-limited); the test wants its one span for sure.
        "OTEL_TRACES_SAMPLER": "always_on",
        **environment,
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_logs_and_spans_reach_application_insights_with_the_request_id(
    ingestion: tuple[Ingestion, str],
) -> None:
    fake, url = ingestion
    run_bot_code(
        f"""
        import logging
        from opentelemetry import trace
        from opentelemetry._logs import get_logger_provider
        from bot.logs import configure_logging, request_scope
        from bot.telemetry import configure_telemetry

        configure_logging("INFO", "json")
        assert configure_telemetry("InstrumentationKey={IKEY};IngestionEndpoint={url}")
        with request_scope("act-42"):
            with trace.get_tracer("test").start_as_current_span("POST /api/messages",
                                                               kind=trace.SpanKind.SERVER):
                logging.getLogger("bot.teams").warning("turn failed: TimeoutError")
        get_logger_provider().force_flush()
        trace.get_tracer_provider().force_flush()
        """
    )
    messages = [e for e in fake.envelopes if e["data"]["baseType"] == "MessageData"]
    [turn] = [
        m for m in messages if m["data"]["baseData"]["message"] == "turn failed: TimeoutError"
    ]
    assert turn["iKey"] == IKEY
    assert turn["data"]["baseData"]["properties"]["request_id"] == "act-42"
    assert turn["tags"]["ai.cloud.role"] == "integriteitsbot"
    requests = [e for e in fake.envelopes if e["data"]["baseType"] == "RequestData"]
    assert [r["data"]["baseData"]["name"] for r in requests] == ["POST /api/messages"]
    # The log record belongs to the request's operation.
    assert turn["tags"]["ai.operation.id"] == requests[0]["tags"]["ai.operation.id"]


def test_without_a_connection_string_nothing_is_imported_or_sent() -> None:
    out = run_bot_code(
        """
        import sys
        from bot.telemetry import configure_telemetry
        print(configure_telemetry(""), "azure.monitor.opentelemetry" in sys.modules)
        """
    )
    assert out.split() == ["False", "False"]
