"""The review queue: a person answers "whose equipment is this?" for an uncertain vendor match,
the answer goes into the tenant's vendor decision register, and the evaluation runs again.

The answer is a ``engine.vendor_decisions.Decision`` recorded as ``dutybound vendor-decisions
record`` records one (``record_vendor_decisions``: all or nothing, audited), decided today by
the signed-in key's tenant. The re-run needs the evaluation's profile and assets, which only an
evaluation this process still holds has (``evaluations.held``); an older result asks for the
inventory again. The re-run applies the register as it stands on the later of the result's date
and today: the person answered the question for the result they are looking at.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from dutybound.engine.outcomes import ReviewReason
from dutybound.engine.vendors import normalise
from dutybound.service import db
from dutybound.service.state import Service
from dutybound.web.errors import PageError
from dutybound.web.evaluations import register, run, store_again

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.engine.vendor_decisions import Decision


class Answer(StrEnum):
    """The two buttons of a vendor-match item."""

    IS = "is"
    IS_NOT = "is_not"


def vendor_questions(
    review: list[dict[str, Any]], group_names: dict[str, str]
) -> list[dict[str, Any]]:
    """One question per vendor name and group the matcher was unsure of, with its assets."""
    questions: dict[tuple[str, str], dict[str, Any]] = {}
    for item in review:
        if item["reason"] != ReviewReason.VENDOR_MATCH or not item.get("group"):
            continue
        group = str(item["group"])
        question = questions.setdefault(
            (item["vendor"], group),
            {
                "vendor": item["vendor"],
                "group": group,
                "group_name": group_names.get(group, group),
                "detail": item["detail"],
                "assets": [],
            },
        )
        question["assets"].append(item["asset_id"])
    return sorted(questions.values(), key=lambda q: (-len(q["assets"]), q["vendor"], q["group"]))


def missing_facts(review: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inventory columns or flags to state, one entry per column (one form to state it):
    each with the assets that lack it and, per detail, the obligations it decides for which
    assets, since the same empty column decides different obligations for different assets."""
    facts: dict[str, dict[str, Any]] = {}
    for item in review:
        if item["reason"] != ReviewReason.MISSING_FACT:
            continue
        field = str(item.get("field") or "")
        fact = facts.setdefault(
            field,
            {
                "field": field,
                "details": {},
                "assets": [],
                "choices": fact_choices(field),
                "date": field in DATE_FIELDS,
            },
        )
        fact["details"].setdefault(item["detail"], []).append(item["asset_id"])
        if item["asset_id"] not in fact["assets"]:
            fact["assets"].append(item["asset_id"])
    for fact in facts.values():
        fact["details"] = [
            {"detail": detail, "assets": assets}
            for detail, assets in sorted(fact["details"].items(), key=lambda d: (-len(d[1]), d[0]))
        ]
        fact["shown"] = fact["assets"][:SHOWN_ASSETS]
    return sorted(facts.values(), key=lambda f: (-len(f["assets"]), f["field"]))


def decision_of(vendor: str, group: str, answer: Answer, by: str, today: dt.date) -> Decision:
    """The register record of one answer; its id is new, as the register requires."""
    from dutybound.engine.vendor_decisions import Decision

    confirmed = answer is Answer.IS
    return Decision(
        id=f"web-{uuid.uuid4().hex[:12]}",
        name=vendor,
        key=normalise(vendor),
        group=group if confirmed else None,
        not_group=None if confirmed else group,
        relationship="parent",
        by=by,
        decided_on=today,
        note="answered in the web app's review queue",
        source="web review queue",
    )


