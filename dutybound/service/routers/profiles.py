"""Stored profiles: POST /profiles keeps one for the tenant; its id can stand in for the
profile in every other request (``profile_id``). GET /profiles lists them (paged), DELETE
/profiles/{id} removes one of the caller's own tenant."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam

from dutybound.service import db
from dutybound.service.deps import CallerDep, ServiceDep
from dutybound.service.errors import ERRORS, NOT_FOUND, deleted, engine_input
from dutybound.service.inputs import stored_profile
from dutybound.service.models import ErrorOut, ProfileIn, ProfileOut
from dutybound.service.responses import ProfilePage
from dutybound.service.routers.evaluations import OFFSET_MAX, PAGE_DEFAULT, PAGE_MAX
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


@router.get("", response_model=ProfilePage)
def list_profiles(
    who: CallerDep,
    svc: ServiceDep,
    limit: Annotated[
        int, Query(ge=1, le=PAGE_MAX, description="Profiles per page.")
    ] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Profiles to skip.")] = 0,
) -> dict[str, Any]:
    """The stored profiles you may read (your tenant's; a consultant key's clients' too),
    newest first, by id and name (GET /profiles/{id} has each in full)."""
    rows, total = db.list_readable(svc.db, db.StoredProfile, who.readable, limit, offset)
    items = [
        {"id": r.id, "tenant": r.tenant, "name": r.name, "created_at": r.created_at} for r in rows
    ]
    return {"total": total, "offset": offset, "limit": limit, "items": items}


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


@router.delete(
    "/{profile_id}",
    status_code=204,
    response_class=Response,
    responses={
        **NOT_FOUND,
        403: {"model": ErrorOut, "description": "Readable by this key, but not its own."},
    },
)
def delete_profile(
    who: CallerDep,
    svc: ServiceDep,
    profile_id: Annotated[Text, PathParam(max_length=64)],
) -> Response:
    """Delete a stored profile of your tenant; requests naming its id get 404 from then on.
    Results evaluated with it keep the profile they were evaluated with (it is in their JSON).
    A consultant key may read its clients' profiles but not delete them (403)."""
    deleted(db.delete_own(svc.db, db.StoredProfile, profile_id, who), "profile")
    return Response(status_code=204)
