"""The comparison page, /app/compare: the vendor × jurisdiction matrix and the operator ×
jurisdiction view, as ``dutybound compare`` and POST /compare make them, and the same matrix
as CSV, XLSX or Markdown (the CLI's ``compare --format`` writers).

Nothing is computed here: the form is read into the arguments of ``engine.compare.
run_comparison`` (a stored profile, or a sector with ``--as-sector`` semantics, the operator
then being hypothetical), and the page shows ``engine.compare_matrix.slide_matrix`` of its JSON,
the matrix every other output of the comparison is made from. The operator view needs an
inventory, as the CLI's does: it reads the inventory stored with one of the tenant's
evaluations. The page is a GET form: it changes nothing, so its URL can be shared and the
downloads take the same query string.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from dutybound.engine.errors import InputError
from dutybound.service import db
from dutybound.service.deps import ServiceDep
from dutybound.service.state import Service
from dutybound.web.errors import PageError
from dutybound.web.evaluations import UploadProblems, profile_text, read_assets
from dutybound.web.rendering import page
from dutybound.web.session import Viewer, ViewerDep

router = APIRouter(prefix="/app", include_in_schema=False)
LISTED = 50  # stored profiles and evaluations offered in the form
# the matrix downloads: extension -> media type (the CLI's compare --format csv|xlsx|md)
DOWNLOADS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


@dataclass
class CompareForm:
    """What the person chose, and each field's problem (key '' for the form as a whole)."""

    jurisdictions: list[str]
    profile: str
    sector: str
    vendors: list[str]
    result: str
    as_of: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def asked(self) -> bool:
        """Whether the form was submitted (a first visit shows it empty, with no problem)."""
        return bool(self.as_of or self.jurisdictions or self.profile or self.sector)


def read_form(query: QueryParams) -> CompareForm:
    return CompareForm(
        jurisdictions=[c.strip().upper() for c in query.getlist("jurisdictions") if c.strip()],
        profile=query.get("profile", "").strip(),
        sector=query.get("sector", "").strip(),
        vendors=[v.strip() for v in query.getlist("vendors") if v.strip()],
        result=query.get("result", "").strip(),
        as_of=query.get("as_of", "").strip(),
    )


@dataclass(frozen=True)
class Asked:
    """The comparison's arguments, read from the form and the tenant's stored rows."""

    profile_data: dict[str, Any]
    codes: list[str]
    vendors: list[str]
    sector: str | None
    day: dt.date
    inventory: tuple[str, bytes] | None  # (file name, bytes) of a stored evaluation's upload


def _stored_profile(svc: Service, who: Viewer, form: CompareForm) -> dict[str, Any] | None:
    row = db.get_readable(svc.db, db.StoredProfile, form.profile, who.reader)
    if row is None:
        form.errors["profile"] = "no stored profile with this id for this tenant"
        return None
    data: dict[str, Any] = json.loads(row.body)
    return data


def _inventory(svc: Service, who: Viewer, form: CompareForm) -> tuple[str, bytes] | None:
    row = db.get_readable(svc.db, db.StoredResult, form.result, who.reader)
    inputs = db.result_input(svc.db, row.id) if row is not None else None
    if inputs is None:
        form.errors["result"] = "no stored evaluation with its inventory under this id"
        return None
    return inputs.filename, zlib.decompress(inputs.inventory_zlib)


def asked(svc: Service, who: Viewer, form: CompareForm) -> Asked | None:
    """The form as the comparison's arguments; None, with ``form.errors`` filled, when a field
    is wrong. A sector without a profile compares a hypothetical operator of that sector (no
    role of its own: the roles its law gives the sector are assumed, as ``--as-sector``)."""
    try:
        day = dt.date.fromisoformat(form.as_of) if form.as_of else dt.date.today()
    except ValueError:
        form.errors["as_of"] = "give a date as YYYY-MM-DD"
    profile_data = _stored_profile(svc, who, form) if form.profile else None
    if not form.profile and not form.sector:
        form.errors["profile"] = "choose a stored profile, or a sector to assume the roles of"
    if form.sector and form.sector not in _sectors():
        from dutybound.engine.suggest import unknown

        form.errors["sector"] = unknown("sector", form.sector, _sectors())
    codes = form.jurisdictions or sorted((profile_data or {}).get("jurisdictions") or [])
    if not codes and "profile" not in form.errors:
        form.errors["jurisdictions"] = "choose at least one jurisdiction"
    inventory = _inventory(svc, who, form) if form.result else None
    if not form.vendors and not form.result:
        form.errors["vendors"] = (
            "choose a vendor for the vendor × jurisdiction matrix, or an evaluation whose "
            "inventory the operator view reads"
        )
    if form.errors:
        return None
    if profile_data is None:
        profile_data = {
            "name": f"A {form.sector} operator (hypothetical)",
            "jurisdictions": codes,
            "sectors": [form.sector],
        }
    return Asked(profile_data, codes, form.vendors, form.sector or None, day, inventory)


