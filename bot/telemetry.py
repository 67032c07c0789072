"""OpenTelemetry to Application Insights, when `APPLICATIONINSIGHTS_CONNECTION_STRING` is set.

`azure-monitor-opentelemetry` is imported only then: it is large and starts exporters and
background threads that a local run or a test does not want. Logs go to Application Insights
through the root logger with the same discipline as stderr (ids and types, no personal data)
and with the request id as a custom dimension.
"""

from __future__ import annotations

import logging

from bot.logs import RequestIdFilter

log = logging.getLogger(__name__)

SERVICE_NAME = "integriteitsbot"  # the cloud role name in Application Insights


def configure_telemetry(connection_string: str) -> bool:
    """Start exporting traces, metrics and logs; False (nothing imported) when not configured."""
    if not connection_string:
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor  # lazy: see module doc
    from opentelemetry.sdk.resources import Resource

    configure_azure_monitor(
        connection_string=connection_string,
        resource=Resource.create({"service.name": SERVICE_NAME}),
        logger_name="",  # the root logger: our records, and the SDKs' warnings
        enable_live_metrics=False,
        # Request/dependency telemetry for Azure SDK calls and `requests` (the Bot Framework SDK);
        # web frameworks we do not use stay off.
        instrumentation_options={
            "django": {"enabled": False},
            "fastapi": {"enabled": False},
            "flask": {"enabled": False},
            "psycopg2": {"enabled": False},
        },
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            # The exporter's handler (configure_logging's handler has one already).
            handler.addFilter(RequestIdFilter())
            handler.addFilter(_not_about_export)
    log.info("telemetry: exporting to Application Insights")
    return True


def _not_about_export(record: logging.LogRecord) -> bool:
    """Keep the exporter's own complaints out of the export: when ingestion fails, exporting
    "export failed" fails too, and logs again, without end (seen against a 404 endpoint)."""
    return not record.name.startswith(_EXPORT_LOGGERS)


_EXPORT_LOGGERS = ("azure.monitor", "azure.core", "opentelemetry")
