"""The API, one router per area; ``app.create_app`` includes them in this order.

POST /check comes first: FastAPI matches a request against the included routers one after the
other, and /check is the endpoint procurement systems call over and over, so it is tried first.
The order is also that of the OpenAPI document; the documentation pages (``docs``) come last.
"""

from __future__ import annotations

from fastapi import APIRouter

from dutybound.service.routers import (
    check,
    docs,
    evaluations,
    health,
    law,
    profiles,
    reports,
    vendors,
)

ROUTERS: tuple[APIRouter, ...] = (
    check.router,
    health.router,
    law.router,
    evaluations.router,
    reports.router,
    profiles.router,
    vendors.router,
    docs.router,
)
