"""A profile's history of stored results, the diff between two of them, and a result's assets
no rule caught (the evaluation's ``unaffected`` list).

The diff is the engine's (``engine.diff``, as ``dutybound diff`` runs it): both results are
evaluated again from their stored inputs (``evaluations.full_evaluation``, which refuses a
result of another rule pack), and the counterfactual walk attributes each change to the
profile, the inventory, the law or time, grouped here into added, removed and changed
obligations. The vendor decision register does not enter the walk, as in the CLI: when the two
results applied different answers of the review queue, the page says so. Both ids are
read as the signed-in tenant: a result of another tenant is a 404 like an unknown id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dutybound.service import db
from dutybound.service.deps import ServiceDep
from dutybound.service.state import Service
from dutybound.web.errors import PageError
from dutybound.web.evaluations import full_evaluation, stored_register
from dutybound.web.pages import _profile, _result
from dutybound.web.rendering import page
from dutybound.web.results import summary
from dutybound.web.session import ViewerDep

if TYPE_CHECKING:
    from dutybound.engine.diff import Diff
    from dutybound.engine.loading import RulePack

router = APIRouter(prefix="/app", include_in_schema=False)
LISTED = 100  # results listed on a profile's history, newest first


@dataclass(frozen=True)
class Entry:
    """One row of a profile's history."""

    row: db.StoredResult
    counts: dict[str, int]


def history(svc: Service, tenant: str, profile_id: str) -> list[Entry]:
    """The tenant's stored results of one profile, newest first, with their summary counts."""
    rows = db.profile_results(svc.db, tenant, profile_id)[:LISTED]
    return [Entry(row, summary(json.loads(row.body))) for row in rows]


def _service_packs(pack: RulePack) -> Any:
    """A pack cache that answers with the service's loaded pack: both results were evaluated
    with it (``full_evaluation`` checked), so the walk needs no other law."""
    from dutybound.engine.diff import PackCache

    class ServicePacks(PackCache):
        def get(self, law_dir: Path, registry_path: Path) -> RulePack:
            return pack

    return ServicePacks()


def diff_results(svc: Service, before: db.StoredResult, after: db.StoredResult) -> Diff:
    """The engine's diff of two stored results, each evaluated again from its stored inputs."""
    from dutybound.engine.diff import Side, diff

    sides = []
    for row in (before, after):
        evaluation = full_evaluation(svc, row)
        sides.append(Side(evaluation.profile, list(evaluation.assets), evaluation.as_of))
    with svc.engine_lock:
        return diff(sides[0], sides[1], evaluator=svc.evaluator, packs=_service_packs(svc.pack))


def decisions_differ(svc: Service, before: db.StoredResult, after: db.StoredResult) -> bool:
    """Whether the two results applied different vendor decisions (the review queue's
    answers): the engine's walk does not vary them, so the page says its changes leave those
    out."""
    applied = []
    for row in (before, after):
        inputs = db.result_input(svc.db, row.id)
        applied.append(set() if inputs is None else set(stored_register(inputs).decisions))
    return applied[0] != applied[1]


def grouped(changes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The diff's changes as the page lists them: obligations added, removed and changed."""
    from dutybound.engine.diff import ChangeType

    out: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    for change in changes:
        kind = change["change"]
        key = (
            "added"
            if kind == ChangeType.APPEARED
            else "removed"
            if kind == ChangeType.DISAPPEARED
            else "changed"
        )
        # an obligation whose status and due date both changed is one row, its causes merged
        same = next((c for c in out[key] if c["obligation_id"] == change["obligation_id"]), None)
        if same is None:
            out[key].append({**change, "changes": [kind]})
        else:
            same["changes"].append(kind)
            same["causes"] = same["causes"] + [
                c for c in change["causes"] if c not in same["causes"]
            ]
    return out


@router.get("/profiles/{profile_id}/history")
def show_history(request: Request, profile_id: str, who: ViewerDep, svc: ServiceDep) -> Response:
    row = _profile(svc, who, profile_id)
    entries = history(svc, who.tenant, profile_id)
    return page(request, "history.html.j2", who=who, row=row, entries=entries)


@router.get("/diff")
async def show_diff(
    request: Request, who: ViewerDep, svc: ServiceDep, a: str = "", b: str = ""
) -> Response:
    """What changed from result ``a`` to result ``b``, and why."""
    if not a or not b:
        raise PageError(422, "choose two results to compare (a and b)")
    before, _ = _result(svc, who, a)
    after, _ = _result(svc, who, b)
    found = await run_in_threadpool(diff_results, svc, before, after)
    data = found.to_json()
    differ = await run_in_threadpool(decisions_differ, svc, before, after)
    return page(
        request,
        "diff.html.j2",
        who=who,
        before=before,
        after=after,
        data=data,
        groups=grouped(data["changes"]),
        decisions_differ=differ,
    )


@router.get("/results/{result_id}/unaffected")
async def show_unaffected(
    request: Request, result_id: str, who: ViewerDep, svc: ServiceDep
) -> Response:
    """The assets of designated vendor groups no rule caught, and why: the evaluation JSON's
    ``unaffected`` list (``engine.unaffected``, as the PDF report shows it), computed again
    from the full evaluation for a stored JSON without one."""
    from dutybound.engine.unaffected import unaffected

    row, data = _result(svc, who, result_id)
    entries = data.get("unaffected")
    if entries is None:
        evaluation = await run_in_threadpool(full_evaluation, svc, row)
        entries = await run_in_threadpool(unaffected, evaluation)
    return page(request, "unaffected.html.j2", who=who, row=row, data=data, entries=entries)


__all__ = ["router"]
