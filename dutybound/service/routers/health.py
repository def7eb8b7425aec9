"""GET /health: liveness, and which law this server applies; the one endpoint without a key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dutybound.service.deps import ServiceDep
from dutybound.service.models import Health

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health)
def health(svc: ServiceDep) -> dict[str, Any]:
    """Liveness, and the rule pack this server evaluates with (no key needed)."""
    return {
        "status": "ok",
        "rulepack": svc.rulepack_info(),
        "engine": {"version": svc.engine_version, "evaluator": svc.evaluator.name},
    }
