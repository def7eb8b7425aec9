"""Writing and reading stored evaluations.

One evaluation is one transaction: the tenant, profile version, inventory snapshot, law and vendor
snapshots, the evaluation, its findings and its audit entry land together or not at all (a crash
half-way leaves the database as it was; ``tests/test_store.py`` injects one). Identical profiles,
inventories and law are stored once and shared, so re-running a client every quarter costs one
evaluation row and its findings, not another 100k asset rows.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, func
from sqlmodel import Session, col, select

from dutybound.engine.evaluation import Evaluation
from dutybound.engine.inputs import Asset, Profile, paused_gc
from dutybound.engine.loading import default_law_dir, default_registry_path
from dutybound.engine.macs import given_vendor, oui_of
from dutybound.engine.store import audit, snapshots
from dutybound.engine.store.connection import database
from dutybound.engine.store.models import (
    EvaluationRecord,
    FindingRecord,
    Inventory,
    InventoryAsset,
    LawSnapshot,
    OperatorProfile,
    Tenant,
)
from dutybound.engine.vendors import VendorMatch

DEFAULT_TENANT = "default"
EVALUATION_STORED = "evaluation.stored"
# what an evaluation's audit payload covers (see evaluation_payload); a change to it is a new
# version with a migration that extends the chain (audit.extend_payloads), never an edit of one
PAYLOAD_VERSION = 2
_ASSET_FIELDS = (
    "asset_id",
    "vendor",
    "product",
    "category",
    "function",
    "network",
    "country",
    "use",
    "status",
    "quantity",
    "site",
    "model",
    "installed_on",
    "identified_on",
    "flags",
    "line",
    "origin",
    "mac",
    "oui",
)
# the columns every inventory had before MAC addresses were kept (migration 0007): a row whose
# mac and oui are empty is hashed as these alone, so inventories stored before still verify
_BASE_FIELDS = len(_ASSET_FIELDS) - 2


def current_actor() -> str:
    """Who is running dutybound: ``DUTYBOUND_ACTOR`` (set it to a person in shared setups),
    else the operating-system user."""
    return os.environ.get("DUTYBOUND_ACTOR") or getpass.getuser()


def _asset_row(asset: Asset, match: VendorMatch | None) -> list[Any]:
    """An asset as the inventory gave it: the vendor column before MAC resolution
    (``engine.macs.given_vendor``), the full MAC (None for a bare OUI) and its OUI, so that
    the stored evaluation re-runs to the same result."""
    return [
        asset.asset_id,
        given_vendor(asset.vendor, asset.mac, match),
        asset.product,
        asset.category,
        asset.function,
        asset.network,
        asset.country,
        asset.use,
        asset.status,
        asset.quantity,
        asset.site,
        asset.model,
        asset.installed_on,
        asset.identified_on,
        ";".join(asset.flags),
        asset.line,
        asset.origin,
        asset.mac if len(asset.mac) > len("aa:bb:cc") else None,
        oui_of(asset.mac) if asset.mac else None,
    ]


def inventory_sha256(rows: list[list[Any]]) -> str:
    """The content hash of an inventory's rows (``_ASSET_FIELDS`` order); a row without MAC or
    OUI is hashed without those columns, as it was before they were stored."""
    with paused_gc():
        hashed = [r if r[-2] is not None or r[-1] is not None else r[:_BASE_FIELDS] for r in rows]
    return hashlib.sha256(audit.canonical(hashed)).hexdigest()


def _tenant(session: Session, name: str) -> Tenant:
    tenant = session.exec(select(Tenant).where(Tenant.name == name)).first()
    if tenant is None:
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
    return tenant


def _profile(session: Session, tenant_id: int, profile: Profile) -> OperatorProfile:
    body = audit.canonical(profile.model_dump(mode="json")).decode()
    sha = hashlib.sha256(body.encode()).hexdigest()
    found = session.exec(
        select(OperatorProfile).where(
            OperatorProfile.tenant_id == tenant_id, OperatorProfile.sha256 == sha
        )
    ).first()
    if found is None:
        found = OperatorProfile(tenant_id=tenant_id, name=profile.name, sha256=sha, body=body)
        session.add(found)
        session.flush()
    return found


def _inventory(
    session: Session,
    tenant_id: int,
    assets: Sequence[Asset],
    matches: dict[str, VendorMatch],
    now: dt.datetime,
) -> Inventory:
    with paused_gc():
        rows = [_asset_row(a, matches.get(a.vendor)) for a in assets]
    sha = inventory_sha256(rows)
    found = session.exec(
        select(Inventory).where(Inventory.tenant_id == tenant_id, Inventory.sha256 == sha)
    ).first()
    if found is not None:
        return found
    inventory = Inventory(tenant_id=tenant_id, sha256=sha, asset_count=len(rows), created_at=now)
    session.add(inventory)
    session.flush()
    _bulk_insert_assets(session, inventory.id, rows)
    return inventory


def _bulk_insert_assets(session: Session, inventory_id: int | None, rows: list[list[Any]]) -> None:
    """Many rows through the driver's fastest path, inside the session's transaction:
    PostgreSQL's COPY, SQLite's executemany. (The ORM, or even SQLAlchemy's executemany, is an
    order of magnitude slower here; docs/performance.md.)"""
    columns = ("inventory_id", "position", *_ASSET_FIELDS)
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = session.connection().connection.cursor()
    try:
        if session.get_bind().dialect.name == "postgresql":
            with cursor.copy(f"COPY inventory_asset ({names}) FROM STDIN") as copy:
                for n, row in enumerate(rows):
                    copy.write_row((inventory_id, n, *row))
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(
                f"INSERT INTO inventory_asset ({names}) VALUES ({marks})",
                [(inventory_id, n, *row) for n, row in enumerate(rows)],
            )
    finally:
        cursor.close()


def _snapshot(session: Session, kind: str, archive: bytes, now: dt.datetime) -> str:
    sha = snapshots.sha256(archive)
    if session.get(LawSnapshot, sha) is None:
        session.add(LawSnapshot(sha256=sha, kind=kind, archive=archive, created_at=now))
        session.flush()
    return sha


def _insert_findings(session: Session, evaluation_id: int, evaluation: Evaluation) -> None:
    for finding in evaluation.findings:
        data = finding.to_json()
        session.add(
            FindingRecord(
                evaluation_id=evaluation_id,
                finding_id=finding.id,
                obligation_id=data["obligation_id"],
                jurisdiction=data["jurisdiction"],
                kind=data["kind"],
                status=data["status"],
                due=finding.due,
                verified=data["verified"],
                assets=orjson.dumps(finding.assets).decode(),
            )
        )


def save_evaluation(
    evaluation: Evaluation,
    result_json: str,
    url: str | None = None,
    *,
    law_dir: Path | None = None,
    registry_path: Path | None = None,
    tenant: str = DEFAULT_TENANT,
    actor: str | None = None,
    before_commit: Callable[[int, str], None] | None = None,
) -> int:
    """Store one evaluation with everything needed to re-run it; returns its id.

    ``before_commit(id, audit_head)`` runs inside the transaction, after the audit entry (whose
    hash is the chain's new head): the CLI puts its output file in place there, so a run whose
    output fails stores nothing (issue 19), and a report can print the id and head it is stored
    under."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    law = snapshots.law_archive(law_dir or default_law_dir())
    registry = snapshots.registry_archive(registry_path or default_registry_path())
    with Session(database(url)) as session, session.begin():
        audit.lock(session)
        owner = _tenant(session, tenant)
        assert owner.id is not None
        profile = _profile(session, owner.id, evaluation.profile)
        inventory = _inventory(session, owner.id, evaluation.assets, evaluation.vendor_matches, now)
        assert profile.id is not None and inventory.id is not None
        record = EvaluationRecord(
            tenant_id=owner.id,
            profile_id=profile.id,
            inventory_id=inventory.id,
            law_sha256=_snapshot(session, "law", law, now),
            registry_sha256=_snapshot(session, "registry", registry, now),
            as_of=evaluation.as_of,
            rulepack_version=evaluation.pack.version,
            rulepack_sha256=evaluation.pack.sha256,
            inputs_sha256=evaluation.inputs_sha256,
            evaluator=evaluation.evaluator,
            findings_count=len(evaluation.findings),
            actor=actor or current_actor(),
            stored_at=now,
            result=result_json,
        )
        session.add(record)
        session.flush()
        assert record.id is not None
        _insert_findings(session, record.id, evaluation)
        session.flush()
        payload = evaluation_payload(session, record.id, {inventory.id: inventory.sha256})
        assert payload is not None
        entry = audit.append(
            session,
            action=EVALUATION_STORED,
            tenant=tenant,
            ref_id=record.id,
            payload_sha256=payload,
            actor=record.actor,
            at=now,
        )
        if before_commit is not None:
            before_commit(record.id, entry.entry_sha256)
        return record.id


def evaluation_payload(
    session: Session,
    evaluation_id: int,
    inventory_hashes: dict[int, str] | None = None,
    version: int = PAYLOAD_VERSION,
) -> str | None:
    """The hash the audit entry of a stored evaluation covers, from the rows as they are now:
    the evaluation row, its findings, and the content of its profile, inventory and law.

    Version 2 (migration 0008) also covers every other column a person reads back: the
    operator's name and the profile and inventory rows' own columns (``history`` shows the name
    from ``operator_profile``, which version 1 left out, so a forged name went unnoticed).
    Version 1 is kept to check entries written before 0008 (``audit.verify``).

    ``inventory_hashes`` caches inventory content hashes by id: an inventory of 100k rows is
    shared by many evaluations and need be read once per verification (or not at all when it
    was just written)."""
    record = session.get(EvaluationRecord, evaluation_id)
    if record is None:
        return None
    profile = session.get(OperatorProfile, record.profile_id)
    tenant = session.get(Tenant, record.tenant_id)
    findings = session.exec(
        select(FindingRecord)
        .where(FindingRecord.evaluation_id == evaluation_id)
        .order_by(FindingRecord.finding_id)
    ).all()
    law = session.get(LawSnapshot, record.law_sha256)
    registry = session.get(LawSnapshot, record.registry_sha256)
    fields = record.model_dump(exclude={"result"})
    fields["result_sha256"] = hashlib.sha256(record.result.encode()).hexdigest()
    fields["tenant"] = tenant.name if tenant else None
    fields["profile_sha256"] = (
        hashlib.sha256(profile.body.encode()).hexdigest() if profile else None
    )
    hashes = inventory_hashes if inventory_hashes is not None else {}
    if record.inventory_id not in hashes:
        hashes[record.inventory_id] = inventory_sha256(_rows(session, record.inventory_id))
    fields["inventory_sha256"] = hashes[record.inventory_id]
    fields["law_archive_sha256"] = snapshots.sha256(law.archive) if law else None
    fields["registry_archive_sha256"] = snapshots.sha256(registry.archive) if registry else None
    fields["findings"] = [f.model_dump(exclude={"id"}) for f in findings]
    if version >= 2:
        inventory = session.get(Inventory, record.inventory_id)
        fields["profile"] = profile.model_dump(exclude={"body"}) if profile else None
        fields["inventory"] = inventory.model_dump() if inventory else None
        fields["snapshot_kinds"] = [law.kind if law else None, registry.kind if registry else None]
    return audit.digest(fields)


def _rows(session: Session, inventory_id: int) -> list[list[Any]]:
    """An inventory's rows in ``_ASSET_FIELDS`` order, read through the driver (SQLAlchemy's
    row processing costs several times the read on a large inventory). SQLite hands dates back
    as text."""
    names = ", ".join(f'"{c}"' for c in _ASSET_FIELDS)
    postgres = session.get_bind().dialect.name == "postgresql"
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(
            f"SELECT {names} FROM inventory_asset WHERE inventory_id = "
            f"{'%s' if postgres else '?'} ORDER BY position",
            (inventory_id,),
        )
        with paused_gc():
            rows = [list(r) for r in cursor.fetchall()]
    finally:
        cursor.close()
    if not postgres:
        date = dt.date.fromisoformat
        for row in rows:
            if row[12]:
                row[12] = date(row[12])
            if row[13]:
                row[13] = date(row[13])
    return rows


@dataclass(frozen=True)
class StoredEvaluation:
    """A stored evaluation with its inputs, ready to be shown or re-run."""

    record: EvaluationRecord
    tenant: str
    profile: dict[str, Any]
    assets: Sequence[Asset]
    law_archive: bytes
    registry_archive: bytes

    @property
    def result(self) -> dict[str, Any]:
        result: dict[str, Any] = orjson.loads(self.record.result)
        return result


def load_evaluation(evaluation_id: int, url: str | None = None) -> StoredEvaluation | None:
    with Session(database(url)) as session:
        record = session.get(EvaluationRecord, evaluation_id)
        if record is None:
            return None
        tenant = session.get(Tenant, record.tenant_id)
        profile = session.get(OperatorProfile, record.profile_id)
        law = session.get(LawSnapshot, record.law_sha256)
        registry = session.get(LawSnapshot, record.registry_sha256)
        assert tenant and profile and law and registry, "foreign keys guarantee these"
        rows = _rows(session, record.inventory_id)
        with paused_gc():
            assets = [
                Asset._make(
                    # the vendor as given; the asset's MAC is the full MAC, else the bare OUI
                    (
                        *row[:14],
                        tuple(row[14].split(";")) if row[14] else (),
                        *row[15:17],
                        row[17] or row[18] or "",
                    )
                )
                for row in rows
            ]
        session.expunge(record)
        return StoredEvaluation(
            record, tenant.name, orjson.loads(profile.body), assets, law.archive, registry.archive
        )


def list_evaluations(
    url: str | None = None,
    tenant: str | None = None,
) -> list[tuple[EvaluationRecord, str, str]]:
    """(evaluation, tenant, operator name), oldest first."""
    with Session(database(url)) as session:
        query = (
            select(EvaluationRecord, Tenant.name, OperatorProfile.name)
            .join(Tenant, col(Tenant.id) == col(EvaluationRecord.tenant_id))
            .join(OperatorProfile, col(OperatorProfile.id) == col(EvaluationRecord.profile_id))
            .order_by(col(EvaluationRecord.id))
        )
        if tenant is not None:
            query = query.where(Tenant.name == tenant)
        rows = [(r, t, n) for r, t, n in session.exec(query)]
        for record, _, _ in rows:
            session.expunge(record)
        return rows


def payload_functions(
    version: int = PAYLOAD_VERSION, inventory_hashes: dict[int, str] | None = None
) -> audit.Payloads:
    """Each audited action's payload function, as of payload ``version``. The registers' rows
    are covered whole in every version (``register.row_payload``)."""
    from dutybound.engine.store.attestation_register import (
        ATTESTATION_RECORDED,
        attestation_payload,
    )
    from dutybound.engine.store.vendor_decision_register import (
        VENDOR_DECISION_RECORDED,
        vendor_decision_payload,
    )
    from dutybound.engine.store.waiver_register import WAIVER_RECORDED, waiver_payload

    hashes = inventory_hashes if inventory_hashes is not None else {}
    return {
        EVALUATION_STORED: lambda s, ref: evaluation_payload(s, ref, hashes, version),
        WAIVER_RECORDED: waiver_payload,
        ATTESTATION_RECORDED: attestation_payload,
        VENDOR_DECISION_RECORDED: vendor_decision_payload,
    }


def verify_audit(
    url: str | None = None,
    expect_head: str | None = None,
) -> tuple[int, str, list[audit.Problem]]:
    hashes: dict[int, str] = {}
    with Session(database(url)) as session:
        return audit.verify(
            session,
            payload_functions(PAYLOAD_VERSION, hashes),
            expect_head,
            earlier=payload_functions(1, hashes),
        )


def audit_notes(url: str | None = None) -> list[str]:
    """What a person reading ``audit verify`` should know about the chain's history: each entry
    a migration appended to extend the payloads, and what that means for older entries."""
    with Session(database(url)) as session:
        return [
            f"entry {e.seq}: on {e.at:%Y-%m-%d} {e.actor} extended the audit payload of entries "
            f"1-{e.ref_id} to every field the store shows (the operator's name and the profile "
            "and inventory rows were not covered before). Nothing was rewritten: each older "
            "entry is checked against the payload it was written with and against the fuller "
            f"one recorded then; a change made before {e.at:%Y-%m-%d} to a field the old "
            "payload left out cannot be detected."
            for e in audit.extensions(session)
        ]


def extend_audit_payloads(connection: Connection, migration: str) -> None:
    """Migration 0008's work: record every entry's payload under the current version and append
    the entry saying so (``audit.extend_payloads``), in the migration's transaction."""
    with Session(bind=connection) as session:
        audit.extend_payloads(
            session,
            payload_functions(PAYLOAD_VERSION),
            actor=f"dutybound migration {migration}",
            at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )
        session.flush()


def count_rows(url: str | None = None) -> dict[str, int]:
    """Rows per table (for tests and `dutybound db info`)."""
    from dutybound.engine.store.models import (
        AttestationRecord,
        AuditEntry,
        VendorDecisionRecord,
        WaiverRecord,
    )

    counts = {}
    with Session(database(url)) as session:
        for model in (
            Tenant,
            OperatorProfile,
            Inventory,
            InventoryAsset,
            LawSnapshot,
            EvaluationRecord,
            FindingRecord,
            WaiverRecord,
            AttestationRecord,
            VendorDecisionRecord,
            AuditEntry,
        ):
            counts[model.__tablename__] = session.exec(
                select(func.count()).select_from(model)
            ).one()
    return counts
