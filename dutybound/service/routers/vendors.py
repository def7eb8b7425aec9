"""POST /vendors/screen: which covered vendor group, if any, each name of a supplier list
belongs to (as `dutybound vendors screen`), each distinct name once with how often it occurs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from dutybound.service.deps import CallerDep, ServiceDep
from dutybound.service.errors import ERRORS
from dutybound.service.models import ScreenRequest
from dutybound.service.responses import ScreeningOut

if TYPE_CHECKING:
    from dutybound.engine.vendors import Registry, VendorMatch

router = APIRouter(prefix="/vendors", tags=["vendors"], responses=ERRORS)


def identification(registry: Registry, match: VendorMatch) -> dict[str, Any]:
    """A match with the group's name and the source of the registry entry it rests on (the
    same keys as the evaluation JSON's ``vendors``)."""
    entity = None
    if match.group is not None and match.entity is not None:
        entity = next(
            (e for e in registry.groups[match.group].entities if e.name == match.entity), None
        )
    return {
        **match.to_json(),
        "group_name": registry.groups[match.group].name if match.group else None,
        "source": entity.source if entity else None,
        "source_verified": entity.verified if entity else None,
    }


def screen(registry: Registry, names: list[str], as_of: dt.date) -> dict[str, Any]:
    """Each distinct name resolved once, in the order first given, with its count."""
    counts = Counter(names)
    results = [
        {**identification(registry, registry.match(name, as_of)), "count": count}
        for name, count in counts.items()
    ]
    return {
        "as_of": as_of,
        "names": len(names),
        "distinct": len(results),
        "matched": sum(1 for r in results if r["group"] and not r["needs_review"]),
        "needs_review": sum(1 for r in results if r["needs_review"]),
        "results": results,
    }


@router.post("/screen", response_model=ScreeningOut)
def screen_vendors(req: ScreenRequest, who: CallerDep, svc: ServiceDep) -> dict[str, Any]:
    """Screen a supplier list: for each distinct name its covered vendor group, entity and
    relationship, how it matched, whether a person must confirm it, why, and the registry
    source; with how many times the list gives it."""
    as_of = req.as_of or dt.date.today()
    # the registry's look-up caches are shared with evaluations, which hold this lock
    with svc.engine_lock:
        return screen(svc.pack.registry, req.names, as_of)
