"""The pages' routes, all under /app: sign in and out, tenant switch, operator profiles,
inventory upload, results and their downloads.

Every read goes through ``db.get_readable`` with the caller narrowed to the tenant being viewed
(``Viewer.reader``), so an id of another tenant's profile or result is a 404, exactly like an id
that does not exist. Every POST but sign-in's depends on ``check_csrf`` (403 without the token);
sign-in checks it too, against the token its page was served with.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dutybound.engine.jsontext import json_text
from dutybound.service import db
from dutybound.service.deps import ServiceDep
from dutybound.service.state import Service
from dutybound.web import forms
from dutybound.web.errors import PageError
from dutybound.web.evaluations import (
    UploadProblems,
    evaluate_upload,
    full_evaluation,
    held,
    stated_of,
)
from dutybound.web.language import language
from dutybound.web.rendering import page
from dutybound.web.results import filtered, summary
from dutybound.web.review import Answer, answer_and_rerun, missing_facts, vendor_questions
from dutybound.web.session import CsrfDep, Viewer, ViewerDep, end_session, sign_in
from dutybound.web.upload_columns import columns_of

router = APIRouter(prefix="/app", include_in_schema=False)
LISTED = 50  # profiles and results listed on the home page


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _require_writable(who: Viewer) -> None:
    if not who.writable:
        raise PageError(
            403, "a consultant reads a client's pages; switch to your own tenant to change them"
        )


def _profile(svc: Service, who: Viewer, profile_id: str) -> db.StoredProfile:
    row = db.get_readable(svc.db, db.StoredProfile, profile_id, who.reader)
    if row is None:
        raise PageError(404, "no profile with this id")
    return row


def _result(svc: Service, who: Viewer, result_id: str) -> tuple[db.StoredResult, dict[str, Any]]:
    row = db.get_readable(svc.db, db.StoredResult, result_id, who.reader)
    if row is None:
        raise PageError(404, "no result with this id")
    data: dict[str, Any] = json.loads(row.body)
    return row, data


@router.get("")
def root() -> RedirectResponse:
    return _see_other("/app/home")


@router.get("/signin")
def signin_page(request: Request) -> Response:
    return page(request, "signin.html.j2", problem="", who=None)


@router.post("/signin", dependencies=[CsrfDep])
def signin(request: Request, svc: ServiceDep, api_key: Annotated[str, Form()] = "") -> Response:
    """Exchange an API key for a session; a wrong key gets the form again with 401."""
    if not api_key.strip() or sign_in(request, svc, api_key) is None:
        return page(
            request,
            "signin.html.j2",
            status=401,
            problem="This key is unknown or revoked.",
            who=None,
        )
    return _see_other("/app/home")


@router.post("/signout", dependencies=[CsrfDep])
def signout(request: Request) -> RedirectResponse:
    end_session(request)
    return _see_other("/app/signin")


@router.post("/tenant", dependencies=[CsrfDep])
def switch_tenant(
    request: Request, who: ViewerDep, tenant: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """A consultant key moves to one of the tenants it may read (404 for any other)."""
    if tenant not in who.caller.readable:
        raise PageError(404, "no such tenant for this key")
    request.session["tenant"] = tenant
    return _see_other("/app/home")


@router.get("/home")
def home(request: Request, who: ViewerDep, svc: ServiceDep) -> Response:
    readable = frozenset([who.tenant])
    profiles, _ = db.list_readable(svc.db, db.StoredProfile, readable, LISTED, 0)
    results, _ = db.list_readable(svc.db, db.StoredResult, readable, LISTED, 0)
    return page(request, "home.html.j2", who=who, profiles=profiles, results=results)


def _profile_page(
    request: Request, who: Viewer, svc: Service, form: forms.ProfileForm, action: str, status: int
) -> Response:
    return page(
        request,
        "profile.html.j2",
        status=status,
        who=who,
        form=form,
        action=action,
        jurisdictions=forms.role_choices(svc.pack),
        sectors=forms.sector_choices(),
    )


@router.get("/profiles/new")
def new_profile(request: Request, who: ViewerDep, svc: ServiceDep) -> Response:
    _require_writable(who)
    return _profile_page(request, who, svc, forms.blank_form(), "/app/profiles", 200)


@router.post("/profiles", dependencies=[CsrfDep])
async def create_profile(request: Request, who: ViewerDep, svc: ServiceDep) -> Response:
    """Validate as the CLI does and store (as POST /profiles does); the form again with each
    problem next to its field (422) otherwise. Editing stores a new profile: results keep the
    profile they were evaluated with."""
    _require_writable(who)
    form = forms.read_form(await request.form())
    await run_in_threadpool(forms.validate, form, svc.pack)
    if form.errors:
        return _profile_page(request, who, svc, form, "/app/profiles", 422)
    row = await run_in_threadpool(
        db.save_profile, svc.db, who.tenant, form.data["name"], json.dumps(form.data)
    )
    return _see_other(f"/app/profiles/{row.id}")


@router.get("/profiles/{profile_id}")
def show_profile(request: Request, profile_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    row = _profile(svc, who, profile_id)
    return page(
        request,
        "profile_view.html.j2",
        who=who,
        row=row,
        profile=json.loads(row.body),
        roles=svc.pack.roles,
        today=dt.date.today().isoformat(),
        problems=None,
        filename="",
    )


@router.get("/profiles/{profile_id}/edit")
def edit_profile(request: Request, profile_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    _require_writable(who)
    row = _profile(svc, who, profile_id)
    form = forms.form_of(json.loads(row.body))
    return _profile_page(request, who, svc, form, "/app/profiles", 200)


@router.post("/profiles/{profile_id}/evaluate", dependencies=[CsrfDep])
async def upload(
    request: Request,
    profile_id: str,
    who: ViewerDep,
    svc: ServiceDep,
    inventory: UploadFile,
    as_of: Annotated[str, Form()] = "",
) -> Response:
    """Evaluate an uploaded inventory for this profile on the chosen date and store the result;
    the profile's page with every problem of the file (row, column) otherwise (422)."""
    _require_writable(who)
    row = _profile(svc, who, profile_id)
    data = json.loads(row.body)
    filename = inventory.filename or "inventory"

    def again(problems: list[dict[str, Any]]) -> Response:
        return page(
            request,
            "profile_view.html.j2",
            status=422,
            who=who,
            row=row,
            profile=data,
            roles=svc.pack.roles,
            today=as_of or dt.date.today().isoformat(),
            problems=problems,
            filename=filename,
        )

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        return again([{"line": None, "field": "as_of", "message": "give a date as YYYY-MM-DD"}])
    body = await inventory.read()
    try:
        result_id = await run_in_threadpool(
            evaluate_upload, svc, who.tenant, row.id, data, filename, body, day
        )
    except UploadProblems as error:
        return again(
            [{"line": p.line, "field": p.field, "message": p.message} for p in error.problems]
        )
    return _see_other(f"/app/results/{result_id}")


