"""POST /report: the obligation report as a PDF/A-3b download."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from dutybound.service.deps import CallerDep, ServiceDep
from dutybound.service.errors import ERRORS, NOT_FOUND, FieldError
from dutybound.service.inputs import run_evaluation
from dutybound.service.models import ReportRequest

router = APIRouter(tags=["evaluation"])


@router.post(
    "/report",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}},
            "description": "The obligation report, PDF/A-3b.",
        },
        **ERRORS,
        **NOT_FOUND,
    },
)
def report(req: ReportRequest, who: CallerDep, svc: ServiceDep) -> Response:
    """The obligation report as a PDF/A-3b download, with the evaluation JSON and the
    affected-asset CSV attached."""
    from dutybound.reports.render import LANGUAGES, obligation_report_pdf

    if req.lang not in LANGUAGES:
        raise FieldError(
            ["body", "lang"],
            f"no interface language {req.lang!r}; available: {', '.join(LANGUAGES)}",
        )
    result = run_evaluation(svc, req, who)
    body = obligation_report_pdf(result, req.lang)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="dutybound-{req.as_of}.pdf"'},
    )
