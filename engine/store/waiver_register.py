"""The waiver register: waivers recorded in the database, applied to later evaluations.

Recording is all-or-nothing and refuses, before anything is written, any waiver whose legal
basis had lapsed (``engine.waivers.refusal``): a register must not hold an exception the law
no longer allows. Each record gets an audit entry. Stored waivers are read back through
``check_waivers`` against the rule pack of the evaluation that uses them, so a waiver recorded
under an older pack is judged by the law of the day it is applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlmodel import Session, col, select

from dutybound.engine.errors import InputError
from dutybound.engine.loading import RulePack
from dutybound.engine.store.connection import database
from dutybound.engine.store.models import Tenant, WaiverRecord
from dutybound.engine.store.records import DEFAULT_TENANT
from dutybound.engine.store.register import record_all, row_payload
from dutybound.engine.waivers import Waiver, check_waivers, refusal

WAIVER_RECORDED = "waiver.recorded"


waiver_payload = row_payload(WaiverRecord)


def _clash(session: Session, tenant_id: int, waiver: Waiver) -> InputError | None:
    exists = session.exec(
        select(WaiverRecord).where(
            WaiverRecord.tenant_id == tenant_id,
            WaiverRecord.operator == waiver.operator,
            WaiverRecord.waiver_id == waiver.id,
        )
    ).first()
    if exists is None:
        return None
    return InputError(
        waiver.source or "waivers",
        f"waiver {waiver.id} is already recorded for {waiver.operator} (record a new id to "
        "change it)",
        line=waiver.line,
        field="id",
    )


def _row(waiver: Waiver, tenant_id: int, who: str, now: dt.datetime) -> WaiverRecord:
    return WaiverRecord(
        tenant_id=tenant_id,
        operator=waiver.operator,
        waiver_id=waiver.id,
        obligation=waiver.obligation,
        basis=waiver.basis,
        reference=waiver.reference,
        assets=orjson.dumps(list(waiver.assets)).decode() if waiver.assets is not None else None,
        approver=waiver.approver,
        granted_on=waiver.granted_on,
        expires_on=waiver.expires_on,
        note=waiver.note,
        recorded_by=who,
        recorded_at=now,
    )


def record_waivers(
    waivers: list[Waiver],
    pack: RulePack,
    url: str | None = None,
    *,
    tenant: str = DEFAULT_TENANT,
    actor: str | None = None,
) -> list[int]:
    """Store validated waivers in one transaction; refuses the lot if any is refused by law or
    already recorded under the same id."""
    for waiver in waivers:
        reason = refusal(waiver, pack.waiver_bases[waiver.basis])
        if reason:
            raise InputError(
                waiver.source or "waivers",
                f"waiver {waiver.id} refused: {reason}",
                line=waiver.line,
                field="basis",
            )
    return record_all(
        waivers,
        url,
        action=WAIVER_RECORDED,
        payload_of=waiver_payload,
        clash=_clash,
        row=_row,
        tenant=tenant,
        actor=actor,
    )


def stored_waivers(
    operator: str, pack: RulePack, url: str | None = None, *, tenant: str = DEFAULT_TENANT
) -> list[Waiver]:
    """The operator's recorded waivers, checked against ``pack`` (a waiver naming an obligation
    the pack no longer has is an input error naming the stored record)."""
    with Session(database(url)) as session:
        rows = session.exec(
            select(WaiverRecord)
            .join(Tenant)
            .where(Tenant.name == tenant, WaiverRecord.operator == operator)
            .order_by(col(WaiverRecord.id))
        ).all()
    data: list[dict[str, Any]] = [
        {
            "id": r.waiver_id,
            "operator": r.operator,
            "obligation": r.obligation,
            "basis": r.basis,
            "reference": r.reference,
            "approver": r.approver,
            "granted_on": r.granted_on.isoformat(),
            **({"expires_on": r.expires_on.isoformat()} if r.expires_on else {}),
            **({"assets": orjson.loads(r.assets)} if r.assets is not None else {}),
            **({"note": r.note} if r.note else {}),
        }
        for r in rows
    ]
    return (
        check_waivers(data, pack, f"waiver register ({tenant})", operator=operator) if data else []
    )


def list_waivers(url: str | None = None, tenant: str | None = None) -> list[WaiverRecord]:
    with Session(database(url)) as session:
        query = select(WaiverRecord).order_by(col(WaiverRecord.id))
        if tenant is not None:
            query = query.join(Tenant).where(Tenant.name == tenant)
        rows = list(session.exec(query))
        for row in rows:
            session.expunge(row)
        return rows
