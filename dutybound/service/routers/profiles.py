"""Stored profiles: POST /profiles keeps one for the tenant; its id can stand in for the
profile in every other request (``profile_id``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from dutybound.service import db
from dutybound.service.deps import CallerDep, ServiceDep
from dutybound.service.errors import ERRORS, NOT_FOUND, engine_input
from dutybound.service.inputs import stored_profile
from dutybound.service.models import ProfileIn, ProfileOut
from dutybound.service.values import Text

router = APIRouter(prefix="/profiles", tags=["profiles"], responses=ERRORS)


@router.post("", status_code=201, response_model=ProfileOut)
def create_profile(profile: ProfileIn, who: CallerDep, svc: ServiceDep) -> dict[str, Any]:
    """Store a profile for your tenant; use its id as profile_id in other requests."""
    from dutybound.engine.inputs import check_profile

    data = profile.model_dump()
    with engine_input(("body",), data=data):
        check_profile(data, svc.pack, "profile")
    row = db.save_profile(svc.db, who.tenant, profile.name, json.dumps(data))
    return {"id": row.id, "tenant": row.tenant, "created_at": row.created_at, "profile": data}


@router.get("/{profile_id}", response_model=ProfileOut, responses=NOT_FOUND)
def get_profile(
    who: CallerDep,
    svc: ServiceDep,
    profile_id: Annotated[Text, PathParam(max_length=64)],
) -> dict[str, Any]:
    """A stored profile (of your tenant, or of one you may read)."""
    row = stored_profile(svc, profile_id, who)
    return {
        "id": row.id,
        "tenant": row.tenant,
        "created_at": row.created_at,
        "profile": json.loads(row.body),
    }
