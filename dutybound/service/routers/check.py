"""POST /check: the procurement gate, the endpoint procurement systems call for every item.

It is ``async`` because most answers come from the check cache (``service.cache``) in
microseconds, without a threadpool hop. A hit skips the rule-pack validation too: an entry
exists only because exactly these inputs passed it, against this same pack, when the entry was
made. A single new item is evaluated right on the event loop when the engine is free (a few ms
of CPU; with the GIL a threadpool hop would only add thread switches); bids, evaluations that
would wait for the engine, and database reads go to the threadpool, where waiting blocks nobody.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dutybound.service.cache import canonical_sha256
from dutybound.service.deps import CallerDep
from dutybound.service.errors import ERRORS, NOT_FOUND, FieldError
from dutybound.service.inputs import (
    checked_decisions,
    checked_profile,
    checked_waivers,
    fingerprint,
    profile_data,
    read_assets,
    request_pack,
    what_if,
)
from dutybound.service.models import CheckRequest
from dutybound.service.responses import CheckResponse
from dutybound.service.state import Service

if TYPE_CHECKING:
    from dutybound.engine.inputs import Asset, Profile
    from dutybound.engine.loading import RulePack
    from dutybound.engine.vendor_decisions import Decision
    from dutybound.engine.waivers import Waiver

# A check of up to this many items is evaluated on the event loop when the engine is idle.
INLINE_CHECK_ITEMS = 1

router = APIRouter(tags=["procurement"])


def check_rows(req: CheckRequest, profile: Profile) -> tuple[str, list[dict[str, str]]]:
    """The inventory rows of the checked items (the country defaults to the profile's only
    jurisdiction); 422 naming the item when the country cannot be known."""
    items = req.items if req.items is not None else [req.item]
    where = "items" if req.items is not None else "item"
    default_country = profile.jurisdictions[0] if len(profile.jurisdictions) == 1 else None
    rows = []
    for n, item in enumerate(items, start=1):
        assert item is not None
        country = item.country or default_country
        if country is None:
            loc: list[str | int] = (
                ["body", where, n - 1, "country"]
                if where == "items"
                else ["body", where, "country"]
            )
            raise FieldError(
                loc, "the profile lists several jurisdictions; say where the item will be used"
            )
        rows.append(item.row(item.asset_id or f"item-{n}", country, str(item.status)))
    return where, rows


def run_check(
    svc: Service,
    pack: RulePack,
    profile: Profile,
    assets: list[Asset],
    as_of: dt.date,
    hypothetical: frozenset[str],
    inputs_sha256: str,
    waivers: list[Waiver] | None,
    decisions: list[Decision] | None = None,
) -> bytes:
    """The engine's verdicts as the JSON body (the slow part: about a millisecond per single
    check); the caller holds ``svc.engine_lock``."""
    from dutybound.engine.verdict import check_items

    result = check_items(
        pack, profile, assets, as_of, hypothetical, inputs_sha256, waivers, decisions
    )
    return orjson.dumps(result.to_json())


def run_check_locked(svc: Service, *args: Any) -> bytes:
    with svc.engine_lock:
        return run_check(svc, *args)


async def compute_check(
    svc: Service, req: CheckRequest, data: dict[str, Any], where: tuple[str, ...]
) -> bytes:
    """Validate against the rule pack and evaluate: on the event loop for a single item when
    the engine is free, otherwise in the threadpool."""
    profile, hypothetical = checked_profile(svc, req, data, where)
    items_at, rows = check_rows(req, profile)
    assets = read_assets(items_at, rows, indexed=items_at == "items")
    waivers, waiver_data = checked_waivers(svc, req, profile)
    inputs = fingerprint(
        data, rows, req.as_role, *([waiver_data] if waivers is not None else []), *what_if(req)
    )
    args = (
        request_pack(svc, req),
        profile,
        assets,
        req.as_of,
        hypothetical,
        inputs,
        waivers,
        checked_decisions(svc, req),
    )
    if len(rows) <= INLINE_CHECK_ITEMS and svc.engine_lock.acquire(blocking=False):
        try:
            return run_check(svc, *args)
        finally:
            svc.engine_lock.release()
    return await run_in_threadpool(run_check_locked, svc, *args)


@router.post(
    "/check",
    response_model=None,
    responses={
        200: {
            "model": CheckResponse,
            "description": "The verdicts (same JSON as `dutybound check --format json`).",
            "headers": {
                "X-Dutybound-Cache": {
                    "description": "hit: the body was computed earlier for "
                    "exactly these inputs (see service.cache); miss: computed "
                    "now.",
                    "schema": {"type": "string"},
                }
            },
        },
        **ERRORS,
        **NOT_FOUND,
    },
)
async def check(req: CheckRequest, who: CallerDep, request: Request) -> Response:
    """Procurement gate: prohibited, review, conditional or allowed, per item and overall
    (the worst item decides), with reasons and citations."""
    # the shared state straight from the request, not through deps.ServiceDep: a dependency
    # level is FastAPI bookkeeping on every request, and this is the endpoint called most
    svc: Service = request.app.state.service
    if req.profile is not None:
        data, where = profile_data(svc, req, who)
    else:  # read from the database
        data, where = await run_in_threadpool(profile_data, svc, req, who)
    key = canonical_sha256(
        who.tenant,
        svc.pack.sha256,
        svc.engine_version,
        svc.evaluator.name,
        data,
        req.model_dump_json(exclude={"profile", "profile_id"}),
    )
    body = svc.checks.get(key)
    hit = body is not None
    if body is None:
        body = await compute_check(svc, req, data, where)
        svc.checks.put(key, body)
    return Response(
        body,
        media_type="application/json",
        headers={"X-Dutybound-Cache": "hit" if hit else "miss"},
    )
