"""Request bodies turned into validated engine inputs, and the evaluation they feed.

Validation happens here, before the engine runs; each problem becomes a 422 whose ``loc`` names
the field in the request (``errors.engine_input``). A profile given by ``profile_id`` is read
from the database only if the caller may read it (404 otherwise, as for an id that does not
exist). The engine modules are imported inside the functions: importing the service (for its
OpenAPI document, say) should not load the engine.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import HTTPException

from dutybound.engine.notices import evaluator_notice
from dutybound.service import db
from dutybound.service.cache import canonical_sha256
from dutybound.service.errors import engine_input
from dutybound.service.keys import Caller
from dutybound.service.models import CheckRequest, EvaluateRequest, ReportRequest, _WithProfile
from dutybound.service.state import Service

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.engine.inputs import Asset, Profile
    from dutybound.engine.loading import RulePack
    from dutybound.engine.vendor_decisions import Decision
    from dutybound.engine.waivers import Waiver


def stored_profile(svc: Service, profile_id: str, who: Caller) -> db.StoredProfile:
    """A stored profile the caller may read; 404 otherwise."""
    row = db.get_readable(svc.db, db.StoredProfile, profile_id, who)
    if row is None:
        raise HTTPException(404, "no profile with this id")
    return row


def profile_data(
    svc: Service, req: _WithProfile, who: Caller
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The profile as data, and where it came from (for error locations); a stored one is
    read from the database (404 unless the caller may read it)."""
    if req.profile is not None:
        return req.profile.model_dump(), ("body", "profile")
    row = stored_profile(svc, str(req.profile_id), who)
    return json.loads(row.body), ("body", "profile_id")


def checked_profile(
    svc: Service, req: _WithProfile, data: dict[str, Any], where: tuple[str, ...]
) -> tuple[Profile, frozenset[str]]:
    """The profile validated against the rule pack, with the what-if roles assumed, and the
    roles that are only assumed."""
    from dutybound.engine.roles import assume_roles

    with engine_input(where, data=data):
        profile = svc.validated_profile(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
    hypothetical = frozenset(req.as_role) - set(profile.roles)
    if req.as_role:
        with engine_input(("body", "as_role")):
            profile = assume_roles(svc.pack, profile, req.as_role, source="as_role")
    return profile, hypothetical


def resolve_profile(
    svc: Service, req: _WithProfile, who: Caller
) -> tuple[Profile, frozenset[str], dict[str, Any]]:
    """``checked_profile`` of the request's profile, inline or stored, and its data."""
    data, where = profile_data(svc, req, who)
    return (*checked_profile(svc, req, data, where), data)


def checked_waivers(
    svc: Service, req: CheckRequest | EvaluateRequest | ReportRequest, profile: Profile
) -> tuple[list[Waiver] | None, list[dict[str, Any]]]:
    """The request's waiver records validated against the rule pack and the profile (422
    naming the record and field), and their data for the inputs fingerprint."""
    from dutybound.engine.waivers import check_waivers

    if req.waivers is None:
        return None, []
    data = [w.model_dump(mode="json", exclude_none=True) for w in req.waivers]
    with engine_input(("body", "waivers"), data=data):
        return check_waivers(data, svc.pack, "waivers", operator=profile.name), data


def request_pack(svc: Service, req: _WithProfile) -> RulePack:
    """The service's rule pack, with the request's what-if decisions assumed (422 naming the
    bad one)."""
    if not req.assume_designation:
        return svc.pack
    from dutybound.engine.powers import assume, parse_assumption

    with engine_input(("body", "assume_designation")):
        parsed = [
            parse_assumption(t, svc.pack, "assume_designation") for t in req.assume_designation
        ]
    return assume(svc.pack, parsed)


def what_if(req: _WithProfile) -> list[Any]:
    """The optional parts of a request for its inputs fingerprint (what-if decisions, vendor
    decisions); none given: nothing, so that the fingerprint of a plain request is unchanged."""
    parts: list[Any] = [req.assume_designation] if req.assume_designation else []
    if req.vendor_decisions is not None:
        parts.append({"vendor_decisions": req.vendor_decisions})
    return parts


def checked_decisions(svc: Service, req: _WithProfile) -> list[Decision] | None:
    """The request's vendor decisions, validated against the registry (422 naming the record
    and field)."""
    if req.vendor_decisions is None:
        return None
    from dutybound.engine.vendor_decisions import check_decisions

    with engine_input(("body", "vendor_decisions"), data=req.vendor_decisions):
        return check_decisions(req.vendor_decisions, svc.pack.registry, "vendor_decisions")


def read_assets(where: str, rows: list[dict[str, str]], indexed: bool = True) -> list[Asset]:
    """Inventory rows as assets; a bad row is a 422 naming its position in ``where``."""
    from dutybound.engine.inputs import assets_from_rows, rows_from_mappings

    with engine_input(("body", where), indexed=indexed):
        return assets_from_rows(where, rows_from_mappings(rows))


def fingerprint(*parts: Any) -> str:
    """The ``inputs.sha256`` of a result: SHA-256 of the inputs as canonical JSON."""
    return canonical_sha256(*parts).hex()


def run_evaluation(
    svc: Service,
    req: EvaluateRequest | ReportRequest,
    who: Caller,
    include_ended: bool = False,
) -> Evaluation:
    """The evaluation of a request's profile and inventory on its date (for /evaluate and
    /report); blocks while another evaluation holds the engine."""
    from dutybound.engine.evaluation import evaluate

    profile, hypothetical, data = resolve_profile(svc, req, who)
    rows = [a.row(a.asset_id, a.country, str(a.status)) for a in req.assets]
    assets = read_assets("assets", rows)
    waivers, waiver_data = checked_waivers(svc, req, profile)
    inputs = fingerprint(
        data, rows, req.as_role, *([waiver_data] if waivers is not None else []), *what_if(req)
    )
    pack = request_pack(svc, req)
    with svc.engine_lock:
        result = evaluate(
            pack,
            profile,
            assets,
            req.as_of,
            evaluator=svc.evaluator,
            include_ended=include_ended,
            hypothetical=hypothetical,
            waivers=waivers,
            inputs_sha256=inputs,
            vendor_decisions=checked_decisions(svc, req),
        )
    if svc.evaluator_notice:
        result.notices.insert(0, evaluator_notice(svc.evaluator_notice))
    return result
