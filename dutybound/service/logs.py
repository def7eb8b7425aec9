"""The service's log: one JSON object per line on stderr, so a log shipper needs no parser.

``ServiceMiddleware`` writes one ``request`` line per request (method, path, status, ms, tenant);
unhandled errors are logged with their traceback here and never shown to the client.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import Any

import orjson

log = logging.getLogger("dutybound.service")


class JsonFormatter(logging.Formatter):
    """A record as one JSON line: time, level, event, and the record's ``fields`` extra."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(data, default=str).decode()


def configure_logging() -> None:
    """JSON lines on stderr for the service's logger, once per process (an application made
    twice, as the tests do, must not log every line twice)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
