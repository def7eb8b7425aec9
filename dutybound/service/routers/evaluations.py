"""Evaluations: POST /evaluate (stored for the tenant), GET /results (paged), GET and DELETE
/results/{id}, and POST /compare.

The evaluation JSON is sent as the engine made it (the same bytes as `dutybound evaluate
--format json`); ``responses.EvaluationOut`` documents it without passing it through a model.
A stored result is not in the store's audit chain (``service.db``): deleting it removes it."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi import Path as PathParam

from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text
from dutybound.service import db
from dutybound.service.deps import CallerDep, DatabaseDep, ServiceDep
from dutybound.service.errors import ERRORS, NOT_FOUND, FieldError, deleted, for_api
from dutybound.service.inputs import read_assets, resolve_profile, run_evaluation
from dutybound.service.models import CompareRequest, ErrorOut, EvaluateRequest
from dutybound.service.responses import EvaluationOut, ResultPage
from dutybound.service.values import Text

# the listings' page size, and the furthest offset (a bound both databases take as an integer)
PAGE_DEFAULT = 50
PAGE_MAX = 500
OFFSET_MAX = 1_000_000_000

router = APIRouter(tags=["evaluation"], responses={**ERRORS, **NOT_FOUND})


@router.post(
    "/evaluate",
    status_code=201,
    response_model=None,
    responses={201: {"model": EvaluationOut, "description": "The evaluation, as stored."}},
)
def evaluate_inventory(req: EvaluateRequest, who: CallerDep, svc: ServiceDep) -> dict[str, Any]:
    """Every obligation that applies on the date, with citation, due date, assets and
    explanation; the result is stored for GET /results/{id} (your tenant)."""
    result = run_evaluation(svc, req, who, req.include_ended)
    data = result.to_json()
    pack = svc.pack
    row = db.save_result(svc.db, who.tenant, req.as_of, pack.version, pack.sha256, json_text(data))
    return {"result_id": row.id, "created_at": row.created_at, "evaluation": data}


@router.get("/results", response_model=ResultPage)
def list_results(
    who: CallerDep,
    database: DatabaseDep,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX, description="Results per page.")] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Results to skip.")] = 0,
) -> dict[str, Any]:
    """The stored evaluations you may read (your tenant's; a consultant key's clients' too),
    newest first, without their bodies (GET /results/{id} has each)."""
    rows, total = db.list_readable(database, db.StoredResult, who.readable, limit, offset)
    items = [
        {
            "result_id": r.id,
            "tenant": r.tenant,
            "as_of": r.as_of,
            "rulepack_version": r.rulepack_version,
            "rulepack_sha256": r.rulepack_sha256,
            "created_at": r.created_at,
        }
        for r in rows
    ]
    return {"total": total, "offset": offset, "limit": limit, "items": items}


@router.get(
    "/results/{result_id}",
    response_model=None,
    responses={200: {"model": EvaluationOut, "description": "The stored evaluation."}},
)
def get_result(
    who: CallerDep,
    database: DatabaseDep,
    result_id: Annotated[Text, PathParam(max_length=64)],
) -> dict[str, Any]:
    """A stored evaluation (of your tenant, or of one you may read)."""
    row = db.get_readable(database, db.StoredResult, result_id, who)
    if row is None:
        raise HTTPException(404, "no result with this id")
    return {"result_id": row.id, "created_at": row.created_at, "evaluation": json.loads(row.body)}


@router.delete(
    "/results/{result_id}",
    status_code=204,
    response_class=Response,
    responses={403: {"model": ErrorOut, "description": "Readable by this key, but not its own."}},
)
def delete_result(
    who: CallerDep,
    database: DatabaseDep,
    result_id: Annotated[Text, PathParam(max_length=64)],
) -> Response:
    """Delete a stored evaluation of your tenant. It is the API's copy of an answer, not an
    entry of the audit chain (`dutybound audit verify` covers the evaluations stored with
    `--db`), so it is removed outright; a consultant key may read its clients' results but not
    delete them (403)."""
    deleted(db.delete_own(database, db.StoredResult, result_id, who), "result")
    return Response(status_code=204)


@router.post("/compare")
def compare(req: CompareRequest, who: CallerDep, svc: ServiceDep) -> dict[str, Any]:
    """Strongest measure, earliest deadline and citation per jurisdiction; with vendors,
    the vendor-by-jurisdiction matrix (same JSON as `dutybound compare --format json`)."""
    from dutybound.engine.compare import run_comparison

    profile, hypothetical, _ = resolve_profile(svc, req, who)
    rows = [a.row(a.asset_id, a.country, str(a.status)) for a in req.assets or []]
    assets = read_assets("assets", rows)
    codes = (
        [c.strip().upper() for c in req.jurisdictions]
        if req.jurisdictions
        else sorted(profile.jurisdictions)
    )
    try:
        with svc.engine_lock:
            data: dict[str, Any] = run_comparison(
                svc.pack,
                profile,
                assets,
                req.as_of,
                codes,
                req.vendors,
                hypothetical,
                req.as_sector,
            ).data
    except InputError as error:
        field = {"vendor": "vendors", "as-sector": "as_sector"}.get(
            error.file.lstrip("-"), "jurisdictions"
        )
        raise FieldError(["body", field], for_api(["body", field], error.message)) from None
    return data
