"""The dependencies endpoints declare: the shared ``Service``, its database, and the caller.

Each is async and reads only the request: a plain ``def`` dependency would cost every request a
trip through the threadpool, and every dependency level costs FastAPI some bookkeeping, so the
API key is resolved to its caller, and the tenant noted for the request log, in one step.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from dutybound.service.keys import Caller
from dutybound.service.state import Miss, Service


async def service(request: Request) -> Service:
    """The application's shared state (``create_app`` puts it in ``app.state``)."""
    svc: Service = request.app.state.service
    return svc


async def database(request: Request) -> Engine:
    """The application's database."""
    svc: Service = request.app.state.service
    return svc.db


class _CallerKey(APIKeyHeader):
    """The X-API-Key header resolved to its caller: 401 if it is missing, unknown or revoked.
    Subclassing ``APIKeyHeader`` keeps the scheme in the OpenAPI document."""

    async def __call__(self, request: Request) -> Caller:  # type: ignore[override]
        # only a miss of the key cache reads the database, in the threadpool; a hit costs the
        # request no threadpool hop
        secret = request.headers.get("x-api-key")
        found = None
        if secret:
            svc: Service = request.app.state.service
            cached = svc.cached_caller(secret)
            found = (
                await run_in_threadpool(svc.caller, secret) if isinstance(cached, Miss) else cached
            )
        if found is None:
            raise HTTPException(
                401,
                "missing, unknown or revoked API key (header X-API-Key)",
                headers={"WWW-Authenticate": "APIKey"},
            )
        request.state.tenant = found.tenant  # for the request's log line
        return found


caller = _CallerKey(
    name="X-API-Key",
    auto_error=False,
    scheme_name="APIKeyHeader",
    description="API key of a tenant (or a consultant of several).",
)

ServiceDep = Annotated[Service, Depends(service)]
DatabaseDep = Annotated[Engine, Depends(database)]
# The caller (tenant, readable tenants): every endpoint but /health requires one.
CallerDep = Annotated[Caller, Depends(caller)]