@router.get("/results/{result_id}")
def show_result(request: Request, result_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    row, data = _result(svc, who, result_id)
    return page(
        request,
        "result.html.j2",
        who=who,
        row=row,
        data=data,
        counts=summary(data),
        table=filtered(data, request.query_params),
        full=_full(svc, result_id),
        stated=stated_of(svc, result_id),
        columns=columns_of(svc, result_id),
    )


@router.get("/results/{result_id}/findings/{finding_id}")
def show_finding(
    request: Request, result_id: str, finding_id: str, who: ViewerDep, svc: ServiceDep
) -> Response:
    row, data = _result(svc, who, result_id)
    finding = next((f for f in data["findings"] if f["id"] == finding_id), None)
    if finding is None:
        raise PageError(404, "no finding with this id in this result")
    return page(request, "finding.html.j2", who=who, row=row, data=data, finding=finding)


@router.get("/results/{result_id}/review")
def show_review(request: Request, result_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    """The review queue: the result's review items grouped by what must be checked, with a
    vendor-match question's two answers and a missing fact's column to state."""
    from dutybound.reports.context import review_groups

    row, data = _result(svc, who, result_id)
    review = data.get("review") or []
    names = {gid: g.name for gid, g in svc.pack.registry.groups.items()}
    return page(
        request,
        "review.html.j2",
        who=who,
        row=row,
        data=data,
        groups=review_groups(review),
        questions=vendor_questions(review, names),
        facts=missing_facts(review),
        full=_full(svc, result_id),
    )


@router.post("/results/{result_id}/review/vendor", dependencies=[CsrfDep])
async def answer_vendor(
    result_id: str,
    who: ViewerDep,
    svc: ServiceDep,
    vendor: Annotated[str, Form()] = "",
    group: Annotated[str, Form()] = "",
    answer: Annotated[str, Form()] = "",
) -> Response:
    """Record "this vendor name is (is not) this group's equipment" for the tenant, evaluate
    again with the tenant's decisions and show the new result."""
    _require_writable(who)
    row, data = _result(svc, who, result_id)
    try:
        chosen = Answer(answer)
    except ValueError:
        raise PageError(422, "answer 'is' or 'is_not'") from None
    evaluation = await run_in_threadpool(full_evaluation, svc, row)
    new_id = await run_in_threadpool(
        answer_and_rerun,
        svc,
        who.tenant,
        row,
        evaluation,
        data.get("review") or [],
        vendor,
        group,
        chosen,
    )
    return _see_other(f"/app/results/{new_id}")


def _download(body: bytes, media: str, name: str) -> Response:
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/results/{result_id}/evaluation.json")
def download_json(result_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    row, data = _result(svc, who, result_id)
    return _download(json_text(data).encode(), "application/json", f"dutybound-{row.as_of}.json")


def _full(svc: Service, result_id: str) -> bool:
    """Whether the PDF, XLSX and re-run are offered: held, or evaluable from stored inputs."""
    return held(result_id) is not None or db.result_input(svc.db, result_id) is not None


@router.get("/results/{result_id}/report.pdf")
def download_pdf(request: Request, result_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    """The obligation report (``reports.render.obligation_report_pdf``): PDF/A-3b with the
    evaluation JSON and the affected-asset CSV attached."""
    from dutybound.reports.render import obligation_report_pdf

    row, data = _result(svc, who, result_id)
    evaluation = full_evaluation(svc, row)
    body = obligation_report_pdf(evaluation, language(request).value, data)  # the page's
    return _download(body, "application/pdf", f"dutybound-{row.as_of}.pdf")


@router.get("/results/{result_id}/findings.xlsx")
def download_xlsx(result_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    """A row per finding and asset, as ``dutybound evaluate --format xlsx`` writes it."""
    from dutybound.engine.cells import tracking_sheet
    from dutybound.engine.findings_table import HEADER, WIDTHS, finding_rows

    row, data = _result(svc, who, result_id)
    evaluation = full_evaluation(svc, row)
    body = tracking_sheet("Findings", HEADER, finding_rows(evaluation, data["findings"]), WIDTHS)
    return _download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"dutybound-{row.as_of}.xlsx",
    )


__all__ = ["router"]
