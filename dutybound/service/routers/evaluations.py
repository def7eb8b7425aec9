"""Evaluations: POST /evaluate (stored for the tenant), GET /results/{id}, and POST /compare."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam

from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text
from dutybound.service import db
from dutybound.service.deps import CallerDep, DatabaseDep, ServiceDep
from dutybound.service.errors import ERRORS, NOT_FOUND, FieldError
from dutybound.service.inputs import read_assets, resolve_profile, run_evaluation
from dutybound.service.models import CompareRequest, EvaluateRequest, EvaluationOut
from dutybound.service.values import Text

router = APIRouter(tags=["evaluation"], responses={**ERRORS, **NOT_FOUND})


@router.post("/evaluate", status_code=201, response_model=EvaluationOut)
def evaluate_inventory(req: EvaluateRequest, who: CallerDep, svc: ServiceDep) -> dict[str, Any]:
    """Every obligation that applies on the date, with citation, due date, assets and
    explanation; the result is stored for GET /results/{id} (your tenant)."""
    result = run_evaluation(svc, req, who, req.include_ended)
    data = result.to_json()
    pack = svc.pack
    row = db.save_result(svc.db, who.tenant, req.as_of, pack.version, pack.sha256, json_text(data))
    return {"result_id": row.id, "created_at": row.created_at, "evaluation": data}


@router.get("/results/{result_id}", response_model=EvaluationOut)
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
        raise FieldError(["body", field], error.message) from None
    return data
