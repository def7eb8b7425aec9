"""The vendor decision register: a tenant's answers about vendor names (engine.vendor_decisions),
kept in the database and applied to later evaluations.

Decisions belong to a tenant, not to one operator: "Huawai Technologies is Huawei" holds for
every inventory the tenant screens. Recording is all-or-nothing; each record gets an audit entry
covering every column. A record is never edited: a changed answer is a new decision (new id)
with a later ``decided_on``. An evaluation on a date uses, for each name, the newest decision
made on or before that date, so an evaluation of last year is not rewritten by today's answer.
Stored decisions are read back through ``check_decisions`` against the registry of the
evaluation that uses them (a group the registry no longer has is an input error naming the
record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlmodel import Session, col, select

from dutybound.engine.errors import InputError, raise_all
from dutybound.engine.store.connection import database
from dutybound.engine.store.models import Tenant, VendorDecisionRecord
from dutybound.engine.store.records import DEFAULT_TENANT
from dutybound.engine.store.register import record_all, row_payload
from dutybound.engine.vendor_decisions import Decision, check_decisions
from dutybound.engine.vendors import Registry, normalise

VENDOR_DECISION_RECORDED = "vendor_decision.recorded"

vendor_decision_payload = row_payload(VendorDecisionRecord)


def register_name(tenant: str) -> str:
    """How error messages and outputs name a tenant's register."""
    return f"vendor decision register ({tenant})"


def _clash(session: Session, tenant_id: int, decision: Decision) -> InputError | None:
    """An id recorded before, or the same name already decided on the same day (which of the
    two would count is undefined)."""
    same_id = session.exec(
        select(VendorDecisionRecord).where(
            VendorDecisionRecord.tenant_id == tenant_id,
            VendorDecisionRecord.decision_id == decision.id,
        )
    ).first()
    if same_id is not None:
        return InputError(
            decision.source,
            f"decision {decision.id} is already recorded (record {same_id.id}); record a new "
            "id to change it",
            line=decision.line,
            field="id",
        )
    same_day = session.exec(
        select(VendorDecisionRecord).where(
            VendorDecisionRecord.tenant_id == tenant_id,
            VendorDecisionRecord.decided_on == decision.decided_on,
        )
    ).all()
    for row in same_day:
        if normalise(row.name) == decision.key:
            return InputError(
                decision.source,
                f"{decision.name!r} was already decided on {decision.decided_on.isoformat()} "
                f"by decision {row.decision_id} (record {row.id}); a new answer needs a later "
                "decided_on",
                line=decision.line,
                field="decided_on",
            )
    return None


def _row(decision: Decision, tenant_id: int, who: str, now: dt.datetime) -> VendorDecisionRecord:
    return VendorDecisionRecord(
        tenant_id=tenant_id,
        decision_id=decision.id,
        name=decision.name,
        confirms_group=decision.group,
        rejects_group=decision.not_group,
        relationship=decision.relationship,
        decided_by=decision.by,
        decided_on=decision.decided_on,
        note=decision.note,
        recorded_by=who,
        recorded_at=now,
    )


def record_vendor_decisions(
    decisions: list[Decision],
    url: str | None = None,
    *,
    tenant: str = DEFAULT_TENANT,
    actor: str | None = None,
) -> list[int]:
    """Store validated decisions in one transaction; refuses the lot (every clash named) if any
    id is already recorded, or any name was already decided on the same day."""
    return record_all(
        decisions,
        url,
        action=VENDOR_DECISION_RECORDED,
        payload_of=vendor_decision_payload,
        clash=_clash,
        row=_row,
        tenant=tenant,
        actor=actor,
    )


def list_vendor_decisions(
    url: str | None = None, tenant: str | None = None
) -> list[tuple[VendorDecisionRecord, str]]:
    """(record, tenant name) in the order they were recorded."""
    with Session(database(url)) as session:
        query = (
            select(VendorDecisionRecord, Tenant.name)
            .join(Tenant, col(Tenant.id) == col(VendorDecisionRecord.tenant_id))
            .order_by(col(VendorDecisionRecord.id))
        )
        if tenant is not None:
            query = query.where(Tenant.name == tenant)
        rows = [(r, t) for r, t in session.exec(query)]
        for record, _ in rows:
            session.expunge(record)
        return rows


def stored_vendor_decisions(
    registry: Registry, as_of: dt.date, url: str | None = None, *, tenant: str = DEFAULT_TENANT
) -> list[Decision]:
    """The tenant's decisions in force on ``as_of``: for each name (as the registry compares
    names), the newest decided on or before that day. Each is checked against ``registry``;
    every problem is reported at once, naming the record."""
    with Session(database(url)) as session:
        rows = session.exec(
            select(VendorDecisionRecord)
            .join(Tenant)
            .where(Tenant.name == tenant, VendorDecisionRecord.decided_on <= as_of)
            .order_by(col(VendorDecisionRecord.decided_on), col(VendorDecisionRecord.id))
        ).all()
    newest = {normalise(r.name): r for r in rows}  # later rows overwrite earlier ones
    source = register_name(tenant)
    out: list[Decision] = []
    problems: list[InputError] = []
    for row in sorted(newest.values(), key=lambda r: r.id or 0):
        data = {
            "id": row.decision_id,
            "name": row.name,
            "relationship": row.relationship,
            "by": row.decided_by,
            "decided_on": row.decided_on.isoformat(),
            **({"group": row.confirms_group} if row.confirms_group is not None else {}),
            **({"not_group": row.rejects_group} if row.rejects_group is not None else {}),
            **({"note": row.note} if row.note is not None else {}),
        }
        try:
            (decision,) = check_decisions([data], registry, f"{source} record {row.id}")
        except InputError as exc:
            problems.extend(getattr(exc, "problems", [exc]))
            continue
        out.append(replace(decision, source=source, line=None, record=row.id))
    raise_all(problems)
    return out
