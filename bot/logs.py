"""Logging set-up: readable text locally, one JSON object per line in production.

Every record carries the id of the request it belongs to (the incoming activity's id), so one
turn can be followed through the log. What we log is ids, types and counts: never names, e-mail
addresses or anything a person typed (our own log calls are written that way, and the SDKs that
log request bodies are kept at WARNING).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_request_id: ContextVar[str] = ContextVar("request_id", default="")

# Loggers of libraries that log request details (bodies, headers) at INFO or DEBUG.
NOISY_LOGGERS = (
    "azure",
    "msrest",
    "botframework",
    "botbuilder",
    "msal",
    "urllib3",
    "aiohttp.access",
)


# A download link's token is its only credential, and so is a supplier's confirmation link's:
# whatever logs a URL (an access log, a Referer header) shows `/exports/…` instead.
_EXPORT_PATH = re.compile(r"(/exports/|/gedragscode/bevestigen/)[^\s\"'?#]+")
ACCESS_LOGGER = "aiohttp.access"


def redact_export_tokens(value: str) -> str:
    """`value` with the token of every `/exports/<token>` replaced by `…`."""
    return _EXPORT_PATH.sub(r"\1…", value)


class ExportTokenFilter(logging.Filter):
    """Removes download tokens from a record: its message, arguments and extra fields (the
    access log puts the request line and headers there)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_export_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_export_tokens(a) if isinstance(a, str) else a for a in record.args
            )
        for name, value in list(vars(record).items()):
            if name in ("msg", "args"):
                continue
            if isinstance(value, str) and ("/exports/" in value or "/bevestigen/" in value):
                setattr(record, name, redact_export_tokens(value))
            elif isinstance(value, dict):
                setattr(
                    record,
                    name,
                    {
                        k: redact_export_tokens(v) if isinstance(v, str) else v
                        for k, v in value.items()
                    },
                )
        return True


_TOKEN_FILTER = ExportTokenFilter()


def keep_tokens_out_of_access_log() -> None:
    """Redact download tokens in aiohttp's access log (wherever it is sent: a logger filter
    runs before every handler, Application Insights' included). Idempotent."""
    logging.getLogger(ACCESS_LOGGER).addFilter(_TOKEN_FILTER)


def current_request_id() -> str:
    """The id of the request being handled, or "" outside a request."""
    return _request_id.get()


@contextmanager
def request_scope(request_id: str) -> Iterator[None]:
    """Tag every log record written inside this block (and tasks started in it) with the id."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record passing the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": _request_id_of(record),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _request_id_of(record: logging.LogRecord) -> str | None:
    request_id = getattr(record, "request_id", None) or _request_id.get()
    return request_id if request_id and request_id != "-" else None


def configure_logging(level: str, fmt: str) -> None:
    """Send every log record to stderr in the chosen format, with the request id."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.addFilter(_TOKEN_FILTER)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
