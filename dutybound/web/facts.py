"""The review queue's "state a missing fact" form: a person states, for the assets the result
lists, the value of a column the inventory left empty (or a flag it left unsaid), and the
evaluation runs again as a new result (``review.state_and_rerun``).

The form posts ``field`` and one ``v.<asset id>`` per asset; an empty value states nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dutybound.service.deps import ServiceDep
from dutybound.web.evaluations import full_evaluation
from dutybound.web.pages import _require_writable, _result, _see_other
from dutybound.web.review import state_and_rerun
from dutybound.web.session import CsrfDep, ViewerDep

router = APIRouter(prefix="/app", include_in_schema=False)
VALUE = "v."  # the prefix of a value field: v.<asset id>


@router.post("/results/{result_id}/review/facts", dependencies=[CsrfDep])
async def state_facts(
    request: Request, result_id: str, who: ViewerDep, svc: ServiceDep
) -> Response:
    """Record the stated values with a copy of the stored inventory, evaluate again and show the
    new result (its stated facts are listed on it; the original result stays as it was)."""
    _require_writable(who)
    row, data = _result(svc, who, result_id)
    form = await request.form()
    field = str(form.get("field") or "")
    values = {
        key[len(VALUE) :]: str(value)
        for key, value in form.multi_items()
        if key.startswith(VALUE) and isinstance(value, str)
    }
    evaluation = await run_in_threadpool(full_evaluation, svc, row)
    new_id = await run_in_threadpool(
        state_and_rerun,
        svc,
        row,
        evaluation,
        data.get("review") or [],
        field,
        values,
        who.tenant,
    )
    return _see_other(f"/app/results/{new_id}")


__all__ = ["router"]