def answer_and_rerun(
    svc: Service,
    tenant: str,
    row: db.StoredResult,
    evaluation: Evaluation,
    review: list[dict[str, Any]],
    vendor: str,
    group: str,
    answer: Answer,
) -> str:
    """Record the answer for ``tenant``, evaluate again with the tenant's decisions and store the
    new result; its id. A vendor and group the result did not ask about is a 422."""
    from dutybound.engine.errors import InputError
    from dutybound.engine.store.vendor_decision_register import (
        record_vendor_decisions,
    )

    asked = {(q["vendor"], q["group"]) for q in vendor_questions(review, {})}
    if (vendor, group) not in asked:
        raise PageError(422, "this result does not ask about that vendor and group")
    today = dt.date.today()
    url = svc.settings.database_url
    try:
        record_vendor_decisions(
            [decision_of(vendor, group, answer, tenant, today)], url, tenant=tenant, actor=tenant
        )
    except InputError as error:
        raise PageError(422, str(error)) from None
    applied = register(svc, tenant, max(evaluation.as_of, today))
    result = run(
        svc,
        evaluation.profile,
        evaluation.assets,
        evaluation.as_of,
        applied,
        evaluation.inputs_sha256,
    )
    return store_again(svc, row, result, applied)


DATE_FIELDS = ("identified_on", "installed_on")
YES_NO = ("yes", "no")
SHOWN_ASSETS = 50  # assets of one missing fact offered for stating on one page


def fact_choices(field: str) -> list[str] | None:
    """What a person may state for ``field``: the column's closed vocabulary
    (``engine.vocabulary.ASSET_FIELDS``), yes or no for a flag, or None for a free value (a
    date, checked as the inventory reader checks it)."""
    from dutybound.engine.vocabulary import ASSET_FIELDS, FLAGS

    if field in FLAGS:
        return list(YES_NO)
    vocabulary = ASSET_FIELDS.get(field)
    return sorted(vocabulary) if vocabulary is not None else None


def checked_fact(field: str, asset_id: str, value: str) -> str:
    """The value as stated, checked against the field's vocabulary; a 422 naming the asset and
    field otherwise."""
    value = value.strip()
    choices = fact_choices(field)
    if choices is not None and value not in choices:
        raise PageError(
            422, f"asset {asset_id}, {field}: {value!r} is not one of {', '.join(choices)}"
        )
    if choices is None:
        if field not in DATE_FIELDS:
            raise PageError(422, f"asset {asset_id}, {field}: this fact cannot be stated here")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise PageError(
                422, f"asset {asset_id}, {field}: give a date as YYYY-MM-DD, not {value!r}"
            ) from None
    return value


def stated_facts(
    review: list[dict[str, Any]], field: str, values: dict[str, str], by: str, at: dt.datetime
) -> list[dict[str, Any]]:
    """The facts a person stated for ``field``, one per asset given a value (an empty value is
    "still not known" and states nothing); a 422 for an asset the result does not ask about for
    that field, or when nothing is stated."""
    asked = {a for f in missing_facts(review) if f["field"] == field for a in f["assets"]}
    facts = []
    for asset_id, value in sorted(values.items()):
        if not value.strip():
            continue
        if asset_id not in asked:
            raise PageError(422, f"asset {asset_id}: this result does not ask for its {field}")
        facts.append(
            {
                "asset_id": asset_id,
                "field": field,
                "value": checked_fact(field, asset_id, value),
                "by": by,
                "at": at.isoformat(timespec="seconds"),
            }
        )
    if not facts:
        raise PageError(422, f"state {field} for at least one asset")
    return facts


def state_and_rerun(
    svc: Service,
    row: db.StoredResult,
    evaluation: Evaluation,
    review: list[dict[str, Any]],
    field: str,
    values: dict[str, str],
    by: str,
) -> str:
    """Apply the stated facts to a copy of the stored inventory's assets, evaluate again (same
    day, same vendor decisions) and store it as a new result recording the facts, who stated
    them and when; the original result stays as it was. Its id."""
    from dutybound.web.evaluations import stated_assets, stored_inputs, stored_register

    inputs, _profile, _body, _before = stored_inputs(svc, row)  # 404 without stored inputs
    facts = stated_facts(review, field, values, by, db.now())
    applied = stored_register(inputs)  # the same vendor answers as the result it corrects
    result = run(
        svc,
        evaluation.profile,
        stated_assets(evaluation.assets, facts),
        evaluation.as_of,
        applied,
        evaluation.inputs_sha256,
    )
    return store_again(svc, row, result, applied, facts)