def comparison(svc: Service, args: Asked) -> dict[str, Any]:
    """The comparison JSON, exactly as POST /compare answers it: the stored profile checked as
    the CLI checks it, the inventory read by the engine's reader, under the engine lock."""
    from dutybound.engine.compare import run_comparison

    profile = svc.validated_profile(profile_text(args.profile_data))
    assets = read_assets(*args.inventory) if args.inventory is not None else []
    with svc.engine_lock:
        data: dict[str, Any] = run_comparison(
            svc.pack,
            profile,
            assets,
            args.day,
            args.codes,
            args.vendors or None,
            frozenset(),
            args.sector,
        ).data
    return data


# an engine problem's field (its ``file``: the CLI's option) -> the form's field
FIELD_OF = {"--vendor": "vendors", "--as-sector": "sector", "--jurisdiction": "jurisdictions"}


def _run(svc: Service, who: Viewer, form: CompareForm) -> dict[str, Any] | None:
    args = asked(svc, who, form)
    if args is None:
        return None
    try:
        return comparison(svc, args)
    except UploadProblems as error:
        form.errors["result"] = f"{error.filename}: {error.problems[0]}"
    except InputError as error:
        form.errors[FIELD_OF.get(error.file, "")] = error.message
    return None


def _names(svc: Service, codes: list[str]) -> dict[str, str]:
    return {c: svc.pack.jurisdictions[c].name for c in codes if c in svc.pack.jurisdictions}


@router.get("/compare")
async def compare_page(request: Request, who: ViewerDep, svc: ServiceDep) -> Response:
    """The form, and under it (once asked) the matrix with its footnotes and downloads; the
    form with each problem by its field otherwise (422)."""
    from dutybound.cli.render.compare import about_rows
    from dutybound.engine.compare_matrix import slide_matrix

    form = read_form(request.query_params)
    data = await run_in_threadpool(_run, svc, who, form) if form.asked else None
    matrix = slide_matrix(data, _names(svc, data["jurisdictions"])) if data else None
    readable = frozenset([who.tenant])
    profiles, _ = db.list_readable(svc.db, db.StoredProfile, readable, LISTED, 0)
    results, _ = db.list_readable(svc.db, db.StoredResult, readable, LISTED, 0)
    return page(
        request,
        "compare.html.j2",
        status=422 if form.errors else 200,
        who=who,
        form=form,
        data=data,
        matrix=matrix,
        about=about_rows(data) if data else [],
        query=request.url.query,
        jurisdictions=sorted(svc.pack.jurisdictions.items()),
        sectors=_sectors(),
        vendors=sorted(g.name for g in svc.pack.registry.groups.values()),
        profiles=profiles,
        results=results,
        today=dt.date.today().isoformat(),
    )


def _sectors() -> list[str]:
    from dutybound.engine.inputs import SECTORS

    return sorted(SECTORS)


@router.get("/compare/matrix.{fmt}")
async def compare_download(fmt: str, request: Request, who: ViewerDep, svc: ServiceDep) -> Response:
    """The page's matrix as ``dutybound compare --format csv|xlsx|md`` writes it."""
    from dutybound.cli.render.compare import (
        about_rows,
        matrix_csv,
        matrix_markdown,
        matrix_xlsx,
    )
    from dutybound.engine.compare_matrix import slide_matrix

    if fmt not in DOWNLOADS:
        raise PageError(404, "the matrix downloads as .csv, .xlsx or .md")
    form = read_form(request.query_params)
    data = await run_in_threadpool(_run, svc, who, form)
    if data is None:
        problems = "; ".join(f"{k or 'form'}: {v}" for k, v in form.errors.items())
        raise PageError(422, problems or "nothing to compare")
    matrix = slide_matrix(data, _names(svc, data["jurisdictions"]))
    body: str | bytes
    if fmt == "csv":
        body = matrix_csv(matrix)
    elif fmt == "md":
        body = matrix_markdown(matrix, about_rows(data))
    else:
        body = matrix_xlsx(matrix, about_rows(data))
    name = f"dutybound-compare-{data['as_of']}.{fmt}"
    return Response(
        body,
        media_type=DOWNLOADS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


__all__ = ["router"]
