"""The attestation register: records that an operator did a duty, kept in the database and
applied to later evaluations.

Recording is all-or-nothing and refuses, before anything is written, a record that could never
fulfil its obligation: one for a prohibition or a cap (``engine.attestations.kind_refusal``),
which the inventory meets, not a record. Whether the obligation applies to the operator is a
question of the evaluation date and the inventory, so it is decided when the record is applied,
not here. Each record gets an audit entry. Stored records are read back through
``check_attestations`` against the rule pack of the evaluation that uses them, so a record
stored under an older pack is judged by the law of the day it is applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlmodel import Session, col, select

from dutybound.engine.attestations import Attestation, check_attestations, kind_refusal
from dutybound.engine.errors import InputError
from dutybound.engine.loading import RulePack
from dutybound.engine.store.connection import database
from dutybound.engine.store.models import AttestationRecord, Tenant
from dutybound.engine.store.records import DEFAULT_TENANT
from dutybound.engine.store.register import record_all, row_payload

ATTESTATION_RECORDED = "attestation.recorded"


attestation_payload = row_payload(AttestationRecord)


def _clash(session: Session, tenant_id: int, attestation: Attestation) -> InputError | None:
    exists = session.exec(
        select(AttestationRecord).where(
            AttestationRecord.tenant_id == tenant_id,
            AttestationRecord.operator == attestation.operator,
            AttestationRecord.attestation_id == attestation.id,
        )
    ).first()
    if exists is None:
        return None
    return InputError(
        attestation.source or "attestations",
        f"attestation {attestation.id} is already recorded for {attestation.operator} (record "
        "a new id to change it)",
        line=attestation.line,
        field="id",
    )


def _row(attestation: Attestation, tenant_id: int, who: str, now: dt.datetime) -> AttestationRecord:
    return AttestationRecord(
        tenant_id=tenant_id,
        operator=attestation.operator,
        attestation_id=attestation.id,
        obligation=attestation.obligation,
        assets=orjson.dumps(list(attestation.assets)).decode()
        if attestation.assets is not None
        else None,
        done_on=attestation.done_on,
        evidence=attestation.evidence,
        attested_by=attestation.by,
        note=attestation.note,
        recorded_by=who,
        recorded_at=now,
    )


def record_attestations(
    attestations: list[Attestation],
    url: str | None = None,
    *,
    tenant: str = DEFAULT_TENANT,
    actor: str | None = None,
) -> list[int]:
    """Store validated attestations in one transaction; refuses the lot if any is for a
    prohibition or a cap, or is already recorded under the same id for its operator."""
    for attestation in attestations:
        reason = kind_refusal(attestation.law)
        if reason:
            raise InputError(
                attestation.source or "attestations",
                f"attestation {attestation.id} refused: {reason}",
                line=attestation.line,
                field="obligation",
            )
    return record_all(
        attestations,
        url,
        action=ATTESTATION_RECORDED,
        payload_of=attestation_payload,
        clash=_clash,
        row=_row,
        tenant=tenant,
        actor=actor,
    )


def stored_attestations(
    operator: str, pack: RulePack, url: str | None = None, *, tenant: str = DEFAULT_TENANT
) -> list[Attestation]:
    """The operator's recorded attestations, checked against ``pack`` (a record naming an
    obligation the pack no longer has is an input error naming the stored record)."""
    with Session(database(url)) as session:
        rows = session.exec(
            select(AttestationRecord)
            .join(Tenant)
            .where(Tenant.name == tenant, AttestationRecord.operator == operator)
            .order_by(col(AttestationRecord.id))
        ).all()
    data: list[dict[str, Any]] = [
        {
            "id": r.attestation_id,
            "operator": r.operator,
            "obligation": r.obligation,
            "done_on": r.done_on.isoformat(),
            "evidence": r.evidence,
            "by": r.attested_by,
            **({"assets": orjson.loads(r.assets)} if r.assets is not None else {}),
            **({"note": r.note} if r.note else {}),
        }
        for r in rows
    ]
    if not data:
        return []
    return check_attestations(data, pack, f"attestation register ({tenant})", operator=operator)


def list_attestations(
    url: str | None = None, tenant: str | None = None, operator: str | None = None
) -> list[AttestationRecord]:
    """The register's rows in the order they were recorded, for one tenant or operator."""
    with Session(database(url)) as session:
        query = select(AttestationRecord).order_by(col(AttestationRecord.id))
        if tenant is not None:
            query = query.join(Tenant).where(Tenant.name == tenant)
        if operator is not None:
            query = query.where(AttestationRecord.operator == operator)
        rows = list(session.exec(query))
        for row in rows:
            session.expunge(row)
        return rows
