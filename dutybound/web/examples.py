"""One click on the home page: the bundled examples stored for the tenant and evaluated.

Each example is a profile and an inventory shipped with the package (``examples/<name>/``,
package data ``dutybound.examples``, so ``dutybound serve`` from an installed wheel finds them
as a checkout does). They are stored as the tenant's profiles and evaluated through the upload
path (``evaluations.evaluate_upload``) on the date ``make demo`` evaluates them on: the date each
example was written for, when its law bites.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from dutybound.engine.bundled import bundled
from dutybound.service import db
from dutybound.service.deps import ServiceDep
from dutybound.service.state import Service
from dutybound.web.errors import PageError
from dutybound.web.evaluations import evaluate_upload, profile_text
from dutybound.web.session import CsrfDep, ViewerDep

router = APIRouter(prefix="/app", include_in_schema=False)
INVENTORY = "assets.csv"


@dataclass(frozen=True)
class Example:
    """A bundled example and the date the Makefile's ``demo`` evaluates it on."""

    name: str
    as_of: dt.date

    @property
    def folder(self) -> Path:
        return bundled("dutybound.examples", self.name)


# in the Makefile's demo order; the dates are the demo's --as-of
EXAMPLES: tuple[Example, ...] = (
    Example("cz-energy", dt.date(2019, 2, 1)),
    Example("us-federal-contractor", dt.date(2021, 3, 1)),
    Example("uk-telecoms", dt.date(2026, 11, 28)),
)


def example_profile(example: Example) -> dict[str, Any]:
    """The example's profile.yaml as profile data (the engine checks it when it is evaluated)."""
    path = example.folder / "profile.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise PageError(500, f"{path}: the bundled example profile is not a mapping")
    return data


def load_examples(svc: Service, tenant: str) -> list[str]:
    """Store every example's profile for ``tenant`` and evaluate it with its inventory on its
    date; the new results' ids, in ``EXAMPLES`` order. A profile the loaded rule pack refuses
    stops here, before anything is stored."""
    loaded = []
    for example in EXAMPLES:
        data = example_profile(example)
        svc.validated_profile(profile_text(data))  # refused before it is stored
        loaded.append((example, data, (example.folder / INVENTORY).read_bytes()))
    ids = []
    for example, data, body in loaded:
        row = db.save_profile(svc.db, tenant, str(data["name"]), json.dumps(data))
        ids.append(evaluate_upload(svc, tenant, row.id, data, INVENTORY, body, example.as_of))
    return ids


@router.post("/examples", dependencies=[CsrfDep])
async def examples(who: ViewerDep, svc: ServiceDep) -> RedirectResponse:
    """The home page's "Load the examples": on the tenant's own pages only (a consultant
    reading a client stores nothing for it)."""
    if not who.writable:
        raise PageError(
            403, "a consultant reads a client's pages; switch to your own tenant to change them"
        )
    await run_in_threadpool(load_examples, svc, who.tenant)
    return RedirectResponse("/app/home", status_code=303)


__all__ = ["EXAMPLES", "Example", "load_examples", "router"]
