"""The law the server applies, read-only: obligations, instruments and roles of the rule pack."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam

from dutybound.service.deps import CallerDep, ServiceDep
from dutybound.service.errors import ERRORS, NOT_FOUND

router = APIRouter(prefix="/law", tags=["law"], responses=ERRORS)


@router.get("/obligations")
def law_obligations(
    who: CallerDep,
    svc: ServiceDep,
    jurisdiction: Annotated[
        str | None, Query(max_length=8, description="ISO code, e.g. CZ.")
    ] = None,
    kind: Annotated[str | None, Query(max_length=64, description="Kind, e.g. removal.")] = None,
) -> list[dict[str, Any]]:
    """Every obligation of the rule pack, with citation, dates, deadline and scope."""
    from dutybound.engine.catalogue import list_obligations

    return list_obligations(svc.pack, jurisdiction.upper() if jurisdiction else None, kind)


@router.get("/obligations/{obligation_id}", responses=NOT_FOUND)
def law_obligation(
    who: CallerDep,
    svc: ServiceDep,
    obligation_id: Annotated[str, PathParam(max_length=200)],
) -> dict[str, Any]:
    """One obligation in full."""
    from dutybound.engine.catalogue import obligation_json

    for item in svc.pack.obligations:
        if item.obligation.id == obligation_id:
            return obligation_json(item)
    raise HTTPException(404, "no obligation with this id")


@router.get("/instruments/{instrument_id}", responses=NOT_FOUND)
def law_instrument(
    who: CallerDep,
    svc: ServiceDep,
    instrument_id: Annotated[str, PathParam(max_length=200)],
) -> dict[str, Any]:
    """An instrument (act, decree, direction, guidance) with its obligations."""
    from dutybound.engine.catalogue import instrument_detail, obligation_json

    inst = svc.pack.instruments.get(instrument_id)
    if inst is None:
        raise HTTPException(404, "no instrument with this id")
    obligations = [
        obligation_json(i) for i in svc.pack.obligations if i.instrument.id == instrument_id
    ]
    return {
        "instrument": instrument_detail(inst),
        "obligations": sorted(obligations, key=lambda o: o["obligation_id"]),
    }


@router.get("/roles")
def law_roles(who: CallerDep, svc: ServiceDep) -> list[dict[str, Any]]:
    """The legal roles a profile can declare (and those derived from attributes)."""
    from dutybound.engine.catalogue import role_json

    return [role_json(r) for _, r in sorted(svc.pack.roles.items())]
