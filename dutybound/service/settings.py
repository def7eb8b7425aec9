"""Every setting of the HTTP service, and the one place that reads them from the environment.

- ``DUTYBOUND_DATABASE_URL`` (``database_url``): default the per-user SQLite file.
- ``DUTYBOUND_LAW_DIR`` (``law_dir``): default the bundled rule pack.
- ``DUTYBOUND_CHECK_CACHE_BYTES`` (``check_cache_bytes``): default 64 MiB per process; 0 is off.
- ``DUTYBOUND_KEY_CACHE_SECONDS`` (``key_cache_seconds``): default 5; 0 reads every key afresh.
- ``DUTYBOUND_MAX_BODY_BYTES`` (``max_body_bytes``): default 5 MiB.
- ``DUTYBOUND_HEADER_TIMEOUT_SECONDS`` (``header_timeout_seconds``): default 10; the time a
  client has to send a request's line and headers (``connections``).
- ``DUTYBOUND_BODY_TIMEOUT_SECONDS`` (``body_timeout_seconds``): default 60; the time it then
  has to send the body.
- ``DUTYBOUND_MAX_HEADER_BYTES`` (``max_header_bytes``): default 64 KiB.
- ``DUTYBOUND_MAX_CONNECTIONS`` (``max_connections``): default 1000 per server process (kept 64
  below the process's open-files limit).

An empty variable counts as unset. Command-line options (``serve --db ...``) override the
environment: ``app.run`` applies them with ``dataclasses.replace``.

Why the environment at all: ``serve --workers N`` spawns fresh interpreters, and what reaches
them is the environment (uvicorn's own workers take only an import string), so the supervisor
``export``s its settings and every server process reads them back with ``from_env``: one format,
one parser, and a worker cannot end up configured differently from its supervisor.

Not here: ``DUTYBOUND_CACHE_DIR`` (where the engine keeps compiled rule packs, the same for the
CLI and the service; ``engine.cache``) and ``DUTYBOUND_ACTOR`` (the CLI store's audit entries).
The store (``engine.store.connection``) falls back to ``DUTYBOUND_DATABASE_URL`` itself when it
is given no URL; the service gives it ``database_url`` read here, which comes to the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dutybound.engine.errors import InputError
from dutybound.service.cache import DEFAULT_MAX_BYTES
from dutybound.service.connections import Limits

ENV_DATABASE_URL = "DUTYBOUND_DATABASE_URL"
ENV_LAW_DIR = "DUTYBOUND_LAW_DIR"
ENV_CHECK_CACHE_BYTES = "DUTYBOUND_CHECK_CACHE_BYTES"
ENV_KEY_CACHE_SECONDS = "DUTYBOUND_KEY_CACHE_SECONDS"
ENV_MAX_BODY_BYTES = "DUTYBOUND_MAX_BODY_BYTES"
ENV_HEADER_TIMEOUT = "DUTYBOUND_HEADER_TIMEOUT_SECONDS"
ENV_BODY_TIMEOUT = "DUTYBOUND_BODY_TIMEOUT_SECONDS"
ENV_MAX_HEADER_BYTES = "DUTYBOUND_MAX_HEADER_BYTES"
ENV_MAX_CONNECTIONS = "DUTYBOUND_MAX_CONNECTIONS"


def _bytes(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise InputError(name, f"not a whole number of bytes: {text!r}")
    return value


def _seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise InputError(name, f"not a number of seconds: {text!r}")
    return value


def _positive_bytes(name: str, text: str) -> int:
    value = _bytes(name, text)
    if value == 0:
        raise InputError(name, "must be more than 0")
    return value


def _positive_count(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(name, f"not a whole number more than 0: {text!r}")
    return value


def _positive_seconds(name: str, text: str) -> float:
    value = _seconds(name, text)
    if value == 0:
        raise InputError(name, "must be more than 0")
    return value


# field name -> (variable, parser): the single description of how the environment maps onto
# Settings, used in both directions (``from_env`` and ``to_env``)
_VARIABLES: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "database_url": (ENV_DATABASE_URL, lambda _name, text: text),
    "law_dir": (ENV_LAW_DIR, lambda _name, text: Path(text)),
    "check_cache_bytes": (ENV_CHECK_CACHE_BYTES, _bytes),
    "key_cache_seconds": (ENV_KEY_CACHE_SECONDS, _seconds),
    "max_body_bytes": (ENV_MAX_BODY_BYTES, _positive_bytes),
    "header_timeout_seconds": (ENV_HEADER_TIMEOUT, _positive_seconds),
    "body_timeout_seconds": (ENV_BODY_TIMEOUT, _positive_seconds),
    "max_header_bytes": (ENV_MAX_HEADER_BYTES, _positive_bytes),
    "max_connections": (ENV_MAX_CONNECTIONS, _positive_count),
}


@dataclass(frozen=True)
class Settings:
    """How one service is configured; ``create_app`` and every server process get one."""

    database_url: str | None = None  # None: engine.store.connection's per-user default
    law_dir: Path | None = None  # None: the bundled rule pack
    check_cache_bytes: int = DEFAULT_MAX_BYTES  # memory for repeated POST /check answers
    # How long a server process trusts an API key it looked up: the longest a revoked key keeps
    # working (see service.keys). Within it, a request costs no database read for its key.
    key_cache_seconds: float = 5.0
    max_body_bytes: int = 5 * 1024 * 1024  # larger request bodies get 413
    # What one connection may take (``connections.GuardedProtocol``): a client that sends its
    # request head or body slower gets 408, a bigger head 431; past max_connections the
    # connection idle longest is closed.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 60.0
    max_header_bytes: int = 64 * 1024
    max_connections: int = 1000

    def connection_limits(self) -> Limits:
        """The limits the server's connections are held to."""
        return Limits(
            header_timeout=self.header_timeout_seconds,
            body_timeout=self.body_timeout_seconds,
            max_header_bytes=self.max_header_bytes,
            max_connections=self.max_connections,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings the environment (``os.environ`` unless given) asks for; ``InputError``
        naming the variable when one cannot be read (the CLI prints it and exits 2)."""
        source = os.environ if environ is None else environ
        values = {}
        for field, (name, parse) in _VARIABLES.items():
            text = source.get(name, "")
            if text != "":
                values[field] = parse(name, text)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The variables that make ``from_env`` return these settings (unset ones omitted)."""
        out = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None:
                out[_VARIABLES[field.name][0]] = str(value)
        return out

    def export(self, environ: MutableMapping[str, str] | None = None) -> None:
        """Write these settings into the environment (``os.environ`` unless given) for the
        server processes started next, removing variables whose setting is unset."""
        target = os.environ if environ is None else environ
        values = self.to_env()
        for name, _ in _VARIABLES.values():
            if name in values:
                target[name] = values[name]
            else:
                target.pop(name, None)
