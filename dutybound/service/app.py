"""The HTTP service: FastAPI over the engine. No law is computed here.

``create_app`` puts the parts together: the shared state (``state.Service``), the middleware,
the error handlers and one router per area (``routers``). ``run`` serves it (what ``python -m
dutybound.service`` and ``dutybound serve`` call).

Within one process durable-rules is not thread-safe and the engine serialises evaluations with a
lock, so most endpoints are plain ``def`` and their blocking work runs in a small threadpool;
``workers`` > 1 starts that many processes (each with its own rule pack and caches). POST /check
is ``async`` (see ``routers.check``).
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from dutybound import web
from dutybound.service import db
from dutybound.service.errors import add_error_handlers
from dutybound.service.logs import configure_logging
from dutybound.service.middleware import ServiceMiddleware
from dutybound.service.routers import ROUTERS
from dutybound.service.settings import Settings
from dutybound.service.state import Service

if TYPE_CHECKING:
    import uvicorn

# Threads for the plain-``def`` endpoints. Evaluations are serialised by the engine's lock, so
# more threads only add GIL contention (throughput falls and p99 grows at many clients); a few
# keep the database and JSON work overlapping.
WORKER_THREADS = 4


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    # The rule pack and registry live as long as the process: moved out of the collector's
    # reach, a full collection stops scanning them, which would otherwise land on some unlucky
    # request's latency.
    gc.collect()
    gc.freeze()
    yield
    app.state.service.db.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application, configured by ``settings`` (default: ``Settings.from_env()``)."""
    configure_logging()
    svc = Service(settings if settings is not None else Settings.from_env())
    app = FastAPI(
        lifespan=_lifespan,
        # no OpenTelemetry here (requests are logged by ServiceMiddleware); FastAPI's
        # per-request telemetry hooks would be a sizeable part of a cached check's time
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="dutybound",
        # /docs and /redoc are routers.docs: FastAPI's own load Swagger UI and ReDoc from a CDN
        docs_url=None,
        redoc_url=None,
        version=svc.engine_version,
        summary="High-risk-vendor obligations and procurement verdicts, as of a date.",
        description="Every response carries the rule pack in the headers "
        "`X-Dutybound-Rulepack` and `X-Dutybound-Rulepack-Sha256`. Authenticate with an API "
        "key in `X-API-Key` (`dutybound keys create --tenant T`). Not legal advice.",
    )
    app.state.service = svc
    app.add_middleware(
        ServiceMiddleware,
        max_body=svc.settings.max_body_bytes,
        headers=[
            (b"x-dutybound-rulepack", svc.pack.version.encode()),
            (b"x-dutybound-rulepack-sha256", svc.pack.sha256.encode()),
        ],
    )
    add_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    web.mount(app)  # the server-rendered pages under /app (dutybound.web)
    return app


def app_from_env() -> FastAPI:
    """The application configured by the environment: the factory each server process calls
    when ``run`` starts several (they are new interpreters; see ``settings``)."""
    return create_app(Settings.from_env())


def server_config(app: FastAPI, settings: Settings, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration of one server process: ``app`` with every connection held to the
    settings' time, size and count limits (``connections``); ``options`` go to uvicorn."""
    import uvicorn

    from dutybound.service.connections import protocol_class

    return uvicorn.Config(app, http=protocol_class(settings.connection_limits()), **options)


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    db_url: str | None = None,
    law_dir: Path | None = None,
    log_level: str = "warning",
    workers: int = 1,
    check_cache_bytes: int | None = None,
) -> int:
    """Serve with uvicorn (uvloop and httptools when installed, no access log: the middleware
    logs each request); ``db_url``, ``law_dir`` and ``check_cache_bytes`` override the
    environment's settings when given. Each connection is held to the settings' time and
    size limits (``connections``). ``workers`` > 1 runs that many processes on one port,
    each with its own socket where the kernel can balance connections over them
    (``service.workers``). Returns the exit status; ``InputError`` for a setting that cannot
    be read, OSError or ValueError when the port cannot be had."""
    import uvicorn

    from dutybound.service import workers as worker_processes

    settings = Settings.from_env()
    settings = dataclasses.replace(
        settings,
        database_url=db_url if db_url is not None else settings.database_url,
        law_dir=law_dir if law_dir is not None else settings.law_dir,
        check_cache_bytes=(
            check_cache_bytes if check_cache_bytes is not None else settings.check_cache_bytes
        ),
    )
    options: dict[str, Any] = {"access_log": False, "log_level": log_level, "server_header": False}
    if workers <= 1:
        # bound here, not by uvicorn: a taken port is then an OSError the caller reports (exit
        # 2), where uvicorn would log it and exit 3
        with worker_processes.listening_socket(host, port, reuse_port=False) as sock:
            server = uvicorn.Server(server_config(create_app(settings), settings, **options))
            server.run(sockets=[sock])
        return 0 if server.started else 1
    from dutybound.engine.store.connection import resolve_url

    # every process must use the same database, even when the default is a per-user file
    settings = dataclasses.replace(settings, database_url=resolve_url(settings.database_url))
    db.make_engine(settings.database_url).dispose()  # migrate once, not racing in every worker
    settings.export()
    if worker_processes.supported():
        return worker_processes.serve(host, port, workers, options)
    uvicorn.run(
        "dutybound.service.app:app_from_env",
        http="dutybound.service.connections:from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        **options,
    )
    return 0
